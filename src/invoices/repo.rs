//! SQL for invoices. Row-level security limits every statement to the caller's firm; the
//! claims on time and expenses (`invoice_id IS NULL` in the same UPDATE that sets it) and the
//! locked counter row are what make concurrent invoicing safe.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use super::figures::{counter_year, invoice_number, Discount, Totals};
use super::*;
use crate::auth::caller::Caller;
use crate::error::AppError;
use crate::kernel::{Choice, Page, PAGE_SIZE};
use crate::server::db::Tx;
use crate::server::list::{keyset_page, List, Sort};
use crate::time::duration::{amount, billed_minutes, hours};

/// The firm's billing settings, as of now.
pub struct Settings {
    pub today: NaiveDate,
    pub currency: String,
    pub increment: u32,
    pub tax_rate: Decimal,
    pub tax_label: String,
    pub terms_days: i32,
    pub prefix: String,
    pub with_year: bool,
    pub digits: u32,
}

pub async fn settings(tx: &mut Tx) -> Result<Settings, AppError> {
    #[allow(clippy::type_complexity)]
    let r: (NaiveDate, String, i32, Decimal, String, i32, String, bool, i32) = sqlx::query_as(
        "SELECT (now() AT TIME ZONE timezone)::date, currency, billing_increment_minutes, tax_rate,
                tax_label, payment_terms_days, invoice_prefix, invoice_number_year, invoice_number_digits
           FROM organizations WHERE id = app_current_org()",
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(Settings {
        today: r.0,
        currency: r.1,
        increment: r.2.max(1) as u32,
        tax_rate: r.3,
        tax_label: r.4,
        terms_days: r.5,
        prefix: r.6,
        with_year: r.7,
        digits: r.8.max(1) as u32,
    })
}

/// The client an invoice is for, and its matter if it covers one: `None` if this firm has no
/// such matter or client (another firm's id reads the same).
pub async fn resolve_scope(
    tx: &mut Tx,
    scope: &ValidScope,
) -> Result<Option<(Uuid, String, Option<(Uuid, String)>)>, AppError> {
    if let Some(m) = scope.matter {
        let row: Option<(Uuid, String, Uuid, String)> = sqlx::query_as(
            "SELECT c.id, c.name, m.id, m.matter_number FROM matters m JOIN clients c ON c.id = m.client_id
              WHERE m.id = $1",
        )
        .bind(m)
        .fetch_optional(&mut **tx)
        .await?;
        return Ok(row.map(|(c, name, m, number)| (c, name, Some((m, number)))));
    }
    let Some(c) = scope.client else {
        return Ok(None);
    };
    let row: Option<(Uuid, String)> = sqlx::query_as("SELECT id, name FROM clients WHERE id = $1")
        .bind(c)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|(c, name)| (c, name, None)))
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: Uuid,
    kind: String,
    day: NaiveDate,
    user_id: Uuid,
    person: String,
    matter_id: Uuid,
    matter_number: String,
    description: String,
    minutes: Option<i32>,
    activity_code: Option<String>,
    task_code: Option<String>,
    quantity: Decimal,
    rate: Decimal,
}

fn priced(r: ItemRow, increment: u32, digits: u32) -> Billable {
    let kind = LineType::parse(&r.kind).unwrap_or(LineType::Expense);
    let worked = r.minutes.map(|m| m.max(0) as u32);
    let minutes = worked.map(|m| billed_minutes(m, increment));
    let (quantity, amount) = match minutes {
        Some(m) => (hours(m).round_dp(4), amount(m, r.rate, digits)),
        None => (
            r.quantity,
            crate::expenses::expense_total(r.rate, r.quantity, digits),
        ),
    };
    Billable {
        id: r.id,
        line_type: kind,
        date: r.day,
        user_id: r.user_id,
        person: r.person,
        matter_id: r.matter_id,
        matter_number: r.matter_number,
        description: r.description,
        worked,
        activity_code: r.activity_code,
        task_code: r.task_code,
        minutes,
        quantity,
        rate: r.rate,
        amount,
    }
}

