//! Where documents' bytes live: one interface (`object_store`) over two real backends, a folder on
//! this machine (the default) or S3-compatible object storage (Supabase Storage's S3 endpoint in
//! production). Keys are the server's own (`organization/matter/version`), never a file name.

use std::ops::Range;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use object_store::path::Path;
use object_store::{GetOptions, GetRange, ObjectStore, WriteMultipart};
use uuid::Uuid;

/// How the storage is configured (`DOCUMENT_STORAGE` and friends, see .env.example).
#[derive(Debug, Clone)]
pub enum StorageConfig {
    /// A folder; created if missing.
    Local { dir: std::path::PathBuf },
    S3 {
        endpoint: String,
        region: String,
        bucket: String,
        access_key_id: String,
        secret_access_key: String,
    },
}

impl StorageConfig {
    /// Documents: `DOCUMENT_STORAGE` (`local`, the default, or `s3`), `DOCUMENT_DIR`, `S3_*`.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        Self::from_vars(
            &var,
            "DOCUMENT_STORAGE",
            "DOCUMENT_DIR",
            ".data/documents",
            "S3_BUCKET",
        )
    }

    /// Backups: `BACKUP_STORAGE` (`local`, the default, or `s3`), `BACKUP_DIR`, and for S3
    /// `BACKUP_S3_BUCKET` on the documents' S3 endpoint and keys (`S3_*`).
    pub fn backups_from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        Self::from_vars(
            &var,
            "BACKUP_STORAGE",
            "BACKUP_DIR",
            ".data/backups",
            "BACKUP_S3_BUCKET",
        )
    }

    /// Whether two configurations name the same place (backups must not be kept among the
    /// documents they back up: the sweep removes what no version names).
    pub fn same_place(&self, other: &StorageConfig) -> bool {
        match (self, other) {
            (StorageConfig::Local { dir: a }, StorageConfig::Local { dir: b }) => {
                let canon =
                    |d: &std::path::Path| std::fs::canonicalize(d).unwrap_or(d.to_path_buf());
                canon(a) == canon(b)
            }
            (
                StorageConfig::S3 {
                    endpoint: a,
                    bucket: x,
                    ..
                },
                StorageConfig::S3 {
                    endpoint: b,
                    bucket: y,
                    ..
                },
            ) => a == b && x == y,
            _ => false,
        }
    }

    fn from_vars(
        var: &impl Fn(&str) -> Option<String>,
        kind: &str,
        dir: &str,
        default_dir: &str,
        bucket: &str,
    ) -> Result<Self, String> {
        match var(kind).as_deref().unwrap_or("local") {
            "local" => Ok(StorageConfig::Local {
                dir: var(dir).unwrap_or_else(|| default_dir.into()).into(),
            }),
            "s3" => {
                let need = |k: &str| var(k).ok_or(format!("{kind}=s3 needs {k}"));
                Ok(StorageConfig::S3 {
                    endpoint: need("S3_ENDPOINT")?,
                    region: var("S3_REGION").unwrap_or_else(|| "us-east-1".into()),
                    bucket: need(bucket)?,
                    access_key_id: need("S3_ACCESS_KEY_ID")?,
                    secret_access_key: need("S3_SECRET_ACCESS_KEY")?,
                })
            }
            other => Err(format!("{kind} {other:?}: local or s3")),
        }
    }
}

#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
}

/// What a read of stored bytes gives: the bytes (all, or the range asked for) as a stream.
pub struct Stored {
    pub size: u64,
    pub range: Range<u64>,
    pub body: BoxStream<'static, Result<Bytes, std::io::Error>>,
}

