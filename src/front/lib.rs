//! The WebAssembly entry point: hydrate the page the server rendered.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    docket::hydrate();
}

/// Room for the splitter (`cargo leptos build --split`, wasm_split_cli_support 0.2). It moves each
/// piece of read-only data into the module that uses it, aligning each module's part, and when
/// that comes out even a few bytes longer than the linker's segment it gives up and leaves all of
/// the data in the main module: 156 kB of read-only data (the pages' text, tables, panic
/// locations) that only split code uses, 48 kB brotli of the main module; each page's first
/// visit is 23–41 kB smaller with this room (measured: 623 bytes over with a module per page).
/// These bytes are kept by the linker (`#[used]`) but used by no code, so the splitter emits them
/// nowhere and the layout has this much to spare. `tools/dev.sh` stops the release build if it
/// happens again.
#[used]
static SPLIT_SLACK: [u8; 16 * 1024] = [0x5a; 16 * 1024];
