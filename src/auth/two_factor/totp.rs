//! Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA1, 6 digits, 30-second
//! steps, what every authenticator app speaks. A code is accepted for the step before and after
//! the current one (clocks drift), and each step once (the caller records the last one used).
//! Recovery codes are ten random groups, stored as SHA-256 digests.

use ring::hmac;

pub const STEP_SECS: i64 = 30;
pub const DIGITS: u32 = 6;
pub const RECOVERY_CODES: usize = 10;
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The code of one step.
pub fn code_at(secret: &[u8], step: i64) -> u32 {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let mac = hmac::sign(&key, &(step as u64).to_be_bytes());
    let h = mac.as_ref();
    let at = (h[h.len() - 1] & 0x0f) as usize;
    let bin = u32::from_be_bytes([h[at] & 0x7f, h[at + 1], h[at + 2], h[at + 3]]);
    bin % 10u32.pow(DIGITS)
}

pub fn step_of(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// Base32 (RFC 4648, no padding), as authenticator apps take keys.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(BASE32[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// A new secret (160 bits, as RFC 4226 recommends).
pub fn new_secret() -> Vec<u8> {
    let mut s = vec![0u8; 20];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut s).expect("randomness");
    s
}

/// A QR code of `text` as SVG path data (one unit per module, a 4-module quiet zone included)
/// and the side of its square: the page draws it, no image file or script involved.
pub fn qr_path(text: &str) -> Option<(String, u32)> {
    use qrcodegen::{QrCode, QrCodeEcc};
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let border = 4;
    let mut d = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                d.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    Some((d, (qr.size() + 2 * border) as u32))
}

/// The `otpauth://` URI an authenticator app reads (from a QR code or a tapped link).
pub fn uri(secret: &[u8], account: &str) -> String {
    let enc = |s: &str| {
        url::form_urlencoded::byte_serialize(s.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    format!(
        "otpauth://totp/Docket:{}?secret={}&issuer=Docket&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        enc(account),
        base32(secret)
    )
}

/// Ten new recovery codes (`xxxxx-xxxxx`, 50 bits each), to show once.
pub fn new_recovery_codes() -> Vec<String> {
    let rng = ring::rand::SystemRandom::new();
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut b = [0u8; 10];
            ring::rand::SecureRandom::fill(&rng, &mut b).expect("randomness");
            let s: String = b
                .iter()
                .map(|x| BASE32[(x & 31) as usize] as char)
                .collect::<String>()
                .to_lowercase();
            format!("{}-{}", &s[..5], &s[5..])
        })
        .collect()
}

/// The stored form of a person's recovery code, from however it was typed: keyed by the person,
/// so one table of guesses never serves for everyone's codes.
pub fn recovery_digest(user: uuid::Uuid, typed: &str) -> Vec<u8> {
    let norm: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(user.as_bytes());
    ctx.update(norm.as_bytes());
    ctx.finish().as_ref().to_vec()
}

/// Whether a typed value looks like a recovery code rather than a 6-digit code.
pub fn looks_like_recovery(typed: &str) -> bool {
    typed.chars().filter(|c| c.is_ascii_alphanumeric()).count() == 10
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B (SHA-1 rows, 8 digits there: their last 6 digits here).
    #[test]
    fn rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        for (t, eight) in [
            (59i64, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(code_at(secret, step_of(t)), eight % 1_000_000, "t={t}");
        }
    }

    #[test]
    fn base32_and_recovery_codes() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert!(codes
            .iter()
            .all(|c| c.len() == 11 && looks_like_recovery(c)));
        let me = uuid::Uuid::from_u128(7);
        assert_eq!(
            recovery_digest(me, &codes[0].to_uppercase().replace('-', " ")),
            recovery_digest(me, &codes[0])
        );
        assert_ne!(
            recovery_digest(me, &codes[0]),
            recovery_digest(uuid::Uuid::nil(), &codes[0])
        );
        assert!(uri(b"foobar", "a b@c.test")
            .starts_with("otpauth://totp/Docket:a%20b%40c.test?secret=MZXW6YTBOI&issuer=Docket"));
    }
}
