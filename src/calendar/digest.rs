//! The daily digest: every morning (from 07:00 in the firm's time zone) each member who has
//! something coming gets one e-mail: their deadlines and events of the next seven days and their
//! open tasks due by then (overdue ones first). Read with their own rights (walls included). Run
//! again after its process died, it writes no one's message twice.

use chrono::{Duration, NaiveDate};
use uuid::Uuid;

use super::repo::{self, Whose};
use super::{Event, EventKind, Task};
use crate::jobs::run::{as_firm, as_member, Claimed, Failure, Outcome};
use crate::kernel::Choice;
use crate::mail::{escape_html, Extras, Mail};
use crate::server::AppState;

pub async fn run(state: &AppState, job: &Claimed) -> Outcome {
    let org = job.org()?;
    let day: NaiveDate = job.field("day")?;
    let until = day + Duration::days(6);

    let mut tx = as_firm(state, org).await?;
    let people: Vec<(Uuid, String, String, Option<String>)> = sqlx::query_as(
        "SELECT uo.user_id, u.email, o.name, o.mail_from
           FROM user_organizations uo JOIN users u ON u.id = uo.user_id
           JOIN organizations o ON o.id = uo.organization_id
          WHERE uo.organization_id = app_current_org() AND uo.status = 'active' AND u.is_active
          ORDER BY u.email",
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;

    let mut written = 0;
    for (user, email, firm, from) in people {
        let (_, mut tx) = match as_member(state, user, org, |_| true).await {
            Ok(t) => t,
            Err(Failure::GiveUp(_)) => continue,
            Err(e) => return Err(e),
        };
        let events =
            repo::events_between(&mut tx, day, until, Whose::Person(user), None, 200).await?;
        let tasks: Vec<Task> = repo::tasks_of(&mut tx, user)
            .await?
            .into_iter()
            .filter(|t| t.status == super::TaskStatus::Open && t.due_on.is_some_and(|d| d <= until))
            .collect();
        if events.is_empty() && tasks.is_empty() {
            tx.commit().await?;
            continue;
        }
        let mail = message(&firm, &email, day, until, &events, &tasks);
        let extras = Extras {
            from: from.clone(),
            attachments: vec![],
            job: Some(job.id),
        };
        if crate::mail::enqueue_with(&mut tx, Some(org), &mail, extras).await? {
            written += 1;
        }
        tx.commit().await?;
    }
    crate::mail::wake();
    Ok(format!("Digest for {day} e-mailed to {written} people"))
}

fn message(
    firm: &str,
    to: &str,
    day: NaiveDate,
    until: NaiveDate,
    events: &[Event],
    tasks: &[Task],
) -> Mail {
    let deadlines = events
        .iter()
        .filter(|e| e.kind == EventKind::Deadline)
        .count();
    let mut lines: Vec<String> = vec![];
    if !events.is_empty() {
        lines.push(format!("Deadlines and events, {day} to {until}:"));
        for e in events {
            let when = match &e.start {
                Some(s) => format!("{} {s}", e.date),
                None => e.date.to_string(),
            };
            lines.push(format!(
                "  {when}  {}: {} (matter {})",
                e.kind.label(),
                e.title,
                e.matter_number
            ));
        }
    }
    if !tasks.is_empty() {
        lines.push(String::new());
        lines.push("Your open tasks due by then:".into());
        for t in tasks {
            let due = t.due_on.map(|d| d.to_string()).unwrap_or_default();
            let late = if t.overdue { " OVERDUE" } else { "" };
            lines.push(format!(
                "  {due}{late}  {} (matter {})",
                t.title, t.matter_number
            ));
        }
    }
    let text = lines.join("\n");
    let html = format!(
        "<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5\"><pre style=\"font-family:inherit\">{}</pre></body></html>",
        escape_html(&text)
    );
    Mail {
        purpose: "daily_digest",
        to: to.to_string(),
        subject: format!(
            "Your week at {firm}: {deadlines} deadline{}, {} task{}",
            if deadlines == 1 { "" } else { "s" },
            tasks.len(),
            if tasks.len() == 1 { "" } else { "s" }
        ),
        text,
        html: Some(html),
    }
}
