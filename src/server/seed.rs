//! Demo data (idempotent) and a large firm for benchmarks. Runs as the schema owner.

use sqlx::PgPool;
use uuid::Uuid;

use super::password;

pub const DEMO_PASSWORD: &str = "docket-demo";
const DEMO_SLUG: &str = "harbor-vale";

const PEOPLE: &[(&str, &str, &str)] = &[
    ("admin@harborvale.test", "Morgan Hale", "admin"),
    ("attorney@harborvale.test", "Priya Raman", "attorney"),
    ("jcole@harborvale.test", "Jonas Cole", "attorney"),
    ("lwong@harborvale.test", "Lena Wong", "attorney"),
    ("staff@harborvale.test", "Sam Ortiz", "staff"),
    ("billing@harborvale.test", "Dana Brooks", "billing"),
];

const CLIENTS: &[(&str, &str)] = &[
    ("Acme Logistics Inc.", "company"),
    ("Beatriz Alvarez", "person"),
    ("Cobalt Robotics LLC", "company"),
    ("Daniel O'Connor", "person"),
    ("Evergreen Dental Group", "company"),
    ("Fatima Haddad", "person"),
    ("Granite Peak Builders", "company"),
    ("Hiroshi Tanaka", "person"),
    ("Ironwood Capital Partners", "company"),
    ("Julia Novak", "person"),
    ("Keystone Foods Co.", "company"),
    ("Liam Fitzgerald", "person"),
    ("Meridian Health Systems", "company"),
    ("Nadia Petrova", "person"),
    ("Orchid Hospitality Group", "company"),
    ("Pedro Santos", "person"),
    ("Quantum Labs Ltd.", "company"),
    ("Rachel Goldberg", "person"),
    ("Summit Outdoor Gear", "company"),
    ("Thomas Whitfield", "person"),
    ("Union Street Bakery", "company"),
    ("Valentina Rossi", "person"),
];

const MATTER_TITLES: &[(&str, &str)] = &[
    ("Contract dispute with supplier", "litigation"),
    ("Series A financing", "corporate"),
    ("Commercial lease renewal", "real_estate"),
    ("Divorce and custody", "family"),
    ("Wrongful termination claim", "employment"),
    ("Trademark registration", "intellectual_property"),
    ("Estate plan and will", "estate_planning"),
    ("DUI defense", "criminal"),
    ("H-1B petition", "immigration"),
    ("IRS audit response", "tax"),
    ("Patent infringement defense", "intellectual_property"),
    ("Shareholder agreement", "corporate"),
    ("Property boundary dispute", "real_estate"),
    ("Non-compete review", "employment"),
    ("Personal injury claim", "litigation"),
];

const STATUSES: &[&str] = &["open", "open", "open", "pending", "on_hold", "closed"];
const STAGES: &[&str] = &[
    "intake",
    "investigation",
    "discovery",
    "negotiation",
    "trial",
    "appeal",
    "resolution",
];
const PRIORITIES: &[&str] = &["normal", "normal", "high", "low", "urgent"];

async fn upsert_user(
    tx: &mut sqlx::PgConnection,
    email: &str,
    name: &str,
    hash: &str,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO users (email, full_name, password_hash) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO UPDATE SET full_name = EXCLUDED.full_name RETURNING id",
    )
    .bind(email)
    .bind(name)
    .bind(hash)
    .fetch_one(tx)
    .await
}

