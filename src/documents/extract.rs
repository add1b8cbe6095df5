//! The text inside a document, for search: PDFs (`pdf-extract`), Word documents (.docx: the
//! `zip` archive's `word/document.xml`, read with `quick-xml`) and plain text.
//!
//! A document is untrusted input, and a parser can be made to loop or to allocate without end,
//! so the text is read in a child process (this binary's `extract-text` command) with a memory
//! limit (`RLIMIT_AS`), a CPU limit (`RLIMIT_CPU`) and a wall-clock limit after which it is
//! killed. A file it cannot read is marked so; the server is never at risk.

use std::io::{Cursor, Read};

/// Files larger than this are not read for text (their name is still searchable).
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;
/// At most this much text is kept of one version (a tsvector holds at most 1 MB of distinct
/// words; a hundred-page brief is about 250 kB of text).
pub const MAX_TEXT_BYTES: usize = 512 * 1024;
/// The child's address space.
const MEMORY_BYTES: u64 = 1024 * 1024 * 1024;
/// The child's CPU time, and how long it may take at all.
const CPU_SECONDS: u64 = 30;
const WALL_SECONDS: u64 = 60;
/// A .docx's text XML is read up to this size (a small archive may inflate to gigabytes).
const MAX_XML_BYTES: u64 = 64 * 1024 * 1024;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// Whether text is read from this type at all.
pub fn has_text(content_type: &str) -> bool {
    content_type == "application/pdf" || content_type == DOCX || content_type.starts_with("text/")
}

/// The text of a file (in the child process).
pub fn extract(content_type: &str, bytes: &[u8]) -> Result<String, String> {
    let text = if content_type == "application/pdf" {
        pdf_extract::extract_text_from_mem(bytes).map_err(|e| format!("PDF: {e}"))?
    } else if content_type == DOCX {
        docx_text(bytes)?
    } else if content_type.starts_with("text/") {
        String::from_utf8_lossy(bytes).into_owned()
    } else {
        return Err(format!("no text is read from {content_type}"));
    };
    Ok(clip(tidy(&text)))
}

/// Whitespace runs collapsed (PDF text comes with a lot of it); NULs, other control characters
/// and invisible or direction-changing ones become spaces (PostgreSQL text cannot hold NUL, and
/// a snippet must show what the text says, with no marks of its own).
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_TEXT_BYTES));
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() || crate::kernel::is_forbidden(c) {
            if !space && !out.is_empty() {
                out.push(if c == '\n' { '\n' } else { ' ' });
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
        if out.len() > MAX_TEXT_BYTES {
            break;
        }
    }
    out.trim_end().to_string()
}

