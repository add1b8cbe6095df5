//! The one error type every server function returns. It crosses the wire as JSON, so it carries
//! only what a user may see: internal causes are logged on the server with a reference id and
//! never sent to the browser.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::kernel::FieldErrors;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthorized,
    #[error("Invalid email or password.")]
    InvalidCredentials,
    #[error("You do not have permission to do that.")]
    Forbidden,
    #[error("Not found.")]
    NotFound,
    #[error("Please correct the highlighted fields.")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    /// The form was rendered for another firm than the session's active one.
    #[error("You switched firm in another tab, so this was not saved. The page now shows the firm you switched to: check it before saving again.")]
    WrongFirm(FieldErrors),
    /// The row changed since the form was rendered: the fields show what is stored now.
    #[error("Someone else saved this record after you opened it, so your changes were not saved. The marked fields show what they saved; save again to keep yours.")]
    Stale(FieldErrors),
    /// A plain form post arrived after the session ended: what was typed comes back.
    #[error("Your session had ended, so this was not saved. What you typed is below: check it and save again.")]
    SessionEnded(FieldErrors),
    #[error("The request could not be read: {0}")]
    BadRequest(String),
    #[error("Too many sign-in attempts. Please wait 15 minutes and try again.")]
    RateLimited,
    #[error("Too many requests. Please wait {0} seconds and try again.")]
    TooManyRequests(u32),
    #[error("Docket is temporarily unavailable. Please try again in a moment.")]
    Unavailable,
    #[error("Something went wrong on our side (reference {0}).")]
    Internal(String),
}

impl AppError {
    /// The HTTP status a server function answers with when it fails with this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthorized | AppError::InvalidCredentials => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Invalid(_) => 422,
            AppError::Conflict(_) | AppError::WrongFirm(_) | AppError::Stale(_) => 409,
            AppError::SessionEnded(_) => 401,
            AppError::BadRequest(_) => 400,
            AppError::RateLimited | AppError::TooManyRequests(_) => 429,
            AppError::Unavailable => 503,
            AppError::Internal(_) => 500,
        }
    }

    /// Field-level problems, when this is a validation error.
    pub fn fields(&self) -> Option<&FieldErrors> {
        match self {
            AppError::Invalid(f)
            | AppError::Stale(f)
            | AppError::SessionEnded(f)
            | AppError::WrongFirm(f) => Some(f),
            _ => None,
        }
    }

    /// Give an error that sends the user back to their form what they typed, so the form shows
    /// it again (errors raised before the form was read carry nothing yet).
    pub fn keeping(self, values: Vec<(String, String)>) -> Self {
        match self {
            AppError::WrongFirm(f) if f.values.is_empty() => {
                AppError::WrongFirm(f.with_values(values))
            }
            other => other,
        }
    }

    /// What to show of it in one line: its first field's message, or the error itself.
    pub fn first_message(&self) -> String {
        self.fields()
            .and_then(|f| f.errors.first().map(|(_, m)| m.clone()))
            .unwrap_or_else(|| self.to_string())
    }

    /// A single-field validation error.
    pub fn field(field: &str, message: &str) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        AppError::Invalid(errors)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Unavailable,
            ServerFnErrorErr::Args(m)
            | ServerFnErrorErr::Deserialization(m)
            | ServerFnErrorErr::MissingArg(m)
            | ServerFnErrorErr::UnsupportedRequestMethod(m) => AppError::BadRequest(m),
            other => AppError::Internal(short_ref(&other.to_string())),
        }
    }
}

/// A short, stable reference for an error message (shown to users, searchable in the logs).
fn short_ref(text: &str) -> String {
    let mut h: u32 = 0x811c9dc5;
    for b in text.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    format!("{h:08x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_match_meaning() {
        assert_eq!(AppError::Unauthorized.status(), 401);
        assert_eq!(AppError::NotFound.status(), 404);
        assert_eq!(AppError::field("name", "Required").status(), 422);
    }

    #[test]
    fn internal_errors_do_not_carry_their_cause() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::ServerError(
            "relation \"clients\" does not exist".into(),
        ));
        let shown = e.to_string();
        assert!(!shown.contains("clients"), "{shown}");
        assert!(shown.contains("reference"));
    }

    #[test]
    fn round_trips_through_json() {
        let e = AppError::field("email", "Enter an email address");
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<AppError>(&json).unwrap(), e);
    }
}
