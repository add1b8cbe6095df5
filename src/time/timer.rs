//! A person's running timer: at most one per firm, kept in the database (see the migration), so
//! it survives a reload, another device and a server restart. Stopping it records the time.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::duration::MAX_MINUTES;
use crate::kernel::{multi_line, FieldErrors};

/// The caller's timer as of the moment it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timer {
    pub id: Uuid,
    pub matter_id: Uuid,
    pub matter_number: String,
    pub matter_title: String,
    pub description: String,
    pub running: bool,
    /// Seconds counted so far (paused time excluded).
    pub elapsed_seconds: u32,
    /// The day it was started, in the firm's time zone: the day its time is recorded on.
    pub started_on: chrono::NaiveDate,
    pub version: i32,
}

impl Timer {
    /// The minutes a stopped timer records: started minutes count whole (rounding never
    /// shortens what was worked), and at least one. `None` past a day, which one entry cannot
    /// hold.
    pub fn minutes(elapsed_seconds: u32) -> Option<u32> {
        let m = elapsed_seconds.div_ceil(60).max(1);
        (m <= MAX_MINUTES).then_some(m)
    }

    /// "1:05:09".
    pub fn clock(&self) -> String {
        let s = self.elapsed_seconds;
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    }
}

/// The start form: the matter (its number as typed, or its id) and what the work is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TimerForm {
    #[serde(default)]
    pub matter: String,
    #[serde(default)]
    pub description: String,
}

impl TimerForm {
    /// The description, checked (the matter is checked against the database).
    pub fn validate(&self) -> Result<String, FieldErrors> {
        let mut e = FieldErrors::default();
        if self.matter.trim().is_empty() {
            e.add("matter", "Enter the matter's number.");
        }
        let description = e.required_text(
            "description",
            multi_line(&self.description),
            "Describe the work.",
            2000,
        );
        e.into_result(|| description)
            .map_err(|e| e.with_values(self.values()))
    }

    pub fn values(&self) -> Vec<(String, String)> {
        vec![
            ("matter".into(), self.matter.clone()),
            ("description".into(), self.description.clone()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_timer_records_whole_started_minutes() {
        assert_eq!(Timer::minutes(0), Some(1));
        assert_eq!(Timer::minutes(59), Some(1));
        assert_eq!(Timer::minutes(60), Some(1));
        assert_eq!(Timer::minutes(61), Some(2));
        assert_eq!(Timer::minutes(24 * 3600), Some(1440));
        assert_eq!(Timer::minutes(24 * 3600 + 1), None);
    }

    #[test]
    fn the_start_form_needs_a_matter_and_a_description() {
        let e = TimerForm::default().validate().unwrap_err();
        assert!(e.get("matter").is_some() && e.get("description").is_some());
        let ok = TimerForm {
            matter: "2026-0001".into(),
            description: " Call with client ".into(),
        };
        assert_eq!(ok.validate().unwrap(), "Call with client");
    }
}
