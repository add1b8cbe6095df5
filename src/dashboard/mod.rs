//! The dashboard (a placeholder until reports arrive).

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    view! {
        <Title text="Dashboard · Docket"/>
        <h1>"Dashboard"</h1>
        <section class="card">
            <p>"Figures and reports will appear here. Meanwhile:"</p>
            <ul>
                <li><a href="/clients">"Clients"</a>" — find a client, add contacts, open a matter."</li>
                <li><a href="/matters">"Matters"</a>" — filter by status, practice area or attorney."</li>
            </ul>
        </section>
    }
}
