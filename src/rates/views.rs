//! Rate cards for administrators: a client's rate on its page, people's rates on a matter's.

use leptos::prelude::*;
use uuid::Uuid;

use super::api::{get_client_rate, get_matter_rates, SetClientRate, SetMatterRate};
use super::{shown, MatterRates, PersonRate};
use crate::kernel::{format_money, FieldErrors};
use crate::ui::{action_error, form_errors, loaded, reload_on_success, FormAlert, FormStamp};

/// The rate field of a rate form: what the user typed after a refused save, else the rate
/// shown; and its message.
fn typed(
    errors: Signal<Option<FieldErrors>>,
    shown: String,
) -> (
    impl Fn() -> String + Send + Sync + 'static,
    impl Fn() -> Option<String> + Send + Sync + 'static,
) {
    let value = move || {
        errors
            .with(|e| e.as_ref().and_then(|e| e.value("rate").map(str::to_string)))
            .unwrap_or_else(|| shown.clone())
    };
    let message =
        move || errors.with(|e| e.as_ref().and_then(|e| e.get("rate").map(str::to_string)));
    (value, message)
}

fn is_admin() -> bool {
    crate::ui::session_info().is_some_and(|s| crate::time::may_set_rates(s.role))
}

/// The client's own rate: it applies to every matter of the client without a rate of its own.
/// Saving it changes the client's version: `version` is the client page's, which reloads.
#[component]
pub fn ClientRateCard(client: Uuid, version: RwSignal<usize>) -> impl IntoView {
    if !is_admin() {
        return ().into_any();
    }
    let data = crate::ui::once(format!("rate:client:{client}"), || {
        Resource::new(move || version.get(), move |_| get_client_rate(client))
    });
    view! {
        <section class="card" aria-labelledby="client-rate-h">
            <h2 id="client-rate-h">"Billing rate"</h2>
            <Transition fallback=|| ()>
                {loaded(data, move |r| view! { <ClientRateForm client rate=r.rate currency=r.currency version/> })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn ClientRateForm(
    client: Uuid,
    rate: Option<rust_decimal::Decimal>,
    currency: String,
    version: RwSignal<usize>,
) -> impl IntoView {
    let save = ServerAction::<SetClientRate>::new();
    reload_on_success(save, version);
    let error = action_error(save);
    let errors = form_errors(error);
    let (value, message) = typed(errors, shown(rate));
    let now = match rate {
        Some(r) => format!(
            "{}/h on matters without a rate of their own.",
            format_money(r, &currency)
        ),
        None => "None: the people's own rates apply.".into(),
    };
    view! {
        <p class="hint">{now}</p>
        <FormAlert error/>
        <ActionForm action=save attr:class="inline">
            <FormStamp errors/>
            <input type="hidden" name="client" value=client.to_string()/>
            <input type="hidden" name="shown" value=shown(rate)/>
            <div class="field">
                <label for="client-rate">"Client hourly rate"</label>
                <input id="client-rate" type="text" name="form[rate]" value=value autocomplete="off" size="10"
                    aria-describedby="client-rate-error"/>
                <p class="field-error" id="client-rate-error">{message}</p>
            </div>
            <button type="submit" class="secondary">"Save client rate"</button>
        </ActionForm>
    }
}

/// People's rates on this matter: the most specific rate their time on it resolves to.
/// `version` is the matter page's: a change reloads its history too.
#[component]
pub fn MatterRatesCard(matter: Uuid, version: RwSignal<usize>) -> impl IntoView {
    if !is_admin() {
        return ().into_any();
    }
    let data = crate::ui::once(format!("rates:matter:{matter}"), || {
        Resource::new(move || version.get(), move |_| get_matter_rates(matter))
    });
    view! {
        <section class="card" aria-labelledby="matter-rates-h">
            <h2 id="matter-rates-h">"Rates on this matter"</h2>
            <p class="hint">"A person's rate here comes before the matter's, the client's and their own."</p>
            <Transition fallback=|| ()>
                {loaded(data, move |r| view! { <MatterRatesTable matter data=r version/> })}
            </Transition>
        </section>
    }
    .into_any()
}

#[component]
fn MatterRatesTable(matter: Uuid, data: MatterRates, version: RwSignal<usize>) -> impl IntoView {
    let MatterRates {
        currency,
        rates,
        people,
    } = data;
    let free: Vec<_> = people
        .into_iter()
        .filter(|p| !rates.iter().any(|r| r.user_id == p.id))
        .collect();
    let rows = rates
        .into_iter()
        .map(|r| view! { <PersonRateRow matter rate=r currency=currency.clone() version/> })
        .collect_view();
    let add = ServerAction::<SetMatterRate>::new();
    reload_on_success(add, version);
    let error = action_error(add);
    let errors = form_errors(error);
    let (value, message) = typed(errors, String::new());
    view! {
        <table class="data">
            <caption class="visually-hidden">"Rates on this matter"</caption>
            <thead><tr><th scope="col">"Person"</th><th scope="col">"Hourly rate (empty removes it)"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <FormAlert error/>
        <ActionForm action=add attr:class="inline">
            <FormStamp errors/>
            <input type="hidden" name="matter" value=matter.to_string()/>
            <input type="hidden" name="shown" value=""/>
            <div class="field">
                <label for="rate-person">"Person"</label>
                <select id="rate-person" name="user" required>
                    {free.into_iter().map(|p| view! { <option value=p.id.to_string()>{p.name}</option> }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="rate-new">"Hourly rate"</label>
                <input id="rate-new" type="text" name="form[rate]" value=value autocomplete="off" size="10"
                    required aria-describedby="rate-new-error"/>
                <p class="field-error" id="rate-new-error">{message}</p>
            </div>
            <button type="submit" class="secondary">"Add rate"</button>
        </ActionForm>
    }
}

#[component]
fn PersonRateRow(
    matter: Uuid,
    rate: PersonRate,
    currency: String,
    version: RwSignal<usize>,
) -> impl IntoView {
    let save = ServerAction::<SetMatterRate>::new();
    reload_on_success(save, version);
    let error = action_error(save);
    let errors = form_errors(error);
    let was = shown(Some(rate.rate));
    let (value, message) = typed(errors, was.clone());
    let id = format!("rate-{}", rate.user_id);
    let title = format!("{} ({}/h)", rate.name, format_money(rate.rate, &currency));
    view! {
        <tr>
            <th scope="row"><label for=id.clone()>{rate.name.clone()}</label></th>
            <td>
                <ActionForm action=save attr:class="inline">
                    <FormStamp errors/>
                    <input type="hidden" name="matter" value=matter.to_string()/>
                    <input type="hidden" name="user" value=rate.user_id.to_string()/>
                    <input type="hidden" name="shown" value=was/>
                    <input id=id type="text" name="form[rate]" value=value autocomplete="off" size="10" title=title/>
                    <button type="submit" class="secondary small" aria-label=format!("Save the rate of {} on this matter", rate.name)>"Save"</button>
                </ActionForm>
                {move || message()
                    .or_else(|| error.get().filter(|e| e.fields().is_none()).map(|e| e.to_string()))
                    .map(|m| view! { <p class="error" role="alert">{m}</p> })}
            </td>
        </tr>
    }
}
