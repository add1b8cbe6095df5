use leptos::prelude::*;
use uuid::Uuid;

use crate::clients::api::{AddContact, DeleteContact};
use crate::clients::{Contact, ContactType};
use crate::kernel::Choice;
use crate::ui::{
    action_error, choices, form_errors, reload_on_success, FormAlert, FormStamp, SelectField,
    TextField,
};

/// A client's contacts, with the forms to add and remove them.
#[component]
pub fn Contacts(
    client_id: Uuid,
    contacts: Vec<Contact>,
    version: RwSignal<usize>,
) -> impl IntoView {
    let add = ServerAction::<AddContact>::new();
    let remove = ServerAction::<DeleteContact>::new();
    let errors = form_errors(action_error(add));
    let removed = form_errors(action_error(remove));
    reload_on_success(add, version);
    reload_on_success(remove, version);
    view! {
        <section class="card" aria-labelledby="contacts-h">
            <h2 id="contacts-h">"Contacts"</h2>
            <FormAlert error=action_error(remove)/>
            {if contacts.is_empty() {
                view! { <p class="empty">"No contact details yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="contacts">
                        {contacts.into_iter().map(|c| {
                            let what = format!("{} {}", c.contact_type.label(), c.value);
                            view! {
                                <li>
                                    <span class="badge">{c.contact_type.label()}</span>
                                    <span class="value">{c.value.clone()}</span>
                                    {(!c.label.is_empty()).then(|| view! { <span class="muted">" ("{c.label.clone()}")"</span> })}
                                    {c.is_primary.then(|| view! { <span class="badge primary-mark">"Primary"</span> })}
                                    <ActionForm action=remove attr:class="inline">
                                        <FormStamp errors=removed/>
                                        <input type="hidden" name="client_id" value=client_id.to_string()/>
                                        <input type="hidden" name="contact_id" value=c.id.to_string()/>
                                        <button type="submit" class="link danger" aria-label=format!("Remove {what}")>"Remove"</button>
                                    </ActionForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <h3>"Add a contact"</h3>
            <FormAlert error=action_error(add)/>
            <ActionForm action=add>
                <FormStamp errors/>
                <input type="hidden" name="client_id" value=client_id.to_string()/>
                <div class="grid">
                    <SelectField label="Contact type" key="contact_type" options={choices::<ContactType>()}
                        value=ContactType::Email.as_str().to_string() errors id_prefix="c-"/>
                    <TextField label="Contact detail" key="value" errors id_prefix="c-" required=true/>
                    <TextField label="Label" key="label" errors id_prefix="c-" hint="e.g. work, home, billing"/>
                    <div class="field check">
                        <input id="c-is_primary" type="checkbox" name="form[is_primary]"/>
                        <label for="c-is_primary">"Primary for its type"</label>
                    </div>
                </div>
                <div class="actions"><button type="submit" class="secondary">"Add contact"</button></div>
            </ActionForm>
        </section>
    }
}
