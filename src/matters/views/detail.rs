use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use super::form::MatterFields;
use crate::audit::views::History;
use crate::auth::api::list_people;
use crate::auth::Person;
use crate::error::AppError;
use crate::kernel::format_money;
use crate::kernel::Choice;
use crate::matters::api::{get_matter, UpdateMatter};
use crate::matters::Matter;
use crate::time::views::MatterTime;
use crate::ui::{
    action_error, form_errors, reload_on_success, Badge, ErrorPanel, FormAlert, FormStamp, Loading,
};

/// `/matters/{id}`: the matter, its client and people, the edit form and its history.
#[component]
pub fn MatterDetailPage() -> impl IntoView {
    let params = use_params_map();
    let id =
        Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| Uuid::parse_str(&s).ok())));
    let update = ServerAction::<UpdateMatter>::new();
    let version = RwSignal::new(0usize);
    reload_on_success(update, version);
    let data = Resource::new(
        move || (id.get(), version.get()),
        |(id, _)| async move {
            let id = id.ok_or(AppError::NotFound)?;
            Ok::<_, AppError>((get_matter(id).await?, list_people().await?))
        },
    );
    view! {
        <Transition fallback=Loading>
            {move || data.get().map(|r| match r {
                Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                Ok((m, people)) => view! { <MatterView matter=m people update version/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn MatterView(
    matter: Matter,
    mut people: Vec<Person>,
    update: ServerAction<UpdateMatter>,
    version: RwSignal<usize>,
) -> impl IntoView {
    let errors = form_errors(action_error(update));
    // Someone no longer offered (demoted, deactivated or removed from the firm) stays selectable
    // while assigned, so saving an unrelated change never silently unassigns them.
    for (id, name) in [
        (
            matter.fields.responsible_attorney_id,
            &matter.responsible_name,
        ),
        (
            matter.fields.originating_attorney_id,
            &matter.originating_name,
        ),
    ] {
        let Some(id) = id else { continue };
        if people.iter().any(|p| p.id == id && p.role.is_lawyer()) {
            continue;
        }
        let label = match (people.iter().find(|p| p.id == id), name) {
            (Some(p), _) => format!("{} (no longer an attorney)", p.name),
            (None, Some(name)) => format!("{name} (former)"),
            (None, None) => "A former member".to_string(),
        };
        people.retain(|p| p.id != id);
        people.push(Person {
            id,
            name: label,
            role: crate::auth::Role::Attorney,
        });
    }
    let saved = move || update.value().with(|v| matches!(v, Some(Ok(()))));
    let f = matter.fields.clone();
    let date_closed = f
        .date_closed
        .map(|d| d.to_string())
        .unwrap_or_else(|| "—".into());
    view! {
        <Title text=format!("{} · Docket", f.title)/>
        <div class="page-head">
            <div>
                <p class="crumbs"><a href="/matters">"Matters"</a></p>
                <h1><span class="mono">{matter.matter_number.clone()}</span>" "{f.title.clone()}</h1>
                <p class="muted">
                    <Badge kind="status" value=f.status.as_str() label=f.status.label()/>" "
                    <Badge kind="priority" value=f.priority.as_str() label=f.priority.label()/>
                    " · "{f.practice_area.label()}" · stage "{f.stage.label()}
                </p>
            </div>
            <a class="button secondary" href=format!("/matters/{}/documents", matter.id)>"Documents"</a>
        </div>
        <div class="columns">
            <section class="card" aria-labelledby="people-h">
                <h2 id="people-h">"Client and people"</h2>
                <dl class="facts">
                    <dt>"Client"</dt><dd><a href=format!("/clients/{}", matter.client_id)>{matter.client_name.clone()}</a></dd>
                    <dt>"Responsible attorney"</dt><dd>{matter.responsible_name.clone().unwrap_or_else(|| "Unassigned".into())}</dd>
                    <dt>"Originating attorney"</dt><dd>{matter.originating_name.clone().unwrap_or_else(|| "Unassigned".into())}</dd>
                    <dt>"Opened"</dt><dd>{f.date_opened.to_string()}</dd>
                    <dt>"Closed"</dt><dd>{date_closed}</dd>
                    <dt>"Billing"</dt><dd>{f.billing_type.label()}{f.hourly_rate.map(|r| format!(" · {}/h", format_money(r, &matter.currency)))}</dd>
                    {matter.trust_balance.map(|t| view! {
                        <dt>"In trust"</dt>
                        <dd><a href=format!("/matters/{}/trust", matter.id)>{format_money(t, &matter.currency)}</a></dd>
                    })}
                </dl>
                {(!f.description.is_empty()).then(|| view! { <p class="description">{f.description.clone()}</p> })}
            </section>
            <section class="card" aria-labelledby="edit-h">
                <h2 id="edit-h">"Edit matter"</h2>
                <FormAlert error=action_error(update)/>
                {move || saved().then(|| view! { <div class="alert ok" role="status">"Saved."</div> })}
                <ActionForm action=update>
                    <FormStamp errors version=matter.version/>
                    <input type="hidden" name="id" value=matter.id.to_string()/>
                    <input type="hidden" name="form[client_id]" value=matter.client_id.to_string()/>
                    <MatterFields errors people current=f.clone() currency=matter.currency.clone()/>
                    <div class="actions"><button type="submit" class="primary">"Save matter"</button></div>
                </ActionForm>
            </section>
        </div>
        <MatterTime matter=matter.id/>
        <crate::calendar::views::MatterCalendarCard matter=matter.id/>
        <crate::rates::views::MatterRatesCard matter=matter.id version/>
        <crate::matters::wall::views::MatterAccessCard matter=matter.id version/>
        <History resource_type="matter" id=matter.id version=version.into()/>
    }
}
