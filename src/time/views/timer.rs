use leptos::prelude::*;
use uuid::Uuid;

use crate::time::api::{my_timer, StartTimer, UpdateTimer};
use crate::time::Timer;
use crate::ui::{
    action_error, form_errors, reload_on_success, session_info, FormAlert, FormStamp, Loading,
    TextField,
};

/// The caller's timer: its state and buttons when there is one, else a form to start one (on
/// `matter`, when the page is a matter's). Every button is a form post, so it works without
/// JavaScript; the time shown is as of the page's rendering. Each change bumps `version`, which
/// the page's time list reloads on too (a stopped timer is a new entry).
#[component]
pub fn TimerPanel(
    version: RwSignal<usize>,
    #[prop(optional)] matter: Option<Uuid>,
) -> impl IntoView {
    let start = ServerAction::<StartTimer>::new();
    let update = ServerAction::<UpdateTimer>::new();
    reload_on_success(start, version);
    // A refused button (the timer changed elsewhere) also reloads: the panel then shows it as it is.
    Effect::new(move |_| {
        if update.value().with(Option::is_some) {
            version.update(|v| *v += 1);
        }
    });
    let timer = crate::ui::once("timer", || {
        Resource::new(move || version.get(), |_| my_timer())
    });
    view! {
        <section class="card timer" aria-labelledby="timer-h">
            <h2 id="timer-h">"Timer"</h2>
            <FormAlert error=action_error(update)/>
            <Transition fallback=Loading>
                {move || timer.get().map(|r| match r {
                    Err(e) => view! { <p class="alert error">{e.to_string()}</p> }.into_any(),
                    Ok(Some(t)) => view! { <Running timer=t update/> }.into_any(),
                    Ok(None) => view! { <StartForm start matter/> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Running(timer: Timer, update: ServerAction<UpdateTimer>) -> impl IntoView {
    let org = session_info()
        .map(|s| s.org_id.to_string())
        .unwrap_or_default();
    let (id, v) = (timer.id, timer.version);
    let button = |action: &'static str, label: &'static str, class: &'static str| {
        view! { <TimerButton update org=org.clone() id version=v action label class/> }
    };
    let state = if timer.running { "Running" } else { "Paused" };
    view! {
        <p>
            <strong class="mono" data-testid="timer-clock">{timer.clock()}</strong>" "
            <span class="badge">{state}</span>" on "
            <a href=format!("/matters/{}", timer.matter_id)><span class="mono">{timer.matter_number.clone()}</span>" "{timer.matter_title.clone()}</a>
        </p>
        <p class="muted">{timer.description.clone()}</p>
        <div class="actions">
            {if timer.running { button("pause", "Pause timer", "secondary") } else { button("resume", "Resume timer", "secondary") }}
            {button("stop", "Stop timer", "primary")}
            {button("discard", "Discard timer", "link")}
        </div>
    }
}

#[component]
fn StartForm(start: ServerAction<StartTimer>, matter: Option<Uuid>) -> impl IntoView {
    let error = action_error(start);
    let errors = form_errors(error);
    view! {
        <FormAlert error/>
        <ActionForm action=start>
            <FormStamp errors/>
            <div class="grid">
                {match matter {
                    Some(m) => view! { <input type="hidden" name="form[matter]" value=m.to_string()/> }.into_any(),
                    None => view! {
                        <TextField label="Matter" key="matter" errors required=true autocomplete="off"
                            id_prefix="timer-" hint="The matter's number, e.g. 2026-0001"/>
                    }.into_any(),
                }}
                <TextField label="What are you working on?" key="description" errors required=true
                    autocomplete="off" id_prefix="timer-"/>
            </div>
            <div class="actions"><button type="submit" class="primary">"Start timer"</button></div>
        </ActionForm>
    }
}

#[component]
fn TimerButton(
    update: ServerAction<UpdateTimer>,
    org: String,
    id: Uuid,
    version: i32,
    action: &'static str,
    label: &'static str,
    class: &'static str,
) -> impl IntoView {
    view! {
        <ActionForm action=update attr:class="inline">
            <input type="hidden" name="org" value=org/>
            <input type="hidden" name="timer" value=id.to_string()/>
            <input type="hidden" name="version" value=version.to_string()/>
            <input type="hidden" name="action" value=action/>
            <button type="submit" class=class>{label}</button>
        </ActionForm>
    }
}
