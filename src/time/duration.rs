//! Durations as timekeepers type them, and the units they are billed in. Pure arithmetic on
//! integers and `Decimal`: no floating point anywhere on the way to an invoice.

use rust_decimal::{Decimal, RoundingStrategy};

/// The most one entry may hold: a day.
pub const MAX_MINUTES: u32 = 24 * 60;

const FORMAT_HINT: &str = "Enter a duration such as 1.5, 1:30, 1h 30m or 90m.";

/// Minutes worked, from "1.5", "1.5h", "1:30", "1h 30m", "1h30", "90m" or "90 min". Decimal
/// hours that do not come to a whole minute round up to the next one (rounding never shortens
/// what was worked).
pub fn parse_duration(input: &str) -> Result<u32, &'static str> {
    let s = input.trim().to_ascii_lowercase();
    if s.is_empty() {
        return Err("Enter how long you worked.");
    }
    let minutes = if let Some((h, m)) = s.split_once(':') {
        let m = m.trim();
        let (h, m) = (whole(h)?, whole(m)?);
        if m >= 60 {
            return Err("After the colon come minutes, 00 to 59.");
        }
        h.checked_mul(60).and_then(|h| h.checked_add(m))
    } else {
        units(&s)?
    };
    let minutes = minutes.ok_or("A day has at most 24 hours.")?;
    if minutes == 0 {
        return Err("Enter a duration greater than zero.");
    }
    if minutes > MAX_MINUTES {
        return Err("A day has at most 24 hours.");
    }
    Ok(minutes)
}

/// A whole number of at most four digits.
fn whole(s: &str) -> Result<u32, &'static str> {
    let s = s.trim();
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(FORMAT_HINT);
    }
    s.parse().map_err(|_| FORMAT_HINT)
}

/// "1.5", "1.5h", "2 hours", "90m", "1h 30m", "1h30": hours and minutes with their units (a
/// bare number is hours; a number after hours without a unit is minutes).
fn units(s: &str) -> Result<Option<u32>, &'static str> {
    let mut total = Decimal::ZERO;
    let mut rest = s.trim();
    let mut seen_hours = false;
    let mut seen_minutes = false;
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, tail) = rest.split_at(end);
        if number.is_empty() || number.len() > 9 {
            return Err(FORMAT_HINT);
        }
        let value = Decimal::from_str_exact(number).map_err(|_| FORMAT_HINT)?;
        let tail = tail.trim_start();
        let unit_end = tail
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(tail.len());
        let (unit, after) = tail.split_at(unit_end);
        let minutes_unit = match unit {
            "h" | "hr" | "hrs" | "hour" | "hours" => false,
            "m" | "min" | "mins" | "minute" | "minutes" => true,
            // A bare number: hours on its own, minutes after hours ("1h30").
            "" if seen_hours && !seen_minutes => true,
            "" if !seen_hours && !seen_minutes => false,
            _ => return Err(FORMAT_HINT),
        };
        if minutes_unit {
            if seen_minutes {
                return Err(FORMAT_HINT);
            }
            seen_minutes = true;
            total += value;
        } else {
            if seen_hours || seen_minutes {
                return Err(FORMAT_HINT);
            }
            seen_hours = true;
            total += value * Decimal::from(60);
        }
        rest = after.trim_start();
    }
    // Rounded up to a whole minute; beyond a day is refused by the caller.
    let minutes = total.round_dp_with_strategy(0, RoundingStrategy::ToPositiveInfinity);
    Ok(u32::try_from(minutes.mantissa() / 10i128.pow(minutes.scale())).ok())
}

/// Minutes as a timekeeper reads them: "1:30".
pub fn format_minutes(minutes: u32) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

/// Hours as a decimal, exact to the minute ("1.5", "0.1", "1.016666…" is never shown: see
/// `billed_hours`).
pub fn hours(minutes: u32) -> Decimal {
    Decimal::from(minutes) / Decimal::from(60)
}

