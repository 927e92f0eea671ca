//! The shipped spec: every pattern parses, agrees with minicli's own parse,
//! and real command lines match the patterns minimega matches them to.

use minimega_spec::model::RawHandler;
use minimega_spec::{shipped, CompileError, Item, Line, MINIMEGA_JSON};

#[test]
fn every_pattern_of_the_shipped_spec_parses() {
    let spec = shipped();
    assert_eq!(spec.handlers().len(), 166);
    assert_eq!(spec.patterns().count(), 456);
}

#[test]
fn our_parse_agrees_with_minicli_parsed_patterns() {
    let raw: Vec<RawHandler> = serde_json::from_str(MINIMEGA_JSON).unwrap();
    let spec = shipped();
    for (raw, handler) in raw.iter().zip(spec.handlers()) {
        assert_eq!(raw.parsed_patterns.len(), handler.patterns.len());
        for (raw_items, pattern) in raw.parsed_patterns.iter().zip(&handler.patterns) {
            let ours: Vec<u32> = pattern.items.iter().map(Item::raw_kind).collect();
            let theirs: Vec<u32> = raw_items.iter().map(|item| item.kind).collect();
            assert_eq!(ours, theirs, "{}", pattern.text);
            for (item, raw_item) in pattern.items.iter().zip(raw_items) {
                match item {
                    Item::Value { key, .. }
                    | Item::List { key, .. }
                    | Item::Command { key, .. } => {
                        assert_eq!(Some(key), raw_item.key.as_ref(), "{}", pattern.text)
                    }
                    Item::Choice { options, .. } => {
                        assert_eq!(Some(options), raw_item.options.as_ref(), "{}", pattern.text)
                    }
                    Item::Literal(word) => {
                        assert_eq!(Some(word), raw_item.text.as_ref(), "{}", pattern.text)
                    }
                }
            }
        }
    }
}

fn matched(line: &str) -> String {
    let spec = shipped();
    match spec.compile(line) {
        Ok(Line::Command(m)) => spec.pattern(m.id).text.clone(),
        other => panic!("{line}: {other:?}"),
    }
}

#[test]
fn lines_from_a_real_session_match_their_patterns() {
    assert_eq!(matched("version"), "version");
    assert_eq!(matched(r#"echo "a b" c\#d "\"""#), "echo [args]...");
    assert_eq!(matched("vm config memory 128"), "vm config memory [value]");
    assert_eq!(
        matched("vm launch kvm vm[1-2]"),
        "vm launch <kvm,> <name or count> [config]"
    );
    assert_eq!(
        matched(".columns name,state,memory vm info"),
        ".columns <columns as csv> (command)"
    );
    assert_eq!(
        matched(".json true .columns name,state vm info"),
        ".json <true,false> (command)"
    );
    assert_eq!(
        matched("namespace bar vm config memory"),
        "namespace <name> (command)"
    );
    assert_eq!(matched("vm kill all"), "vm <kill,> <vm target>");
    assert_eq!(matched("clear namespace bar"), "clear namespace [name]");
    assert_eq!(matched("ns hosts"), "ns <hosts,>");
}

#[test]
fn abbreviations_resolve_like_minicli() {
    assert_eq!(matched("vm inf"), "vm info [summary,]");
    assert_eq!(
        matched("vm launch kv 3"),
        "vm launch <kvm,> <name or count> [config]"
    );
    assert_eq!(
        matched("cc tunnel close vm1 3"),
        "cc <tunnel,> <close,> <vm name or uuid> <id>"
    );
    assert_eq!(
        matched("cc tunnel vm1 80 host 8080"),
        "cc <tunnel,> <vm name or uuid> <src port> <host> <dst port>"
    );
}

#[test]
fn invalid_lines_are_rejected_with_minimegas_message() {
    let spec = shipped();
    for line in [
        "vm launch kvm",
        "bogus command",
        "vm",
        "vm launch kvm 1 cfg extra",
    ] {
        assert_eq!(
            spec.compile(line),
            Err(CompileError::Invalid(line.to_owned())),
            "{line}"
        );
    }
    assert_eq!(spec.compile("# only a comment"), Ok(Line::Comment));
    assert_eq!(spec.compile("   "), Ok(Line::Empty));
    assert!(matches!(
        spec.compile("echo \"open"),
        Err(CompileError::Lex(_))
    ));
}

#[test]
fn broken_specs_say_what_is_wrong() {
    use minimega_spec::{PatternError, Spec, SpecError};
    let err = Spec::from_json("[{\"patterns\": [\"a\"]},\n  oops]").unwrap_err();
    assert!(matches!(err, SpecError::Json { line: 2, .. }), "{err}");
    let err = Spec::from_json(r#"[{"shared_prefix": "a", "patterns": ["a <b"]}]"#).unwrap_err();
    assert_eq!(
        err,
        SpecError::Pattern {
            handler: 0,
            prefix: "a".into(),
            pattern: "a <b".into(),
            error: PatternError::Unterminated('>'),
        }
    );
    let err = Spec::from_json(r#"[{"patterns": ["a [b]", "a"]}]"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "patterns `a [b]` and `a` accept the same command lines"
    );
}
