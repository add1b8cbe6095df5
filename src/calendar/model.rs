use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::deadline::{Counting, Direction};
use crate::auth::Person;
use crate::kernel::{parse_date, single_line, Choice, FieldErrors};

crate::choice!(EventKind {
    Hearing = "hearing" : "Hearing",
    Meeting = "meeting" : "Meeting",
    Deadline = "deadline" : "Deadline",
    Other = "other" : "Other",
});

/// A task's priority: the same scale as a matter's.
pub use crate::matters::Priority as TaskPriority;

crate::choice!(TaskStatus { Open = "open" : "Open", Done = "done" : "Done" });

/// How a deadline was computed (kept with it, so it reads the same after the rule changes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Computation {
    pub trigger_date: NaiveDate,
    pub rule_name: String,
    pub explanation: Vec<String>,
}

/// An event as pages and the feed show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: Uuid,
    pub matter_id: Uuid,
    pub matter_number: String,
    pub matter_title: String,
    pub kind: EventKind,
    pub title: String,
    pub location: String,
    pub all_day: bool,
    /// Its day in the firm's time zone.
    pub date: NaiveDate,
    /// "14:30" in the firm's time zone, for a timed event.
    pub start: Option<String>,
    pub end: Option<String>,
    pub attendees: Vec<String>,
    /// The same people, by id (what the form to change it ticks).
    pub attendee_ids: Vec<Uuid>,
    pub computation: Option<Computation>,
    pub version: i32,
}

impl Event {
    /// The form to change it, filled with it.
    pub fn form(&self) -> EventForm {
        EventForm {
            kind: self.kind.as_str().to_string(),
            title: self.title.clone(),
            date: self.date.to_string(),
            all_day: if self.all_day { "on" } else { "" }.to_string(),
            start: self.start.clone().unwrap_or_default(),
            end: self.end.clone().unwrap_or_default(),
            location: self.location.clone(),
            attendees: self
                .attendee_ids
                .iter()
                .map(|id| (format!("a{id}"), "on".to_string()))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: Uuid,
    pub matter_id: Uuid,
    pub matter_number: String,
    pub title: String,
    pub assignee: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub priority: TaskPriority,
    pub status: TaskStatus,
    /// Open and due before the firm's today.
    pub overdue: bool,
    pub version: i32,
}

/// A firm's deadline rule, as pickers and the rules page show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleRow {
    pub id: Uuid,
    pub name: String,
    pub days: u32,
    pub counting: Counting,
    pub direction: Direction,
    pub active: bool,
    pub version: i32,
}

impl RuleRow {
    /// "21 calendar days after"
    pub fn describe(&self) -> String {
        format!(
            "{} {} {}",
            self.days,
            match self.counting {
                Counting::Calendar => "calendar days",
                Counting::Court => "court days",
            },
            match self.direction {
                Direction::After => "after",
                Direction::Before => "before",
            }
        )
    }
}

/// What a matter's calendar card shows and offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatterCalendar {
    pub today: NaiveDate,
    pub upcoming: Vec<Event>,
    pub tasks: Vec<Task>,
    pub rules: Vec<RuleRow>,
    pub people: Vec<Person>,
}

/// The "New event" form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub date: String,
    /// "on" for an all-day event.
    #[serde(default)]
    pub all_day: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    #[serde(default)]
    pub location: String,
    /// `a{id}` of each attendee → "on" (see `attendee_key`).
    #[serde(default)]
    pub attendees: BTreeMap<String, String>,
}

/// A checked event.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidEvent {
    pub kind: EventKind,
    pub title: String,
    pub date: NaiveDate,
    /// `None`: all day.
    pub times: Option<(NaiveTime, Option<NaiveTime>)>,
    pub location: String,
    pub attendees: Vec<Uuid>,
}

fn time(s: &str) -> Result<Option<NaiveTime>, &'static str> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    NaiveTime::parse_from_str(s, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
        .map(Some)
        .map_err(|_| "Enter a time such as 14:30.")
}

impl EventForm {
    /// The name of an attendee's box (a key that starts with a digit would read as an index).
    pub fn attendee_key(id: Uuid) -> String {
        format!("form[attendees][a{id}]")
    }

