use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::duration::{amount, billed_minutes, parse_duration};
use super::rates::RateSource;
use crate::kernel::{multi_line, parse_date, parse_money, FieldErrors, PageRequest};

crate::choice!(TimeStatus { Unbilled = "unbilled" : "Unbilled", Billed = "billed" : "Billed", WrittenOff = "written_off" : "Written off" });

/// A row of a time list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeRow {
    pub id: Uuid,
    pub matter_id: Uuid,
    pub matter_number: String,
    pub matter_title: String,
    pub user_id: Uuid,
    pub user_name: String,
    pub work_date: NaiveDate,
    /// Minutes worked, as recorded.
    pub minutes: u32,
    /// Minutes it bills for at the firm's increment today (an invoice keeps its own).
    pub billed_minutes: u32,
    pub description: String,
    pub activity_code: Option<String>,
    pub billable: bool,
    /// `None` where the caller may not see it (staff, on a colleague's time).
    pub rate: Option<Decimal>,
    /// What it bills for: billed minutes at the rate, rounded to the cent; zero when not billable.
    pub amount: Option<Decimal>,
    pub status: TimeStatus,
}

impl TimeRow {
    /// The billed minutes and amount of an entry at the firm's `increment`, in a currency of
    /// `digits` decimals.
    pub fn priced(
        minutes: u32,
        rate: Decimal,
        billable: bool,
        increment: u32,
        digits: u32,
    ) -> (u32, Decimal) {
        let billed = billed_minutes(minutes, increment);
        let value = if billable {
            amount(billed, rate, digits)
        } else {
            Decimal::ZERO
        };
        (billed, value)
    }
}

/// One time entry, for its edit form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeEntry {
    pub id: Uuid,
    pub matter_id: Uuid,
    pub matter_number: String,
    pub matter_title: String,
    pub user_id: Uuid,
    pub user_name: String,
    pub fields: ValidTime,
    /// The rate the entry was recorded at.
    pub rate: Decimal,
    pub status: TimeStatus,
    pub version: i32,
}

/// Filters of a time list (a page's query string): one matter's time, or one person's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TimeQuery {
    #[serde(default)]
    pub matter: String,
    /// A member's id; empty is everyone's (on a matter) or the caller's own (on /time).
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub paging: PageRequest,
}

/// What the time form needs to know before anything is typed: the matter, today in the firm's
/// time zone and the rate the entry would be recorded at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeDefaults {
    pub matter_id: Option<Uuid>,
    pub matter_number: String,
    pub matter_title: String,
    pub matter_closed: bool,
    pub today: NaiveDate,
    pub rate: Decimal,
    pub rate_source: RateSource,
    /// Whether the caller may record a rate other than the resolved one (admin and billing).
    pub can_set_rate: bool,
    pub increment: u32,
    pub currency: String,
}

/// The time form as submitted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TimeForm {
    /// The matter: its number as typed, or its id (from a matter's page).
    #[serde(default)]
    pub matter: String,
    #[serde(default)]
    pub work_date: String,
    #[serde(default)]
    pub duration: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub activity_code: String,
    #[serde(default)]
    pub task_code: String,
    /// A checkbox: present ("on") when ticked, absent when not.
    #[serde(default)]
    pub billable: String,
    /// Empty: the rate that applies (see `rates`).
    #[serde(default)]
    pub rate: String,
}

/// A time entry that passed validation (the matter is checked against the database).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidTime {
    pub work_date: NaiveDate,
    pub minutes: u32,
    pub description: String,
    pub activity_code: Option<String>,
    pub task_code: Option<String>,
    pub billable: bool,
    /// A rate typed into the form, if any.
    pub rate: Option<Decimal>,
}

impl TimeForm {
    /// Check the form: `today` in the firm's time zone, amounts in its `currency`.
    pub fn validate(&self, today: NaiveDate, currency: &str) -> Result<ValidTime, FieldErrors> {
        let mut e = FieldErrors::default();
        if self.matter.trim().is_empty() {
            e.add("matter", "Enter the matter's number.");
        }
        let work_date = if self.work_date.trim().is_empty() {
            Some(today)
        } else {
            e.check("work_date", parse_date(&self.work_date))
        };
        if let Some(d) = work_date {
            if d > today {
                e.add("work_date", "Time cannot be recorded for a future date.");
            } else if d < today - chrono::Days::new(3660) {
                e.add("work_date", "That date is more than ten years ago.");
            }
        }
        let minutes = e.check("duration", parse_duration(&self.duration));
        let description = e.required_text(
            "description",
            multi_line(&self.description),
            "Describe the work.",
            2000,
        );
        let activity_code = code(&mut e, "activity_code", &self.activity_code, Some('A'));
        let task_code = code(&mut e, "task_code", &self.task_code, None);
        let rate = parse_money(&self.rate, currency).unwrap_or_else(|m| {
            e.add("rate", m);
            None
        });
        let billable = !self.billable.trim().is_empty();
        e.into_result(|| ValidTime {
            work_date: work_date.unwrap(),
            minutes: minutes.unwrap(),
            description,
            activity_code,
            task_code,
            billable,
            rate,
        })
        .map_err(|e| e.with_values(self.values()))
    }

