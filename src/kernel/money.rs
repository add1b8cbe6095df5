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
        // ISO 4217's other currencies without a minor unit.
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "KMF" | "PYG" | "RWF" | "UGX" | "VND" | "VUV"
        | "XAF" | "XOF" | "XPF" => (None, 0),
        _ => (None, 2),
    }
}

/// ISO 4217's currencies with three minor-unit digits: Docket keeps amounts to two at most, so
/// a firm cannot choose them.
pub fn has_three_minor_digits(code: &str) -> bool {
    matches!(code, "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND")
}

/// How many decimals the currency's amounts have: 2 for cents, 0 for yen or won.
pub fn minor_digits(code: &str) -> u32 {
    currency(code).1
}

/// Half-up (away from zero) to the currency's minor unit: the one rounding of the money path,
/// made only where an amount is formed (a line, a discount, a tax).
pub fn round_money(d: Decimal, digits: u32) -> Decimal {
    d.round_dp_with_strategy(digits, RoundingStrategy::MidpointAwayFromZero)
}

/// A non-negative amount in the firm's currency as typed ("1,250.50", "$350", "350 €",
/// "EUR 99"), exact, with no more decimals than the currency has; empty means none.
pub fn parse_money(s: &str, code: &str) -> Result<Option<Decimal>, &'static str> {
    let (symbol, digits) = currency(code);
    let mut t = s.trim().replace([',', ' ', '\u{a0}'], "");
    for mark in symbol.into_iter().chain([code]) {
        if let Some(rest) = t.strip_prefix(mark).or_else(|| t.strip_suffix(mark)) {
            t = rest.to_string();
            break;
        }
    }
    if t.is_empty() {
        return Ok(None);
    }
    let d = Decimal::from_str_exact(&t).map_err(|_| {
        if digits == 0 {
            "Enter an amount such as 350."
        } else {
            "Enter an amount such as 350.00."
        }
    })?;
    if d.is_sign_negative() {
        return Err("The amount cannot be negative.");
    }
    if d.scale() > digits {
        return Err(if digits == 0 {
            "This currency has no decimal places."
        } else {
            "Use at most two decimal places."
        });
    }
    if d > Decimal::from(9_999_999_999i64) {
        return Err("That amount is too large.");
    }
    Ok(Some(d))
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
    fn amounts_are_read_in_the_firms_currency() {
        assert_eq!(parse_money("$1,250.50", "USD"), Ok(Some(d("1250.50"))));
        assert_eq!(parse_money("€350", "EUR"), Ok(Some(d("350"))));
        assert_eq!(parse_money("350 €", "EUR"), Ok(Some(d("350"))));
        assert_eq!(parse_money("CHF 99.95", "CHF"), Ok(Some(d("99.95"))));
        assert_eq!(parse_money("1500", "JPY"), Ok(Some(d("1500"))));
        assert!(
            parse_money("1500.50", "JPY").is_err(),
            "yen have no decimals"
        );
        assert_eq!(parse_money("", "USD"), Ok(None));
        assert!(parse_money("-1", "USD").is_err());
        assert!(parse_money("1.005", "USD").is_err());
        assert!(parse_money("abc", "USD").is_err());
        assert!(parse_money("1e3", "USD").is_err());
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
