//! Every pattern of the shipped spec, built through the generated API: the
//! rendered line must lex back to the same tokens and match exactly that
//! pattern under minicli's rules, with every argument in its place.
//!
//! The calls come from `tests/generated/every_pattern_calls.rs`, which
//! `cargo run -p minimega-codegen --bin api-map` writes from the same named
//! API the macro expands (`api_map_is_fresh` keeps it current).

use minimega::prelude::*;
use minimega::runtime::CommandLine;
use minimega::spec::{input, shipped, Item, Line, Match};

include!("generated/every_pattern_calls.rs");

/// An argument value that needs every kind of quoting minicli has.
fn value(key: &str) -> String {
    format!("{key} \"x\" 'y' #z \\ é\t\n")
}

fn list(key: &str) -> Vec<String> {
    vec![format!("{key} one"), format!("{key}#two"), String::new()]
}

fn check_arguments(pattern: &str, m: &Match) {
    let spec = shipped();
    for item in &spec.pattern(m.id).items {
        match item {
            Item::Value { key, optional, .. } => {
                let got = m.value(key);
                assert!(
                    got == Some(value(key).as_str()) || (*optional && got.is_none()),
                    "{pattern}: `{key}` arrived as {got:?}"
                );
            }
            Item::List { key, optional, .. } => {
                let got = m.list(key);
                assert!(
                    got == list(key).as_slice() || (*optional && got.is_empty()),
                    "{pattern}: `{key}` arrived as {got:?}"
                );
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
fn every_pattern_renders_to_a_line_minimega_matches_to_it() {
    let spec = shipped();
    let cases = every_pattern();
    let mut seen = std::collections::BTreeSet::new();
    for (pattern, line) in &cases {
        let rendered = line.render().unwrap();
        assert_eq!(&input::lex(&rendered).unwrap(), line.tokens(), "{rendered}");
        let Ok(Line::Command(m)) = spec.compile(&rendered) else {
            panic!("{pattern}: `{rendered}` does not compile");
        };
        assert_eq!(spec.pattern(m.id).text, *pattern, "`{rendered}`");
        check_arguments(pattern, &m);
        seen.insert(m.id);
    }
    assert_eq!(
        seen.len(),
        spec.patterns().count(),
        "every pattern is reached"
    );
    println!(
        "{} command lines checked, {} patterns",
        cases.len(),
        seen.len()
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
