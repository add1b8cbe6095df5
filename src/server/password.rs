//! Password hashing with argon2id (the crate's defaults: m=19 MiB, t=2, p=1).

use std::sync::OnceLock;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;

/// A PHC-format argon2id hash. Deliberately not `Serialize`: it can never cross the wire.
#[derive(Clone)]
pub struct PasswordHashString(pub String);

impl std::fmt::Debug for PasswordHashString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHashString(..)")
    }
}

pub fn hash(password: &str) -> PasswordHashString {
    let salt = SaltString::generate(&mut OsRng);
    let phc = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default params");
    PasswordHashString(phc.to_string())
}

/// Check a password against a stored hash; `None` (unknown user, OAuth-only user) still spends
/// the same work on a dummy hash so response time does not reveal which accounts exist.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("docket-dummy-password").0);
    let (phc, real) = match stored {
        Some(s) => (s, true),
        None => (dummy.as_str(), false),
    };
    let ok = PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    ok && real
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash("correct horse");
        assert!(h.0.starts_with("$argon2id$"));
        assert!(verify("correct horse", Some(&h.0)));
        assert!(!verify("wrong", Some(&h.0)));
        assert!(!verify("docket-dummy-password", None));
        assert_eq!(format!("{h:?}"), "PasswordHashString(..)");
    }
}
