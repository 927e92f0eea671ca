//! The checker on lines and scripts of the shipped spec.

use super::explain::distance;
use super::*;

fn spec() -> &'static Spec {
    crate::shipped()
}

fn one(text: &str) -> Diagnostic {
    let mut found = line(spec(), text);
    assert_eq!(found.len(), 1, "{text}: {found:?}");
    found.remove(0)
}

fn at<'a>(text: &'a str, d: &Diagnostic) -> &'a str {
    &text[d.span.clone()]
}

#[test]
fn good_lines_blank_lines_and_comments_pass() {
    for text in [
        "vm launch kvm 5",
        "vm lau kvm 5",
        "  # a comment with a 'quote",
        "",
        "   ",
        "vm config disk $images/foo.qcow2",
        "vm config kernel file:vmlinuz # fetched by the daemon",
        "mesh send all vm info",
        ".columns name,state vm info",
    ] {
        assert_eq!(line(spec(), text), [], "{text}");
    }
}

#[test]
fn an_unknown_word_names_the_closest_and_what_may_follow() {
    let text = "vm lunch kvm 5";
    let d = one(text);
    assert_eq!(at(text, &d), "lunch");
    assert_eq!(d.message, "unknown word `lunch` after `vm`");
    assert_eq!(d.help[0], "did you mean `launch`?");
    assert!(d.help[1].starts_with("`vm` goes on with one of `"), "{d:?}");
    assert!(d.help[1].contains("more"), "{d:?}");
    let d = one("vmm info");
    assert_eq!(d.message, "unknown command `vmm`");
    assert_eq!(d.help, ["did you mean `vm`?"]);
}

#[test]
fn a_choice_not_offered_lists_the_offer() {
    let text = "log level verbose";
    let d = one(text);
    assert_eq!(at(text, &d), "verbose");
    assert_eq!(
        d.help.last().unwrap(),
        "`log level` goes on with one of `debug`, `info`, `warn`, `error` or `fatal`, or ends there"
    );
}

#[test]
fn an_unfinished_command_says_what_it_needs() {
    let text = "vm launch kvm";
    let d = one(text);
    assert_eq!(at(text, &d), "kvm");
    assert_eq!(d.message, "`vm launch kvm` is not a whole command");
    assert_eq!(d.help, ["it needs `<name or count>`"]);
    let d = one("mesh send all vm");
    assert_eq!(d.message, "`mesh send all vm` is not a whole command");
    assert!(d.help[0].starts_with("it goes on with one of"), "{d:?}");
    let d = one("mesh send all");
    assert_eq!(d.help, ["it needs `(command)`"]);
}

#[test]
fn extra_words_ambiguity_and_quotes() {
    let d = one("vm info summary extra");
    assert!(
        d.message.starts_with("`extra` is one word too many"),
        "{d:?}"
    );
    let text = "vm s all";
    let d = one(text);
    assert_eq!(at(text, &d), "s");
    assert!(
        d.message.starts_with("`s` is ambiguous: it could be"),
        "{d:?}"
    );
    let text = "echo \"unclosed";
    let d = one(text);
    assert_eq!(at(text, &d), "\"");
    assert_eq!(d.message, "this `\"` is never closed");
}

#[test]
fn placeholders_fit_values_only() {
    let tokens = |words: &[&str]| -> Vec<Spanned> {
        let mut at = 0;
        words
            .iter()
            .map(|w| {
                let span = at..at + w.len();
                at += w.len() + 1;
                Spanned {
                    text: (*w).to_owned(),
                    span,
                }
            })
            .collect()
    };
    let texts = |t: &[Spanned]| t.iter().map(|t| t.text.clone()).collect::<Vec<_>>();
    let good = tokens(&["vm", "launch", "kvm", PLACEHOLDER]);
    assert!(spec().compile_tokens(&texts(&good)).is_some());
    let bad = tokens(&["vm", PLACEHOLDER]);
    let d = explain(&bad, &spec().diagnose(&texts(&bad)));
    assert_eq!(
        d.message,
        "a placeholder stands for a value, and only a word fits after `vm`"
    );
    let bad = tokens(&[PLACEHOLDER]);
    let d = explain(&bad, &spec().diagnose(&texts(&bad)));
    assert_eq!(d.message, "a placeholder cannot be the command's name");
}

