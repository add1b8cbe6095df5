use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::error::AppError;
use crate::invoices::api::{invoice_preview, CreateInvoice};
use crate::invoices::{InvoiceScope, Preview};
use crate::kernel::{format_money, Choice};
use crate::time::duration::format_minutes;
use crate::ui::{action_error, form_errors, loaded, FormAlert, FormStamp, Loading};

/// `/invoices/new?matter=…` (or `?client=…`): what an invoice for a period would hold, and the
/// button that makes it a draft.
#[component]
pub fn NewInvoicePage() -> impl IntoView {
    let params = use_query_map();
    let scope = Memo::new(move |_| {
        params.with(|p| InvoiceScope {
            matter: p.get("matter").unwrap_or_default(),
            client: p.get("client").unwrap_or_default(),
            from: p.get("from").unwrap_or_default(),
            to: p.get("to").unwrap_or_default(),
            shown: String::new(),
        })
    });
    // A draft refused because the work changed since the preview shows the preview again, as
    // it is now, with the refusal above its button.
    let create = ServerAction::<CreateInvoice>::new();
    let again = RwSignal::new(0usize);
    Effect::new(move |_| {
        if create
            .value()
            .with(|v| matches!(v, Some(Err(AppError::Conflict(_)))))
        {
            again.update(|n| *n += 1);
        }
    });
    let preview = Resource::new(
        move || (scope.get(), again.get()),
        |(s, _)| invoice_preview(s),
    );
    view! {
        <Title text="New invoice · Docket"/>
        <h1>"New invoice"</h1>
        <Form method="GET" action="/invoices/new" attr:class="filters" attr:role="search">
            <input type="hidden" name="matter" value=move || scope.get().matter/>
            <input type="hidden" name="client" value=move || scope.get().client/>
            <div class="field">
                <label for="n-from">"Work from"</label>
                <input id="n-from" type="date" name="from" value=move || scope.get().from/>
            </div>
            <div class="field">
                <label for="n-to">"Work to"</label>
                <input id="n-to" type="date" name="to" value=move || scope.get().to/>
            </div>
            <button type="submit" class="secondary">"Show period"</button>
        </Form>
        <Suspense fallback=Loading>
            {loaded(preview, move |p| view! { <PreviewPanel preview=p scope=scope.get() create/> })}
        </Suspense>
    }
}

#[component]
fn PreviewPanel(
    preview: Preview,
    scope: InvoiceScope,
    create: ServerAction<CreateInvoice>,
) -> impl IntoView {
    let error = action_error(create);
    let errors = form_errors(error);
    let cur = preview.currency.clone();
    let money = move |d| format_money(d, &cur);
    let for_whom = match &preview.matter_number {
        Some(n) => format!("{} · matter {n}", preview.client_name),
        None => format!("{} · all matters", preview.client_name),
    };
    let empty = preview.items.is_empty();
    let t = preview.totals;
    view! {
        <section class="card" aria-labelledby="preview-h">
            <h2 id="preview-h">"Unbilled work for "{for_whom}</h2>
            <table class="data">
                <caption class="visually-hidden">"Unbilled time and expenses"</caption>
                <thead><tr>
                    <th scope="col">"Date"</th><th scope="col">"Person"</th><th scope="col">"Description"</th>
                    <th scope="col" class="num">"Hours / qty"</th><th scope="col" class="num">"Rate"</th>
                    <th scope="col" class="num">"Amount"</th>
                </tr></thead>
                <tbody>
                    {preview.items.iter().map(|i| view! {
                        <tr>
                            <td class="mono">{i.date.to_string()}</td>
                            <td>{i.person.clone()}</td>
                            <td>{i.line_type.label()}": "{i.description.clone()}</td>
                            <td class="num mono">{match i.minutes {
                                Some(m) => format_minutes(m),
                                None => i.quantity.normalize().to_string(),
                            }}</td>
                            <td class="num">{money(i.rate)}</td>
                            <td class="num">{money(i.amount)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {empty.then(|| view! { <p class="empty">"Nothing unbilled and billable in this period."</p> })}
            <dl class="totals">
                <dt>"Subtotal"</dt><dd>{money(t.subtotal)}</dd>
                <dt>{preview.tax_label.clone()}</dt><dd>{money(t.tax)}</dd>
                <dt>"Total"</dt><dd>{money(t.total)}</dd>
            </dl>
            <FormAlert error/>
            <ActionForm action=create>
                <FormStamp errors/>
                <input type="hidden" name="request" value=preview.request.to_string()/>
                <input type="hidden" name="form[matter]" value=scope.matter.clone()/>
                <input type="hidden" name="form[client]" value=scope.client.clone()/>
                <input type="hidden" name="form[from]" value=scope.from.clone()/>
                <input type="hidden" name="form[to]" value=scope.to.clone()/>
                <input type="hidden" name="form[shown]" value=preview.pin.clone()/>
                <div class="actions">
                    <button type="submit" class="primary" disabled=empty>"Create draft invoice"</button>
                </div>
            </ActionForm>
        </section>
    }
}
