use leptos::prelude::*;
use uuid::Uuid;

use super::api::history;

/// The activity history of a client or matter, newest first.
#[component]
pub fn History(resource_type: &'static str, id: Uuid, version: Signal<usize>) -> impl IntoView {
    let entries = Resource::new(
        move || version.get(),
        move |_| history(resource_type.to_string(), id),
    );
    view! {
        <section class="card" aria-labelledby="history-h">
            <h2 id="history-h">"History"</h2>
            <Transition fallback=crate::ui::Loading>
                {move || entries.get().map(|r| match r {
                    Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                    Ok(rows) if rows.is_empty() => view! { <p class="empty">"No activity yet."</p> }.into_any(),
                    Ok(rows) => view! {
                        <ol class="history">
                            {rows.into_iter().map(|e| view! {
                                <li>
                                    <div class="when">{e.at.clone()}</div>
                                    <div>
                                        <strong>{e.verb()}</strong>" "{e.summary.clone()}
                                        <span class="muted">" by "{e.user_name.clone().unwrap_or_else(|| "a former member".into())}</span>
                                        {(!e.changes.is_empty()).then(|| view! {
                                            <ul class="changes">
                                                {e.changes.iter().map(|c| view! {
                                                    <li><span class="field-name">{c.field.clone()}</span>": "
                                                        <del>{c.from.clone()}</del>" → "<ins>{c.to.clone()}</ins></li>
                                                }).collect_view()}
                                            </ul>
                                        })}
                                    </div>
                                </li>
                            }).collect_view()}
                        </ol>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}
