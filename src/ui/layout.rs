use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::{Outlet, A};

use crate::auth::api::{Logout, SwitchOrg};
use crate::auth::{Role, SessionInfo};
use crate::kernel::Choice;

/// The signed-in frame: sidebar, top bar with the active firm, firm switcher and user menu. The
/// session comes with the page (`ui::PageSeed`), so the frame renders without waiting.
#[component]
pub fn AppLayout() -> impl IntoView {
    let session = super::session_info();
    let admin = session.as_ref().is_some_and(|s| s.role == Role::Admin);
    let sees_invoices = session
        .as_ref()
        .is_some_and(|s| crate::invoices::may_see(s.role));
    let trust = session
        .as_ref()
        .is_some_and(|s| crate::trust::may_record(s.role));
    let billing = session
        .as_ref()
        .is_some_and(|s| crate::reports::may_report(s.role));
    view! {
        <div class="frame">
            <a class="skip" href="#main">"Skip to content"</a>
            <nav class="sidebar" aria-label="Main">
                <a class="brand" href="/">"Docket"</a>
                <ul>
                    <li><A href="/" exact=true>"Dashboard"</A></li>
                    <li><A href="/clients">"Clients"</A></li>
                    <li><A href="/matters">"Matters"</A></li>
                    <li><A href="/time">"Time"</A></li>
                    <li><A href="/calendar">"Calendar"</A></li>
                    <li><A href="/tasks">"Tasks"</A></li>
                    <li><A href="/search">"Search"</A></li>
                    {sees_invoices.then(|| view! { <li><A href="/invoices">"Invoices"</A></li> })}
                    {trust.then(|| view! { <li><A href="/trust">"Trust"</A></li> })}
                    {billing.then(|| view! { <li><A href="/reports/aging">"Reports"</A></li> })}
                    {admin.then(|| view! { <li><A href="/activity">"Activity"</A></li> })}
                    {admin.then(|| view! { <li><A href="/admin/people">"People"</A></li> })}
                    {admin.then(|| view! { <li><A href="/admin/jobs">"Jobs"</A></li> })}
                    {admin.then(|| view! { <li><A href="/settings">"Settings"</A></li> })}
                </ul>
            </nav>
            <header class="topbar">
                {match session {
                    Some(info) => view! { <TopBar info/> }.into_any(),
                    None => view! { <a href="/login" rel="external">"Sign in"</a> }.into_any(),
                }}
            </header>
            <main id="main" class="content" tabindex="-1">
                <Outlet/>
            </main>
            <crate::search::views::CommandPalette/>
        </div>
    }
}

#[component]
fn TopBar(info: SessionInfo) -> impl IntoView {
    let switch_url = <SwitchOrg as ServerFn>::PATH;
    let logout_url = <Logout as ServerFn>::PATH;
    let many = info.orgs.len() > 1;
    let active = info.org_id;
    view! {
        <div class="firm">
            <span class="muted">"Firm: "</span>
            <strong data-testid="active-firm">{info.org_name.clone()}</strong>
            {many.then(|| view! {
                <form method="post" action=switch_url class="inline">
                    <label for="org-switch" class="visually-hidden">"Switch firm"</label>
                    <select id="org-switch" name="org_id">
                        {info.orgs.iter().map(|o| view! {
                            <option value=o.id.to_string() selected=o.id == active>{o.name.clone()}</option>
                        }).collect_view()}
                    </select>
                    <button type="submit" class="secondary">"Switch"</button>
                </form>
            })}
        </div>
        <div class="user">
            <a href="/profile" title="Your profile">{info.user_name.clone()}</a>
            <span class="badge role">{info.role.label()}</span>
            <form method="post" action=logout_url class="inline">
                <button type="submit" class="link">"Sign out"</button>
            </form>
        </div>
    }
}
