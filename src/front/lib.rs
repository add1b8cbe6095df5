//! The WebAssembly entry point: hydrate the page the server rendered.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    docket::hydrate();
}
