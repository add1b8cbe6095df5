//! Court deadlines: a due date from a trigger date and a rule, by Federal Rule of Civil
//! Procedure 6(a)(1), and the US federal legal holidays of any year.
//!
//! Rule 6(a)(1): exclude the day of the event that triggers the period; count every day,
//! weekends and holidays included; include the last day, but when it is a Saturday, Sunday or
//! legal holiday the period runs until the next day that is not one. Counting before an event,
//! the "next day" is the one before (6(a)(5)). A rule counted in court days skips weekends and
//! holidays as it counts.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

crate::choice!(Counting {
    Calendar = "calendar" : "Calendar days",
    Court = "court" : "Court days",
});

crate::choice!(Direction {
    After = "after" : "After the trigger",
    Before = "before" : "Before the trigger",
});

/// A firm's rule: "Answer due: 21 calendar days after service".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub name: String,
    pub days: u32,
    pub counting: Counting,
    pub direction: Direction,
}

/// A due date and how it was reached, in words a lawyer can check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Computed {
    pub due: NaiveDate,
    pub explanation: Vec<String>,
}

/// The day a legal holiday falls on, and its name.
pub type Holiday = (NaiveDate, &'static str);

fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u8) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n).expect("a valid nth weekday")
}

fn last_weekday(year: i32, month: u32, weekday: Weekday) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, 5)
        .unwrap_or_else(|| nth_weekday(year, month, weekday, 4))
}

fn day(year: i32, month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, d).expect("a valid date")
}

/// A fixed-date holiday's observed day (5 U.S.C. 6103(b), Executive Order 11582): a Saturday
/// holiday is observed the Friday before, a Sunday one the Monday after.
fn observed(date: NaiveDate) -> NaiveDate {
    match date.weekday() {
        Weekday::Sat => date - Duration::days(1),
        Weekday::Sun => date + Duration::days(1),
        _ => date,
    }
}

/// The federal legal holidays observed in calendar year `year` (5 U.S.C. 6103), with the
/// observed days of fixed-date ones: New Year's Day of the next year is observed on December 31
/// when it falls on a Saturday, and is then in this list.
pub fn federal_holidays(year: i32) -> Vec<Holiday> {
    let mut days: Vec<Holiday> = vec![
        (observed(day(year, 1, 1)), "New Year's Day"),
        (
            nth_weekday(year, 1, Weekday::Mon, 3),
            "Birthday of Martin Luther King, Jr.",
        ),
        (
            nth_weekday(year, 2, Weekday::Mon, 3),
            "Washington's Birthday",
        ),
        (last_weekday(year, 5, Weekday::Mon), "Memorial Day"),
        (observed(day(year, 7, 4)), "Independence Day"),
        (nth_weekday(year, 9, Weekday::Mon, 1), "Labor Day"),
        (nth_weekday(year, 10, Weekday::Mon, 2), "Columbus Day"),
        (observed(day(year, 11, 11)), "Veterans Day"),
        (nth_weekday(year, 11, Weekday::Thu, 4), "Thanksgiving Day"),
        (observed(day(year, 12, 25)), "Christmas Day"),
    ];
    if year >= 2021 {
        days.push((
            observed(day(year, 6, 19)),
            "Juneteenth National Independence Day",
        ));
    }
    // Observed in the year before.
    days.retain(|(d, _)| d.year() == year);
    if observed(day(year + 1, 1, 1)).year() == year {
        days.push((day(year, 12, 31), "New Year's Day (observed)"));
    }
    days.sort();
    days
}

/// The legal holiday on `date`, if any (a day set aside for observing one included).
pub fn holiday(date: NaiveDate) -> Option<&'static str> {
    federal_holidays(date.year())
        .into_iter()
        .find(|(d, _)| *d == date)
        .map(|(_, name)| name)
}

/// Why `date` is not a day a period can end on: "a Saturday", "Thanksgiving Day".
pub fn closed(date: NaiveDate) -> Option<String> {
    match date.weekday() {
        Weekday::Sat => Some("a Saturday".into()),
        Weekday::Sun => Some("a Sunday".into()),
        _ => holiday(date).map(|h| format!("a legal holiday ({h})")),
    }
}

