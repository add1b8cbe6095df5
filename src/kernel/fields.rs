use serde::{Deserialize, Serialize};

/// The most characters of one typed value echoed back with a validation error.
pub const ECHO_LIMIT: usize = 5200;

/// Problems with submitted form fields, keyed by field name, plus the values the user typed so a
/// form re-rendered without JavaScript can show them again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldErrors {
    pub errors: Vec<(String, String)>,
    pub values: Vec<(String, String)>,
}

impl FieldErrors {
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

    /// Attach the submitted values (echoed back to a form rendered without JavaScript, where
    /// they travel in the URL: each is capped so the URL stays within proxy limits).
    pub fn with_values(mut self, values: Vec<(String, String)>) -> Self {
        self.values = values
            .into_iter()
            .map(|(k, v)| (k, v.chars().take(ECHO_LIMIT).collect()))
            .collect();
        self
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
    fn into_result_fails_when_any_field_failed() {
        let mut e = FieldErrors::default();
        assert_eq!(e.clone().into_result(|| 1), Ok(1));
        e.add("x", "bad");
        assert!(e.into_result(|| 1).is_err());
    }
}
