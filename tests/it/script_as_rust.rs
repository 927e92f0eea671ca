//! `minimega-check --to-rust` of the project's own script
//! (`tests/scripts/web.mm`, written to `tests/generated/web_mm.rs` and kept
//! current by the checker's tests) compiles, runs, and sends the script's
//! lines.

#[path = "../generated/web_mm.rs"]
mod web_mm;

use minimega::mock::MockClient;
use minimega::spec::input;

#[test]
fn the_script_as_rust_sends_the_scripts_lines() {
    let mock = minimega::mock::MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    web_mm::web(&mut mm).unwrap();
    let script = minimega::script!("tests/scripts/web.mm");
    let written: Vec<String> = script
        .lines()
        .iter()
        .map(|(_, line)| input::join(&input::lex(line).unwrap()))
        .collect();
    assert_eq!(mock.commands(), written);
}