fn clip(mut text: String) -> String {
    if text.len() > MAX_TEXT_BYTES {
        let mut end = MAX_TEXT_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// The text of a .docx: every `w:t` run, paragraphs on lines of their own.
fn docx_text(bytes: &[u8]) -> Result<String, String> {
    use quick_xml::events::Event;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("docx: {e}"))?;
    let part = zip
        .by_name("word/document.xml")
        .map_err(|e| format!("docx: {e}"))?;
    let mut xml = Vec::new();
    part.take(MAX_XML_BYTES)
        .read_to_end(&mut xml)
        .map_err(|e| format!("docx: {e}"))?;
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    let mut out = String::new();
    let mut in_text = false;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.name().as_ref() == b"w:t" => in_text = true,
            Ok(Event::End(e)) if e.name().as_ref() == b"w:t" => in_text = false,
            Ok(Event::End(e)) if e.name().as_ref() == b"w:p" => out.push('\n'),
            Ok(Event::Empty(e)) if matches!(e.name().as_ref(), b"w:tab" | b"w:br") => out.push(' '),
            Ok(Event::Text(t)) if in_text => {
                let t = t.decode().map_err(|e| format!("docx: {e}"))?;
                out.push_str(&quick_xml::escape::unescape(&t).map_err(|e| format!("docx: {e}"))?);
            }
            Ok(Event::GeneralRef(r)) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else {
                    let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                    out.push_str(match name.as_str() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => return Err(format!("docx: {e}")),
            _ => {}
        }
        if out.len() > MAX_TEXT_BYTES {
            break;
        }
        buf.clear();
    }
    Ok(out)
}

/// `docket extract-text CONTENT-TYPE`: read the file on stdin, write its text on stdout (exit 0),
/// or why not on stderr (exit 1). Runs in the child process.
pub fn command(content_type: &str) -> std::process::ExitCode {
    use std::io::Write;
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin()
        .take(MAX_INPUT_BYTES)
        .read_to_end(&mut bytes)
    {
        let _ = writeln!(std::io::stderr(), "reading the file: {e}");
        return std::process::ExitCode::FAILURE;
    }
    // A parser's panic is a file it cannot read, not a crash to report.
    std::panic::set_hook(Box::new(|_| {}));
    match std::panic::catch_unwind(|| extract(content_type, &bytes)) {
        Ok(Ok(text)) => match std::io::stdout().write_all(text.as_bytes()) {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(_) => std::process::ExitCode::FAILURE,
        },
        Ok(Err(e)) => {
            let _ = writeln!(std::io::stderr(), "{e}");
            std::process::ExitCode::FAILURE
        }
        Err(_) => {
            let _ = writeln!(std::io::stderr(), "the parser failed on this file");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Run `exe extract-text` on `bytes` under the limits: the text, or why the file has none
/// (`Ok(Err(why))`); `Err` when the reader could not be run at all (try again later).
pub async fn bounded(
    exe: &std::path::Path,
    content_type: &str,
    bytes: Vec<u8>,
) -> Result<Result<String, String>, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut cmd = tokio::process::Command::new(exe);
    cmd.arg("extract-text")
        .arg(content_type)
        .env_clear()
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    // The limits, never above what this process may itself grant.
    let hard = |resource| {
        let mut l = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct it is given.
        if unsafe { libc::getrlimit(resource, &mut l) } == 0 {
            l.rlim_max as u64
        } else {
            u64::MAX
        }
    };
    let memory = MEMORY_BYTES.min(hard(libc::RLIMIT_AS));
    let cpu = CPU_SECONDS.min(hard(libc::RLIMIT_CPU));
    // SAFETY: between fork and exec only async-signal-safe calls are made (setrlimit).
    unsafe {
        cmd.pre_exec(move || {
            let limit = |resource, value: u64| {
                let l = libc::rlimit {
                    rlim_cur: value as libc::rlim_t,
                    rlim_max: value as libc::rlim_t,
                };
                if libc::setrlimit(resource, &l) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            };
            limit(libc::RLIMIT_AS, memory)?;
            limit(libc::RLIMIT_CPU, cpu)?;
            limit(libc::RLIMIT_CORE, 0)?;
            // If memory runs short, the reader goes before the server.
            let path = c"/proc/self/oom_score_adj";
            let fd = libc::open(path.as_ptr(), libc::O_WRONLY);
            if fd >= 0 {
                libc::write(fd, b"1000".as_ptr().cast(), 4);
                libc::close(fd);
            }
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("starting the reader: {e}"))?;
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err("the reader's pipes".into());
    };
    let run = async move {
        let feed = async move {
            // The child may stop reading (a parse error): a broken pipe is not ours to report.
            let _ = stdin.write_all(&bytes).await;
            drop(stdin);
        };
        let mut text = Vec::new();
        let mut why = Vec::new();
        let read = async {
            (&mut stdout)
                .take(MAX_TEXT_BYTES as u64 + 4)
                .read_to_end(&mut text)
                .await
        };
        let read_err = async {
            let r = (&mut stderr).take(4096).read_to_end(&mut why).await;
            // The rest is not kept, but read, so the child never blocks on a full pipe.
            let _ = tokio::io::copy(&mut stderr, &mut tokio::io::sink()).await;
            r
        };
        let ((), out, _) = tokio::join!(feed, read, read_err);
        out.map_err(|e| format!("reading the text: {e}"))?;
        let status = child.wait().await.map_err(|e| format!("the reader: {e}"))?;
        if status.success() {
            Ok(clip(String::from_utf8_lossy(&text).into_owned()))
        } else {
            let why = String::from_utf8_lossy(&why).trim().to_string();
            Err(if why.is_empty() {
                format!("the reader stopped ({status}): over its time or memory limit")
            } else {
                why
            })
        }
    };
    // Past the wall clock the reader is killed (dropped); a busy machine may be why, so that is
    // tried again rather than called unreadable.
    match tokio::time::timeout(std::time::Duration::from_secs(WALL_SECONDS), run).await {
        Ok(r) => Ok(r),
        Err(_) => Err(format!("reading took longer than {WALL_SECONDS} s")),
    }
}
