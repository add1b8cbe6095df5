//! The Docket server: config → telemetry → database and Redis → router → serve.
//!
//! `docket` (or `docket serve`) serves the app; `docket migrate` applies migrations;
//! `docket seed` adds the demo firm; `docket seed --large [CLIENTS] [MATTERS]` adds a large firm;
//! `docket backup FIRM_ID` backs a firm up now; `docket restore FIRM_ID/DAY` restores a backup;
//! `docket pack-chunks MANIFEST LOADER` is a build step (see `server::chunks`,
//! `server::split_loader`, `server::pack`).

use std::net::SocketAddr;
use std::process::ExitCode;

use docket::server::{config::Config, db, router, seed, session, telemetry, AppState};
use leptos::config::get_configuration;

/// Stack for the runtime's threads: server-side rendering of deep Leptos views is recursive, and
/// a debug build needs more than the 2 MiB default (a release build far less).
const THREAD_STACK: usize = 8 * 1024 * 1024;

/// mimalloc, not glibc's malloc: a page render is thousands of small allocations, which glibc's
/// malloc served at about a quarter of the server's CPU (README, "The allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // `docket extract-text TYPE`: the bounded child that reads a document's text (no runtime,
    // no configuration: bytes in, text out).
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).and_then(|a| a.to_str()) == Some("extract-text") {
        let content_type = args.get(2).and_then(|a| a.to_str()).unwrap_or("");
        return docket::documents::extract::command(content_type);
    }
    // `docket pack-chunks MANIFEST LOADER`: a build step (tools/dev.sh): the split build's chunks
    // under one name for the build, and each page's chunks in one file beside them (see
    // `server::chunks` and `server::pack`). Files only, no configuration.
    if args.get(1).and_then(|a| a.to_str()) == Some("pack-chunks") {
        let (Some(manifest), Some(loader)) = (args.get(2), args.get(3)) else {
            eprintln!("usage: docket pack-chunks SPLIT_MANIFEST SPLIT_LOADER");
            return ExitCode::from(2);
        };
        let (manifest, loader) = (std::path::Path::new(manifest), std::path::Path::new(loader));
        let done = docket::server::chunks::one_build_name(manifest, loader)
            .and_then(|named| Ok((named, docket::server::pack::write_all(manifest)?)));
        return match done {
            Ok((named, packs)) => {
                eprintln!(
                    "docket: {} chunks renamed, {packs} packs written",
                    named.renamed
                );
                if named.compact {
                    return ExitCode::SUCCESS;
                }
                // Every page would download it whole: about 3 kB more, which no budget catches.
                eprintln!(
                    "docket: the split loader {loader:?} is not in the shape `server::split_loader` writes as data (another cargo-leptos?): update `compact`"
                );
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("docket: packing the WebAssembly chunks of {manifest:?}: {e}");
                ExitCode::FAILURE
            }
        };
    }
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(THREAD_STACK)
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => {
            eprintln!("docket: cannot start the runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("docket: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&config.log_format);
    telemetry::log_panics();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        None | Some("serve") => serve(config).await,
        Some("migrate") => admin(&config).await.map(|_| ()),
        Some("seed") => seed_command(&config, &args[1..]).await,
        Some("backup") => backup_command(&config, args.get(1)).await,
        Some("restore") => restore_command(&config, args.get(1)).await,
        Some(other) => Err(format!(
            "unknown command {other:?} (serve | migrate | seed [--large [CLIENTS] [MATTERS]] | backup FIRM_ID | restore FIRM_ID/DAY)"
        )),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "docket stopped");
            ExitCode::FAILURE
        }
    }
}

/// Connect as the schema owner and bring the schema up to date.
async fn admin(config: &Config) -> Result<sqlx::PgPool, String> {
    let url = config
        .database_admin_url
        .as_deref()
        .ok_or("DATABASE_ADMIN_URL is not set")?;
    let pool = db::connect(url, 4)
        .await
        .map_err(|e| format!("admin database: {e}"))?;
    db::migrate(&pool)
        .await
        .map_err(|e| format!("migrations: {e}"))?;
    tracing::info!("migrations applied");
    Ok(pool)
}

