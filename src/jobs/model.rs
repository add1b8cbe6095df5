use serde::{Deserialize, Serialize};
use uuid::Uuid;

crate::choice!(JobStatus {
    Queued = "queued" : "Waiting",
    Running = "running" : "Running",
    Done = "done" : "Done",
    Dead = "dead" : "Failed",
});

crate::choice!(JobKind {
    InvoiceEmail = "invoice_email" : "E-mail an invoice",
    MonthlyReport = "monthly_report" : "Monthly billing report",
    DailyDigest = "daily_digest" : "Daily digest of deadlines and tasks",
    DocumentText = "document_text" : "Read a document's text for search",
    Backup = "backup" : "Nightly backup",
    OverdueReminders = "overdue_reminders" : "Overdue invoice reminders",
});

/// A job as the Jobs page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRow {
    pub id: Uuid,
    /// The kind's label ("E-mail an invoice"), or its name when this build does not know it.
    pub kind: String,
    /// What it is about ("Invoice 2026-0007 to ap@client.test", "2026-10").
    pub subject: String,
    pub status: JobStatus,
    pub attempts: i32,
    pub max_attempts: i32,
    /// "2026-11-26 14:03" in the firm's time zone.
    pub created: String,
    /// When it runs next (waiting), or finished (done, failed).
    pub when: String,
    pub last_error: String,
    pub outcome: String,
}

impl JobRow {
    /// A retry makes sense: it failed for good, or is waiting after a failure.
    pub fn retryable(&self) -> bool {
        self.status == JobStatus::Dead || (self.status == JobStatus::Queued && self.attempts > 0)
    }
}