    pub fn values(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = [
            ("kind", &self.kind),
            ("title", &self.title),
            ("date", &self.date),
            ("all_day", &self.all_day),
            ("start", &self.start),
            ("end", &self.end),
            ("location", &self.location),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
        v.extend(
            self.attendees
                .keys()
                .map(|k| (format!("attendees.{k}"), "on".to_string())),
        );
        v
    }

    pub fn validate(&self) -> Result<ValidEvent, FieldErrors> {
        let mut e = FieldErrors::default();
        let kind = EventKind::parse(&self.kind);
        if kind.is_none() {
            e.add("kind", "Choose hearing, meeting, deadline or other.");
        }
        let title = e.required_text(
            "title",
            single_line(&self.title),
            "Give the event a title.",
            200,
        );
        let date = match parse_date(&self.date) {
            Ok(d) => Some(d),
            Err(m) => {
                e.add(
                    "date",
                    if self.date.trim().is_empty() {
                        "Enter the date."
                    } else {
                        m
                    },
                );
                None
            }
        };
        let all_day = self.all_day == "on";
        let start = e.check("start", time(&self.start)).flatten();
        let end = e.check("end", time(&self.end)).flatten();
        if !all_day && start.is_none() && e.get("start").is_none() {
            e.add("start", "Enter the start time, or mark the event all day.");
        }
        if let (Some(s), Some(t)) = (start, end) {
            if t <= s {
                e.add("end", "The event ends when or before it starts: leave the end empty if it is not known.");
            }
        }
        let location = e
            .check("location", single_line(&self.location))
            .unwrap_or_default();
        if location.chars().count() > 200 {
            e.add("location", "At most 200 characters.");
        }
        let mut attendees = vec![];
        for k in self.attendees.keys() {
            match Uuid::parse_str(k.strip_prefix('a').unwrap_or(k)) {
                Ok(id) => attendees.push(id),
                Err(_) => e.add("attendees", "Choose attendees from the firm."),
            }
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ValidEvent {
            kind: kind.unwrap_or(EventKind::Other),
            title,
            date: date.unwrap_or_default(),
            times: (!all_day).then(|| (start.unwrap_or_default(), end)),
            location,
            attendees,
        })
    }
}

/// The "Add deadline" form: a trigger date and one of the firm's rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeadlineForm {
    #[serde(default)]
    pub trigger: String,
    #[serde(default)]
    pub rule: String,
    /// Empty: the rule's name.
    #[serde(default)]
    pub title: String,
}

impl DeadlineForm {
    pub fn values(&self) -> Vec<(String, String)> {
        vec![
            ("trigger".into(), self.trigger.clone()),
            ("rule".into(), self.rule.clone()),
            ("title".into(), self.title.clone()),
        ]
    }

    pub fn validate(&self) -> Result<(NaiveDate, Uuid, String), FieldErrors> {
        let mut e = FieldErrors::default();
        let trigger = match parse_date(&self.trigger) {
            Ok(d) => Some(d),
            Err(m) => {
                e.add(
                    "trigger",
                    if self.trigger.trim().is_empty() {
                        "Enter the trigger date (service, filing, judgment)."
                    } else {
                        m
                    },
                );
                None
            }
        };
        let rule = Uuid::parse_str(self.rule.trim()).ok();
        if rule.is_none() {
            e.add("rule", "Choose the rule that sets the deadline.");
        }
        let title = e
            .check("title", single_line(&self.title))
            .unwrap_or_default();
        if title.chars().count() > 200 {
            e.add("title", "At most 200 characters.");
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok((trigger.unwrap_or_default(), rule.unwrap_or_default(), title))
    }
}

/// The "New task" form.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub assignee: String,
    #[serde(default)]
    pub due_on: String,
    #[serde(default)]
    pub priority: String,
}

