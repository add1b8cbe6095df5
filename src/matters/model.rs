use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::{
    multi_line, optional_date, parse_date, parse_money, parse_uuid, single_line, Choice,
    FieldErrors, PageRequest,
};

crate::choice!(MatterStatus { Open = "open" : "Open", Pending = "pending" : "Pending", OnHold = "on_hold" : "On hold", Closed = "closed" : "Closed" });
crate::choice!(Priority { Low = "low" : "Low", Normal = "normal" : "Normal", High = "high" : "High", Urgent = "urgent" : "Urgent" });
crate::choice!(Stage {
    Intake = "intake" : "Intake",
    Investigation = "investigation" : "Investigation",
    Discovery = "discovery" : "Discovery",
    Negotiation = "negotiation" : "Negotiation",
    Trial = "trial" : "Trial",
    Appeal = "appeal" : "Appeal",
    Resolution = "resolution" : "Resolution",
});
crate::choice!(PracticeArea {
    Litigation = "litigation" : "Litigation",
    Corporate = "corporate" : "Corporate",
    RealEstate = "real_estate" : "Real estate",
    Family = "family" : "Family",
    Employment = "employment" : "Employment",
    IntellectualProperty = "intellectual_property" : "Intellectual property",
    EstatePlanning = "estate_planning" : "Estate planning",
    Criminal = "criminal" : "Criminal",
    Immigration = "immigration" : "Immigration",
    Tax = "tax" : "Tax",
    Other = "other" : "Other",
});
crate::choice!(BillingType { Hourly = "hourly" : "Hourly", FlatFee = "flat_fee" : "Flat fee", Contingency = "contingency" : "Contingency" });
crate::choice!(MatterSort {
    Opened = "opened" : "Date opened",
    Title = "title" : "Title",
    Client = "client" : "Client",
    Status = "status" : "Status",
    Priority = "priority" : "Priority",
    Updated = "updated" : "Last updated",
});

/// A row of the matter list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatterRow {
    pub id: Uuid,
    pub matter_number: String,
    pub title: String,
    pub client_id: Uuid,
    pub client_name: String,
    pub status: MatterStatus,
    pub priority: Priority,
    pub stage: Stage,
    pub practice_area: PracticeArea,
    pub responsible_name: Option<String>,
    pub date_opened: NaiveDate,
    /// Walled off: seen only by the members named on it (`wall`).
    #[serde(default)]
    pub restricted: bool,
}

/// One matter, with the names of its client and people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matter {
    pub id: Uuid,
    pub matter_number: String,
    pub client_id: Uuid,
    pub client_name: String,
    pub fields: ValidMatter,
    pub responsible_name: Option<String>,
    pub originating_name: Option<String>,
    /// The row version an edit form must carry back.
    pub version: i32,
    /// The firm's currency, for the rate.
    pub currency: String,
    /// What the matter holds in trust, all accounts (`None` for those who do not see trust).
    pub trust_balance: Option<rust_decimal::Decimal>,
}

/// Filters and order of the matter list (the page's query string).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MatterQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub practice_area: String,
    #[serde(default)]
    pub responsible: String,
    #[serde(default)]
    pub client: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub dir: String,
    /// Where the page starts.
    #[serde(default)]
    pub paging: PageRequest,
}

impl MatterQuery {
    pub fn sort(&self) -> MatterSort {
        MatterSort::parse(&self.sort).unwrap_or(MatterSort::Opened)
    }
    /// Newest first by default for dates, A–Z for text.
    pub fn descending(&self) -> bool {
        match self.dir.as_str() {
            "asc" => false,
            "desc" => true,
            _ => matches!(
                self.sort(),
                MatterSort::Opened | MatterSort::Updated | MatterSort::Priority
            ),
        }
    }
}

/// The matter form as submitted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MatterForm {
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub priority: String,
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub practice_area: String,
    #[serde(default)]
    pub responsible_attorney_id: String,
    #[serde(default)]
    pub originating_attorney_id: String,
    #[serde(default)]
    pub billing_type: String,
    #[serde(default)]
    pub hourly_rate: String,
    #[serde(default)]
    pub date_opened: String,
    #[serde(default)]
    pub date_closed: String,
}