/// The minutes an entry is billed for: what was worked, rounded up to the firm's increment
/// (6 minutes is a tenth of an hour). Never less than was worked.
pub fn billed_minutes(minutes: u32, increment: u32) -> u32 {
    let inc = increment.max(1);
    minutes.div_ceil(inc) * inc
}

/// The amount for `minutes` at an hourly `rate`, rounded half-up to the currency's minor unit
/// (`digits`: 2 for cents) once, here.
pub fn amount(minutes: u32, rate: Decimal, digits: u32) -> Decimal {
    crate::kernel::round_money(Decimal::from(minutes) * rate / Decimal::from(60), digits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn every_way_of_writing_ninety_minutes() {
        for s in [
            "1.5",
            "1.5h",
            "1:30",
            "1h 30m",
            "1h30m",
            "1h30",
            "90m",
            "90 min",
            " 1.5 hours ",
            "1H 30M",
            "01:30",
        ] {
            assert_eq!(parse_duration(s), Ok(90), "{s}");
        }
    }

    #[test]
    fn decimal_hours_round_up_to_the_minute() {
        assert_eq!(parse_duration("0.1"), Ok(6));
        assert_eq!(parse_duration("1.33"), Ok(80)); // 79.8 minutes
        assert_eq!(parse_duration("0.01"), Ok(1));
        assert_eq!(parse_duration("2"), Ok(120));
        assert_eq!(parse_duration("45m"), Ok(45));
        assert_eq!(parse_duration("0:05"), Ok(5));
    }

    #[test]
    fn nonsense_and_impossible_durations_are_refused() {
        for s in [
            "",
            "abc",
            "1:75",
            "1:5:0",
            "-1",
            "1.5.5",
            "1h 2h",
            "30m 1h",
            "1d",
            "25",
            "24:01",
            "0",
            "0:00",
            "1,5",
            "99999999999h",
        ] {
            assert!(parse_duration(s).is_err(), "{s:?} accepted");
        }
        assert_eq!(parse_duration("24"), Ok(1440));
        assert_eq!(parse_duration("25"), Err("A day has at most 24 hours."));
    }

    #[test]
    fn billing_rounds_up_to_the_increment() {
        assert_eq!(billed_minutes(1, 6), 6);
        assert_eq!(billed_minutes(6, 6), 6);
        assert_eq!(billed_minutes(7, 6), 12);
        assert_eq!(billed_minutes(7, 15), 15);
        assert_eq!(billed_minutes(7, 1), 7);
        assert_eq!(billed_minutes(61, 60), 120);
    }

    #[test]
    fn amounts_are_exact_and_rounded_once_half_up() {
        let rate = Decimal::from_str("350.00").unwrap();
        assert_eq!(amount(6, rate, 2), Decimal::from_str("35.00").unwrap());
        // 7 minutes at 350/h = 40.8333… → 40.83
        assert_eq!(amount(7, rate, 2), Decimal::from_str("40.83").unwrap());
        // 1 minute at 0.30/h = 0.005 → 0.01 (half up)
        assert_eq!(
            amount(1, Decimal::from_str("0.30").unwrap(), 2),
            Decimal::from_str("0.01").unwrap()
        );
        // Whole yen: 7 minutes at ¥20,000/h = ¥2,333.33… → ¥2,333; 9 minutes = ¥3,000.
        let yen = Decimal::from(20_000);
        assert_eq!(amount(7, yen, 0), Decimal::from(2_333));
        assert_eq!(amount(9, yen, 0), Decimal::from(3_000));
        // ¥2,500/h for 1 minute = ¥41.666… → ¥42.
        assert_eq!(amount(1, Decimal::from(2_500), 0), Decimal::from(42));
        assert_eq!(format_minutes(90), "1:30");
        assert_eq!(hours(90), Decimal::from_str("1.5").unwrap());
    }

    #[test]
    fn rounding_never_reduces_a_duration_or_exceeds_one_increment() {
        for inc in [1, 5, 6, 10, 15, 30, 60] {
            for m in 1..=MAX_MINUTES {
                let b = billed_minutes(m, inc);
                assert!(b >= m && b - m < inc && b % inc == 0, "{m} at {inc}: {b}");
            }
        }
    }
}
