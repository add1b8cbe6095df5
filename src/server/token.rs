//! Single-use secrets sent by e-mail (invitation and password-reset links): 256 random bits,
//! base64url in the link; only their SHA-256 digest is stored, so the database alone never
//! holds a working link.

use base64::Engine;
use rand::RngCore;

/// A new secret for a link, and the digest to store.
pub fn new() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = digest(&token);
    (token, hash)
}

/// The stored form of a secret from a link.
pub fn digest(token: &str) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, token.trim().as_bytes())
        .as_ref()
        .to_vec()
}

/// Whether a link's secret looks like one of ours (43 base64url characters), before any lookup.
pub fn well_formed(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_distinct_and_digests_match() {
        let (a, ha) = new();
        let (b, _) = new();
        assert_ne!(a, b);
        assert!(well_formed(&a) && well_formed(&b));
        assert_eq!(digest(&a), ha);
        assert_eq!(ha.len(), 32);
        assert!(!well_formed("short") && !well_formed(&format!("{}!", &a[..42])));
    }
}
