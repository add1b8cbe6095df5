use serde::{Deserialize, Serialize};

/// Problems with submitted form fields, keyed by field name, plus the values the user typed so a
/// re-rendered form (without JavaScript: from the one-time flash in the session) shows them again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors {
    pub errors: Vec<(String, String)>,
    pub values: Vec<(String, String)>,
}

impl FieldErrors {
    /// One field's problem.
    pub fn one(field: &str, message: impl Into<String>) -> Self {
        let mut e = FieldErrors::default();
        e.add(field, message);
        e
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        if self.get(field).is_none() {
            self.errors.push((field.to_string(), message.into()));
        }
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn value(&self, field: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The value of one field parsed by `parsed`, or `None` with its message recorded.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, &'static str>) -> Option<T> {
        parsed.map_err(|m| self.add(field, m)).ok()
    }

    /// A required amount above zero in the firm's currency (`kernel::parse_money`): `empty` is
    /// the message when nothing (or zero) was typed.
    pub fn positive_money(
        &mut self,
        field: &str,
        typed: &str,
        currency: &str,
        empty: &str,
    ) -> Option<rust_decimal::Decimal> {
        match super::parse_money(typed, currency) {
            Ok(Some(a)) if a > rust_decimal::Decimal::ZERO => Some(a),
            Ok(_) => {
                self.add(field, empty);
                None
            }
            Err(m) => {
                self.add(field, m);
                None
            }
        }
    }

    /// A required text field of at most `max` characters, from its parsed form (`multi_line`,
    /// `single_line`): `empty` is the message when nothing was typed.
    pub fn required_text(
        &mut self,
        field: &str,
        parsed: Result<String, &'static str>,
        empty: &str,
        max: usize,
    ) -> String {
        let text = self.check(field, parsed).unwrap_or_default();
        if text.is_empty() && self.get(field).is_none() {
            self.add(field, empty);
        } else if text.chars().count() > max {
            let shown = if max >= 1000 {
                format!("{},{:03}", max / 1000, max % 1000)
            } else {
                max.to_string()
            };
            self.add(field, format!("Use at most {shown} characters."));
        }
        text
    }

    /// Attach the submitted values, echoed back to the form whole.
    pub fn with_values(mut self, values: Vec<(String, String)>) -> Self {
        self.values = values;
        self
    }

    /// With one more echoed value (replacing any of that name).
    pub fn with_value(mut self, field: &str, value: impl Into<String>) -> Self {
        self.set_value(field, value);
        self
    }

    /// Set (or replace) one echoed value, such as the row version a stale form should carry.
    pub fn set_value(&mut self, field: &str, value: impl Into<String>) {
        self.values.retain(|(f, _)| f != field);
        self.values.push((field.to_string(), value.into()));
    }

    /// A save refused because someone else saved the row first. Every field whose stored value
    /// differs from what was submitted says what is stored now (`stored` and `submitted` are
    /// `(field, value as shown)` pairs); the typed values stay in the form, which now carries the
    /// current `version`, so saving again keeps the user's values on purpose.
    pub fn stale(
        stored: &[(&'static str, String)],
        submitted: &[(&'static str, String)],
        values: Vec<(String, String)>,
        version: i32,
    ) -> FieldErrors {
        let mut e = FieldErrors::default().with_values(values);
        for (field, now) in stored {
            let theirs = submitted.iter().find(|(f, _)| f == field).map(|(_, v)| v);
            if theirs != Some(now) {
                let shown = if now.is_empty() {
                    "(empty)"
                } else {
                    now.as_str()
                };
                e.add(field, format!("Someone else saved this as “{shown}”."));
            }
        }
        e.set_value("version", version.to_string());
        e
    }

    /// `Ok(value)` when no field had a problem.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_message_per_field() {
        let mut e = FieldErrors::default();
        e.add("name", "Required");
        e.add("name", "Too long");
        assert_eq!(e.get("name"), Some("Required"));
        assert_eq!(e.errors.len(), 1);
    }

    #[test]
    fn a_stale_save_names_what_changed_and_keeps_what_was_typed() {
        let stored = [("name", "Acme Inc.".to_string()), ("notes", String::new())];
        let submitted = [("name", "Acme LLC".to_string()), ("notes", String::new())];
        let typed = vec![("name".to_string(), "  Acme LLC".to_string())];
        let e = FieldErrors::stale(&stored, &submitted, typed, 7);
        assert_eq!(
            e.get("name"),
            Some("Someone else saved this as “Acme Inc.”.")
        );
        assert_eq!(e.get("notes"), None);
        assert_eq!(e.value("name"), Some("  Acme LLC"));
        assert_eq!(e.value("version"), Some("7"));
    }

    #[test]
    fn required_text_names_an_empty_or_overlong_field() {
        let mut e = FieldErrors::default();
        assert_eq!(
            e.required_text("a", Ok("fine".into()), "Say it.", 2000),
            "fine"
        );
        e.required_text("b", Ok(String::new()), "Say it.", 2000);
        e.required_text("c", Ok("x".repeat(2001)), "Say it.", 2000);
        assert_eq!(e.get("a"), None);
        assert_eq!(e.get("b"), Some("Say it."));
        assert_eq!(e.get("c"), Some("Use at most 2,000 characters."));
        assert_eq!(FieldErrors::one("d", "No.").get("d"), Some("No."));
    }

    #[test]
    fn into_result_fails_when_any_field_failed() {
        let mut e = FieldErrors::default();
        assert_eq!(e.clone().into_result(|| 1), Ok(1));
        e.add("x", "bad");
        assert!(e.into_result(|| 1).is_err());
    }
}
