//! `/search` (a GET form: works without JavaScript, the query in the URL) and the command
//! palette (Ctrl-K or ⌘-K on every page, in the browser app), both over the `search` server
//! function.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::api::search;
use super::{Hit, SearchResults};
use crate::ui::{loaded, ErrorPanel, Loading};

#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let q = Memo::new(move |_| query.with(|p| p.get("q").unwrap_or_default()));
    let data = Resource::new(
        move || q.get(),
        |q| async move {
            if q.trim().is_empty() {
                Ok(SearchResults::default())
            } else {
                search(q).await
            }
        },
    );
    view! {
        <Title text="Search · Docket"/>
        <div class="page-head"><h1>"Search"</h1></div>
        <form method="get" action="/search" class="search-form" role="search">
            <label for="search-q">"Search"</label>
            <input id="search-q" type="search" name="q" value=move || q.get()
                placeholder="Clients, contacts, matters, documents and the text inside them"/>
            <button type="submit" class="primary">"Search"</button>
        </form>
        <Transition fallback=Loading>
            {loaded(data, move |found| view! { <Hits found/> })}
        </Transition>
    }
}

/// The results, best first: what each is, its link, where it belongs and the matching words.
#[component]
pub fn Hits(found: SearchResults) -> impl IntoView {
    if found.query.is_empty() {
        return ().into_any();
    }
    if found.hits.is_empty() {
        return view! { <p class="empty">{format!("Nothing matches “{}”.", found.query)}</p> }
            .into_any();
    }
    view! {
        <ol class="hits" aria-label="Search results">
            {found.hits.into_iter().map(|h| view! { <HitLine h/> }).collect_view()}
        </ol>
    }
    .into_any()
}

#[component]
fn HitLine(h: Hit) -> impl IntoView {
    view! {
        <li>
            <span class="badge">{crate::kernel::Choice::label(h.kind)}</span>" "
            <a href=h.href.clone()>{h.title.clone()}</a>
            {(!h.context.is_empty()).then(|| view! { <span class="muted">{format!(" · {}", h.context)}</span> })}
            <p class="snippet">
                {h.snippet.into_iter().map(|(text, matched)| if matched {
                    view! { <mark>{text}</mark> }.into_any()
                } else {
                    text.into_any()
                }).collect_view()}
            </p>
        </li>
    }
    .into_any()
}

/// The command palette: Ctrl-K (⌘-K) opens a search box over the page, focused; results come
/// once typing pauses; Escape, a click outside or following a result closes it. Rendered only in
/// the browser app (without JavaScript: `/search`).
///
/// It is in every signed-in page's frame, but few page views search from it: the box is here,
/// there at once, and what finds and shows results is a lazy function, a WebAssembly chunk of
/// its own fetched on the first Ctrl-K (the browser build's first load is issue 6's figure).
/// Each opening starts empty.
#[component]
pub fn CommandPalette() -> impl IntoView {
    let open = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let handle = window_event_listener(leptos::ev::keydown, move |e| {
            let k = (e.ctrl_key() || e.meta_key()) && !e.shift_key() && !e.alt_key();
            if k && e.key().eq_ignore_ascii_case("k") {
                e.prevent_default();
                open.set(true);
            } else if e.key() == "Escape" && open.get_untracked() {
                open.set(false);
            }
        });
        on_cleanup(move || handle.remove());
    }
    // Following a result (or any link) closes it.
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        location.pathname.track();
        open.set(false);
    });
    move || open.get().then(|| view! { <PaletteBox open/> })
}

/// The open palette: the box, focused, and what it finds.
#[component]
fn PaletteBox(open: RwSignal<bool>) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    // What is searched: what was typed, once typing pauses for a quarter of a second.
    let settled = RwSignal::new(String::new());
    let input = NodeRef::<leptos::html::Input>::new();
    // The box has the focus as soon as it is there.
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    let on_input = move |e: leptos::ev::Event| {
        let v = event_target_value(&e);
        typed.set(v.clone());
        // The palette may have closed (and its signals gone) before the pause ends.
        set_timeout(
            move || {
                if typed.try_get_untracked().as_deref() == Some(v.as_str()) {
                    settled.try_set(v);
                }
            },
            std::time::Duration::from_millis(250),
        );
    };
    view! {
        <div class="palette-backdrop" on:click=move |e| {
            if e.target() == e.current_target() {
                open.set(false);
            }
        }>
            <div class="palette" role="dialog" aria-modal="true" aria-label="Search Docket">
                <label for="palette-q">"Search"</label>
                <input id="palette-q" type="search" autocomplete="off" node_ref=input
                    placeholder="Clients, matters, documents…"
                    prop:value=move || typed.get() on:input=on_input/>
                <div aria-live="polite">
                    <Suspense fallback=|| ()>
                        {Suspend::new(async move { palette_results(settled).await })}
                    </Suspense>
                </div>
            </div>
        </div>
    }
}

/// What the palette finds for what was typed (two characters or more).
#[leptos::lazy]
fn palette_results(settled: RwSignal<String>) -> AnyView {
    let results = LocalResource::new(move || {
        let q = settled.get();
        async move {
            if q.trim().chars().count() < 2 {
                Ok(SearchResults::default())
            } else {
                search(q).await
            }
        }
    });
    view! {
        <Transition fallback=Loading>
            {move || results.get().map(|r| match r {
                Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                Ok(found) => view! { <Hits found/> }.into_any(),
            })}
        </Transition>
    }
    .into_any()
}
