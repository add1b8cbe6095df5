//! A person's own account (`/profile`): their name, their password, and their open sessions
//! (device, address, last seen) with "Sign out other sessions". Whatever firm they are in.

pub mod api;
pub mod views;

#[cfg(feature = "ssr")]
mod repo;

use serde::{Deserialize, Serialize};

/// The profile page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub full_name: String,
    pub email: String,
    /// Signs in with a password (else only through a provider).
    pub has_password: bool,
    pub sessions: Vec<OpenSession>,
}

/// One of the person's open sessions, as shown (never its id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenSession {
    /// "Firefox on Linux".
    pub device: String,
    pub ip: String,
    /// "2026-11-26 14:03 UTC".
    pub signed_in: String,
    pub last_seen: String,
    /// How: "Password", "Google", …
    pub method: String,
    pub current: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    pub full_name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub current: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirm: String,
}

/// A browser and system named from a User-Agent, roughly, for people to recognise their devices.
pub fn device_of(user_agent: &str) -> String {
    let ua = user_agent;
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        ""
    };
    let system = if ua.contains("iPhone") || ua.contains("iPad") {
        "iOS"
    } else if ua.contains("Android") {
        "Android"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        "macOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        ""
    };
    match (browser, system) {
        ("", "") if ua.is_empty() => "Unknown device".into(),
        ("", "") => ua.chars().take(40).collect(),
        (b, "") => b.into(),
        ("", s) => format!("A browser on {s}"),
        (b, s) => format!("{b} on {s}"),
    }
}

/// How a session was opened, for people: "password" → "Password", "supabase:google" → "Google".
pub fn method_label(method: &str) -> String {
    match method.strip_prefix("supabase:") {
        Some(p) => crate::auth::provider_label(p),
        None if method == "password" => "Password".into(),
        None => method.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_named() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        let chrome_mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0";
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(device_of(firefox), "Firefox on Linux");
        assert_eq!(device_of(chrome_mac), "Chrome on macOS");
        assert_eq!(device_of(edge), "Edge on Windows");
        assert_eq!(device_of(iphone), "Safari on iOS");
        assert_eq!(device_of(""), "Unknown device");
        assert_eq!(device_of("curl/8.0"), "curl/8.0");
        assert_eq!(method_label("supabase:google"), "Google");
        assert_eq!(method_label("password"), "Password");
    }
}