/// The due date of `rule` triggered on `trigger`.
pub fn compute(trigger: NaiveDate, rule: &Rule) -> Computed {
    let step = match rule.direction {
        Direction::After => Duration::days(1),
        Direction::Before => Duration::days(-1),
    };
    let toward = match rule.direction {
        Direction::After => "after",
        Direction::Before => "before",
    };
    let mut explanation = vec![format!(
        "The trigger date, {trigger} ({}), is not counted.",
        trigger.weekday()
    )];
    let mut date = trigger;
    match rule.counting {
        Counting::Calendar => {
            date += step * rule.days as i32;
            explanation.push(format!(
                "Counting {} calendar days {toward} it, weekends and holidays included, reaches {date} ({}).",
                rule.days,
                date.weekday()
            ));
        }
        Counting::Court => {
            let mut skipped = 0;
            let mut counted = 0;
            while counted < rule.days {
                date += step;
                if closed(date).is_some() {
                    skipped += 1;
                } else {
                    counted += 1;
                }
            }
            explanation.push(format!(
                "Counting {} court days {toward} it, skipping {skipped} weekend days and holidays, reaches {date} ({}).",
                rule.days,
                date.weekday()
            ));
        }
    }
    while let Some(why) = closed(date) {
        let next = date + step;
        explanation.push(format!(
            "{date} is {why}: the period runs to the {} day, {next}.",
            if step.num_days() > 0 {
                "next"
            } else {
                "previous"
            }
        ));
        date = next;
    }
    explanation.push(format!("Due {date} ({}).", date.weekday()));
    Computed {
        due: date,
        explanation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn rule(days: u32, counting: Counting, direction: Direction) -> Rule {
        Rule {
            name: "test".into(),
            days,
            counting,
            direction,
        }
    }

    #[test]
    fn holidays_of_2026_with_their_observed_days() {
        let days: Vec<NaiveDate> = federal_holidays(2026).into_iter().map(|(d, _)| d).collect();
        let expected = [
            "2026-01-01",
            "2026-01-19",
            "2026-02-16",
            "2026-05-25",
            "2026-06-19",
            "2026-07-03",
            "2026-09-07",
            "2026-10-12",
            "2026-11-11",
            "2026-11-26",
            "2026-12-25",
        ];
        assert_eq!(days, expected.map(d).to_vec());
    }

    #[test]
    fn new_years_day_on_a_saturday_is_observed_the_friday_before_in_the_old_year() {
        // 1 January 2028 is a Saturday.
        assert_eq!(d("2028-01-01").weekday(), Weekday::Sat);
        assert!(federal_holidays(2027).contains(&(d("2027-12-31"), "New Year's Day (observed)")));
        assert!(federal_holidays(2028)
            .iter()
            .all(|(day, _)| day.year() == 2028));
        assert_eq!(holiday(d("2027-12-31")), Some("New Year's Day (observed)"));
        // A period ending on Friday 31 December 2027 runs to Monday 3 January 2028.
        let c = compute(
            d("2027-12-10"),
            &rule(21, Counting::Calendar, Direction::After),
        );
        assert_eq!(c.due, d("2028-01-03"));
    }

    #[test]
    fn a_deadline_on_saturday_july_4_2026_moves_to_monday_july_6() {
        // 21 days after 13 June 2026 is Saturday 4 July (Friday 3 July is the observed holiday).
        let c = compute(
            d("2026-06-13"),
            &rule(21, Counting::Calendar, Direction::After),
        );
        assert_eq!(c.due, d("2026-07-06"));
        assert!(c
            .explanation
            .iter()
            .any(|l| l.contains("2026-07-04 is a Saturday")));
        assert!(c
            .explanation
            .iter()
            .any(|l| l.contains("2026-07-05 is a Sunday")));
    }

    #[test]
    fn thanksgiving_moves_a_deadline_to_the_friday() {
        // 14 days after 12 November 2026 is Thanksgiving, Thursday 26 November.
        let c = compute(
            d("2026-11-12"),
            &rule(14, Counting::Calendar, Direction::After),
        );
        assert_eq!(c.due, d("2026-11-27"));
        assert!(c.explanation.iter().any(|l| l.contains("Thanksgiving Day")));
    }

    #[test]
    fn the_trigger_day_is_excluded_and_the_last_day_included() {
        // Monday + 7 days = the next Monday.
        let c = compute(
            d("2026-03-02"),
            &rule(7, Counting::Calendar, Direction::After),
        );
        assert_eq!(c.due, d("2026-03-09"));
    }

    #[test]
    fn court_days_skip_weekends_and_holidays_as_they_count() {
        // 5 court days after Friday 20 November 2026: 23, 24, 25, (26 Thanksgiving), 27, 30.
        let c = compute(d("2026-11-20"), &rule(5, Counting::Court, Direction::After));
        assert_eq!(c.due, d("2026-11-30"));
    }

    #[test]
    fn counting_backward_moves_to_the_day_before() {
        // 14 days before Monday 20 July 2026 is Monday 6 July; 16 days before is Saturday 4 July,
        // which runs back past Friday 3 July (observed Independence Day) to Thursday 2 July.
        let c = compute(
            d("2026-07-20"),
            &rule(16, Counting::Calendar, Direction::Before),
        );
        assert_eq!(c.due, d("2026-07-02"));
    }

    proptest! {
        #[test]
        fn the_due_date_is_a_court_day_never_before_the_plain_count(
            offset in 0i64..(365 * 30),
            days in 1u32..400,
            court in any::<bool>(),
            before in any::<bool>(),
        ) {
            let trigger = d("2000-01-01") + Duration::days(offset);
            let r = rule(
                days,
                if court { Counting::Court } else { Counting::Calendar },
                if before { Direction::Before } else { Direction::After },
            );
            let c = compute(trigger, &r);
            prop_assert!(closed(c.due).is_none(), "{} is {:?}", c.due, closed(c.due));
            let naive = if before {
                trigger - Duration::days(i64::from(days))
            } else {
                trigger + Duration::days(i64::from(days))
            };
            if before {
                prop_assert!(c.due <= naive);
            } else {
                prop_assert!(c.due >= naive);
            }
            // Never more than a long weekend past the plain count, for calendar days.
            if !court {
                prop_assert!((c.due - naive).num_days().abs() <= 4);
            }
        }
    }
}