async fn seed_command(config: &Config, args: &[String]) -> Result<(), String> {
    let pool = admin(config).await?;
    if args.first().map(String::as_str) == Some("--large") {
        let number =
            |i: usize, default: u32| args.get(i).and_then(|v| v.parse().ok()).unwrap_or(default);
        seed::large_firm(&pool, number(1, 20_000), number(2, 100_000))
            .await
            .map_err(|e| e.to_string())
    } else {
        seed::demo(&pool).await.map_err(|e| e.to_string())
    }
}

/// Back a firm up now (for its today), as the nightly job does.
async fn backup_command(config: &Config, firm: Option<&String>) -> Result<(), String> {
    let org = firm
        .and_then(|f| uuid::Uuid::parse_str(f).ok())
        .ok_or("usage: docket backup FIRM_ID")?;
    let url = config
        .backup_url()
        .ok_or("DATABASE_BACKUP_URL is not set")?;
    let db = db::connect(url, 2)
        .await
        .map_err(|e| format!("backup database: {e}"))?;
    let documents = docket::documents::storage::Storage::new(&config.storage)?;
    let backups = docket::documents::storage::Storage::open(&config.backups, "backups")?;
    let taken = docket::backup::take::take(&db, &documents, &backups, org, None).await?;
    tracing::info!(folder = %taken.folder, summary = %taken.summary(), missing = ?taken.manifest.missing, "backup taken");
    if taken.manifest.missing.is_empty() {
        Ok(())
    } else {
        Err("some document versions were not backed up".into())
    }
}

/// Restore `FIRM_ID/DAY` from the backup location into DATABASE_ADMIN_URL's database.
async fn restore_command(config: &Config, at: Option<&String>) -> Result<(), String> {
    let at = at.ok_or("usage: docket restore FIRM_ID/DAY")?;
    let url = config
        .database_admin_url
        .as_deref()
        .ok_or("DATABASE_ADMIN_URL is not set")?;
    let admin = db::connect(url, 2)
        .await
        .map_err(|e| format!("admin database: {e}"))?;
    let documents = docket::documents::storage::Storage::new(&config.storage)?;
    let backups = docket::documents::storage::Storage::open(&config.backups, "backups")?;
    let restored = docket::backup::restore::restore(&admin, &backups, &documents, at).await?;
    tracing::info!(firm = %restored.firm, folder = %restored.folder, rows = restored.rows, files = restored.files, missing = ?restored.missing, "restored");
    if restored.missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "restored, but without the bytes of {} document versions the backup could not copy",
            restored.missing.len()
        ))
    }
}

async fn serve(config: Config) -> Result<(), String> {
    if config.database_admin_url.is_some() {
        let pool = admin(&config).await?;
        if config.seed_demo {
            seed::demo(&pool).await.map_err(|e| format!("seed: {e}"))?;
        }
        pool.close().await;
    }
    let db = db::connect(&config.database_url, 16)
        .await
        .map_err(|e| format!("database: {e}"))?;
    let redis = session::redis_pool(&config.redis_url).await?;
    let leptos = get_configuration(None).map_err(|e| format!("leptos configuration: {e}"))?;
    let mut leptos_options = leptos.leptos_options;
    // A release build names its assets by content hash and says so in hash.txt beside the
    // binary: serve and link those names whether or not LEPTOS_HASH_FILES was set.
    leptos_options.hash_files = docket::server::assets::hashed(&leptos_options.hash_file);
    let addr: SocketAddr = config.bind_addr.unwrap_or(leptos_options.site_addr);
    docket::mail::sender::spawn(db.clone(), config.mail.clone())?;
    let state = AppState::new(leptos_options, db.clone(), redis, config)?;
    let workers = docket::jobs::worker::spawn(state.clone(), state.config.job_workers);
    let mut clock = docket::jobs::schedule::start(db, state.storage.clone()).await?;
    let grace = state.config.job_grace;
    let app = router::build(state);

    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("bind {addr}: {e}"))?;
    tracing::info!(%addr, "docket listening");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .map_err(|e| e.to_string())?;
    // Requests are answered; now the background work: no new claims, running jobs finish.
    let _ = clock.shutdown().await;
    workers.shutdown(grace).await;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async { tokio::signal::ctrl_c().await.ok() };
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let term = async {
        match term.as_mut() {
            Some(t) => t.recv().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
