//! Every generated form of every pattern of the shipped spec, built through
//! the generated API: the rendered line must lex back to the same tokens and
//! match exactly that pattern under minicli's rules, with every argument in
//! its place; and the forms that are not generated must be exactly those
//! that change minimega for every client.
//!
//! The calls come from `tests/generated/every_pattern_calls.rs`, generated
//! from the same named API the macro expands (`xtask`'s `generated_files` test
//! keeps it current).

use std::collections::BTreeSet;

use minimega::prelude::*;
use minimega::runtime::CommandLine;
use minimega::spec::{daemon_wide, input, shipped, Item, Line, Match};

use crate::support::pattern_values;

use pattern_values::{list, value};

include!("../generated/every_pattern_calls.rs");

fn check_arguments(pattern: &str, full: bool, m: &Match) {
    let spec = shipped();
    let items = &spec.pattern(m.id).items;
    for (index, item) in items.iter().enumerate() {
        let given = full || index + 1 < items.len();
        match item {
            Item::Value { key, .. } => {
                let got = m.value(key);
                let want = given.then(|| value(key));
                assert_eq!(got, want.as_deref(), "{pattern}: `{key}`");
            }
            Item::List { key, .. } => {
                let got = m.list(key);
                let want = if given { list(key) } else { Vec::new() };
                assert_eq!(got, want.as_slice(), "{pattern}: `{key}`");
            }
            Item::Command { .. } => {
                let sub = m.subcommand.as_ref().expect("a nested command");
                assert_eq!(spec.pattern(sub.id).text, NESTED_PATTERN, "{pattern}");
            }
            Item::Literal(_) | Item::Choice { .. } => {}
        }
    }
}

#[test]
fn every_form_renders_to_a_line_minimega_matches_to_it() {
    let spec = shipped();
    let cases = every_pattern();
    let mut built = BTreeSet::new();
    for (pattern, full, line) in &cases {
        let rendered = line.render().unwrap();
        assert_eq!(&input::lex(&rendered).unwrap(), line.tokens(), "{rendered}");
        let Ok(Line::Command(m)) = spec.compile(&rendered) else {
            panic!("{pattern}: `{rendered}` does not compile");
        };
        assert_eq!(spec.pattern(m.id).text, *pattern, "`{rendered}`");
        let tail_given = daemon_wide::tail_given(spec.pattern(m.id), &m);
        let has_tail = spec
            .pattern(m.id)
            .items
            .last()
            .is_some_and(Item::is_optional);
        assert_eq!(*full, !has_tail || tail_given, "`{rendered}`");
        check_arguments(pattern, *full, &m);
        built.insert((m.id, *full));
    }
    let mut every_form = BTreeSet::new();
    let mut refused = BTreeSet::new();
    for (id, pattern) in spec.patterns() {
        let has_tail = pattern.items.last().is_some_and(Item::is_optional);
        for full in [true, false].into_iter().filter(|full| *full || has_tail) {
            every_form.insert((id, full));
            if daemon_wide::refusal(pattern, full).is_some() {
                refused.insert((id, full));
            }
        }
    }
    let missing: BTreeSet<_> = every_form.difference(&built).copied().collect();
    assert_eq!(
        missing, refused,
        "exactly the refused forms are not generated"
    );
    println!(
        "{} command lines checked, {} of {} forms, {} refused",
        cases.len(),
        built.len(),
        every_form.len(),
        refused.len()
    );
}

#[test]
fn an_empty_required_list_is_an_error_not_a_line() {
    let err = Cmd.shell(Vec::<String>::new()).render().unwrap_err();
    assert_eq!(
        err.to_string(),
        "`command` needs at least one item (in `shell`)"
    );
    let nested = Cmd.mesh().send("all", Cmd.shell(Vec::<&str>::new()));
    assert!(
        nested.render().is_err(),
        "a problem inside a nested command surfaces"
    );
}

#[test]
fn a_list_reads_one_value_as_at_the_prompt_and_items_whole() {
    use minimega::runtime::ArgumentError;

    assert_eq!(
        Cmd.cc().exec("uname -a").render().unwrap(),
        "cc exec uname -a"
    );
    assert_eq!(
        Cmd.cc().exec(["uname", "-a"]).render().unwrap(),
        "cc exec uname -a"
    );
    assert_eq!(
        Cmd.cc()
            .background(r#"sh -c "sleep 1; echo 'a b'""#)
            .render(),
        Cmd.cc()
            .background(["sh", "-c", "sleep 1; echo 'a b'"])
            .render()
    );
    assert_eq!(
        Cmd.vm()
            .config()
            .qemu_append(r#"-append "console=ttyS0""#)
            .render()
            .unwrap(),
        r#"vm config qemu-append -append console=ttyS0"#
    );
    assert_eq!(
        Cmd.vm().config().disks("a.qcow2").render().unwrap(),
        "vm config disks a.qcow2"
    );
    assert_eq!(Cmd.shell(10).render().unwrap(), "shell 10");
    assert!(matches!(
        Cmd.cc().exec("echo 'open").render(),
        Err(ArgumentError::Unsplittable { key: "command", .. })
    ));
    assert!(matches!(
        Cmd.cc().exec("   ").render(),
        Err(ArgumentError::EmptyList { .. })
    ));
}
