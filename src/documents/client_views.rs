//! `/clients/{id}/documents`: every document on a client's matters, newest first, and an upload
//! form that files them on one of the client's matters.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

use super::client_api::get_client_documents;
use super::progress::Uploads;
use super::views::UploadForm;
use super::{human_size, ClientDocument, ClientDocuments};
use crate::error::AppError;
use crate::kernel::PageRequest;
use crate::ui::{loaded, paging_pairs, query_string, Loading, Pager};

#[component]
pub fn ClientDocumentsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok())));
    let paging = Memo::new(move |_| query.with(|q| PageRequest::from_query(|k| q.get(k))));
    let version = RwSignal::new(0usize);
    let uploads = Uploads::for_page(id);
    let data = Resource::new(
        move || (id.get(), paging.get(), version.get()),
        |(id, paging, _)| async move {
            match id {
                Some(id) => get_client_documents(id, paging).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=Loading>
            {loaded(data, move |d| view! { <ClientDocumentsView d version uploads/> })}
        </Transition>
    }
}

#[component]
fn ClientDocumentsView(
    d: ClientDocuments,
    version: RwSignal<usize>,
    uploads: Uploads,
) -> impl IntoView {
    let Uploads { sending, chosen } = uploads;
    let client = d.client_id;
    let empty = d.page.items.is_empty();
    let may_upload = d.may_edit && !d.matters.is_empty();
    let matters = d.matters.clone();
    let choice = view! {
        <div class="field">
            <label for="upload-matter">"Matter"</label>
            <select id="upload-matter" name="matter" required on:change=move |ev| chosen.set(event_target_value(&ev))>
                {matters.into_iter().map(|(id, name)| {
                    let v = id.to_string();
                    let mine = v.clone();
                    view! { <option value=v selected=move || chosen.with(|c| *c == mine)>{name}</option> }
                }).collect_view()}
            </select>
        </div>
    }
    .into_any();
    let href = move |at: PageRequest| {
        format!(
            "/clients/{client}/documents{}",
            query_string(&paging_pairs(&at))
        )
    };
    let rows = d
        .page
        .items
        .iter()
        .cloned()
        .map(|doc| view! { <ClientDocumentRow doc/> })
        .collect_view();
    view! {
        <Title text=format!("Documents · {} · Docket", d.client_name)/>
        <div class="page-head">
            <div>
                <p class="crumbs"><a href=format!("/clients/{client}")>{d.client_name.clone()}</a></p>
                <h1>"Documents"</h1>
                <p class="muted">"Every document on this client's matters. "{d.limits.describe()}</p>
            </div>
        </div>
        <section class="card" aria-labelledby="documents-h">
            <h2 id="documents-h">"Documents"</h2>
            {may_upload.then(|| view! {
                <UploadForm action=format!("/clients/{client}/documents") choice version sending/>
            })}
            {(d.may_edit && d.matters.is_empty()).then(|| view! {
                <p class="hint">"Documents are filed on a matter: open one for this client to upload."</p>
            })}
            <table class="data">
                <caption class="visually-hidden">"The client's documents"</caption>
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Matter"</th>
                    <th scope="col" class="num">"Size"</th><th scope="col" class="num">"Version"</th>
                    <th scope="col">"Uploaded"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {empty.then(|| view! { <p class="empty">"No documents on this client's matters yet."</p> })}
            <Pager page=d.page.clone() href/>
        </section>
    }
    .into_any()
}

#[component]
fn ClientDocumentRow(doc: ClientDocument) -> impl IntoView {
    let file = format!("/documents/{}/file", doc.id);
    view! {
        <tr>
            <td><a href=file.clone() rel="external" download=doc.filename.clone()>{doc.filename.clone()}</a></td>
            <td><a href=format!("/matters/{}/documents", doc.matter_id)>{format!("{} {}", doc.matter_number, doc.matter_title)}</a></td>
            <td class="num">{human_size(doc.size_bytes)}</td>
            <td class="num">{doc.number}</td>
            <td>{doc.uploaded_by.clone().unwrap_or_else(|| "A former member".into())}" · "
                <time datetime=doc.created_at.to_rfc3339()>{doc.created_at.format("%Y-%m-%d %H:%M UTC").to_string()}</time></td>
            <td class="actions-cell">
                <a class="button secondary small" href=file rel="external" download=doc.filename.clone()
                    aria-label=format!("Download {}", doc.filename)>"Download"</a>
            </td>
        </tr>
    }
    .into_any()
}