/// The demo firm "Harbor & Vale LLP" (six people, 22 clients with contacts, 50 matters) and a
/// second small firm the admin also belongs to. Does nothing when the demo firm exists.
pub async fn demo(pool: &PgPool) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('docket-seed'))")
        .execute(&mut *tx)
        .await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM organizations WHERE slug = $1)")
            .bind(DEMO_SLUG)
            .fetch_one(&mut *tx)
            .await?;
    if exists {
        tracing::info!("demo firm already present; not seeding");
        return Ok(());
    }
    let hash = password::hash(DEMO_PASSWORD).0;
    let org: Uuid = sqlx::query_scalar("INSERT INTO organizations (name, slug, timezone) VALUES ($1, $2, 'America/New_York') RETURNING id")
        .bind("Harbor & Vale LLP")
        .bind(DEMO_SLUG)
        .fetch_one(&mut *tx)
        .await?;
    let other: Uuid = sqlx::query_scalar("INSERT INTO organizations (name, slug, timezone) VALUES ($1, $2, 'America/Chicago') RETURNING id")
        .bind("Northwind Legal")
        .bind("northwind-legal")
        .fetch_one(&mut *tx)
        .await?;
    let mut lawyers = Vec::new();
    let mut admin = Uuid::nil();
    for (email, name, role) in PEOPLE {
        let id = upsert_user(&mut tx, email, name, &hash).await?;
        sqlx::query("INSERT INTO user_organizations (user_id, organization_id, role, is_default) VALUES ($1, $2, $3, true)")
            .bind(id)
            .bind(org)
            .bind(role)
            .execute(&mut *tx)
            .await?;
        if matches!(*role, "admin" | "attorney") {
            lawyers.push(id);
        }
        if *role == "admin" {
            admin = id;
        }
    }
    sqlx::query(
        "INSERT INTO user_organizations (user_id, organization_id, role) VALUES ($1, $2, 'admin')",
    )
    .bind(admin)
    .bind(other)
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO clients (organization_id, client_type, name) VALUES ($1, 'company', 'Northwind Traders')")
        .bind(other)
        .execute(&mut *tx)
        .await?;

    let mut clients = Vec::new();
    for (i, (name, kind)) in CLIENTS.iter().enumerate() {
        let status = match i % 7 {
            5 => "prospect",
            6 => "inactive",
            _ => "active",
        };
        let id: Uuid = sqlx::query_scalar(
            "INSERT INTO clients (organization_id, client_type, name, status, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, now() - make_interval(days => $6)) RETURNING id",
        )
        .bind(org)
        .bind(kind)
        .bind(name)
        .bind(status)
        .bind(admin)
        .bind(400 - (i as i32) * 15)
        .fetch_one(&mut *tx)
        .await?;
        let slug: String = name
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(12)
            .collect();
        for (kind, label, value) in [
            ("email", "work", format!("contact@{slug}.example")),
            ("phone", "office", format!("+1 (212) 555-{:04}", 100 + i)),
            (
                "address",
                "office",
                format!(
                    "{} Market Street\nNew York, NY 100{:02}",
                    10 + i * 7,
                    i % 40
                ),
            ),
        ] {
            sqlx::query(
                "INSERT INTO client_contacts (organization_id, client_id, contact_type, label, value, is_primary)
                 VALUES ($1, $2, $3, $4, $5, true)",
            )
            .bind(org)
            .bind(id)
            .bind(kind)
            .bind(label)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        }
        clients.push((id, *name));
    }

    for n in 0..50usize {
        let (client, client_name) = clients[n % clients.len()];
        let (title, area) = MATTER_TITLES[n % MATTER_TITLES.len()];
        let status = STATUSES[n % STATUSES.len()];
        let opened = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
            - chrono::Days::new((n as u64) * 9 + 3);
        let closed = (status == "closed").then(|| opened + chrono::Days::new(20));
        let number = format!("{}-{:04}", chrono::Datelike::year(&opened), 100 + n);
        sqlx::query(
            "INSERT INTO matters (organization_id, client_id, matter_number, title, description, status, priority, stage,
                                  practice_area, responsible_attorney_id, originating_attorney_id, hourly_rate,
                                  date_opened, date_closed, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(org)
        .bind(client)
        .bind(number)
        .bind(format!("{client_name} — {title}"))
        .bind(format!("{title} for {client_name}."))
        .bind(status)
        .bind(PRIORITIES[n % PRIORITIES.len()])
        .bind(STAGES[n % STAGES.len()])
        .bind(area)
        .bind(lawyers[n % lawyers.len()])
        .bind(lawyers[(n + 1) % lawyers.len()])
        .bind(rust_decimal::Decimal::new(25000 + (n as i64 % 5) * 5000, 2))
        .bind(opened)
        .bind(closed)
        .bind(admin)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    tracing::info!(
        clients = CLIENTS.len(),
        matters = 50,
        "seeded the demo firm"
    );
    Ok(())
}

/// A firm with `clients` clients and `matters` matters, built in SQL for speed. Its admin signs
/// in as admin@large.test with the demo password. Does nothing when it exists.
pub async fn large_firm(pool: &PgPool, clients: u32, matters: u32) -> Result<(), sqlx::Error> {
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM organizations WHERE slug = 'large-firm')")
            .fetch_one(pool)
            .await?;
    if exists {
        tracing::info!("large firm already present");
        return Ok(());
    }
    let started = std::time::Instant::now();
    let mut tx = pool.begin().await?;
    let hash = password::hash(DEMO_PASSWORD).0;
    let org: Uuid = sqlx::query_scalar("INSERT INTO organizations (name, slug) VALUES ('Large Firm LLP', 'large-firm') RETURNING id")
        .fetch_one(&mut *tx)
        .await?;
    for i in 0..20 {
        let email = if i == 0 {
            "admin@large.test".to_string()
        } else {
            format!("attorney{i}@large.test")
        };
        let role = if i == 0 { "admin" } else { "attorney" };
        let id = upsert_user(&mut tx, &email, &format!("Large Attorney {i}"), &hash).await?;
        sqlx::query("INSERT INTO user_organizations (user_id, organization_id, role, is_default) VALUES ($1, $2, $3, true)")
            .bind(id)
            .bind(org)
            .bind(role)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO clients (organization_id, client_type, name, status)
         SELECT $1, CASE WHEN g % 3 = 0 THEN 'person' ELSE 'company' END,
                'Client ' || lpad(g::text, 6, '0') || ' ' || (ARRAY['Holdings','Partners','Group','Trust','Family'])[1 + g % 5],
                (ARRAY['active','active','active','prospect','inactive'])[1 + g % 5]
           FROM generate_series(1, $2) g",
    )
    .bind(org)
    .bind(clients as i32)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "WITH c AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM clients WHERE organization_id = $1),
              a AS (SELECT user_id, row_number() OVER (ORDER BY user_id) AS n FROM user_organizations WHERE organization_id = $1),
              g AS (SELECT g, CURRENT_DATE - (g % 3650) AS opened FROM generate_series(1, $2) g)
         INSERT INTO matters (organization_id, client_id, matter_number, title, description, status, priority, stage,
                              practice_area, responsible_attorney_id, date_opened, date_closed)
         SELECT $1, c.id, 'L-' || lpad(g.g::text, 7, '0'),
                'Matter ' || g.g || ' ' || (ARRAY['contract dispute','lease','acquisition','custody','patent','estate','audit'])[1 + g.g % 7],
                'Generated matter for benchmarks.',
                (ARRAY['open','open','pending','on_hold','closed'])[1 + g.g % 5],
                (ARRAY['low','normal','high','urgent'])[1 + g.g % 4],
                (ARRAY['intake','investigation','discovery','negotiation','trial','appeal','resolution'])[1 + g.g % 7],
                (ARRAY['litigation','corporate','real_estate','family','employment','intellectual_property',
                       'estate_planning','criminal','immigration','tax','other'])[1 + g.g % 11],
                a.user_id, g.opened,
                CASE WHEN g.g % 5 = 4 THEN g.opened + 30 END
           FROM g
           JOIN c ON c.n = 1 + (g.g % $3)
           JOIN a ON a.n = 1 + (g.g % 20)",
    )
    .bind(org)
    .bind(matters as i32)
    .bind(clients as i64)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    // As autovacuum would: statistics for the planner and a visibility map for index-only counts.
    sqlx::query("VACUUM ANALYZE clients, matters")
        .execute(pool)
        .await?;
    tracing::info!(
        clients,
        matters,
        seconds = started.elapsed().as_secs_f64(),
        "seeded the large firm"
    );
    Ok(())
}
