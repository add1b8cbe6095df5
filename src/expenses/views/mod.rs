use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::expenses::api::{list_expenses, CreateExpense};
use crate::expenses::{ExpenseQuery, ExpenseRow};
use crate::kernel::{format_money, Choice, PageRequest};
use crate::ui::{
    action_error, form_errors, loaded, page_href, reload_on_success, session_info, CheckboxField,
    FormAlert, FormStamp, Loading, Pager, TextArea, TextField,
};

/// `/expenses?matter=…`: a matter's expenses, and the form to record one.
#[component]
pub fn ExpensesPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|p| ExpenseQuery {
            matter: p.get("matter").unwrap_or_default(),
            paging: PageRequest::from_query(|k| p.get(k)),
        })
    });
    let create = ServerAction::<CreateExpense>::new();
    let version = RwSignal::new(0usize);
    reload_on_success(create, version);
    let expenses = Resource::new(
        move || (query.get(), version.get()),
        |(q, _)| list_expenses(q),
    );
    let error = action_error(create);
    let errors = form_errors(error);
    view! {
        <Title text="Expenses · Docket"/>
        <div class="page-head">
            <div>
                <p class="crumbs"><a href=move || format!("/matters/{}", query.get().matter)>"Back to the matter"</a></p>
                <h1>"Expenses"</h1>
            </div>
        </div>
        <section class="card" aria-labelledby="new-expense-h">
            <h2 id="new-expense-h">"Record expense"</h2>
            <FormAlert error/>
            <ActionForm action=create>
                <FormStamp errors/>
                <input type="hidden" name="form[matter]" value=move || query.get().matter/>
                <div class="grid">
                    <TextField label="Date" key="incurred_on" kind="date" errors hint="Empty: today"/>
                    <TextField label="Amount" key="amount" errors required=true autocomplete="off" hint="Each, e.g. 25.00"/>
                    <TextField label="Quantity" key="quantity" errors autocomplete="off" hint="Empty: 1"/>
                    <CheckboxField label="Billable" key="billable" checked=true errors/>
                    <TextArea label="Description" key="description" errors/>
                </div>
                <div class="actions"><button type="submit" class="primary">"Record expense"</button></div>
            </ActionForm>
        </section>
        <Transition fallback=Loading>
            {loaded(expenses, move |page| {
                let href = page_href("/expenses", vec![("matter", query.get().matter)]);
                view! { <ExpenseTable items=page.items.clone()/> <Pager page href/> }
            })}
        </Transition>
    }
}

#[component]
fn ExpenseTable(items: Vec<ExpenseRow>) -> impl IntoView {
    let currency = session_info().map(|s| s.currency).unwrap_or_default();
    let money = move |d| format_money(d, &currency);
    view! {
        <table class="data">
            <caption class="visually-hidden">"Expenses"</caption>
            <thead><tr>
                <th scope="col">"Date"</th><th scope="col">"Person"</th><th scope="col">"Description"</th>
                <th scope="col" class="num">"Amount"</th><th scope="col" class="num">"Quantity"</th>
                <th scope="col" class="num">"Total"</th><th scope="col">"Billable"</th><th scope="col">"Status"</th>
            </tr></thead>
            <tbody>
                {items.iter().map(|e| view! {
                    <tr>
                        <td class="mono">{e.incurred_on.to_string()}</td>
                        <td>{e.user_name.clone()}</td>
                        <td>{e.description.clone()}</td>
                        <td class="num">{money(e.amount)}</td>
                        <td class="num">{e.quantity.normalize().to_string()}</td>
                        <td class="num">{money(e.total)}</td>
                        <td>{if e.billable { "Yes" } else { "No" }}</td>
                        <td>{e.status.label()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {items.is_empty().then(|| view! { <p class="empty">"No expenses recorded on this matter yet."</p> })}
    }
}