impl TaskForm {
    pub fn values(&self) -> Vec<(String, String)> {
        [
            ("title", &self.title),
            ("assignee", &self.assignee),
            ("due_on", &self.due_on),
            ("priority", &self.priority),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
    }

    pub fn validate(
        &self,
    ) -> Result<(String, Option<Uuid>, Option<NaiveDate>, TaskPriority), FieldErrors> {
        let mut e = FieldErrors::default();
        let title = e.required_text(
            "title",
            single_line(&self.title),
            "Say what is to be done.",
            200,
        );
        let assignee = match self.assignee.trim() {
            "" => None,
            s => match Uuid::parse_str(s) {
                Ok(id) => Some(id),
                Err(_) => {
                    e.add("assignee", "Choose someone from the firm.");
                    None
                }
            },
        };
        let due_on = e
            .check("due_on", crate::kernel::optional_date(&self.due_on))
            .flatten();
        let priority = match self.priority.trim() {
            "" => Some(TaskPriority::Normal),
            p => TaskPriority::parse(p),
        };
        if priority.is_none() {
            e.add("priority", "Choose low, normal, high or urgent.");
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok((
            title,
            assignee,
            due_on,
            priority.unwrap_or(TaskPriority::Normal),
        ))
    }
}

/// A computed deadline's new trigger date.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TriggerForm {
    #[serde(default)]
    pub trigger: String,
}

/// A deadline rule, new or changed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub days: String,
    #[serde(default)]
    pub counting: String,
    #[serde(default)]
    pub direction: String,
    /// A changed rule: "on" while it is offered for new deadlines (a checkbox; a new rule is).
    #[serde(default)]
    pub offered: Option<String>,
}

impl RuleForm {
    /// The form to change `rule`, filled with it.
    pub fn of(rule: &RuleRow) -> RuleForm {
        RuleForm {
            name: rule.name.clone(),
            days: rule.days.to_string(),
            counting: rule.counting.as_str().to_string(),
            direction: rule.direction.as_str().to_string(),
            offered: rule.active.then(|| "on".to_string()),
        }
    }

    pub fn offered(&self) -> bool {
        self.offered.as_deref().is_some_and(|v| !v.is_empty())
    }
}

impl RuleForm {
    pub fn values(&self) -> Vec<(String, String)> {
        [
            ("name", &self.name),
            ("days", &self.days),
            ("counting", &self.counting),
            ("direction", &self.direction),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .chain([(
            "offered".to_string(),
            self.offered.clone().unwrap_or_default(),
        )])
        .collect()
    }

    pub fn validate(&self) -> Result<super::deadline::Rule, FieldErrors> {
        let mut e = FieldErrors::default();
        let name = e.required_text("name", single_line(&self.name), "Name the rule.", 120);
        let days = match self.days.trim().parse::<u32>() {
            Ok(d) if (1..=3650).contains(&d) => Some(d),
            _ => {
                e.add("days", "Enter a number of days from 1 to 3650.");
                None
            }
        };
        let counting = Counting::parse(self.counting.trim());
        if counting.is_none() {
            e.add("counting", "Choose calendar days or court days.");
        }
        let direction = Direction::parse(self.direction.trim());
        if direction.is_none() {
            e.add("direction", "Choose after or before the trigger.");
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(super::deadline::Rule {
            name,
            days: days.unwrap_or(1),
            counting: counting.unwrap_or(Counting::Calendar),
            direction: direction.unwrap_or(Direction::After),
        })
    }
}

/// What the calendar page shows: whose, which view, around which day.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CalendarQuery {
    /// "month", "week" (the default) or "agenda".
    #[serde(default)]
    pub view: String,
    /// "" (mine), "firm", or a person's id.
    #[serde(default)]
    pub who: String,
    /// A day in the period (empty: today).
    #[serde(default)]
    pub day: String,
}

/// The events of a period, and where the period sits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarPage {
    pub view: String,
    pub who: String,
    pub from: NaiveDate,
    /// The last day shown.
    pub to: NaiveDate,
    pub today: NaiveDate,
    pub previous: NaiveDate,
    pub next: NaiveDate,
    pub events: Vec<Event>,
    pub people: Vec<Person>,
    /// The caller's feed URL, when they made one.
    pub feed_url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timed_event_needs_its_start_and_ends_after_it() {
        let mut f = EventForm {
            kind: "hearing".into(),
            title: "Status conference".into(),
            date: "2026-12-03".into(),
            ..Default::default()
        };
        assert!(f.validate().unwrap_err().get("start").is_some());
        f.start = "14:30".into();
        f.end = "14:00".into();
        assert!(f.validate().unwrap_err().get("end").is_some());
        f.end = "15:15".into();
        let v = f.validate().unwrap();
        assert_eq!(v.times.unwrap().1.unwrap().to_string(), "15:15:00");
        f.all_day = "on".into();
        assert_eq!(f.validate().unwrap().times, None);
    }

    #[test]
    fn a_deadline_needs_its_trigger_date_and_rule() {
        let e = DeadlineForm::default().validate().unwrap_err();
        assert!(e.get("trigger").is_some() && e.get("rule").is_some());
    }
}
