//! Supabase access tokens: compact JWS, verified against the project's signing keys (ES256 or
//! RS256 from its JWKS; HS256 with the legacy shared secret only when configured). The
//! algorithm is pinned by the key, never taken from the token alone; `iss`, `aud` and `exp`
//! are checked. Pure: the keys are handed in.

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ring::signature::{self, UnparsedPublicKey};
use serde::Deserialize;
use serde_json::Value;

/// A verification key of the project's JWKS.
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    /// P-256, as the uncompressed point `04 || x || y`.
    Es256(Vec<u8>),
    Rs256 {
        n: Vec<u8>,
        e: Vec<u8>,
    },
}

/// The keys by `kid`, as read from `/auth/v1/.well-known/jwks.json`.
pub fn parse_jwks(body: &str) -> Result<HashMap<String, Key>, &'static str> {
    #[derive(Deserialize)]
    struct Jwks {
        keys: Vec<Jwk>,
    }
    #[derive(Deserialize)]
    struct Jwk {
        kty: String,
        kid: Option<String>,
        alg: Option<String>,
        crv: Option<String>,
        x: Option<String>,
        y: Option<String>,
        n: Option<String>,
        e: Option<String>,
    }
    let jwks: Jwks = serde_json::from_str(body).map_err(|_| "the JWKS is not JSON")?;
    let b = |s: &Option<String>| s.as_deref().and_then(|s| B64.decode(s).ok());
    let mut keys = HashMap::new();
    for k in jwks.keys {
        let Some(kid) = k.kid.clone() else { continue };
        let key = match (k.kty.as_str(), k.alg.as_deref(), k.crv.as_deref()) {
            ("EC", None | Some("ES256"), Some("P-256")) => match (b(&k.x), b(&k.y)) {
                (Some(x), Some(y)) if x.len() == 32 && y.len() == 32 => {
                    let mut point = vec![4u8];
                    point.extend(x);
                    point.extend(y);
                    Key::Es256(point)
                }
                _ => continue,
            },
            ("RSA", None | Some("RS256"), _) => match (b(&k.n), b(&k.e)) {
                (Some(n), Some(e)) => Key::Rs256 { n, e },
                _ => continue,
            },
            _ => continue,
        };
        keys.insert(kid, key);
    }
    Ok(keys)
}

/// What Docket reads from a verified access token.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    /// The Supabase user's id.
    pub sub: String,
    pub email: String,
    /// `aal1`, or `aal2` once a second factor was used.
    pub aal: String,
    pub provider: String,
    /// How the session was authenticated (`amr[].method`: "oauth", "otp", "password", …).
    pub methods: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Malformed,
    /// No key with the token's `kid` (the caller may refetch the JWKS once and try again).
    UnknownKey,
    /// The token's algorithm is not the key's, or is not allowed.
    Algorithm,
    Signature,
    Issuer,
    Audience,
    Expired,
}

/// The `kid` of a token, to look its key up.
pub fn kid(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    let v: Value = serde_json::from_slice(&B64.decode(header).ok()?).ok()?;
    v.get("kid")?.as_str().map(str::to_string)
}

