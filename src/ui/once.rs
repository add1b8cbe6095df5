//! Resources made once per server render, however many times the view that makes them is built.
//!
//! On the server a `Suspense` (and so a `Transition`) builds its children once more after its
//! own data arrives, to find resources nested inside (leptos's `dry_resolve`), and then builds
//! them again to render. A section inside a `Transition` that waits for the page's data (the
//! time, rates, access and history cards of a matter page) was built twice, and each of its
//! server functions ran twice: 21 statements for a matter page where 13 do.
//!
//! `once` keeps what the first build made, by key, for the rest of the render. It does so only
//! on the server: in the browser each view is built once, and it keeps living and reloading.

use std::any::Any;
use std::collections::HashMap;

use leptos::prelude::*;
use leptos::reactive::owner::WeakOwner;

#[derive(Clone)]
struct Made {
    /// The root's owner: what is made lives until the render ends (the build that made it
    /// first is thrown away). Weak: this context lives in that owner, and a strong reference
    /// back would keep every render's reactive graph alive (the server's memory grew with every page).
    owner: WeakOwner,
    made: StoredValue<HashMap<String, Box<dyn Any + Send + Sync>>>,
}

/// Called by the root component (one server render), before any page is built.
pub fn provide_once_per_render() {
    if cfg!(feature = "ssr") {
        if let Some(owner) = Owner::current() {
            provide_context(Made {
                owner: owner.downgrade(),
                made: StoredValue::new(HashMap::new()),
            });
        }
    }
}

/// `make()` the first time `key` is asked for in this render, and the same value after that.
/// The key names what is made and from what (`"history:matter:{id}"`). In the browser, or
/// outside the frame, it is simply `make()`.
pub fn once<T>(key: impl Into<String>, make: impl FnOnce() -> T) -> T
where
    T: Copy + Send + Sync + 'static,
{
    let Some((owner, made)) =
        use_context::<Made>().and_then(|m| Some((m.owner.upgrade()?, m.made)))
    else {
        return make();
    };
    let key = key.into();
    if let Some(found) =
        made.with_value(|m| m.get(&key).and_then(|v| v.downcast_ref::<T>().copied()))
    {
        return found;
    }
    let value = owner.with(make);
    made.update_value(|m| {
        m.insert(key, Box::new(value));
    });
    value
}
