//! Password hashing with argon2id (the crate's defaults: m=19 MiB, t=2, p=1).
//!
//! Each verification holds 19 MiB for its duration, so only a few run at once (a semaphore in
//! front of the blocking pool): a flood of sign-ins queues instead of exhausting memory.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, OnceLock};
use std::time::Duration;

use argon2::password_hash::{rand_core::OsRng, Output, PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::error::AppError;

/// A PHC-format argon2id hash. Deliberately not `Serialize`: it can never cross the wire.
#[derive(Clone)]
pub struct PasswordHashString(pub String);

impl std::fmt::Debug for PasswordHashString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHashString(..)")
    }
}

/// How many argon2 verifications ran in this process (for tests and metrics).
pub static VERIFICATIONS: AtomicU64 = AtomicU64::new(0);

/// At most this many verifications at once: one per core, at least two.
static PERMITS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Arc::new(Semaphore::new(cores.max(2)))
});

/// How long a sign-in waits for a turn before the server says it is busy.
const QUEUE_TIMEOUT: Duration = Duration::from_secs(10);

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
    VERIFICATIONS.fetch_add(1, Ordering::Relaxed);
    matches(password, phc).unwrap_or(false) && real
}

/// argon2's check of `password` against a PHC string, with its 19 MiB of working memory mapped
/// for this one check and unmapped after it (see `Blocks`).
fn matches(password: &str, phc: &str) -> Option<bool> {
    let parsed = PasswordHash::new(phc).ok()?;
    let expected = parsed.hash?;
    let params = Params::try_from(&parsed).ok()?;
    let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).ok()?,
        None => Version::default(),
    };
    let mut salt = [0u8; 64];
    let salt = parsed.salt?.decode_b64(&mut salt).ok()?;
    let mut blocks = Blocks::new(params.block_count())?;
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, blocks.as_mut())
        .ok()?;
    // `Output`'s equality is constant-time.
    Some(Output::new(&out).ok()? == expected)
}

/// argon2's working memory, mapped from the system for one check and returned to it at once.
/// Through glibc's allocator (the server's before mimalloc), each check's 19 MiB stayed with the
/// thread that ran it, and a burst of sign-ins left the process 40 MiB larger for good.
struct Blocks {
    ptr: std::ptr::NonNull<Block>,
    len: usize,
}

impl Blocks {
    fn new(len: usize) -> Option<Blocks> {
        let bytes = len.checked_mul(std::mem::size_of::<Block>())?;
        // SAFETY: a fresh private anonymous mapping; nothing else refers to it.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                bytes,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if ptr == libc::MAP_FAILED {
            return None;
        }
        // Page-aligned, so aligned for `Block`; zeroed pages are valid `Block`s (plain u64s).
        Some(Blocks {
            ptr: std::ptr::NonNull::new(ptr.cast())?,
            len,
        })
    }
}

impl AsMut<[Block]> for Blocks {
    fn as_mut(&mut self) -> &mut [Block] {
        // SAFETY: `len` blocks, mapped by `new`, exclusively ours until `drop`.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for Blocks {
    fn drop(&mut self) {
        // SAFETY: the mapping made by `new`, of this size, unmapped once.
        unsafe {
            libc::munmap(
                self.ptr.as_ptr().cast(),
                self.len * std::mem::size_of::<Block>(),
            );
        }
    }
}

/// `verify` on the blocking pool, waiting for one of the few verification slots. The slot is
/// held by the verification itself, so a client that gives up early does not free it while the
/// work still runs.
pub async fn verify_bounded(password: String, stored: Option<String>) -> Result<bool, AppError> {
    let permit = tokio::time::timeout(QUEUE_TIMEOUT, PERMITS.clone().acquire_owned())
        .await
        .map_err(|_| {
            tracing::warn!("password verification queue full");
            AppError::Unavailable
        })?
        .map_err(|_| AppError::Unavailable)?;
    let ok = tokio::task::spawn_blocking(move || {
        let _held = permit;
        verify(&password, stored.as_deref())
    })
    .await
    .unwrap_or(false);
    Ok(ok)
}

/// `hash` on the blocking pool, in one of the verification slots (it costs the same memory).
pub async fn hash_bounded(password: String) -> Result<PasswordHashString, AppError> {
    let permit = tokio::time::timeout(QUEUE_TIMEOUT, PERMITS.clone().acquire_owned())
        .await
        .map_err(|_| AppError::Unavailable)?
        .map_err(|_| AppError::Unavailable)?;
    tokio::task::spawn_blocking(move || {
        let _held = permit;
        hash(&password)
    })
    .await
    .map_err(|e| AppError::Internal(format!("hashing: {e}")))
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