/// A matter that passed validation. `date_closed` is set exactly when the status is closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidMatter {
    pub client_id: Uuid,
    pub title: String,
    pub description: String,
    pub status: MatterStatus,
    pub priority: Priority,
    pub stage: Stage,
    pub practice_area: PracticeArea,
    pub responsible_attorney_id: Option<Uuid>,
    pub originating_attorney_id: Option<Uuid>,
    pub billing_type: BillingType,
    pub hourly_rate: Option<Decimal>,
    pub date_opened: NaiveDate,
    pub date_closed: Option<NaiveDate>,
}

/// What validating a matter needs to know about the firm.
#[derive(Debug, Clone, PartialEq)]
pub struct Firm {
    /// Today in the firm's time zone.
    pub today: NaiveDate,
    /// The firm's currency (ISO 4217).
    pub currency: String,
}

impl ValidMatter {
    /// Each field as a person reads it; `name_of` names the people referred to by id.
    pub fn shown(&self, name_of: impl Fn(Uuid) -> String) -> Vec<(&'static str, String)> {
        let person = |id: Option<Uuid>| id.map(&name_of).unwrap_or_else(|| "Unassigned".into());
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        vec![
            ("title", self.title.clone()),
            ("description", self.description.clone()),
            ("status", self.status.label().into()),
            ("priority", self.priority.label().into()),
            ("stage", self.stage.label().into()),
            ("practice_area", self.practice_area.label().into()),
            (
                "responsible_attorney_id",
                person(self.responsible_attorney_id),
            ),
            (
                "originating_attorney_id",
                person(self.originating_attorney_id),
            ),
            ("billing_type", self.billing_type.label().into()),
            (
                "hourly_rate",
                self.hourly_rate.map(|r| r.to_string()).unwrap_or_default(),
            ),
            ("date_opened", self.date_opened.to_string()),
            ("date_closed", date(self.date_closed)),
        ]
    }
}

impl MatterForm {
    /// Check the form for `firm`: its currency, and today in its time zone (closing a matter
    /// without a closing date closes it today).
    pub fn validate(&self, firm: &Firm) -> Result<ValidMatter, FieldErrors> {
        let today = firm.today;
        let mut e = FieldErrors::default();
        let client_id = match parse_uuid(&self.client_id) {
            Ok(Some(id)) => Some(id),
            _ => {
                e.add("client_id", "Choose a client.");
                None
            }
        };
        let title = e
            .check("title", single_line(&self.title))
            .unwrap_or_default();
        if title.is_empty() && e.get("title").is_none() {
            e.add("title", "Enter a title for the matter.");
        } else if title.chars().count() > 200 {
            e.add("title", "Use at most 200 characters.");
        }
        let description = e
            .check("description", multi_line(&self.description))
            .unwrap_or_default();
        if description.chars().count() > 5000 {
            e.add("description", "Use at most 5,000 characters.");
        }
        let status = pick::<MatterStatus>(
            &mut e,
            "status",
            &self.status,
            Some(MatterStatus::Open),
            "Choose a status.",
        );
        let priority = pick::<Priority>(
            &mut e,
            "priority",
            &self.priority,
            Some(Priority::Normal),
            "Choose a priority.",
        );
        let stage = pick::<Stage>(
            &mut e,
            "stage",
            &self.stage,
            Some(Stage::Intake),
            "Choose a stage.",
        );
        let practice_area = pick::<PracticeArea>(
            &mut e,
            "practice_area",
            &self.practice_area,
            None,
            "Choose a practice area.",
        );
        let billing_type = pick::<BillingType>(
            &mut e,
            "billing_type",
            &self.billing_type,
            Some(BillingType::Hourly),
            "Choose how the matter is billed.",
        );
        let mut person = |field: &str, raw: &str| {
            parse_uuid(raw).unwrap_or_else(|m| {
                e.add(field, m);
                None
            })
        };
        let responsible_attorney_id =
            person("responsible_attorney_id", &self.responsible_attorney_id);
        let originating_attorney_id =
            person("originating_attorney_id", &self.originating_attorney_id);
        let hourly_rate = parse_money(&self.hourly_rate, &firm.currency).unwrap_or_else(|m| {
            e.add("hourly_rate", m);
            None
        });
        let date_opened = if self.date_opened.trim().is_empty() {
            Some(today)
        } else {
            parse_date(&self.date_opened)
                .map_err(|m| e.add("date_opened", m))
                .ok()
        };
        let date_closed = optional_date(&self.date_closed).unwrap_or_else(|m| {
            e.add("date_closed", m);
            None
        });
        let date_closed = match status {
            Some(MatterStatus::Closed) => Some(date_closed.unwrap_or(today)),
            _ => None,
        };
        if let (Some(opened), Some(closed)) = (date_opened, date_closed) {
            if closed < opened {
                e.add(
                    "date_closed",
                    "The closing date cannot be before the opening date.",
                );
            }
        }
        if let Some(opened) = date_opened {
            if opened > today + chrono::Days::new(366) {
                e.add("date_opened", "The opening date is too far in the future.");
            }
        }
        if e.is_empty() {
            Ok(ValidMatter {
                client_id: client_id.unwrap(),
                title,
                description,
                status: status.unwrap(),
                priority: priority.unwrap(),
                stage: stage.unwrap(),
                practice_area: practice_area.unwrap(),
                responsible_attorney_id,
                originating_attorney_id,
                billing_type: billing_type.unwrap(),
                hourly_rate,
                date_opened: date_opened.unwrap(),
                date_closed,
            })
        } else {
            Err(e.with_values(self.values()))
        }
    }

