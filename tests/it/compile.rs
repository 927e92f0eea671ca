//! The generated code compiles, and misuse of it does not.
//!
//! - `tests/expansions/*.rs`: what `generate_api!` makes of small specs,
//!   generated (see `xtask`'s `generated_files` test), compiled here under
//!   `#![deny(warnings)]`;
//! - `tests/compile-fail/*.rs`: mistakes a user makes, each with the error
//!   they see in its `.stderr`. Compiler messages change between versions,
//!   so the comparison runs only on the version the files were blessed with
//!   (`TRYBUILD=overwrite` on that version re-blesses them).

use std::process::Command;

/// The `major.minor` of the rustc the `.stderr` files were written by.
const BLESSED_WITH: &str = "1.95";

/// The `major.minor` of the rustc that cargo runs.
fn rustc_version() -> Option<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = Command::new(rustc).arg("--version").output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let version = text.split_whitespace().nth(1)?;
    Some(version.split('.').take(2).collect::<Vec<_>>().join("."))
}

#[test]
fn expansions_compile_and_misuse_does_not() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/expansions/*.rs");
    match rustc_version() {
        Some(version) if version == BLESSED_WITH => cases.compile_fail("tests/compile-fail/*.rs"),
        found => println!(
            "skipped the compile-fail comparison: its .stderr files were blessed with rustc \
             {BLESSED_WITH}, this is rustc {}, and compiler messages differ between versions",
            found.as_deref().unwrap_or("of unknown version")
        ),
    }
}