/// A failure of the storage itself (not of the user's input).
#[derive(Debug, thiserror::Error)]
#[error("document storage: {0}")]
pub struct StorageError(#[from] object_store::Error);

impl StorageError {
    /// The object is not there (purged while being read, or swept).
    pub fn is_not_found(&self) -> bool {
        matches!(self.0, object_store::Error::NotFound { .. })
    }
}

impl Storage {
    pub fn new(config: &StorageConfig) -> Result<Self, String> {
        Self::open(config, "documents")
    }

    /// `what` is kept there ("documents", "backups"), for the log.
    pub fn open(config: &StorageConfig, what: &str) -> Result<Self, String> {
        match config {
            StorageConfig::Local { dir } => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("{what} folder {}: {e}", dir.display()))?;
                let store = object_store::local::LocalFileSystem::new_with_prefix(dir)
                    .map_err(|e| format!("{what} folder {}: {e}", dir.display()))?;
                tracing::info!(folder = %dir.display(), what, "stored in a local folder (one machine only: replicas need S3)");
                Ok(Storage {
                    store: Arc::new(store),
                })
            }
            StorageConfig::S3 {
                endpoint,
                region,
                bucket,
                access_key_id,
                secret_access_key,
            } => {
                let store = object_store::aws::AmazonS3Builder::new()
                    .with_endpoint(endpoint)
                    .with_region(region)
                    .with_bucket_name(bucket)
                    .with_access_key_id(access_key_id)
                    .with_secret_access_key(secret_access_key)
                    // Supabase's S3 endpoint and stand-ins on loopback take path-style requests;
                    // plain http only where the endpoint says so.
                    .with_virtual_hosted_style_request(false)
                    .with_allow_http(endpoint.starts_with("http://"))
                    .build()
                    .map_err(|e| format!("S3 storage: {e}"))?;
                tracing::info!(%endpoint, %bucket, what, "stored in S3-compatible storage");
                Ok(Storage {
                    store: Arc::new(store),
                })
            }
        }
    }

    /// The key of a version's bytes.
    pub fn key(org: Uuid, matter: Uuid, version: Uuid) -> String {
        format!("{org}/{matter}/{version}")
    }

    /// Start writing an object; its bytes become visible only when `Writer::finish` succeeds.
    pub async fn writer(&self, key: &str) -> Result<Writer, StorageError> {
        let upload = self.store.put_multipart(&Path::from(key)).await?;
        Ok(Writer {
            inner: WriteMultipart::new_with_chunk_size(upload, PART_BYTES),
        })
    }

    /// The bytes of an object, or the part `range` asks for (`None`: all of it).
    pub async fn read(&self, key: &str, range: Option<Range<u64>>) -> Result<Stored, StorageError> {
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..Default::default()
        };
        let got = self.store.get_opts(&Path::from(key), options).await?;
        let size = got.meta.size;
        let range = got.range.clone();
        let body = got
            .into_stream()
            .map(|r| r.map_err(std::io::Error::other))
            .boxed();
        Ok(Stored { size, range, body })
    }

    /// Whether an object is there, without reading it.
    pub async fn exists(&self, key: &str) -> Result<bool, StorageError> {
        match self.store.head(&Path::from(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// The objects under the folder `prefix`, with their sizes.
    pub fn sizes_under(
        &self,
        prefix: &str,
    ) -> BoxStream<'static, Result<(String, u64), StorageError>> {
        self.store
            .list(Some(&Path::from(prefix)))
            .map(|r| {
                r.map(|m| (m.location.to_string(), m.size))
                    .map_err(StorageError::from)
            })
            .boxed()
    }

    /// Write a small object whole.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StorageError> {
        self.store.put(&Path::from(key), bytes.into()).await?;
        Ok(())
    }

    /// Read a small object whole.
    pub async fn get(&self, key: &str) -> Result<Bytes, StorageError> {
        Ok(self.store.get(&Path::from(key)).await?.bytes().await?)
    }

    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.store.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Every object's key and when it was written.
    pub fn list(
        &self,
    ) -> BoxStream<'static, Result<(String, chrono::DateTime<chrono::Utc>), StorageError>> {
        self.store
            .list(None)
            .map(|r| {
                r.map(|m| (m.location.to_string(), m.last_modified))
                    .map_err(StorageError::from)
            })
            .boxed()
    }
}

/// Parts of this size are sent as the bytes arrive (S3's multipart upload needs at least 5 MiB
/// per part): memory stays bounded by a few parts, whatever the file's size.
const PART_BYTES: usize = 5 * 1024 * 1024;
/// Parts in flight at once.
const PARTS_IN_FLIGHT: usize = 2;

/// An object being written.
pub struct Writer {
    inner: WriteMultipart,
}

impl Writer {
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), StorageError> {
        self.inner.wait_for_capacity(PARTS_IN_FLIGHT).await?;
        self.inner.write(bytes);
        Ok(())
    }

    pub async fn finish(self) -> Result<(), StorageError> {
        self.inner.finish().await?;
        Ok(())
    }

    /// Give up: nothing of it stays.
    pub async fn abort(self) {
        if let Err(e) = self.inner.abort().await {
            tracing::warn!(error = %e, "aborting an upload left parts behind (the sweep removes them)");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_are_refused_among_the_documents() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let s3: &[(&str, &str)] = &[
            ("DOCUMENT_STORAGE", "s3"),
            ("BACKUP_STORAGE", "s3"),
            ("S3_ENDPOINT", "https://s3.example"),
            ("S3_BUCKET", "docs"),
            ("S3_ACCESS_KEY_ID", "k"),
            ("S3_SECRET_ACCESS_KEY", "s"),
            ("BACKUP_S3_BUCKET", "docs"),
        ];
        let documents = StorageConfig::from_env(env(s3)).unwrap();
        let backups = StorageConfig::backups_from_env(env(s3)).unwrap();
        assert!(backups.same_place(&documents));
        let defaults = |_: &str| None;
        let (d, b) = (
            StorageConfig::from_env(defaults).unwrap(),
            StorageConfig::backups_from_env(defaults).unwrap(),
        );
        assert!(!b.same_place(&d), "the defaults are two folders");
        assert!(StorageConfig::backups_from_env(env(&[("BACKUP_STORAGE", "s3")])).is_err());
    }
}
