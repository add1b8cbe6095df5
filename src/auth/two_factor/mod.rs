//! Two-factor sign-in for e-mail + password accounts: an authenticator app's codes (TOTP) and
//! single-use recovery codes. Set up and turned off on the profile; asked for after the password
//! (`/login/two-factor`). A firm can require a second factor: a password account without one is
//! let in to set it up and nowhere else; a provider's sign-in must carry Supabase's own second
//! factor (`aal2`).

pub mod api;
pub mod views;

#[cfg(feature = "ssr")]
pub(crate) mod repo;
#[cfg(feature = "ssr")]
pub mod totp;

use serde::{Deserialize, Serialize};

/// The profile's two-factor section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TwoFactorStatus {
    pub enabled: bool,
    pub recovery_left: i32,
    /// The active firm requires a second factor.
    pub firm_requires: bool,
    /// This session must set one up before anything else opens.
    pub must_enroll: bool,
}

/// A setup in progress: the key to type into an authenticator app, or its link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Setup {
    /// Base32, in groups of four.
    pub key: String,
    /// `otpauth://…`
    pub uri: String,
    /// The URI as a QR code: SVG path data and the side of its square (`totp::qr_path`).
    pub qr: Option<(String, u32)>,
}
