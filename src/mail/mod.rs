//! E-mail. A message is a row of the outbox first, written in the transaction of the operation
//! that sends it (`enqueue`): a rolled-back operation sends nothing, a crash loses nothing. A
//! worker in every replica (`sender`) claims due rows under a lease, sends them over SMTP
//! (`lettre`) and records the outcome; a failure is retried with backoff, and after
//! `MAX_ATTEMPTS` the message is kept as dead with its last error.

pub mod sender;

use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::AppError;

/// How many times a message is tried before it is given up.
pub const MAX_ATTEMPTS: i32 = 8;

/// One message to one person.
#[derive(Debug, Clone)]
pub struct Mail {
    /// What it is for (`invitation`, `password_reset`): for logs and the outbox.
    pub purpose: &'static str,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// A file sent with a message.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub filename: String,
    pub content_type: &'static str,
    pub content: Vec<u8>,
}

/// What a firm's message carries besides the message: its sender, its files, and the job that
/// wrote it (a job run again writes nothing twice).
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// The firm's own sender address (`None`: the server's `MAIL_FROM`).
    pub from: Option<String>,
    pub attachments: Vec<Attachment>,
    pub job: Option<Uuid>,
}

/// Add a message to the outbox, in the caller's transaction (`org`: the firm it belongs to, if
/// any). Call `wake` after the transaction commits.
pub async fn enqueue(
    conn: &mut PgConnection,
    org: Option<Uuid>,
    mail: &Mail,
) -> Result<(), AppError> {
    enqueue_with(conn, org, mail, Extras::default())
        .await
        .map(|_| ())
}

/// `enqueue`, with a sender, files and the job writing it. False: that job had already written
/// this message (nothing was added).
pub async fn enqueue_with(
    conn: &mut PgConnection,
    org: Option<Uuid>,
    mail: &Mail,
    extras: Extras,
) -> Result<bool, AppError> {
    if let Some(job) = extras.job {
        let written: bool = sqlx::query_scalar("SELECT mail_written_by_job($1, $2)")
            .bind(job)
            .bind(&mail.to)
            .fetch_one(&mut *conn)
            .await?;
        if written {
            return Ok(false);
        }
    }
    // Two runs of one job at once (a lease that ran out mid-run): the unique index refuses the
    // second message, and its run fails and is retried, to find the first.
    let id = Uuid::new_v4();
    sqlx::query(
        "INSERT INTO mail_outbox (id, organization_id, purpose, to_address, subject, body_text, body_html,
                                  from_address, job_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(org)
    .bind(mail.purpose)
    .bind(&mail.to)
    .bind(&mail.subject)
    .bind(&mail.text)
    .bind(&mail.html)
    .bind(&extras.from)
    .bind(extras.job)
    .execute(&mut *conn)
    .await?;
    for (position, a) in extras.attachments.iter().enumerate() {
        sqlx::query(
            "INSERT INTO mail_attachments (mail_id, organization_id, position, filename, content_type, content)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(org)
        .bind(position as i32)
        .bind(&a.filename)
        .bind(a.content_type)
        .bind(&a.content)
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

static WAKE: std::sync::LazyLock<tokio::sync::Notify> =
    std::sync::LazyLock::new(tokio::sync::Notify::new);

/// Tell this process's sender that a message was committed (other replicas find it on their
/// next poll).
pub fn wake() {
    WAKE.notify_one();
}

/// An HTML body of paragraphs, one a line of `lines` (a line's own breaks kept).
pub fn paragraphs_html(lines: &[String]) -> String {
    format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5\">{}</body></html>",
        lines
            .iter()
            .map(|l| format!("<p>{}</p>", escape_html(l).replace('\n', "<br>")))
            .collect::<String>()
    )
}

/// Text for an HTML body.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A short message with one button: the text body says the same with the plain link.
pub fn with_link(
    purpose: &'static str,
    to: &str,
    subject: String,
    lines: &[String],
    button: &str,
    link: &str,
) -> Mail {
    let mut text = lines.join("\n\n");
    text.push_str(&format!("\n\n{button}: {link}\n"));
    let paragraphs: String = lines
        .iter()
        .map(|l| format!("<p>{}</p>", escape_html(l)))
        .collect();
    let html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5\">{paragraphs}\
         <p><a href=\"{href}\" style=\"display:inline-block;padding:.6em 1.2em;background:#1d4ed8;color:#fff;text-decoration:none;border-radius:4px\">{label}</a></p>\
         <p style=\"color:#555;font-size:.9em\">{href_text}</p></body></html>",
        href = escape_html(link),
        label = escape_html(button),
        href_text = escape_html(link),
    );
    Mail {
        purpose,
        to: to.to_string(),
        subject,
        text,
        html: Some(html),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_bodies_escape_what_people_typed() {
        let m = with_link(
            "invitation",
            "a@b.test",
            "Hi".into(),
            &["<script>alert(1)</script> & Co".into()],
            "Open",
            "https://x.test/invite/abc?x=1&y=\"2\"",
        );
        let html = m.html.unwrap();
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
        assert!(html.contains("href=\"https://x.test/invite/abc?x=1&amp;y=&quot;2&quot;\""));
        assert!(m
            .text
            .ends_with("Open: https://x.test/invite/abc?x=1&y=\"2\"\n"));
    }
}
