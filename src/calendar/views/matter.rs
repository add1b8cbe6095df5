//! A matter's calendar card: its upcoming events and deadlines (with how each deadline was
//! computed, and its trigger date to change), its tasks, and the forms "New event", "Add
//! deadline" and "New task".

use leptos::prelude::*;
use uuid::Uuid;

use super::EventLine;
use crate::calendar::api::{
    get_matter_calendar, AddDeadline, CancelEvent, ChangeTrigger, CompleteTask, CreateEvent,
    CreateTask, UpdateEvent,
};
use crate::calendar::{Event, EventForm, EventKind, MatterCalendar, Task, TaskPriority};
use crate::kernel::{Choice, FieldErrors};
use crate::ui::{
    action_error, choices, form_errors, reload_on_success, row_action_error, session_info,
    CheckboxField, FormAlert, FormStamp, Loading, SelectField, TextField,
};

#[component]
pub fn MatterCalendarCard(matter: Uuid) -> impl IntoView {
    let version = RwSignal::new(0usize);
    let data = crate::ui::once(format!("calendar:{matter}"), || {
        Resource::new(move || version.get(), move |_| get_matter_calendar(matter))
    });
    view! {
        <section class="card" aria-labelledby="calendar-h">
            <h2 id="calendar-h">"Calendar and tasks"</h2>
            <Transition fallback=Loading>
                {move || data.get().map(|r| match r {
                    Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                    Ok(cal) => view! { <Contents matter cal version/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Contents(matter: Uuid, cal: MatterCalendar, version: RwSignal<usize>) -> impl IntoView {
    let may = session_info().is_some_and(|s| crate::calendar::may_schedule(s.role));
    let MatterCalendar {
        upcoming,
        tasks,
        rules,
        people,
        ..
    } = cal;
    let rules: Vec<(String, String)> = rules
        .iter()
        .map(|r| (r.id.to_string(), format!("{}: {}", r.name, r.describe())))
        .collect();
    let assignees: Vec<(String, String)> = people
        .iter()
        .map(|p| (p.id.to_string(), p.name.clone()))
        .collect();
    let empty_events = upcoming.is_empty();
    let empty_tasks = tasks.is_empty();
    view! {
        <h3>"Upcoming"</h3>
        <ul class="events">
            {upcoming.into_iter().map(|e| view! { <UpcomingEvent event=e may people=people.clone() version/> }).collect_view()}
        </ul>
        {empty_events.then(|| view! { <p class="empty">"Nothing scheduled."</p> })}
        <h3>"Tasks"</h3>
        <ul class="tasks">
            {tasks.into_iter().map(|t| view! { <TaskLine task=t version/> }).collect_view()}
        </ul>
        {empty_tasks.then(|| view! { <p class="empty">"No tasks."</p> })}
        {may.then(|| view! {
            <div class="grid-forms">
                <NewEventForm matter people=people.clone() version/>
                <DeadlineForm matter rules version/>
                <NewTaskForm matter assignees version/>
            </div>
        })}
    }
}

#[component]
fn UpcomingEvent(
    event: Event,
    may: bool,
    people: Vec<crate::auth::Person>,
    version: RwSignal<usize>,
) -> impl IntoView {
    let computation = event.computation.clone();
    let (id, v) = (event.id, event.version);
    let changes = may.then(|| view! { <EventChanges event=event.clone() people version/> });
    view! {
        <li>
            <EventLine event=event.clone() show_matter=false/>
            {changes}
            {computation.map(|c| view! {
                <details>
                    <summary>{format!("How {} was computed", event.date)}</summary>
                    <p>{format!("Rule: {}. Trigger date: {}.", c.rule_name, c.trigger_date)}</p>
                    <ol>{c.explanation.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ol>
                    {may.then(|| view! { <TriggerForm id v title=event.title.clone() version/> })}
                </details>
            })}
        </li>
    }
}

#[component]
fn TriggerForm(id: Uuid, v: i32, title: String, version: RwSignal<usize>) -> impl IntoView {
    let change = ServerAction::<ChangeTrigger>::new();
    reload_on_success(change, version);
    let error = row_action_error(change, "event", id);
    let errors = form_errors(error);
    let field = format!("trigger-{id}");
    view! {
        <ActionForm action=change attr:class="inline">
            <FormStamp errors version=v/>
            <input type="hidden" name="id" value=id.to_string()/>
            <label for=field.clone()>{format!("Trigger date of “{title}”")}</label>
            <input id=field type="date" name="form[trigger]" required=true/>
            <button type="submit" class="secondary small">"Recompute"</button>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
        </ActionForm>
    }
}

#[component]
pub fn TaskLine(task: Task, version: RwSignal<usize>) -> impl IntoView {
    let complete = ServerAction::<CompleteTask>::new();
    reload_on_success(complete, version);
    let error = action_error(complete);
    let open = task.status == crate::calendar::TaskStatus::Open;
    let class = if task.overdue { "overdue" } else { "" };
    let label = format!("Complete “{}”", task.title);
    view! {
        <li class=class>
            <span class=if open { "" } else { "done" }>{task.title.clone()}</span>
            " · "{task.matter_number.clone()}
            {task.assignee.clone().map(|a| view! { " · "{a} })}
            {task.due_on.map(|d| view! { " · due "<span class="mono">{d.to_string()}</span> })}
            {task.overdue.then(|| view! { " " <strong class="badge bad">"Overdue"</strong> })}
            {(task.priority != TaskPriority::Normal).then(|| view! { " " <span class="badge">{task.priority.label()}</span> })}
            {(!open).then(|| view! { " " <span class="badge good">"Done"</span> })}
            {open.then(|| view! {
                <ActionForm action=complete attr:class="inline">
                    <FormStamp errors=Signal::derive(|| None) version=task.version/>
                    <input type="hidden" name="id" value=task.id.to_string()/>
                    <button type="submit" class="secondary small" aria-label=label>"Complete"</button>
                </ActionForm>
            })}
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
        </li>
    }
}

#[component]
fn NewEventForm(
    matter: Uuid,
    people: Vec<crate::auth::Person>,
    version: RwSignal<usize>,
) -> impl IntoView {
    let create = ServerAction::<CreateEvent>::new();
    reload_on_success(create, version);
    let error = action_error(create);
    let errors = form_errors(error);
    // Whoever schedules it is usually there: ticked to start with.
    let mut values = EventForm {
        kind: EventKind::Hearing.as_str().into(),
        ..Default::default()
    };
    if let Some(me) = session_info().map(|s| s.user_id) {
        values.attendees.insert(format!("a{me}"), "on".into());
    }
    view! {
        <section aria-labelledby="new-event-h">
            <h3 id="new-event-h">"New event"</h3>
            <FormAlert error/>
            <ActionForm action=create>
                <FormStamp errors/>
                <input type="hidden" name="matter" value=matter.to_string()/>
                <EventFields prefix="ev-".into() values people deadline=false errors/>
                <div class="actions"><button type="submit" class="primary">"Add event"</button></div>
            </ActionForm>
        </section>
    }
}

/// "Change" an event (its form, filled with it) and "Cancel event", in a disclosure that is
/// open when one of them was refused.
#[component]
fn EventChanges(
    event: Event,
    people: Vec<crate::auth::Person>,
    version: RwSignal<usize>,
) -> impl IntoView {
    let update = ServerAction::<UpdateEvent>::new();
    reload_on_success(update, version);
    let error = row_action_error(update, "event", event.id);
    let errors = form_errors(error);
    let cancel = ServerAction::<CancelEvent>::new();
    reload_on_success(cancel, version);
    let cancel_error = row_action_error(cancel, "event", event.id);
    let open = move || error.with(Option::is_some) || cancel_error.with(Option::is_some);
    let prefix = format!("ev-{}-", event.id);
    let deadline = event.computation.is_some();
    let title = format!("“{}” of {}", event.title, event.date);
    let values = event.form();
    view! {
        <details open=open>
            <summary>{format!("Change {title}")}</summary>
            <FormAlert error/>
            <ActionForm action=update attr:aria-label=format!("Change {title}")>
                <FormStamp errors version=event.version/>
                <input type="hidden" name="id" value=event.id.to_string()/>
                <EventFields prefix values people deadline errors/>
                <div class="actions"><button type="submit" class="primary">"Save event"</button></div>
            </ActionForm>
            <ActionForm action=cancel attr:class="inline">
                <FormStamp errors=Signal::derive(|| None) version=event.version/>
                <input type="hidden" name="id" value=event.id.to_string()/>
                <button type="submit" class="danger small" aria-label=format!("Cancel event {title}")>"Cancel event"</button>
                {move || cancel_error.get().map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
            </ActionForm>
        </details>
    }
}

/// An event's fields, filled with `values` (a computed deadline's kind, day and times are its
/// rule's: not offered).
#[component]
fn EventFields(
    prefix: String,
    values: EventForm,
    people: Vec<crate::auth::Person>,
    deadline: bool,
    errors: Signal<Option<FieldErrors>>,
) -> impl IntoView {
    let kinds: Vec<(String, String)> = choices::<EventKind>()
        .into_iter()
        .filter(|(k, _)| k != EventKind::Deadline.as_str())
        .collect();
    let p = prefix.clone();
    let v = values.clone();
    let when = (!deadline).then(move || {
        let (p, values) = (p.clone(), v);
        view! {
            <SelectField label="Kind" key="kind" options=kinds value=values.kind.clone() errors required=true id_prefix=p.clone()/>
            <TextField label="Date" key="date" kind="date" value=values.date.clone() errors required=true id_prefix=p.clone()/>
            <CheckboxField label="All day" key="all_day" checked=values.all_day == "on" errors id_prefix=p.clone()/>
            <TextField label="Starts at" key="start" kind="time" value=values.start.clone() errors id_prefix=p.clone() hint="In the firm's time zone"/>
            <TextField label="Ends at" key="end" kind="time" value=values.end.clone() errors id_prefix=p.clone()/>
        }
    });
    let fixed = deadline.then(|| {
        view! {
            <input type="hidden" name="form[kind]" value="deadline"/>
            <input type="hidden" name="form[date]" value=values.date.clone()/>
            <input type="hidden" name="form[all_day]" value="on"/>
        }
    });
    view! {
        <TextField label="Title" key="title" value=values.title.clone() errors required=true id_prefix=prefix.clone()/>
        {when}
        {fixed}
        <TextField label="Location" key="location" value=values.location.clone() errors id_prefix=prefix.clone()/>
        <fieldset>
            <legend>"Attendees"</legend>
            {people.into_iter().map(|p| {
                let id = format!("{prefix}att-{}", p.id);
                let ticked = values.attendees.contains_key(&format!("a{}", p.id));
                view! {
                    <div class="field check">
                        <input id=id.clone() type="checkbox" name=EventForm::attendee_key(p.id) checked=ticked/>
                        <label for=id>{p.name}</label>
                    </div>
                }
            }).collect_view()}
            {move || errors.get().and_then(|e| e.get("attendees").map(|m| view! { <p class="error">{m.to_string()}</p> }))}
        </fieldset>
    }
}

#[component]
fn DeadlineForm(
    matter: Uuid,
    rules: Vec<(String, String)>,
    version: RwSignal<usize>,
) -> impl IntoView {
    let add = ServerAction::<AddDeadline>::new();
    reload_on_success(add, version);
    let error = action_error(add);
    let errors = form_errors(error);
    view! {
        <section aria-labelledby="add-deadline-h">
            <h3 id="add-deadline-h">"Add deadline"</h3>
            <p class="hint">"Computed by FRCP 6(a): the trigger day is not counted; a last day on a weekend or federal holiday moves to the next court day."</p>
            <FormAlert error/>
            <ActionForm action=add>
                <FormStamp errors/>
                <input type="hidden" name="matter" value=matter.to_string()/>
                <TextField label="Trigger date" key="trigger" kind="date" errors required=true id_prefix="dl"
                    hint="Service, filing or judgment"/>
                <SelectField label="Rule" key="rule" options=rules errors blank="Choose…" required=true id_prefix="dl"/>
                <TextField label="Title" key="title" errors id_prefix="dl" hint="Empty: the rule's name"/>
                <div class="actions"><button type="submit" class="primary">"Add deadline"</button></div>
            </ActionForm>
        </section>
    }
}

#[component]
fn NewTaskForm(
    matter: Uuid,
    assignees: Vec<(String, String)>,
    version: RwSignal<usize>,
) -> impl IntoView {
    let create = ServerAction::<CreateTask>::new();
    reload_on_success(create, version);
    let error = action_error(create);
    let errors = form_errors(error);
    let priorities = choices::<TaskPriority>();
    view! {
        <section aria-labelledby="new-task-h">
            <h3 id="new-task-h">"New task"</h3>
            <FormAlert error/>
            <ActionForm action=create>
                <FormStamp errors/>
                <input type="hidden" name="matter" value=matter.to_string()/>
                <TextField label="Task" key="title" errors required=true id_prefix="tk"/>
                <SelectField label="Assignee" key="assignee" options=assignees errors blank="Nobody yet" id_prefix="tk"/>
                <TextField label="Due date" key="due_on" kind="date" errors id_prefix="tk"/>
                <SelectField label="Priority" key="priority" options=priorities value="normal" errors id_prefix="tk"/>
                <div class="actions"><button type="submit" class="primary">"Add task"</button></div>
            </ActionForm>
        </section>
    }
}
