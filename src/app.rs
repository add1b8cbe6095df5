//! The HTML shell, the root component and the route table. No business logic here.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, Meta, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{lazy_route, path, Lazy, LazyRoute, SsrMode};

use crate::audit::views::ActivityLogPage;
use crate::auth::recovery_views::{ForgotPasswordPage, ResetPasswordPage};
use crate::auth::two_factor::views::SecondFactorPage;
use crate::auth::views::LoginPage;
use crate::calendar::views::{CalendarPage, TasksPage};
use crate::clients::views::{ClientDetailPage, ClientListPage, NewClientPage};
use crate::dashboard::DashboardPage;
use crate::documents::client_views::ClientDocumentsPage;
use crate::documents::views::MatterDocumentsPage;
use crate::expenses::views::ExpensesPage;
use crate::firm::new_views::NewFirmPage;
use crate::firm::views::SettingsPage;
use crate::invoices::views::{InvoiceListPage, InvoicePage, NewInvoicePage};
use crate::jobs::views::JobsPage;
use crate::matters::views::{MatterDetailPage, MatterListPage, NewMatterPage};
use crate::profile::views::ProfilePage;
use crate::reports::views::{AgingPage, BilledPage, WipPage};
use crate::search::views::SearchPage;
use crate::team::invite::views::InvitationPage;
use crate::team::views::PeoplePage;
use crate::time::views::{EditTimePage, NewTimePage, TimeListPage, TimeWeekPage};
use crate::trust::views::{
    ClientTrustPage, JournalPage, MatterTrustPage, ReconcilePage, ReconciliationPage, TrustPage,
};
use crate::ui::{
    provide_csp_nonce, provide_page_scope, provide_page_seed, request_seed, AppLayout, FlashScope,
    NotFound,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    provide_csp_nonce();
    provide_page_scope();
    let seed = request_seed();
    let seed_json = seed.to_json();
    provide_context(seed);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <HashedStylesheet options=options.clone() id="docket"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            // The session and form flash this page was rendered with, for the browser app.
            <body data-seed=seed_json>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_page_seed();
    // Above the routes: a lazy route's page is built in the owner its `data` ran in, which is
    // not below the frame.
    crate::ui::provide_once_per_render();
    view! {
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
        <Meta name="description" content="Docket — practice management for law firms"/>
        <Title text="Docket"/>
        // Async SSR: pages are sent whole, so they read fine without JavaScript and carry real
        // status codes (404 for an unknown id).
        <Router>
            <FlashScope/>
            <Routes fallback=|| view! { <NotFound/> }>
                <Route path=path!("/login") view={Lazy::<Login>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/login/two-factor") view={Lazy::<TwoFactor>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/forgot-password") view={Lazy::<Forgot>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/reset-password") view={Lazy::<Reset>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/invite/:token") view={Lazy::<JoinFirm>::new()} ssr=SsrMode::Async/>
                <ParentRoute path=path!("") view=AppLayout ssr=SsrMode::Async>
                    <Route path=path!("/") view={Lazy::<Dashboard>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/clients") view={Lazy::<Clients>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/clients/new") view={Lazy::<NewClient>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id") view={Lazy::<ClientDetail>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/matters") view={Lazy::<Matters>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/matters/new") view={Lazy::<NewMatter>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/matters/:id") view={Lazy::<MatterDetail>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/matters/:id/trust") view={Lazy::<MatterTrust>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/matters/:id/documents") view={Lazy::<MatterDocuments>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/trust") view={Lazy::<Trust>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/trust/accounts/:id") view={Lazy::<Journal>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id/trust") view={Lazy::<ClientTrust>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/clients/:id/documents") view={Lazy::<ClientDocuments>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/trust/accounts/:id/reconcile") view={Lazy::<Reconcile>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/trust/reconciliations/:id") view={Lazy::<ReconciliationRecord>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/time") view={Lazy::<Time>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/time/new") view={Lazy::<NewTime>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/time/week") view={Lazy::<TimeWeek>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/time/:id") view={Lazy::<EditTime>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/expenses") view={Lazy::<Expenses>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/invoices") view={Lazy::<Invoices>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/invoices/new") view={Lazy::<NewInvoice>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/invoices/:id") view={Lazy::<InvoiceDetail>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/reports/aging") view={Lazy::<Aging>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/reports/wip") view={Lazy::<Wip>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/reports/billed") view={Lazy::<Billed>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/settings") view={Lazy::<Settings>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/people") view={Lazy::<People>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/admin/jobs") view={Lazy::<Jobs>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/calendar") view={Lazy::<Calendar>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/tasks") view={Lazy::<Tasks>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/activity") view={Lazy::<Activity>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/search") view={Lazy::<Search>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/firms/new") view={Lazy::<NewFirm>::new()} ssr=SsrMode::Async/>
                    <Route path=path!("/profile") view={Lazy::<MyProfile>::new()} ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Each page is a lazy route: the browser build splits its code into a WebAssembly chunk of its
/// own (`cargo leptos build --split`), fetched when the page is first shown, so the first load
/// carries the frame and the shared parts only. The server renders them as before.
///
/// `data` runs in the route's reactive owner; `view` is awaited, and on the server's
/// multi-threaded runtime it could resume on another thread without that owner (the page then
/// lost its request's contexts: about one render in a hundred under load). So `data` keeps the
/// owner and `view` builds the page inside it.
macro_rules! lazy_pages {
    ($($route:ident => $page:ident,)*) => {$(
        pub struct $route(Owner);

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route(Owner::current().unwrap_or_default())
            }

            fn view(this: Self) -> AnyView {
                this.0.with(|| {
                    crate::ui::preload_page_chunks();
                    view! { <$page/> }.into_any()
                })
            }
        }
    )*};
}

lazy_pages! {
    Login => LoginPage,
    JoinFirm => InvitationPage,
    Forgot => ForgotPasswordPage,
    TwoFactor => SecondFactorPage,
    Reset => ResetPasswordPage,
    Dashboard => DashboardPage,
    Clients => ClientListPage,
    NewClient => NewClientPage,
    ClientDetail => ClientDetailPage,
    Matters => MatterListPage,
    NewMatter => NewMatterPage,
    MatterDetail => MatterDetailPage,
    MatterTrust => MatterTrustPage,
    MatterDocuments => MatterDocumentsPage,
    Trust => TrustPage,
    Reconcile => ReconcilePage,
    Journal => JournalPage,
    ClientTrust => ClientTrustPage,
    ClientDocuments => ClientDocumentsPage,
    ReconciliationRecord => ReconciliationPage,
    Time => TimeListPage,
    NewTime => NewTimePage,
    EditTime => EditTimePage,
    TimeWeek => TimeWeekPage,
    Expenses => ExpensesPage,
    Invoices => InvoiceListPage,
    NewInvoice => NewInvoicePage,
    InvoiceDetail => InvoicePage,
    Aging => AgingPage,
    Wip => WipPage,
    Billed => BilledPage,
    Settings => SettingsPage,
    People => PeoplePage,
    Jobs => JobsPage,
    Calendar => CalendarPage,
    Tasks => TasksPage,
    Activity => ActivityLogPage,
    Search => SearchPage,
    MyProfile => ProfilePage,
    NewFirm => NewFirmPage,
}
