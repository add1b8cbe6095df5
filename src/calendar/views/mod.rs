//! `/calendar` (month, week or agenda; mine, a person's or the firm's; the feed URL; the firm's
//! deadline rules) and `/tasks` (my tasks). A matter's card is in `matter.rs`.

mod matter;

pub use matter::MatterCalendarCard;

use chrono::{Datelike, Duration, NaiveDate};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::calendar::api::{get_calendar, my_tasks, AddRule, ResetFeed, UpdateRule};
use crate::calendar::deadline::{Counting, Direction};
use crate::calendar::{CalendarPage as Page, CalendarQuery, Event};
use crate::kernel::Choice;
use crate::ui::{
    action_error, choices, form_errors, loaded, query_string, reload_on_success, row_action_error,
    session_info, CheckboxField, ErrorPanel, FormAlert, FormStamp, Loading, SelectField, TextField,
};

/// One event in a list: time, kind, title, matter, place, who.
#[component]
pub fn EventLine(event: Event, show_matter: bool) -> impl IntoView {
    let when = match (&event.start, &event.end) {
        (Some(s), Some(e)) => format!("{} {s}–{e}", event.date),
        (Some(s), None) => format!("{} {s}", event.date),
        _ => format!("{} (all day)", event.date),
    };
    view! {
        <span class="mono">{when}</span>" "
        <span class=format!("badge kind-{}", event.kind.as_str())>{event.kind.label()}</span>" "
        <strong>{event.title.clone()}</strong>
        {show_matter.then(|| view! { " · "<a href=format!("/matters/{}", event.matter_id)>{event.matter_number.clone()}</a> })}
        {(!event.location.is_empty()).then(|| view! { " · "{event.location.clone()} })}
        {(!event.attendees.is_empty()).then(|| view! { <span class="muted">" · "{event.attendees.join(", ")}</span> })}
    }
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| {
        params.with(|p| CalendarQuery {
            view: p.get("view").unwrap_or_default(),
            who: p.get("who").unwrap_or_default(),
            day: p.get("day").unwrap_or_default(),
        })
    });
    let version = RwSignal::new(0usize);
    let page = Resource::new(
        move || (query.get(), version.get()),
        |(q, _)| get_calendar(q),
    );
    view! {
        <Title text="Calendar · Docket"/>
        <div class="page-head"><h1>"Calendar"</h1></div>
        <Transition fallback=Loading>
            {loaded(page, move |p| view! { <Period page=p version/> })}
        </Transition>
    }
}

