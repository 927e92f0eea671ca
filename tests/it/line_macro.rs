//! `cmd!`: a minimega line, checked while compiling, is the typed command
//! the builders make.

use minimega::prelude::*;
use minimega::runtime::{Complete, Expand};

#[test]
fn a_line_is_the_builders_command() {
    assert_eq!(
        minimega::cmd!("vm launch kvm 5").render().unwrap(),
        Cmd.vm().launch().kvm(5).render().unwrap()
    );
    let count = 10;
    assert_eq!(
        minimega::cmd!("vm lau kvm {count} web").render().unwrap(),
        "vm launch kvm 10 web"
    );
    assert_eq!(
        minimega::cmd!("vm config memory {}", 2048)
            .render()
            .unwrap(),
        "vm config memory 2048"
    );
    assert_eq!(
        minimega::cmd!("mesh send all vm info").render().unwrap(),
        Cmd.mesh().send("all", Cmd.vm().info()).render().unwrap()
    );
    assert_eq!(
        minimega::cmd!(".columns name,state vm info")
            .render()
            .unwrap(),
        ".columns name,state vm info"
    );
}

#[test]
fn placeholders_are_values_as_the_builders_take_them() {
    let name = "db server";
    assert_eq!(
        minimega::cmd!("vm config hostname {name}")
            .render()
            .unwrap(),
        r#"vm config hostname "db server""#
    );
    // A list takes one value, an iterator, or words and values mixed.
    let words = vec!["ls", "-l"];
    assert_eq!(
        minimega::cmd!("cc exec {words}").render().unwrap(),
        "cc exec ls -l"
    );
    let dir = "/tmp";
    assert_eq!(
        minimega::cmd!("cc exec ls {dir}").render().unwrap(),
        "cc exec ls /tmp"
    );
    // Values arrive as written unless wrapped in `Expand`, as with the builders.
    let kept = minimega::cmd!("vm config kernel {}", "file:vmlinuz");
    let expanded = minimega::cmd!("vm config kernel {}", Expand("file:vmlinuz"));
    let mock = minimega::mock::MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    assert_eq!(
        kept.on(&mut mm).preview().unwrap(),
        ".preprocess false vm config kernel file:vmlinuz"
    );
    assert_eq!(
        expanded.on(&mut mm).preview().unwrap(),
        "vm config kernel file:vmlinuz"
    );
}

#[test]
fn a_line_runs_on_a_client_or_a_namespace() {
    let mock = minimega::mock::MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    minimega::cmd!(mm, "vm launch kvm {}", 2).run().unwrap();
    let rows = minimega::cmd!(&mut mm, "vm info").run().unwrap();
    assert_eq!(rows.rows().count(), 2);
    let mut lab = mm.in_namespace("lab").unwrap();
    assert_eq!(
        minimega::cmd!(lab, "vm info").preview().unwrap(),
        "namespace lab vm info"
    );
}

#[test]
fn a_true_false_choice_takes_a_placeholder_as_the_builders_bool() {
    let on = false;
    assert_eq!(
        minimega::cmd!(".json {on} vm info").into_line(),
        Cmd.json(false, Cmd.vm().info()).into_line()
    );
    assert_eq!(
        minimega::cmd!("vm config snapshot {}", !on)
            .render()
            .unwrap(),
        Cmd.vm().config().snapshot(true).render().unwrap()
    );
    assert_eq!(
        minimega::cmd!(".csv {} .headers {on} vm info", on)
            .render()
            .unwrap(),
        ".csv false .headers false vm info"
    );
}

#[test]
fn an_argument_may_hold_commas_of_its_own() {
    use std::collections::HashMap;
    // The comma of `<u32, u32>` is the expression's, not the macro's.
    assert_eq!(
        minimega::cmd!(
            "vm config memory {}",
            HashMap::<u32, u32>::new().len() + 512,
        )
        .render()
        .unwrap(),
        "vm config memory 512"
    );
    assert_eq!(
        minimega::cmd!("vm launch kvm {} {}", 2, ["a", "b"].join(","))
            .render()
            .unwrap(),
        "vm launch kvm 2 a,b"
    );
}
