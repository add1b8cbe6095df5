use leptos::prelude::*;
use leptos_meta::Title;

use crate::firm::api::{firm_settings, SetMemberRate, UpdateFirmSettings};
use crate::firm::{MemberRate, SettingsPage};
use crate::ui::{
    action_error, form_errors, loaded, reload_on_success, CheckboxField, FormAlert, FormStamp,
    Loading, TextArea, TextField,
};

/// `/settings`: the firm's settings, an administrator's.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let version = RwSignal::new(0usize);
    let page = Resource::new(move || version.get(), |_| firm_settings());
    view! {
        <Title text="Firm settings · Docket"/>
        <h1>"Firm settings"</h1>
        <Transition fallback=Loading>
            {loaded(page, move |p| {
                let members = p.members.clone();
                view! { <SettingsForm page=p version/> <MemberRates members version/> }
            })}
        </Transition>
        {crate::ui::session_info()
            .is_some_and(|s| s.role == crate::auth::Role::Admin)
            .then(|| view! {
                <crate::documents::limits_views::DocumentLimitsSettings version/>
                <crate::auth::two_factor::views::RequireTwoFactorSetting/>
            })}
    }
}

#[component]
fn SettingsForm(page: SettingsPage, version: RwSignal<usize>) -> impl IntoView {
    let save = ServerAction::<UpdateFirmSettings>::new();
    reload_on_success(save, version);
    let error = action_error(save);
    let errors = form_errors(error);
    let s = page.settings.clone();
    let shown = s.shown();
    let v = move |k: &str| {
        shown
            .iter()
            .find(|(f, _)| *f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let sample = s.sample_number(page.year);
    let saved = move || save.value().with(|r| matches!(r, Some(Ok(_))));
    view! {
        <section class="card">
            <FormAlert error/>
            {move || saved().then(|| view! { <p class="alert ok" role="status">"Settings saved."</p> })}
            <ActionForm action=save>
                <FormStamp errors version=page.version/>
                <h2>"The firm"</h2>
                <div class="grid">
                    <TextField label="Firm name" key="name" value=v("name") errors required=true/>
                    <TextField label="Letterhead (invoice logo text)" key="logo_text" value=v("logo_text") errors hint="Up to 80 characters; empty shows the firm name"/>
                    <TextArea label="Address (on invoices)" key="address" value=v("address") errors/>
                    <TextField label="Time zone" key="timezone" value=v("timezone") errors required=true hint="e.g. America/New_York"/>
                    <TextField label="Currency" key="currency" value=v("currency") errors required=true hint="ISO code, e.g. USD"/>
                </div>
                <h2>"Billing"</h2>
                <div class="grid">
                    <TextField label="Billing increment (minutes)" key="billing_increment_minutes" value=v("billing_increment_minutes") errors required=true hint="6 bills tenths of an hour"/>
                    <TextField label="Default hourly rate" key="default_hourly_rate" value=v("default_hourly_rate") errors autocomplete="off" hint="Used when no other rate applies"/>
                    <TextField label="Payment terms (days)" key="payment_terms_days" value=v("payment_terms_days") errors required=true/>
                    <TextField label="Tax rate (%)" key="tax_rate" value=v("tax_rate") errors/>
                    <TextField label="Tax name" key="tax_label" value=v("tax_label") errors required=true/>
                </div>
                <h2>"Invoice numbers"</h2>
                <div class="grid">
                    <TextField label="Prefix" key="invoice_prefix" value=v("invoice_prefix") errors hint="Up to 8 characters"/>
                    <CheckboxField label="Include the year" key="invoice_number_year" checked=s.invoice_number_year errors/>
                    <TextField label="Digits" key="invoice_number_digits" value=v("invoice_number_digits") errors required=true/>
                </div>
                <p class="hint">"The next number of a new year looks like "<span class="mono">{sample}</span>"."</p>
                <h2>"Trust accounting"</h2>
                <CheckboxField label="Staff see trust ledgers" key="staff_see_trust" checked=s.staff_see_trust errors/>
                <p class="hint">"Billing staff and administrators record trust money; attorneys see their own matters' ledgers. Unticked, staff see nothing of trust."</p>
                <h2>"E-mail"</h2>
                <TextField label="Send the firm's e-mail from" key="mail_from" kind="email" value=v("mail_from") errors
                    hint="Invoices and reports go out from this address (your mail relay must allow it). Empty: Docket's own address."/>
                <CheckboxField label="E-mail overdue reminders to clients" key="overdue_reminders" checked=s.overdue_reminders errors/>
                <p class="hint">"Each morning, a client whose invoice became overdue in the last 30 days gets one reminder with the invoice attached, sent with the rights of whoever last saved these settings with it ticked."</p>
                <div class="actions"><button type="submit" class="primary">"Save settings"</button></div>
            </ActionForm>
        </section>
    }
}

/// Each member's default hourly rate, one small form per person.
#[component]
fn MemberRates(members: Vec<MemberRate>, version: RwSignal<usize>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="rates-h">
            <h2 id="rates-h">"Default rates"</h2>
            <p class="hint">"A person's rate applies to their time where no matter or client rate does."</p>
            <table class="data">
                <caption class="visually-hidden">"Default hourly rates"</caption>
                <thead><tr><th scope="col">"Person"</th><th scope="col">"Role"</th><th scope="col">"Hourly rate"</th></tr></thead>
                <tbody>
                    {members.into_iter().map(|m| view! { <MemberRateRow member=m version/> }.into_any()).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
fn MemberRateRow(member: MemberRate, version: RwSignal<usize>) -> impl IntoView {
    let save = ServerAction::<SetMemberRate>::new();
    reload_on_success(save, version);
    let error = action_error(save);
    let errors = form_errors(error);
    let shown = crate::rates::shown(member.rate);
    let id = format!("rate-{}", member.user_id);
    let value = {
        let shown = shown.clone();
        move || {
            errors
                .with(|e| e.as_ref().and_then(|e| e.value("rate").map(str::to_string)))
                .unwrap_or_else(|| shown.clone())
        }
    };
    let message =
        move || errors.with(|e| e.as_ref().and_then(|e| e.get("rate").map(str::to_string)));
    view! {
        <tr>
            <th scope="row"><label for=id.clone()>{member.name.clone()}</label></th>
            <td>{member.role.clone()}</td>
            <td>
                <ActionForm action=save attr:class="inline">
                    <FormStamp errors/>
                    <input type="hidden" name="user" value=member.user_id.to_string()/>
                    <input type="hidden" name="shown" value=shown.clone()/>
                    <input id=id type="text" name="form[rate]" value=value autocomplete="off" size="10"/>
                    <button type="submit" class="secondary small" aria-label=format!("Save the rate of {}", member.name)>"Save"</button>
                </ActionForm>
                {move || message().map(|m| view! { <p class="error" role="alert">{m}</p> })}
            </td>
        </tr>
    }
}