/// A preview's pin: a digest of each item's id and amount (sorted) and the tax rate.
pub fn pin_of(items: &[Billable], tax_rate: Decimal) -> String {
    let mut parts: Vec<String> = items
        .iter()
        .map(|i| format!("{}={}", i.id, i.amount.normalize()))
        .collect();
    parts.sort();
    parts.push(format!("tax={}", tax_rate.normalize()));
    let digest = ring::digest::digest(&ring::digest::SHA256, parts.join(";").as_bytes());
    digest.as_ref()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The scope's filter on time (`t`) or expenses (`e`) joined to their matter `m`.
fn scope_filter(
    b: &mut QueryBuilder<Postgres>,
    alias: &str,
    date: &str,
    client: Uuid,
    matter: Option<Uuid>,
    s: &ValidScope,
) {
    b.push(" AND m.client_id = ").push_bind(client);
    match matter {
        Some(m) => {
            b.push(format!(" AND {alias}.matter_id = ")).push_bind(m);
        }
        // A walled-off matter is billed on invoices of its own: on a client's invoice its
        // lines would show to people it is hidden from.
        None => {
            b.push(" AND NOT m.restricted");
        }
    }
    if let Some(f) = s.from {
        b.push(format!(" AND {alias}.{date} >= ")).push_bind(f);
    }
    if let Some(t) = s.to {
        b.push(format!(" AND {alias}.{date} <= ")).push_bind(t);
    }
}

/// Unbilled billable time and expenses in scope. With `claim`, they are marked billed on that
/// invoice in the same statement; rows someone else claimed meanwhile are skipped (the UPDATE
/// re-reads them after their lock is released), so no entry lands on two invoices.
pub async fn billable_items(
    tx: &mut Tx,
    client: Uuid,
    matter: Option<Uuid>,
    s: &ValidScope,
    set: &Settings,
    claim: Option<Uuid>,
) -> Result<Vec<Billable>, AppError> {
    let mut b = QueryBuilder::<Postgres>::new("");
    match claim {
        Some(inv) => {
            b.push("WITH t AS (UPDATE time_entries t SET status = 'billed', invoice_id = ")
                .push_bind(inv)
                .push(" FROM matters m WHERE m.id = t.matter_id AND t.status = 'unbilled' AND t.billable AND t.invoice_id IS NULL");
            scope_filter(&mut b, "t", "work_date", client, matter, s);
            b.push(" RETURNING t.*), e AS (UPDATE expenses e SET status = 'billed', invoice_id = ")
                .push_bind(inv)
                .push(" FROM matters m WHERE m.id = e.matter_id AND e.status = 'unbilled' AND e.billable AND e.invoice_id IS NULL");
            scope_filter(&mut b, "e", "incurred_on", client, matter, s);
            b.push(" RETURNING e.*) ");
        }
        None => {
            b.push(
                "WITH t AS (SELECT t.* FROM time_entries t JOIN matters m ON m.id = t.matter_id
                    WHERE t.status = 'unbilled' AND t.billable AND t.invoice_id IS NULL",
            );
            scope_filter(&mut b, "t", "work_date", client, matter, s);
            b.push(
                "), e AS (SELECT e.* FROM expenses e JOIN matters m ON m.id = e.matter_id
                    WHERE e.status = 'unbilled' AND e.billable AND e.invoice_id IS NULL",
            );
            scope_filter(&mut b, "e", "incurred_on", client, matter, s);
            b.push(") ");
        }
    }
    b.push(
        "SELECT t.id, 'time' AS kind, t.work_date AS day, t.user_id, u.full_name AS person, t.matter_id,
                m.matter_number, t.description, t.minutes, t.activity_code, t.task_code,
                1::numeric AS quantity, t.hourly_rate AS rate
           FROM t JOIN users u ON u.id = t.user_id JOIN matters m ON m.id = t.matter_id
         UNION ALL
         SELECT e.id, 'expense', e.incurred_on, e.user_id, u.full_name, e.matter_id, m.matter_number,
                e.description, NULL, NULL, NULL, e.quantity, e.amount
           FROM e JOIN users u ON u.id = e.user_id JOIN matters m ON m.id = e.matter_id
         ORDER BY day, kind DESC, id",
    );
    let rows: Vec<ItemRow> = b.build_query_as().fetch_all(&mut **tx).await?;
    let digits = crate::kernel::minor_digits(&set.currency);
    Ok(rows
        .into_iter()
        .map(|r| priced(r, set.increment, digits))
        .collect())
}

/// The invoice a create request already made (the same request sent twice makes one invoice).
pub async fn by_request(tx: &mut Tx, request: Uuid) -> Result<Option<Uuid>, AppError> {
    Ok(
        sqlx::query_scalar("SELECT id FROM invoices WHERE request_id = $1")
            .bind(request)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// Insert an empty draft; `None` when a concurrent request with the same id made it first.
#[allow(clippy::too_many_arguments)]
pub async fn insert_draft(
    tx: &mut Tx,
    caller: &Caller,
    request: Uuid,
    client: Uuid,
    matter: Option<Uuid>,
    s: &ValidScope,
    set: &Settings,
) -> Result<Option<Uuid>, AppError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO invoices (organization_id, request_id, client_id, matter_id, currency, period_start,
                               period_end, billing_increment_minutes, tax_rate, tax_label, created_by)
         VALUES (app_current_org(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (organization_id, request_id) DO NOTHING RETURNING id",
    )
    .bind(request)
    .bind(client)
    .bind(matter)
    .bind(&set.currency)
    .bind(s.from)
    .bind(s.to)
    .bind(set.increment as i32)
    .bind(set.tax_rate)
    .bind(&set.tax_label)
    .bind(caller.user_id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Lines per INSERT: 17 parameters each stays well under PostgreSQL's 65,535.
const LINES_PER_INSERT: usize = 1000;

pub async fn insert_lines(tx: &mut Tx, invoice: Uuid, items: &[Billable]) -> Result<(), AppError> {
    for (n, chunk) in items.chunks(LINES_PER_INSERT).enumerate() {
        insert_chunk(tx, invoice, chunk, n * LINES_PER_INSERT).await?;
    }
    Ok(())
}

async fn insert_chunk(
    tx: &mut Tx,
    invoice: Uuid,
    items: &[Billable],
    first: usize,
) -> Result<(), AppError> {
    let mut b = QueryBuilder::<Postgres>::new(
        "INSERT INTO invoice_lines (organization_id, invoice_id, line_type, time_entry_id, expense_id, position,
            description, quantity, unit_price, amount, line_date, user_id, person_name, minutes, matter_id,
            activity_code, task_code) ",
    );
    b.push_values(items.iter().enumerate(), |mut row, (i, it)| {
        let time = it.line_type == LineType::Time;
        row.push("app_current_org()")
            .push_bind(invoice)
            .push_bind(it.line_type.as_str())
            .push_bind(time.then_some(it.id))
            .push_bind((!time).then_some(it.id))
            .push_bind((first + i) as i32 + 1)
            .push_bind(&it.description)
            .push_bind(it.quantity)
            .push_bind(it.rate)
            .push_bind(it.amount)
            .push_bind(it.date)
            .push_bind(it.user_id)
            .push_bind(&it.person)
            .push_bind(it.minutes.map(|m| m as i32))
            .push_bind(it.matter_id)
            .push_bind(&it.activity_code)
            .push_bind(&it.task_code);
    });
    b.build().execute(&mut **tx).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct HeadRow {
    id: Uuid,
    invoice_number: Option<String>,
    status: String,
    firm_name: String,
    firm_logo_text: String,
    firm_address: String,
    today: NaiveDate,
    client_id: Uuid,
    billing_email: Option<String>,
    client_name: String,
    matter_id: Option<Uuid>,
    matter_number: Option<String>,
    matter_title: Option<String>,
    currency: String,
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
    issue_date: Option<NaiveDate>,
    due_date: Option<NaiveDate>,
    billing_increment_minutes: i32,
    discount_kind: Option<String>,
    discount_value: Decimal,
    tax_label: String,
    tax_rate: Decimal,
    subtotal: Decimal,
    discount_total: Decimal,
    tax_total: Decimal,
    total: Decimal,
    amount_paid: Decimal,
    void_reason: String,
    version: i32,
}

#[derive(sqlx::FromRow)]
struct LineRow {
    id: Uuid,
    line_type: String,
    line_date: Option<NaiveDate>,
    person_name: String,
    user_id: Option<Uuid>,
    person_class: String,
    matter_number: Option<String>,
    description: String,
    minutes: Option<i32>,
    quantity: Decimal,
    unit_price: Decimal,
    amount: Decimal,
    activity_code: Option<String>,
    task_code: Option<String>,
}

fn discount_of(kind: Option<&str>, value: Decimal) -> Discount {
    match kind {
        Some("percent") => Discount::Percent(value),
        Some("amount") => Discount::Amount(value),
        _ => Discount::None,
    }
}

/// One invoice with its lines and payments; `lock` takes it FOR UPDATE (every change to an
/// invoice starts so, which serialises payments, voids and issues of one invoice).
pub async fn get(tx: &mut Tx, id: Uuid, lock: bool) -> Result<Invoice, AppError> {
    let lock = if lock { " FOR UPDATE OF i" } else { "" };
    let h: HeadRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT i.id, i.invoice_number, i.status, o.name AS firm_name, o.logo_text AS firm_logo_text, o.address AS firm_address,
                (now() AT TIME ZONE o.timezone)::date AS today, i.client_id, c.name AS client_name,
                (SELECT cc.value FROM client_contacts cc WHERE cc.client_id = i.client_id AND cc.contact_type = 'email'
                  ORDER BY lower(cc.label) LIKE '%billing%' DESC, cc.is_primary DESC, cc.created_at LIMIT 1) AS billing_email,
                i.matter_id, m.matter_number, m.title AS matter_title, i.currency, i.period_start,
                i.period_end, i.issue_date, i.due_date, i.billing_increment_minutes, i.discount_kind,
                i.discount_value, i.tax_label, i.tax_rate, i.subtotal, i.discount_total, i.tax_total,
                i.total, i.amount_paid, i.void_reason, i.version
           FROM invoices i JOIN organizations o ON o.id = i.organization_id
           JOIN clients c ON c.id = i.client_id LEFT JOIN matters m ON m.id = i.matter_id
          WHERE i.id = $1{lock}"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let lines: Vec<LineRow> = sqlx::query_as(
        "SELECT l.id, l.line_type, l.line_date, l.person_name, l.user_id,
                CASE (SELECT uo.role FROM user_organizations uo
                       WHERE uo.user_id = l.user_id AND uo.organization_id = l.organization_id)
                     WHEN 'attorney' THEN 'AS' ELSE 'OT' END AS person_class, m.matter_number, l.description, l.minutes,
                l.quantity, l.unit_price, l.amount, l.activity_code, l.task_code
           FROM invoice_lines l LEFT JOIN matters m ON m.id = l.matter_id
          WHERE l.invoice_id = $1 ORDER BY l.position, l.id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let payments: Vec<(Uuid, Decimal, NaiveDate, String, String)> = sqlx::query_as(
        "SELECT id, amount, paid_on, method, reference FROM payments WHERE invoice_id = $1 ORDER BY paid_on, created_at",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let status = InvoiceStatus::parse(&h.status).unwrap_or(InvoiceStatus::Void);
    Ok(Invoice {
        id: h.id,
        number: h.invoice_number,
        status,
        shown: status.shown(h.due_date, h.today).to_string(),
        firm_name: h.firm_name,
        firm_logo_text: h.firm_logo_text,
        firm_address: h.firm_address,
        client_id: h.client_id,
        client_name: h.client_name,
        billing_email: h.billing_email,
        matter_id: h.matter_id,
        matter_number: h.matter_number,
        matter_title: h.matter_title,
        currency: h.currency,
        period_start: h.period_start,
        period_end: h.period_end,
        issue_date: h.issue_date,
        due_date: h.due_date,
        increment: h.billing_increment_minutes.max(1) as u32,
        discount: discount_of(h.discount_kind.as_deref(), h.discount_value),
        tax_label: h.tax_label,
        tax_rate: h.tax_rate,
        totals: Totals {
            subtotal: h.subtotal,
            discount: h.discount_total,
            tax: h.tax_total,
            total: h.total,
        },
        amount_paid: h.amount_paid,
        balance: h.total - h.amount_paid,
        void_reason: h.void_reason,
        lines: lines
            .into_iter()
            .map(|l| InvoiceLine {
                id: l.id,
                line_type: LineType::parse(&l.line_type).unwrap_or(LineType::Adjustment),
                date: l.line_date,
                person: l.person_name,
                person_id: l.user_id,
                person_class: l.person_class,
                matter_number: l.matter_number.unwrap_or_default(),
                description: l.description,
                minutes: l.minutes.map(|m| m.max(0) as u32),
                quantity: l.quantity,
                rate: l.unit_price,
                amount: l.amount,
                activity_code: l.activity_code,
                task_code: l.task_code,
            })
            .collect(),
        payments: payments
            .into_iter()
            .map(|(id, amount, paid_on, method, reference)| Payment {
                id,
                amount,
                paid_on,
                method: PaymentMethod::parse(&method).unwrap_or(PaymentMethod::Other),
                reference,
            })
            .collect(),
        version: h.version,
    })
}

/// Recompute a draft's figures from its lines and discount; returns them.
pub async fn refigure(
    tx: &mut Tx,
    id: Uuid,
    discount: Discount,
    tax_rate: Decimal,
    currency: &str,
) -> Result<Totals, AppError> {
    let amounts: Vec<Decimal> =
        sqlx::query_scalar("SELECT amount FROM invoice_lines WHERE invoice_id = $1")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
    let t = Totals::of(
        &amounts,
        discount,
        tax_rate,
        crate::kernel::minor_digits(currency),
    );
    let (kind, value) = match discount {
        Discount::None => (None, Decimal::ZERO),
        Discount::Percent(p) => (Some("percent"), p),
        Discount::Amount(a) => (Some("amount"), a),
    };
    sqlx::query(
        "UPDATE invoices SET subtotal = $2, discount_total = $3, tax_total = $4, total = $5,
                discount_kind = $6, discount_value = $7 WHERE id = $1",
    )
    .bind(id)
    .bind(t.subtotal)
    .bind(t.discount)
    .bind(t.tax)
    .bind(t.total)
    .bind(kind)
    .bind(value)
    .execute(&mut **tx)
    .await?;
    Ok(t)
}

/// Take the next number of the firm's counter for the year of `day`: the counter row is
/// created or incremented in this statement and stays locked until the transaction ends, so
/// a concurrent issue waits, and a rolled-back issue gives its number back.
pub async fn next_number(tx: &mut Tx, set: &Settings, day: NaiveDate) -> Result<String, AppError> {
    let year = counter_year(set.with_year, day);
    let n: i32 = sqlx::query_scalar(
        "INSERT INTO invoice_counters (organization_id, year, last_number) VALUES (app_current_org(), $1, 1)
         ON CONFLICT (organization_id, year) DO UPDATE SET last_number = invoice_counters.last_number + 1
         RETURNING last_number",
    )
    .bind(year)
    .fetch_one(&mut **tx)
    .await?;
    let number = invoice_number(
        &set.prefix,
        set.with_year.then_some(year),
        set.digits,
        n as u32,
    );
    let taken: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM invoices WHERE invoice_number = $1)")
            .bind(&number)
            .fetch_one(&mut **tx)
            .await?;
    if taken {
        return Err(AppError::Conflict(format!(
            "The next number, {number}, is already on another invoice (the numbering settings were changed): change the invoice prefix."
        )));
    }
    if number.len() > 20 {
        return Err(AppError::Conflict(
            "The next invoice number would be longer than 20 characters: shorten the firm's invoice prefix or digits.".into(),
        ));
    }
    Ok(number)
}

pub async fn mark_issued(
    tx: &mut Tx,
    id: Uuid,
    number: &str,
    issued: NaiveDate,
    due: NaiveDate,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE invoices SET status = 'sent', invoice_number = $2, issue_date = $3, due_date = $4, issued_at = now()
          WHERE id = $1",
    )
    .bind(id)
    .bind(number)
    .bind(issued)
    .bind(due)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Make the time and expenses on an invoice unbilled again (a void, a deleted draft); with
/// `only`, just those lines' entries.
pub async fn release(tx: &mut Tx, invoice: Uuid, only: Option<Uuid>) -> Result<(), AppError> {
    let (time, expense): (Option<Uuid>, Option<Uuid>) = match only {
        Some(line) => sqlx::query_as(
            "SELECT time_entry_id, expense_id FROM invoice_lines WHERE id = $1 AND invoice_id = $2",
        )
        .bind(line)
        .bind(invoice)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(AppError::NotFound)?,
        None => (None, None),
    };
    let all = only.is_none();
    sqlx::query(
        "UPDATE time_entries SET status = 'unbilled', invoice_id = NULL
          WHERE invoice_id = $1 AND ($2 OR id = $3)",
    )
    .bind(invoice)
    .bind(all)
    .bind(time)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE expenses SET status = 'unbilled', invoice_id = NULL
          WHERE invoice_id = $1 AND ($2 OR id = $3)",
    )
    .bind(invoice)
    .bind(all)
    .bind(expense)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn delete_line(tx: &mut Tx, invoice: Uuid, line: Uuid) -> Result<(), AppError> {
    sqlx::query("DELETE FROM invoice_lines WHERE id = $1 AND invoice_id = $2")
        .bind(line)
        .bind(invoice)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn update_line(
    tx: &mut Tx,
    invoice: Uuid,
    line: Uuid,
    v: &super::line::ValidLine,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE invoice_lines SET description = $3, minutes = $4, quantity = $5, unit_price = $6, amount = $7
          WHERE id = $1 AND invoice_id = $2",
    )
    .bind(line)
    .bind(invoice)
    .bind(&v.description)
    .bind(v.minutes.map(|m| m as i32))
    .bind(v.quantity)
    .bind(v.rate)
    .bind(v.amount)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn delete_draft(tx: &mut Tx, id: Uuid) -> Result<(), AppError> {
    sqlx::query("DELETE FROM invoices WHERE id = $1 AND status = 'draft'")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn mark_void(tx: &mut Tx, id: Uuid, reason: &str) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE invoices SET status = 'void', voided_at = now(), void_reason = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn insert_payment(
    tx: &mut Tx,
    caller: &Caller,
    invoice: &Invoice,
    p: &ValidPayment,
) -> Result<Uuid, AppError> {
    let id: Uuid = sqlx::query_scalar(
        "INSERT INTO payments (organization_id, invoice_id, amount, paid_on, method, reference, created_by)
         VALUES (app_current_org(), $1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(invoice.id)
    .bind(p.amount)
    .bind(p.paid_on)
    .bind(p.method.as_str())
    .bind(&p.reference)
    .bind(caller.user_id)
    .fetch_one(&mut **tx)
    .await?;
    let paid = invoice.amount_paid + p.amount;
    let status = if paid >= invoice.totals.total {
        InvoiceStatus::Paid
    } else {
        InvoiceStatus::PartiallyPaid
    };
    sqlx::query(
        "UPDATE invoices SET amount_paid = $2, status = $3,
                paid_at = CASE WHEN $3 = 'paid' THEN now() ELSE paid_at END WHERE id = $1",
    )
    .bind(invoice.id)
    .bind(paid)
    .bind(status.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: Uuid,
    invoice_number: Option<String>,
    client_id: Uuid,
    client_name: String,
    matter_id: Option<Uuid>,
    matter_number: Option<String>,
    status: String,
    issue_date: Option<NaiveDate>,
    due_date: Option<NaiveDate>,
    total: Decimal,
    amount_paid: Decimal,
    today: NaiveDate,
    sort_key: String,
    total_capped: i64,
}

crate::keyed!(ListRow);

/// The firm's invoices, newest first; `only_for` limits them to matters where that person is
/// the responsible or originating attorney (what attorneys and staff see).
pub async fn list(
    tx: &mut Tx,
    q: &InvoiceQuery,
    only_for: Option<Uuid>,
) -> Result<Page<InvoiceRow>, AppError> {
    let matter = Uuid::parse_str(&q.matter).ok();
    let client = Uuid::parse_str(&q.client).ok();
    let status = q.status.clone();
    let filters = |b: &mut QueryBuilder<Postgres>| {
        b.push(" WHERE true");
        if let Some(m) = matter {
            b.push(" AND i.matter_id = ").push_bind(m);
        }
        if let Some(c) = client {
            b.push(" AND i.client_id = ").push_bind(c);
        }
        match status.as_str() {
            "overdue" => {
                b.push(" AND i.status IN ('sent', 'partially_paid') AND i.due_date < (SELECT (now() AT TIME ZONE timezone)::date FROM organizations WHERE id = app_current_org())");
            }
            "open" => {
                b.push(" AND i.status IN ('sent', 'partially_paid')");
            }
            s if InvoiceStatus::parse(s).is_some() => {
                b.push(" AND i.status = ").push_bind(s.to_string());
            }
            _ => {}
        }
        if let Some(p) = only_for {
            b.push(" AND m.id IS NOT NULL AND (m.responsible_attorney_id = ")
                .push_bind(p)
                .push(" OR m.originating_attorney_id = ")
                .push_bind(p)
                .push(")");
        }
    };
    let list = List {
        columns: "i.id, i.invoice_number, i.client_id, c.name AS client_name, i.matter_id, m.matter_number, i.status,
                  i.issue_date, i.due_date, i.total, i.amount_paid,
                  (SELECT (now() AT TIME ZONE timezone)::date FROM organizations WHERE id = app_current_org()) AS today,
                  (i.created_at)::text AS sort_key",
        from: "FROM invoices i JOIN clients c ON c.id = i.client_id LEFT JOIN matters m ON m.id = i.matter_id",
        count_from: "FROM invoices i LEFT JOIN matters m ON m.id = i.matter_id",
        filters: &filters,
        id_col: "i.id",
        sort: Sort {
            expr: "i.created_at",
            cast: "timestamptz",
            desc: true,
        },
        persistent: true,
    };
    let page: Page<ListRow> = keyset_page(tx, &list, &q.paging, PAGE_SIZE).await?;
    Ok(page.map(|r| {
        let status = InvoiceStatus::parse(&r.status).unwrap_or(InvoiceStatus::Void);
        InvoiceRow {
            id: r.id,
            number: r.invoice_number,
            client_id: r.client_id,
            client_name: r.client_name,
            matter_id: r.matter_id,
            matter_number: r.matter_number,
            status,
            shown: status.shown(r.due_date, r.today).to_string(),
            issue_date: r.issue_date,
            due_date: r.due_date,
            total: r.total,
            balance: r.total - r.amount_paid,
        }
    }))
}

/// Whether `person` may see the invoice: an attorney on its matter (an invoice covering several
/// of a client's matters is billing staff's only).
pub async fn concerns(tx: &mut Tx, inv: &Invoice, person: Uuid) -> Result<bool, AppError> {
    let Some(matter) = inv.matter_id else {
        return Ok(false);
    };
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM matters m WHERE m.id = $1
                          AND (m.responsible_attorney_id = $2 OR m.originating_attorney_id = $2))",
    )
    .bind(matter)
    .bind(person)
    .fetch_one(&mut **tx)
    .await?)
}

/// Serialise invoice creation for one client: two creates covering the same work (by matter,
/// by client, overlapping periods) take their turns instead of splitting it or deadlocking.
pub async fn lock_client(tx: &mut Tx, client: Uuid) -> Result<(), AppError> {
    sqlx::query("SELECT 1 FROM clients WHERE id = $1 FOR NO KEY UPDATE")
        .bind(client)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
