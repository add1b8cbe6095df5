use rust_decimal::{Decimal, RoundingStrategy};

/// The symbol a currency is usually written with in an English-language app, and the number of
/// minor-unit digits it uses. Unknown codes are written with the code itself ("CHF 1,250.00").
fn currency(code: &str) -> (Option<&'static str>, u32) {
    match code {
        "USD" => (Some("$"), 2),
        "EUR" => (Some("€"), 2),
        "GBP" => (Some("£"), 2),
        "CAD" => (Some("CA$"), 2),
        "AUD" => (Some("A$"), 2),
        "NZD" => (Some("NZ$"), 2),
        "JPY" => (Some("¥"), 0),
        "INR" => (Some("₹"), 2),
        "KRW" => (Some("₩"), 0),
        _ => (None, 2),
    }
}

/// "$1,250.50", "€350.00", "CHF 99.00", "-$12.00": an amount in the firm's currency, exact
/// (rounded half away from zero to the currency's minor unit only for display).
pub fn format_money(amount: Decimal, code: &str) -> String {
    let (symbol, digits) = currency(code);
    let rounded = amount.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.*}", digits as usize, rounded.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let number = if fraction.is_empty() {
        grouped
    } else {
        format!("{grouped}.{fraction}")
    };
    let sign = if rounded.is_sign_negative() && !rounded.is_zero() {
        "-"
    } else {
        ""
    };
    match symbol {
        Some(s) => format!("{sign}{s}{number}"),
        None => format!("{sign}{code} {number}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn amounts_are_written_in_the_firms_currency() {
        assert_eq!(format_money(d("1250.5"), "USD"), "$1,250.50");
        assert_eq!(format_money(d("350"), "EUR"), "€350.00");
        assert_eq!(format_money(d("99"), "CHF"), "CHF 99.00");
        assert_eq!(format_money(d("1234567.891"), "GBP"), "£1,234,567.89");
        assert_eq!(format_money(d("-12"), "USD"), "-$12.00");
        assert_eq!(format_money(d("1500.5"), "JPY"), "¥1,501");
        assert_eq!(format_money(d("0.005"), "USD"), "$0.01");
        assert_eq!(format_money(d("-0.001"), "USD"), "$0.00");
    }
}
