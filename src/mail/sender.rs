//! The outbox worker: one per process. It wakes when this process committed a message (`wake`)
//! or every `POLL` (messages of other replicas, retries, leases of processes that died), claims
//! a few due messages with `FOR UPDATE SKIP LOCKED` under a lease (two replicas never send the
//! same one at once), sends them and records each outcome.

use std::time::Duration;

use lettre::message::{header::ContentType, Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::PgPool;
use uuid::Uuid;

const POLL: Duration = Duration::from_secs(5);
const BATCH: i32 = 5;
/// The longest one SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);
/// Longer than a whole batch of exchanges that each time out (a process that dies holding a
/// claim gives it up when this runs out; an outcome recorded after it is ignored).
const LEASE_SECS: i32 = 3 * BATCH * SMTP_TIMEOUT.as_secs() as i32;

/// Where and as whom mail is sent (`SMTP_URL`, `MAIL_FROM`).
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `smtp://host:port` (plain, for a local relay), `smtp://…?tls=required` (STARTTLS) or
    /// `smtps://…`, with `user:password@` when the relay wants it.
    pub smtp_url: String,
    pub from: String,
}

#[derive(sqlx::FromRow)]
struct Claimed {
    id: Uuid,
    to_address: String,
    subject: String,
    body_text: String,
    body_html: Option<String>,
    attempts: i32,
}

/// Start the worker. Without SMTP configured, messages stay in the outbox (and a warning says
/// so once).
pub fn spawn(db: PgPool, config: Option<MailConfig>) -> Result<(), String> {
    let Some(config) = config else {
        tracing::warn!(
            "SMTP_URL is not set: e-mail (invitations, password resets) stays in the outbox unsent"
        );
        return Ok(());
    };
    let from: Mailbox = config
        .from
        .parse()
        .map_err(|e| format!("MAIL_FROM {:?}: {e}", config.from))?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url)
        .map_err(|e| format!("SMTP_URL: {e}"))?
        .timeout(Some(SMTP_TIMEOUT))
        .build();
    tokio::spawn(async move {
        loop {
            match run_once(&db, &transport, &from).await {
                // A full batch: there may be more due at once.
                Ok(n) if n == BATCH as usize => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "outbox not reachable"),
            }
            tokio::select! {
                _ = super::WAKE.notified() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    });
    Ok(())
}

/// Claim and send one batch; how many were claimed.
async fn run_once(
    db: &PgPool,
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
) -> Result<usize, sqlx::Error> {
    let claimed: Vec<Claimed> = sqlx::query_as(
        "SELECT id, to_address, subject, body_text, body_html, attempts FROM mail_claim($1, $2)",
    )
    .bind(BATCH)
    .bind(LEASE_SECS)
    .fetch_all(db)
    .await?;
    let n = claimed.len();
    for m in claimed {
        let outcome = match extras(db, m.id).await {
            Ok(extras) => send(transport, from, &m, extras).await,
            Err(e) => Err(format!("outbox: {e}")),
        };
        match &outcome {
            Ok(()) => tracing::info!(mail = %m.id, attempt = m.attempts, "mail sent"),
            Err(e) => {
                tracing::warn!(mail = %m.id, attempt = m.attempts, error = %e, "mail not sent")
            }
        }
        sqlx::query("SELECT mail_settle($1, $2, $3)")
            .bind(m.id)
            .bind(outcome.err())
            .bind(super::MAX_ATTEMPTS)
            .execute(db)
            .await?;
    }
    Ok(n)
}

#[derive(sqlx::FromRow)]
struct Extra {
    from_address: Option<String>,
    filename: Option<String>,
    content_type: Option<String>,
    content: Option<Vec<u8>>,
}

/// A claimed message's own sender and its files.
async fn extras(db: &PgPool, id: Uuid) -> Result<(Option<String>, Vec<SinglePart>), sqlx::Error> {
    let rows: Vec<Extra> =
        sqlx::query_as("SELECT from_address, filename, content_type, content FROM mail_extras($1)")
            .bind(id)
            .fetch_all(db)
            .await?;
    // No row: the claim ran out meanwhile (another replica may be sending it).
    if rows.is_empty() {
        return Err(sqlx::Error::RowNotFound);
    }
    let from = rows.first().and_then(|r| r.from_address.clone());
    let files = rows
        .into_iter()
        .filter_map(|r| {
            let content_type = ContentType::parse(r.content_type.as_deref()?).ok()?;
            Some(Attachment::new(r.filename?).body(r.content?, content_type))
        })
        .collect();
    Ok((from, files))
}

async fn send(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    m: &Claimed,
    (own_from, files): (Option<String>, Vec<SinglePart>),
) -> Result<(), String> {
    let to: Mailbox = m
        .to_address
        .parse()
        .map_err(|e| format!("recipient {:?}: {e}", m.to_address))?;
    // A firm's own address sends its mail, under the name the server's sender carries.
    let sender = match own_from {
        Some(address) => Mailbox::new(
            from.name.clone(),
            address
                .parse()
                .map_err(|e| format!("sender {address:?}: {e}"))?,
        ),
        None => from.clone(),
    };
    let builder = Message::builder()
        .from(sender)
        .to(to)
        .subject(m.subject.clone());
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(m.body_text.clone());
    let body = match &m.body_html {
        Some(html) => MultiPart::alternative().singlepart(text).singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(html.clone()),
        ),
        None if files.is_empty() => {
            return deliver(transport, builder.singlepart(text)).await;
        }
        None => MultiPart::mixed().singlepart(text),
    };
    let message = if files.is_empty() {
        builder.multipart(body)
    } else {
        let mut mixed = MultiPart::mixed().multipart(body);
        for f in files {
            mixed = mixed.singlepart(f);
        }
        builder.multipart(mixed)
    };
    deliver(transport, message).await
}

async fn deliver(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    message: Result<Message, lettre::error::Error>,
) -> Result<(), String> {
    let message = message.map_err(|e| format!("message: {e}"))?;
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}