/// Verify `token` against `keys` (and the legacy `secret`, if configured) for the project whose
/// issuer is `issuer` (`{SUPABASE_URL}/auth/v1`), at `now` (Unix seconds).
pub fn verify(
    token: &str,
    keys: &HashMap<String, Key>,
    secret: Option<&[u8]>,
    issuer: &str,
    now: i64,
) -> Result<Claims, Refusal> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refusal::Malformed);
    };
    let decode = |s: &str| B64.decode(s).map_err(|_| Refusal::Malformed);
    let header: Value = serde_json::from_slice(&decode(h)?).map_err(|_| Refusal::Malformed)?;
    let sig = decode(s)?;
    let signed = &token[..h.len() + 1 + p.len()];
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    let kid = header.get("kid").and_then(Value::as_str);
    let ok = match (alg, kid.and_then(|k| keys.get(k)), secret) {
        ("ES256", Some(Key::Es256(point)), _) => {
            UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                .verify(signed.as_bytes(), &sig)
                .is_ok()
        }
        ("RS256", Some(Key::Rs256 { n, e }), _) => signature::RsaPublicKeyComponents { n, e }
            .verify(
                &signature::RSA_PKCS1_2048_8192_SHA256,
                signed.as_bytes(),
                &sig,
            )
            .is_ok(),
        ("HS256", _, Some(secret)) => {
            let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret);
            ring::hmac::verify(&key, signed.as_bytes(), &sig).is_ok()
        }
        ("ES256" | "RS256", None, _) => return Err(Refusal::UnknownKey),
        _ => return Err(Refusal::Algorithm),
    };
    if !ok {
        return Err(Refusal::Signature);
    }
    let claims: Value = serde_json::from_slice(&decode(p)?).map_err(|_| Refusal::Malformed)?;
    let text = |k: &str| {
        claims
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    if text("iss") != issuer {
        return Err(Refusal::Issuer);
    }
    let audience = match claims.get("aud") {
        Some(Value::String(a)) => a == "authenticated",
        Some(Value::Array(a)) => a.iter().any(|v| v.as_str() == Some("authenticated")),
        _ => false,
    };
    if !audience {
        return Err(Refusal::Audience);
    }
    // A minute of leeway for clocks that disagree a little.
    match claims.get("exp").and_then(Value::as_i64) {
        Some(exp) if exp + 60 > now => {}
        _ => return Err(Refusal::Expired),
    }
    let sub = text("sub");
    if sub.is_empty() {
        return Err(Refusal::Malformed);
    }
    let provider = claims
        .pointer("/app_metadata/provider")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let methods = claims
        .get("amr")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|m| m.get("method").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Ok(Claims {
        sub,
        email: text("email").trim().to_lowercase(),
        aal: text("aal"),
        provider,
        methods,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    use serde_json::json;

    const ISS: &str = "http://127.0.0.1:9/auth/v1";

    fn pair(rng: &SystemRandom) -> EcdsaKeyPair {
        let doc = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, rng).unwrap();
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, doc.as_ref(), rng).unwrap()
    }

    fn sign(key: &EcdsaKeyPair, rng: &SystemRandom, header: Value, claims: Value) -> String {
        let signing = format!(
            "{}.{}",
            B64.encode(header.to_string()),
            B64.encode(claims.to_string())
        );
        let sig = key.sign(rng, signing.as_bytes()).unwrap();
        format!("{signing}.{}", B64.encode(sig.as_ref()))
    }

    fn claims(exp: i64) -> Value {
        json!({ "iss": ISS, "aud": "authenticated", "exp": exp, "sub": "u1", "email": "A@B.test",
                "aal": "aal1", "app_metadata": { "provider": "google" } })
    }

    #[test]
    fn a_token_is_verified_against_its_key_and_checked() {
        let rng = SystemRandom::new();
        let key = pair(&rng);
        let p = key.public_key().as_ref();
        let jwks = json!({ "keys": [{ "kty": "EC", "crv": "P-256", "alg": "ES256", "kid": "k1",
            "x": B64.encode(&p[1..33]), "y": B64.encode(&p[33..65]) }] });
        let keys = parse_jwks(&jwks.to_string()).unwrap();
        let head = json!({ "alg": "ES256", "kid": "k1", "typ": "JWT" });
        let t = sign(&key, &rng, head.clone(), claims(2_000));
        assert_eq!(kid(&t).as_deref(), Some("k1"));
        let c = verify(&t, &keys, None, ISS, 1_000).unwrap();
        assert_eq!(
            (c.sub.as_str(), c.email.as_str(), c.provider.as_str()),
            ("u1", "a@b.test", "google")
        );

        assert_eq!(verify(&t, &keys, None, ISS, 3_000), Err(Refusal::Expired));
        assert_eq!(
            verify(&t, &keys, None, "http://other/auth/v1", 1_000),
            Err(Refusal::Issuer)
        );
        let mut wrong_aud = claims(2_000);
        wrong_aud["aud"] = json!("anon");
        let t2 = sign(&key, &rng, head.clone(), wrong_aud);
        assert_eq!(verify(&t2, &keys, None, ISS, 1_000), Err(Refusal::Audience));
        // Another key under the same kid: a bad signature.
        let t3 = sign(&pair(&rng), &rng, head, claims(2_000));
        assert_eq!(
            verify(&t3, &keys, None, ISS, 1_000),
            Err(Refusal::Signature)
        );
        // An unknown kid, "none", and HS256 without a configured secret are refused.
        let t4 = sign(
            &key,
            &rng,
            json!({ "alg": "ES256", "kid": "k2" }),
            claims(2_000),
        );
        assert_eq!(
            verify(&t4, &keys, None, ISS, 1_000),
            Err(Refusal::UnknownKey)
        );
        let none = format!(
            "{}.{}.",
            B64.encode(r#"{"alg":"none","kid":"k1"}"#),
            B64.encode(claims(2_000).to_string())
        );
        assert_eq!(
            verify(&none, &keys, None, ISS, 1_000),
            Err(Refusal::Algorithm)
        );
        // HS256 signed with the public key's bytes (the classic confusion) is not accepted.
        let signing = format!(
            "{}.{}",
            B64.encode(r#"{"alg":"HS256","kid":"k1"}"#),
            B64.encode(claims(2_000).to_string())
        );
        let mac = ring::hmac::sign(
            &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, p),
            signing.as_bytes(),
        );
        let hs = format!("{signing}.{}", B64.encode(mac.as_ref()));
        assert_eq!(
            verify(&hs, &keys, None, ISS, 1_000),
            Err(Refusal::Algorithm)
        );
        // With the legacy secret configured, HS256 tokens signed with it pass.
        let mac = ring::hmac::sign(
            &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"s3cret"),
            signing.as_bytes(),
        );
        let hs = format!("{signing}.{}", B64.encode(mac.as_ref()));
        assert!(verify(&hs, &keys, Some(b"s3cret"), ISS, 1_000).is_ok());
        assert_eq!(
            verify(&hs, &keys, Some(b"other"), ISS, 1_000),
            Err(Refusal::Signature)
        );
    }
}
