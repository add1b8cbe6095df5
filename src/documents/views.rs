//! `/matters/{id}/documents`: a matter's documents. Uploading is a plain multipart form (it works
//! without JavaScript; `upload` answers it with a redirect back here, saying what was uploaded and
//! what was refused). Renaming, moving, deleting and restoring are server functions.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use super::api::{
    get_matter_documents, CreateFolder, DeleteDocument, MoveDocument, PurgeDocument,
    RenameDocument, RestoreDocument,
};
use super::progress::{drop_files, submit, Sending, UploadProgress, Uploads};
use super::{human_size, shows_inline, Document, Folder, MatterDocuments};
use crate::error::AppError;
use crate::ui::{
    action_error, loaded, reload_on_success, session_info, FormAlert, FormStamp, Loading,
};

#[component]
pub fn MatterDocumentsPage() -> impl IntoView {
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok())));
    let version = RwSignal::new(0usize);
    let uploads = Uploads::for_page(id);
    let data = Resource::new(
        move || (id.get(), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => get_matter_documents(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=Loading>
            {loaded(data, move |d| view! { <DocumentsView d version uploads/> })}
        </Transition>
    }
}

#[component]
fn DocumentsView(d: MatterDocuments, version: RwSignal<usize>, uploads: Uploads) -> impl IntoView {
    let Uploads { sending, chosen } = uploads;
    let matter = d.matter_id;
    let folders = d.folders.clone();
    let folder_name = {
        let folders = folders.clone();
        move |id: Option<Uuid>| {
            id.and_then(|id| folders.iter().find(|f| f.id == id).map(|f| f.name.clone()))
                .unwrap_or_else(|| "—".into())
        }
    };
    let empty = d.documents.is_empty();
    let rows = d
        .documents
        .iter()
        .cloned()
        .map(|doc| {
            let place = folder_name(doc.folder_id);
            view! { <DocumentRow doc place folders=folders.clone() may_edit=d.may_edit version/> }
        })
        .collect_view();
    view! {
        <Title text=format!("Documents · {} · Docket", d.matter_number)/>
        <div class="page-head">
            <div>
                <p class="crumbs"><a href=format!("/matters/{matter}")>{format!("{} {}", d.matter_number, d.title)}</a></p>
                <h1>"Documents"</h1>
                <p class="muted">{d.limits.describe()}</p>
            </div>
        </div>
        <section class="card" aria-labelledby="documents-h">
            <h2 id="documents-h">"Documents"</h2>
            {d.may_edit.then(|| {
                let folders = folders.clone();
                let choice = view! {
                    <div class="field">
                        <label for="upload-folder">"Folder"</label>
                        <select id="upload-folder" name="folder" on:change=move |ev| chosen.set(event_target_value(&ev))>
                            <option value="" selected=move || chosen.with(String::is_empty)>"— the matter's top level"</option>
                            {folders.into_iter().map(|f| {
                                let v = f.id.to_string();
                                let mine = v.clone();
                                view! { <option value=v selected=move || chosen.with(|c| *c == mine)>{f.name}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                }.into_any();
                view! { <UploadForm action=format!("/matters/{matter}/documents") choice version sending/> }
            })}
            <table class="data">
                <caption class="visually-hidden">"The matter's documents"</caption>
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Folder"</th>
                    <th scope="col" class="num">"Size"</th><th scope="col" class="num">"Version"</th>
                    <th scope="col">"Uploaded"</th><th scope="col">"SHA-256"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {empty.then(|| view! { <p class="empty">"No documents on this matter yet."</p> })}
        </section>
        {d.may_edit.then(|| view! { <NewFolder matter version/> })}
        {(!d.deleted.is_empty()).then(|| view! { <Deleted docs=d.deleted.clone() may_edit=d.may_edit may_purge=d.may_purge version/> })}
    }
    .into_any()
}

/// Upload one or many files: a plain multipart post to `action` (the firm, then what `choice`
/// holds, then the files), or in the browser each file on its own with its progress (files may
/// also be dropped on the form).
#[component]
pub(super) fn UploadForm(
    action: String,
    /// The fields between the firm and the files: the folder, or the client's matter.
    choice: AnyView,
    version: RwSignal<usize>,
    sending: RwSignal<Vec<Sending>>,
) -> AnyView {
    // A plain upload's outcome, kept in the session for this view of the page.
    let told = crate::ui::flashed_error(super::UPLOAD_ACTION)
        .and_then(|e| e.fields().cloned())
        .unwrap_or_default();
    let uploaded = told
        .value("uploaded")
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n > 0);
    let refused: Vec<String> = told
        .get("files")
        .map(|m| m.lines().map(str::to_string).collect())
        .unwrap_or_default();
    let org = session_info()
        .map(|s| s.org_id.to_string())
        .unwrap_or_default();
    let dragging = RwSignal::new(false);
    // Dropping files on the form is offered once the page runs in the browser.
    let droppable = RwSignal::new(false);
    Effect::new(move |_| droppable.set(true));
    view! {
        <form method="post" action=action enctype="multipart/form-data"
            class="upload" class:dragging=move || dragging.get() aria-label="Upload documents"
            on:submit=move |ev| submit(ev, sending, version)
            on:dragover=move |ev| { ev.prevent_default(); dragging.set(true); }
            on:dragleave=move |_| dragging.set(false)
            on:drop=move |ev| { dragging.set(false); drop_files(ev); }>
            <input type="hidden" name="org" value=org/>
            <div class="grid">
                {choice}
                <div class="field">
                    <label for="upload-files">"Files"</label>
                    <input id="upload-files" type="file" name="files" multiple required
                        aria-describedby="upload-problems"/>
                    <p class="hint" hidden=move || !droppable.get()>"Or drop files here."</p>
                </div>
            </div>
            <div id="upload-problems" role="status">
                {uploaded.map(|n| view! {
                    <p class="notice">{if n == 1 { "Uploaded 1 file.".to_string() } else { format!("Uploaded {n} files.") }}</p>
                })}
                {(!refused.is_empty()).then(|| view! {
                    <ul class="field-error">{refused.into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}</ul>
                })}
            </div>
            <UploadProgress sending/>
            <div class="actions"><button type="submit" class="primary">"Upload"</button></div>
        </form>
    }
    .into_any()
}

#[component]
fn NewFolder(matter: Uuid, version: RwSignal<usize>) -> AnyView {
    let create = ServerAction::<CreateFolder>::new();
    reload_on_success(create, version);
    let error = action_error(create);
    let problem = move || {
        error
            .get()
            .and_then(|e| e.fields().and_then(|f| f.get("name").map(str::to_string)))
    };
    view! {
        <section class="card" aria-labelledby="folder-h">
            <h2 id="folder-h">"New folder"</h2>
            <FormAlert error/>
            <ActionForm action=create>
                <FormStamp errors=Signal::derive(|| None)/>
                <input type="hidden" name="matter" value=matter.to_string()/>
                <div class="field">
                    <label for="folder-name">"Folder name"</label>
                    <input id="folder-name" name="name" required maxlength="120" aria-describedby="folder-name-error"/>
                    <p id="folder-name-error" class="field-error">{problem}</p>
                </div>
                <div class="actions"><button type="submit" class="secondary">"Create folder"</button></div>
            </ActionForm>
        </section>
    }
    .into_any()
}

#[component]
fn DocumentRow(
    doc: Document,
    place: String,
    folders: Vec<Folder>,
    may_edit: bool,
    version: RwSignal<usize>,
) -> impl IntoView {
    let Some(latest) = doc.latest().cloned() else {
        return ().into_any();
    };
    let id = doc.id;
    let file = format!("/documents/{id}/file");
    let viewable = shows_inline(&latest.content_type);
    let history = doc.versions.clone();
    let count = history.len();
    view! {
        <tr>
            <td>
                <a href=file.clone() rel="external" download=doc.filename.clone()>{doc.filename.clone()}</a>
            </td>
            <td>{place}</td>
            <td class="num">{human_size(latest.size_bytes)}</td>
            <td class="num">{latest.number}</td>
            <td>{latest.uploaded_by.clone().unwrap_or_else(|| "A former member".into())}" · "
                <time datetime=latest.created_at.to_rfc3339()>{latest.created_at.format("%Y-%m-%d %H:%M UTC").to_string()}</time></td>
            <td class="mono" title=latest.sha256.clone()>{latest.sha256[..12].to_string()}"…"</td>
            <td class="actions-cell">
                <a class="button secondary small" href=file.clone() rel="external" download=doc.filename.clone()
                    aria-label=format!("Download {}", doc.filename)>"Download"</a>
                {viewable.then(|| view! {
                    <a class="button secondary small" href=format!("{file}?inline=1") target="_blank" rel="external noopener"
                        aria-label=format!("View {}", doc.filename)>"View"</a>
                })}
                <details>
                    <summary>{format!("History and changes ({count} version{})", if count == 1 { "" } else { "s" })}</summary>
                    <ol class="versions" reversed>
                        {history.into_iter().map(|v| view! {
                            <li>
                                <a href=format!("/documents/{id}/file?version={}", v.number) rel="external" download="">{format!("Version {}", v.number)}</a>
                                {format!(" · {} · {} · {} · {} · SHA-256 {}", v.original_name, human_size(v.size_bytes),
                                    v.uploaded_by.unwrap_or_else(|| "A former member".into()),
                                    crate::kernel::Choice::label(v.text), v.sha256)}
                            </li>
                        }).collect_view()}
                    </ol>
                    {may_edit.then(|| view! { <Changes doc=doc.clone() folders version/> })}
                </details>
            </td>
        </tr>
    }
    .into_any()
}

/// A document's changes: a new version, rename, move, delete.
#[component]
fn Changes(doc: Document, folders: Vec<Folder>, version: RwSignal<usize>) -> AnyView {
    let rename = ServerAction::<RenameDocument>::new();
    let moved = ServerAction::<MoveDocument>::new();
    let delete = ServerAction::<DeleteDocument>::new();
    reload_on_success(rename, version);
    reload_on_success(moved, version);
    reload_on_success(delete, version);
    let id = doc.id.to_string();
    let (re, me, de) = (
        action_error(rename),
        action_error(moved),
        action_error(delete),
    );
    let problem = move || {
        re.get()
            .or_else(|| me.get())
            .or_else(|| de.get())
            .map(|e| e.first_message())
    };
    let org = session_info()
        .map(|s| s.org_id.to_string())
        .unwrap_or_default();
    let (vid, nid, fid) = (
        format!("version-{id}"),
        format!("name-{id}"),
        format!("move-{id}"),
    );
    let current = doc.folder_id.map(|f| f.to_string()).unwrap_or_default();
    let row_version = doc.version.to_string();
    let move_form = (!folders.is_empty() || doc.folder_id.is_some()).then({
        let (id, row_version) = (id.clone(), row_version.clone());
        move || view! {
            <ActionForm action=moved attr:class="inline">
                <FormStamp errors=Signal::derive(|| None)/>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="version" value=row_version/>
                <label for=fid.clone()>"Move to"</label>
                <select id=fid name="folder">
                    <option value="" selected=current.is_empty()>"— the matter's top level"</option>
                    {folders.into_iter().map(|f| {
                        let v = f.id.to_string();
                        let selected = v == current;
                        view! { <option value=v selected=selected>{f.name}</option> }
                    }).collect_view()}
                </select>
                <button type="submit" class="secondary small">"Move"</button>
            </ActionForm>
        }
    });
    let version_action = format!("/documents/{id}/versions");
    let version_of_row = row_version.clone();
    let (rename_id, rename_version) = (id.clone(), row_version.clone());
    let (new_version_label, delete_label) = (
        format!("New version of {}", doc.filename),
        format!("Delete {}", doc.filename),
    );
    view! {
        <p class="field-error" role="alert">{problem}</p>
        <form method="post" action=version_action enctype="multipart/form-data" class="inline">
            <input type="hidden" name="org" value=org/>
            <input type="hidden" name="version" value=version_of_row/>
            <label for=vid.clone()>{new_version_label}</label>
            <input id=vid type="file" name="files" required/>
            <button type="submit" class="secondary small">"Upload new version"</button>
        </form>
        <ActionForm action=rename attr:class="inline">
            <FormStamp errors=Signal::derive(|| None)/>
            <input type="hidden" name="id" value=rename_id/>
            <input type="hidden" name="form[version]" value=rename_version/>
            <label for=nid.clone()>"Name"</label>
            <input id=nid name="form[filename]" value=doc.filename required maxlength="255"/>
            <button type="submit" class="secondary small">"Rename"</button>
        </ActionForm>
        {move_form}
        <ActionForm action=delete attr:class="inline">
            <FormStamp errors=Signal::derive(|| None)/>
            <input type="hidden" name="id" value=id/>
            <input type="hidden" name="version" value=row_version/>
            <button type="submit" class="danger small" aria-label=delete_label>"Delete"</button>
        </ActionForm>
    }
    .into_any()
}

/// Deleted documents: restored by whoever edits records, purged by administrators.
#[component]
fn Deleted(
    docs: Vec<Document>,
    may_edit: bool,
    may_purge: bool,
    version: RwSignal<usize>,
) -> AnyView {
    let restore = ServerAction::<RestoreDocument>::new();
    let purge = ServerAction::<PurgeDocument>::new();
    reload_on_success(restore, version);
    reload_on_success(purge, version);
    let (re, pe) = (action_error(restore), action_error(purge));
    let error = Signal::derive(move || re.get().or_else(|| pe.get()));
    view! {
        <section class="card" aria-labelledby="deleted-h">
            <h2 id="deleted-h">"Deleted documents"</h2>
            <FormAlert error/>
            <table class="data">
                <caption class="visually-hidden">"Deleted documents, restorable until purged"</caption>
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Deleted"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                <tbody>
                    {docs.into_iter().map(|d| {
                        let id = d.id.to_string();
                        let (id2, restore_label, purge_label) = (id.clone(), format!("Restore {}", d.filename), format!("Purge {}", d.filename));
                        let (v1, v2) = (d.version.to_string(), d.version.to_string());
                        let (confirm_for, confirm_id) = (format!("purge-{id}"), format!("purge-{id}"));
                        let confirm_label = format!("Remove {} and all its versions for good", d.filename);
                        let when = d.deleted_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default();
                        view! {
                            <tr>
                                <td>{d.filename.clone()}</td>
                                <td>{when}</td>
                                <td class="actions-cell">
                                    {may_edit.then(|| view! {
                                        <ActionForm action=restore attr:class="inline">
                                            <FormStamp errors=Signal::derive(|| None)/>
                                            <input type="hidden" name="id" value=id/>
                                            <input type="hidden" name="version" value=v1/>
                                            <button type="submit" class="secondary small" aria-label=restore_label>"Restore"</button>
                                        </ActionForm>
                                    })}
                                    {may_purge.then(|| view! {
                                        <ActionForm action=purge attr:class="inline">
                                            <FormStamp errors=Signal::derive(|| None)/>
                                            <input type="hidden" name="id" value=id2/>
                                            <input type="hidden" name="version" value=v2/>
                                            <label class="check" for=confirm_for>
                                                <input id=confirm_id type="checkbox" name="confirm" value="on" required/>
                                                {confirm_label}
                                            </label>
                                            <button type="submit" class="danger small" aria-label=purge_label>"Purge"</button>
                                        </ActionForm>
                                    })}
                                </td>
                            </tr>
                        }.into_any()
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}
