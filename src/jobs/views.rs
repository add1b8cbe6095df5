//! `/admin/jobs`: the firm's background jobs for an administrator: what ran, what waits, what
//! failed and why, and "Retry".

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use super::api::{list_jobs, JobsQuery, RetryJob};
use super::{JobRow, JobStatus};
use crate::kernel::Choice;
use crate::ui::{action_error, loaded, query_string, reload_on_success, FormStamp, Loading};

#[component]
pub fn JobsPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|p| JobsQuery {
            show: p.get("show").unwrap_or_default(),
            before: p.get("before").unwrap_or_default(),
        })
    });
    let version = RwSignal::new(0usize);
    let jobs = Resource::new(move || (query.get(), version.get()), |(q, _)| list_jobs(q));
    let retry = ServerAction::<RetryJob>::new();
    reload_on_success(retry, version);
    let error = action_error(retry);
    view! {
        <Title text="Jobs · Docket"/>
        <div class="page-head"><h1>"Jobs"</h1></div>
        <p class="hint">"Work Docket does in the background: invoice e-mails and the monthly billing report. A job that fails is tried again later, with longer waits; after its last attempt it is marked failed, with the error, until you retry it."</p>
        <Form method="GET" action="/admin/jobs" attr:class="filters" attr:role="search">
            <div class="field">
                <label for="j-show">"Show"</label>
                <select id="j-show" name="show">
                    <option value="" selected=move || query.get().show.is_empty()>"All jobs"</option>
                    <option value="failed" selected=move || query.get().show == "failed">"Failed jobs"</option>
                </select>
            </div>
            <button type="submit" class="secondary">"Apply"</button>
        </Form>
        {move || error.get().map(|e| view! { <p class="alert error" role="alert">{e.to_string()}</p> })}
        <Transition fallback=Loading>
            {loaded(jobs, move |page| {
                let show = query.get().show;
                let next = page.next.map(|id| {
                    format!("/admin/jobs{}", query_string(&[("show", show.clone()), ("before", id.to_string())]))
                });
                view! {
                    <JobTable jobs=page.jobs retry/>
                    {next.map(|href| view! { <nav class="pager" aria-label="Pages"><a href=href>"Older jobs"</a></nav> })}
                }
            })}
        </Transition>
    }
}

#[component]
fn JobTable(jobs: Vec<JobRow>, retry: ServerAction<RetryJob>) -> impl IntoView {
    let empty = jobs.is_empty();
    view! {
        <table class="data">
            <caption class="visually-hidden">"Background jobs"</caption>
            <thead><tr>
                <th scope="col">"Job"</th><th scope="col">"About"</th><th scope="col">"Status"</th>
                <th scope="col" class="num">"Attempts"</th><th scope="col">"Added"</th>
                <th scope="col">"Next run / ended"</th><th scope="col">"Result"</th>
                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
            </tr></thead>
            <tbody>
                {jobs.into_iter().map(|j| {
                    let retryable = j.retryable();
                    let label = format!("Retry {}: {}", j.kind, j.subject);
                    let status_class = match j.status {
                        JobStatus::Dead => "badge bad",
                        JobStatus::Done => "badge good",
                        _ => "badge",
                    };
                    let result = if j.status == JobStatus::Done { j.outcome.clone() } else { j.last_error.clone() };
                    view! {
                        <tr>
                            <th scope="row">{j.kind.clone()}</th>
                            <td>{j.subject.clone()}</td>
                            <td><span class=status_class>{j.status.label()}</span></td>
                            <td class="num">{format!("{} of {}", j.attempts, j.max_attempts)}</td>
                            <td class="mono">{j.created.clone()}</td>
                            <td class="mono">{j.when.clone()}</td>
                            <td class="wrap">{result}</td>
                            <td>
                                {retryable.then(|| view! {
                                    <ActionForm action=retry attr:class="inline">
                                        <FormStamp errors=Signal::derive(|| None)/>
                                        <input type="hidden" name="job" value=j.id.to_string()/>
                                        <button type="submit" class="secondary small" aria-label=label>"Retry"</button>
                                    </ActionForm>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {empty.then(|| view! { <p class="empty">"No jobs here."</p> })}
    }
}