    /// What the user typed, echoed back with validation errors.
    pub fn values(&self) -> Vec<(String, String)> {
        [
            ("client_id", &self.client_id),
            ("title", &self.title),
            ("description", &self.description),
            ("status", &self.status),
            ("priority", &self.priority),
            ("stage", &self.stage),
            ("practice_area", &self.practice_area),
            ("responsible_attorney_id", &self.responsible_attorney_id),
            ("originating_attorney_id", &self.originating_attorney_id),
            ("billing_type", &self.billing_type),
            ("hourly_rate", &self.hourly_rate),
            ("date_opened", &self.date_opened),
            ("date_closed", &self.date_closed),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
    }
}

fn pick<C: Choice>(
    e: &mut FieldErrors,
    field: &str,
    raw: &str,
    default: Option<C>,
    msg: &str,
) -> Option<C> {
    let value = if raw.is_empty() {
        default
    } else {
        C::parse(raw)
    };
    if value.is_none() {
        e.add(field, msg);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
    }

    fn firm() -> Firm {
        Firm {
            today: today(),
            currency: "USD".into(),
        }
    }

    fn form() -> MatterForm {
        MatterForm {
            client_id: Uuid::nil().to_string(),
            title: "Smith v. Jones".into(),
            practice_area: "litigation".into(),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_fill_in() {
        let m = form().validate(&firm()).unwrap();
        assert_eq!(m.status, MatterStatus::Open);
        assert_eq!(m.date_opened, today());
        assert_eq!(m.date_closed, None);
    }

    #[test]
    fn closing_sets_the_closing_date_and_reopening_clears_it() {
        let closed = MatterForm {
            status: "closed".into(),
            date_opened: "2026-01-02".into(),
            ..form()
        };
        assert_eq!(closed.validate(&firm()).unwrap().date_closed, Some(today()));
        let reopened = MatterForm {
            status: "open".into(),
            date_closed: "2026-03-01".into(),
            ..form()
        };
        assert_eq!(reopened.validate(&firm()).unwrap().date_closed, None);
    }

    #[test]
    fn bad_fields_are_reported_beside_themselves() {
        let bad = MatterForm {
            client_id: "x".into(),
            title: " ".into(),
            practice_area: "astrology".into(),
            hourly_rate: "-5".into(),
            status: "closed".into(),
            date_opened: "2026-12-01".into(),
            date_closed: "2026-11-01".into(),
            ..Default::default()
        };
        let e = bad.validate(&firm()).unwrap_err();
        for f in [
            "client_id",
            "title",
            "practice_area",
            "hourly_rate",
            "date_closed",
        ] {
            assert!(e.get(f).is_some(), "{f} not reported");
        }
        assert_eq!(e.value("title"), Some(" "));
    }

    #[test]
    fn sort_defaults() {
        let q = MatterQuery::default();
        assert_eq!(q.sort(), MatterSort::Opened);
        assert!(q.descending());
        let q = MatterQuery {
            sort: "title".into(),
            ..Default::default()
        };
        assert!(!q.descending());
    }
}