    /// What the user typed, echoed back with validation errors.
    pub fn values(&self) -> Vec<(String, String)> {
        [
            ("matter", &self.matter),
            ("work_date", &self.work_date),
            ("duration", &self.duration),
            ("description", &self.description),
            ("activity_code", &self.activity_code),
            ("task_code", &self.task_code),
            ("billable", &self.billable),
            ("rate", &self.rate),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
    }
}

/// A UTBMS code ("A101", "L120"): a letter and three digits, `letter` fixed for activities.
fn code(e: &mut FieldErrors, field: &str, raw: &str, letter: Option<char>) -> Option<String> {
    let c = raw.trim().to_ascii_uppercase();
    if c.is_empty() {
        return None;
    }
    let mut chars = c.chars();
    let first = chars.next().filter(|f| f.is_ascii_uppercase());
    let ok = first.is_some_and(|f| letter.is_none_or(|l| l == f))
        && c.len() == 4
        && chars.all(|d| d.is_ascii_digit());
    if ok {
        Some(c)
    } else {
        e.add(
            field,
            if letter.is_some() {
                "Use a UTBMS activity code such as A101."
            } else {
                "Use a UTBMS task code such as L120."
            },
        );
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn form() -> TimeForm {
        TimeForm {
            matter: "2026-0001".into(),
            duration: "1h 30m".into(),
            description: "Drafted the complaint".into(),
            billable: "on".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_plain_entry_defaults_to_today_and_no_rate() {
        let t = form().validate(today(), "USD").unwrap();
        assert_eq!(t.work_date, today());
        assert_eq!(t.minutes, 90);
        assert!(t.billable);
        assert_eq!(t.rate, None);
        let unticked = TimeForm {
            billable: String::new(),
            ..form()
        };
        assert!(!unticked.validate(today(), "USD").unwrap().billable);
    }

    #[test]
    fn codes_are_normalised_and_checked() {
        let t = TimeForm {
            activity_code: " a101 ".into(),
            task_code: "l120".into(),
            ..form()
        };
        let v = t.validate(today(), "USD").unwrap();
        assert_eq!(v.activity_code.as_deref(), Some("A101"));
        assert_eq!(v.task_code.as_deref(), Some("L120"));
        let bad = TimeForm {
            activity_code: "L120".into(),
            task_code: "1234".into(),
            ..form()
        };
        let e = bad.validate(today(), "USD").unwrap_err();
        assert!(e.get("activity_code").is_some() && e.get("task_code").is_some());
    }

    #[test]
    fn bad_fields_are_reported_beside_themselves_and_keep_what_was_typed() {
        let bad = TimeForm {
            matter: " ".into(),
            work_date: "2026-11-26".into(),
            duration: "1:75".into(),
            description: "  ".into(),
            rate: "-3".into(),
            ..Default::default()
        };
        let e = bad.validate(today(), "USD").unwrap_err();
        for f in ["matter", "work_date", "duration", "description", "rate"] {
            assert!(e.get(f).is_some(), "{f} not reported");
        }
        assert_eq!(e.value("duration"), Some("1:75"));
    }

    #[test]
    fn pricing_uses_billed_minutes_and_ignores_non_billable_time() {
        let rate = Decimal::from(300);
        assert_eq!(
            TimeRow::priced(7, rate, true, 6, 2),
            (12, Decimal::from(60))
        );
        assert_eq!(TimeRow::priced(7, rate, false, 6, 2), (12, Decimal::ZERO));
    }
}

/// One person's time over a week (Monday to Sunday), per day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Week {
    pub start: NaiveDate,
    /// Today in the firm's time zone.
    pub today: NaiveDate,
    pub person_id: Uuid,
    pub person_name: String,
    pub days: Vec<DayTotals>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DayTotals {
    pub date: NaiveDate,
    pub billable_minutes: u32,
    pub non_billable_minutes: u32,
}

impl Week {
    /// The Monday of the week `day` falls in.
    pub fn start_of(day: NaiveDate) -> NaiveDate {
        use chrono::Datelike;
        day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday()))
    }

    /// The seven days from `start`, with the totals found (days without time are zero).
    pub fn days_from(start: NaiveDate, found: &[(NaiveDate, u32, u32)]) -> Vec<DayTotals> {
        (0..7)
            .map(|i| {
                let date = start + chrono::Days::new(i);
                let (b, n) = found
                    .iter()
                    .find(|(d, _, _)| *d == date)
                    .map(|(_, b, n)| (*b, *n))
                    .unwrap_or((0, 0));
                DayTotals {
                    date,
                    billable_minutes: b,
                    non_billable_minutes: n,
                }
            })
            .collect()
    }

    pub fn billable_minutes(&self) -> u32 {
        self.days.iter().map(|d| d.billable_minutes).sum()
    }

    pub fn non_billable_minutes(&self) -> u32 {
        self.days.iter().map(|d| d.non_billable_minutes).sum()
    }
}

#[cfg(test)]
mod week_tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weeks_start_on_monday_and_have_seven_days() {
        assert_eq!(Week::start_of(d("2026-11-26")), d("2026-11-23")); // a Thursday
        assert_eq!(Week::start_of(d("2026-11-23")), d("2026-11-23"));
        assert_eq!(Week::start_of(d("2026-11-29")), d("2026-11-23")); // Sunday
        let days = Week::days_from(d("2026-11-23"), &[(d("2026-11-25"), 90, 30)]);
        assert_eq!(days.len(), 7);
        assert_eq!(days[2].billable_minutes, 90);
        assert_eq!(days[6].date, d("2026-11-29"));
        let w = Week {
            start: d("2026-11-23"),
            today: d("2026-11-26"),
            person_id: Uuid::nil(),
            person_name: String::new(),
            days,
        };
        assert_eq!((w.billable_minutes(), w.non_billable_minutes()), (90, 30));
    }
}