#[component]
fn Period(page: Page, version: RwSignal<usize>) -> impl IntoView {
    let href = {
        let (view, who) = (page.view.clone(), page.who.clone());
        move |day: NaiveDate| {
            format!(
                "/calendar{}",
                query_string(&[
                    ("view", view.clone()),
                    ("who", who.clone()),
                    ("day", day.to_string())
                ])
            )
        }
    };
    let title = match page.view.as_str() {
        "month" => page.from.format("%B %Y").to_string(),
        "agenda" => format!("{} to {}", page.from, page.to),
        _ => format!("Week of {}", page.from),
    };
    let people = page.people.clone();
    let who = page.who.clone();
    let view_name = page.view.clone();
    let body = match page.view.as_str() {
        "month" => view! { <Month page=page.clone()/> }.into_any(),
        _ => view! { <Days page=page.clone()/> }.into_any(),
    };
    view! {
        <Form method="GET" action="/calendar" attr:class="filters" attr:role="search">
            <div class="field">
                <label for="c-view">"View"</label>
                <select id="c-view" name="view">
                    {[("week", "Week"), ("month", "Month"), ("agenda", "Agenda")].into_iter().map(|(v, l)| {
                        view! { <option value=v selected=view_name == v>{l}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="c-who">"Whose"</label>
                <select id="c-who" name="who">
                    <option value="" selected=who.is_empty()>"Mine"</option>
                    <option value="firm" selected=who == "firm">"The whole firm"</option>
                    {people.into_iter().map(|p| {
                        let id = p.id.to_string();
                        let sel = who == id;
                        view! { <option value=id selected=sel>{p.name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="c-day">"Day"</label>
                <input id="c-day" type="date" name="day" value=page.from.to_string()/>
            </div>
            <button type="submit" class="secondary">"Show"</button>
        </Form>
        <nav class="pager" aria-label="Periods">
            <a href=href(page.previous)>"Previous"</a>
            <h2>{title}</h2>
            <a href=href(page.today)>"Today"</a>
            <a href=href(page.next)>"Next"</a>
        </nav>
        {body}
        <FeedCard url=page.feed_url.clone() version/>
        <RulesCard/>
    }
}

/// Week and agenda: each day with its events.
#[component]
fn Days(page: Page) -> impl IntoView {
    let days = (page.to - page.from).num_days() + 1;
    let today = page.today;
    let agenda = page.view == "agenda";
    view! {
        <ol class="days">
            {(0..days).map(|i| {
                let day = page.from + Duration::days(i);
                let events: Vec<Event> = page.events.iter().filter(|e| e.date == day).cloned().collect();
                let empty = events.is_empty();
                // The agenda lists only days with something on them.
                (!agenda || !empty).then(|| view! {
                    <li class=if day == today { "today" } else { "" }>
                        <h3>{day.format("%A %-d %B").to_string()}</h3>
                        {if empty {
                            view! { <p class="empty">"Nothing scheduled."</p> }.into_any()
                        } else {
                            view! {
                                <ul>{events.into_iter().map(|e| view! { <li><EventLine event=e show_matter=true/></li> }).collect_view()}</ul>
                            }.into_any()
                        }}
                    </li>
                })
            }).collect_view()}
        </ol>
        {(agenda && page.events.is_empty()).then(|| view! { <p class="empty">"Nothing scheduled in these 30 days."</p> })}
    }
}

/// A month as a table of weeks.
#[component]
fn Month(page: Page) -> impl IntoView {
    let first = page.from;
    let start = first - Duration::days(i64::from(first.weekday().num_days_from_monday()));
    let weeks = ((page.to - start).num_days() / 7) + 1;
    view! {
        <table class="month">
            <caption class="visually-hidden">{first.format("%B %Y").to_string()}</caption>
            <thead><tr>
                {["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"].into_iter()
                    .map(|d| view! { <th scope="col">{d}</th> }).collect_view()}
            </tr></thead>
            <tbody>
                {(0..weeks).map(|w| view! {
                    <tr>
                        {(0..7).map(|d| {
                            let day = start + Duration::days(w * 7 + d);
                            let inside = day.month() == first.month();
                            let events: Vec<Event> = page.events.iter().filter(|e| e.date == day).cloned().collect();
                            view! {
                                <td class=if day == page.today { "today" } else if inside { "" } else { "outside" }>
                                    <span class="day-number">{day.day()}</span>
                                    <ul>
                                        {events.into_iter().map(|e| {
                                            let time = e.start.clone().map(|s| format!("{s} ")).unwrap_or_default();
                                            view! { <li><a href=format!("/matters/{}", e.matter_id)>{time}{e.title}</a></li> }
                                        }).collect_view()}
                                    </ul>
                                </td>
                            }
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// The caller's private feed URL for a calendar application, to copy; or a button to make one.
#[component]
fn FeedCard(url: Option<String>, version: RwSignal<usize>) -> impl IntoView {
    let reset = ServerAction::<ResetFeed>::new();
    reload_on_success(reset, version);
    let copied = RwSignal::new(false);
    let has = url.is_some();
    let shown = url.clone().unwrap_or_default();
    view! {
        <section class="card no-print" aria-labelledby="feed-h">
            <h2 id="feed-h">"Calendar feed"</h2>
            <p class="hint">"Subscribe to your events, deadlines and tasks from Google Calendar or Outlook with this private address. Anyone who has it can read them: make a new one if it leaks (the old one stops working)."</p>
            {has.then(|| view! {
                <div class="field">
                    <label for="feed-url">"Calendar feed URL"</label>
                    <input id="feed-url" type="text" readonly=true value=shown.clone() class="mono wide"/>
                </div>
                <button type="button" class="primary" on:click=move |_| {
                    crate::ui::copy_text(&shown);
                    copied.set(true);
                }>"Copy my calendar feed URL"</button>
                {move || copied.get().then(|| view! { <span role="status">" Copied."</span> })}
            })}
            <ActionForm action=reset attr:class="inline">
                <FormStamp errors=Signal::derive(|| None)/>
                <button type="submit" class=if has { "secondary" } else { "primary" }>
                    {if has { "Make a new feed URL" } else { "Make my calendar feed URL" }}
                </button>
            </ActionForm>
        </section>
    }
}

/// The firm's deadline rules, and (administrators) a new one.
#[component]
fn RulesCard() -> impl IntoView {
    let admin = session_info().is_some_and(|s| crate::calendar::may_edit_rules(s.role));
    let add = ServerAction::<AddRule>::new();
    let error = action_error(add);
    let errors = form_errors(error);
    let version = RwSignal::new(0usize);
    reload_on_success(add, version);
    let rules = Resource::new(
        move || version.get(),
        |_| crate::calendar::api::deadline_rules(),
    );
    let countings = choices::<Counting>();
    let directions = choices::<Direction>();
    view! {
        <section class="card" aria-labelledby="rules-h">
            <h2 id="rules-h">"Deadline rules"</h2>
            <Transition fallback=Loading>
                {move || rules.get().map(|r| match r {
                    Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                    Ok(rules) => view! {
                        <ul>{rules.into_iter().map(|r| view! { <RuleLine rule=r admin version/> }).collect_view()}</ul>
                    }.into_any(),
                })}
            </Transition>
            {admin.then(|| view! {
                <h3>"New rule"</h3>
                <FormAlert error/>
                <ActionForm action=add>
                    <FormStamp errors/>
                    <div class="grid">
                        <TextField label="Rule name" key="name" errors required=true id_prefix="rule"/>
                        <TextField label="Days" key="days" kind="number" errors required=true id_prefix="rule"/>
                        <SelectField label="Counting" key="counting" options=countings value="calendar" errors id_prefix="rule"/>
                        <SelectField label="Direction" key="direction" options=directions value="after" errors id_prefix="rule"/>
                    </div>
                    <div class="actions"><button type="submit" class="primary">"Add rule"</button></div>
                </ActionForm>
            })}
        </section>
    }
}

/// A rule, and (administrators) its form: changed, or no longer offered for new deadlines.
#[component]
fn RuleLine(
    rule: crate::calendar::RuleRow,
    admin: bool,
    version: RwSignal<usize>,
) -> impl IntoView {
    let change = admin.then(|| {
        let update = ServerAction::<UpdateRule>::new();
        reload_on_success(update, version);
        let error = row_action_error(update, "rule", rule.id);
        let errors = form_errors(error);
        let open = move || error.with(Option::is_some);
        let values = crate::calendar::RuleForm::of(&rule);
        let prefix = format!("rule-{}-", rule.id);
        let (countings, directions) = (choices::<Counting>(), choices::<Direction>());
        view! {
            <details open=open>
                <summary>{format!("Change “{}”", rule.name)}</summary>
                <FormAlert error/>
                <ActionForm action=update attr:aria-label=format!("Change the rule “{}”", rule.name)>
                    <FormStamp errors version=rule.version/>
                    <input type="hidden" name="id" value=rule.id.to_string()/>
                    <div class="grid">
                        <TextField label="Rule name" key="name" value=values.name errors required=true id_prefix=prefix.clone()/>
                        <TextField label="Days" key="days" kind="number" value=values.days errors required=true id_prefix=prefix.clone()/>
                        <SelectField label="Counting" key="counting" options=countings value=values.counting errors id_prefix=prefix.clone()/>
                        <SelectField label="Direction" key="direction" options=directions value=values.direction errors id_prefix=prefix.clone()/>
                        <CheckboxField label="Offered for new deadlines" key="offered" checked=rule.active errors id_prefix=prefix/>
                    </div>
                    <p class="hint">"Deadlines already computed keep the rule as it was."</p>
                    <div class="actions"><button type="submit" class="primary">"Save rule"</button></div>
                </ActionForm>
            </details>
        }
    });
    view! {
        <li>
            <strong>{rule.name.clone()}</strong>": "{rule.describe()}
            {(!rule.active).then(|| view! { " " <span class="badge">"Not offered"</span> })}
            {change}
        </li>
    }
}

/// `/tasks`: my tasks, overdue ones marked.
#[component]
pub fn TasksPage() -> impl IntoView {
    let version = RwSignal::new(0usize);
    let tasks = Resource::new(move || version.get(), |_| my_tasks());
    view! {
        <Title text="My tasks · Docket"/>
        <div class="page-head"><h1>"My tasks"</h1></div>
        <Transition fallback=Loading>
            {move || tasks.get().map(|r| match r {
                Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                Ok(all) if all.is_empty() => view! { <p class="empty">"No tasks are assigned to you."</p> }.into_any(),
                Ok(all) => view! {
                    <ul class="tasks">
                        {all.into_iter().map(|t| view! { <matter::TaskLine task=t version/> }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </Transition>
    }
}