#[test]
fn scripts_refuse_read_and_warn_on_deprecated_commands() {
    let found = script(
        spec(),
        "# lab\r\nvm info\r\nread other.mm\nmesh send all read x.mm\nvm snapshot\nns snapshot\nvm config migrate\n",
    );
    let placed: Vec<(usize, usize, Severity)> = found
        .iter()
        .map(|f| (f.line, f.column, f.diagnostic.severity))
        .collect();
    assert_eq!(
        placed,
        [
            (3, 1, Severity::Error),
            (4, 15, Severity::Error),
            (5, 1, Severity::Warning),
            (6, 4, Severity::Warning),
            (7, 11, Severity::Warning),
        ]
    );
    assert!(found[2]
        .diagnostic
        .message
        .starts_with("`vm snapshot` is deprecated"));
    assert!(found[3]
        .diagnostic
        .message
        .starts_with("`snapshot` is deprecated"));
    assert!(found[4]
        .diagnostic
        .message
        .starts_with("`migrate` is deprecated"));
    assert_eq!(line(spec(), "read other.mm"), []);
    let rendered = found[0].render("lab.mm");
    assert_eq!(
        rendered,
        "lab.mm:3:1: error: minimega's `read` refuses to run `read` from a script\n    read other.mm\n    ^^^^\n    = help: run the other script from your own code, one `read` each\n"
    );
}

#[test]
fn an_alias_the_script_defined_is_named() {
    let found = script(spec(), ".alias vmr=vm info\nvmr\nmesh send all vmr\n");
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        found[0].diagnostic.help.last().unwrap(),
        "`vmr` is the alias defined on line 1: minimega's `read` does not expand aliases"
    );
    assert_eq!(
        found[1].diagnostic.message,
        "unknown command `vmr`, nested in `mesh send all`"
    );
}

#[test]
fn a_line_longer_than_read_takes_is_an_error() {
    let long = format!("echo {}", "x".repeat(MAX_SCRIPT_LINE));
    let found = script(spec(), &long);
    assert_eq!(found.len(), 1);
    assert!(found[0]
        .diagnostic
        .message
        .contains("longer than 65536 bytes"));
}

proptest::proptest! {
    #[test]
    fn any_line_is_checked_without_panicking(text in r#"[ a-z.#"'\\\u{0}{}é\t]{0,24}"#) {
        let _ = line(spec(), &text);
        let _ = script(spec(), &text);
    }

    #[test]
    fn words_of_the_spec_in_any_order_are_explained(
        words in proptest::collection::vec(
            proptest::sample::select(vec![
                "vm", "launch", "kvm", "la", "info", "mesh", "send", "all", "s", "x",
                ".json", "true", "cc", "exec", "namespace", "clear", PLACEHOLDER,
            ]),
            0..7,
        )
    ) {
        let tokens: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
        if spec().compile_tokens(&tokens).is_none() {
            let spanned: Vec<Spanned> = tokens
                .iter()
                .map(|t| Spanned { text: t.clone(), span: 0..0 })
                .collect();
            let d = explain(&spanned, &spec().diagnose(&tokens));
            proptest::prop_assert!(!d.message.is_empty());
        }
    }
}

#[test]
fn distances() {
    assert_eq!(distance("lunch", "launch"), 1);
    assert_eq!(distance("ifno", "info"), 1);
    assert_eq!(closest("strat", &["start", "stop"]), Some("start"));
    assert_eq!(closest("zzz", &["start", "stop"]), None);
}
