//! The method names the generator keeps free for `Complete` are exactly
//! `Complete`'s methods: each is called below on a complete command, so a
//! name in `COMPLETE_METHODS` without a method, or a method renamed, fails
//! here. A method added to `Complete` must be added to `COMPLETE_METHODS`
//! and to this file.

use minimega::prelude::*;
use minimega::runtime::{Client, RunOptions};
use minimega_codegen::COMPLETE_METHODS;

const CALLED: &[&str] = &[
    "as_builder",
    "command_line",
    "into_builder",
    "into_line",
    "on",
    "preview",
    "render",
    "run",
    "run_with",
    "stream",
    "stream_with",
];

/// Compiled, never run: it needs a minimega.
fn calls(mm: &mut Client) {
    let _ = Cmd.vm().info().as_builder();
    let _ = Cmd.vm().info().command_line();
    let _ = mm.vm().info().preview();
    let _ = Cmd.vm().info().into_builder();
    let _ = Cmd.vm().info().into_line();
    let _ = Cmd.vm().info().on(&mut *mm);
    let _ = Cmd.vm().info().render();
    let _ = mm.vm().info().run();
    let _ = mm.vm().info().run_with(RunOptions::new());
    let _ = mm.vm().info().stream();
    let _ = mm.vm().info().stream_with(RunOptions::new());
}

#[test]
fn reserved_names_are_the_methods_of_complete() {
    let _: fn(&mut Client) = calls;
    let mut reserved = COMPLETE_METHODS.to_vec();
    reserved.sort_unstable();
    assert_eq!(reserved, CALLED);
}
