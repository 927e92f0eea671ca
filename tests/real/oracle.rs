//! Every line the every-pattern test builds through the typed API, parsed
//! by minimega's own `minicli` (the `oracle` program) and by this project's
//! matcher: both must name the same pattern and deliver every argument
//! unchanged.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use minimega::prelude::*;
use minimega::runtime::CommandLine;
use minimega::spec::{shipped, Line, Match};
use serde::Deserialize;

use crate::pattern_values::{list, value};
use crate::{count_values, Case, Tier};

include!("../generated/every_pattern_calls.rs");

pub fn cases() -> Vec<Case> {
    vec![Case {
        name: "every_built_line_parses_the_same_in_minicli",
        run: every_built_line_parses_the_same_in_minicli,
    }]
}

/// What `oracle -args` prints for a line after its pattern.
#[derive(Debug, Deserialize, PartialEq)]
struct Parsed {
    pattern: String,
    #[serde(default)]
    string_args: BTreeMap<String, String>,
    #[serde(default)]
    bool_args: BTreeMap<String, bool>,
    #[serde(default)]
    list_args: BTreeMap<String, Vec<String>>,
    sub: Option<Box<Parsed>>,
}

/// The project's match, in the oracle's terms.
fn ours(m: &Match) -> Parsed {
    Parsed {
        pattern: shipped().pattern(m.id).text.clone(),
        string_args: m.values.clone(),
        bool_args: m.choices.iter().map(|c| (c.clone(), true)).collect(),
        list_args: m.lists.clone(),
        sub: m.subcommand.as_deref().map(|sub| Box::new(ours(sub))),
    }
}

fn every_built_line_parses_the_same_in_minicli(tier: &Tier) {
    let Some(oracle) = &tier.oracle else {
        println!("  (skipped: no `oracle` beside the minimega binary; set MINIMEGA_ORACLE)");
        return;
    };
    let lines: Vec<String> = every_pattern()
        .iter()
        .map(|(_, _, line)| line.render().unwrap())
        .collect();
    let spec_file = Path::new(env!("CARGO_MANIFEST_DIR")).join("command-spec/minimega.json");
    let mut child = Command::new(oracle)
        .arg("-args")
        .arg(&spec_file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = lines.join("\n") + "\n";
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let mut answers = text.lines();
    assert_eq!(
        answers.next(),
        Some("validate: ok"),
        "the spec registers in minicli"
    );

    let mut arguments = 0;
    for line in &lines {
        let answer = answers
            .next()
            .unwrap_or_else(|| panic!("no answer for `{line}`"));
        let (pattern, json) = answer
            .split_once('\t')
            .unwrap_or_else(|| panic!("`{line}`: minicli says {answer}"));
        let theirs: Parsed = serde_json::from_str(json).unwrap();
        let Ok(Line::Command(m)) = shipped().compile(line) else {
            panic!("`{line}` does not compile here");
        };
        let ours = ours(&m);
        assert_eq!(pattern, ours.pattern, "`{line}`");
        assert_eq!(theirs, ours, "`{line}`");
        if let Some(sub) = &ours.sub {
            assert_eq!(sub.pattern, NESTED_PATTERN, "`{line}`: the nested command");
        }
        arguments += ours.string_args.len() + ours.list_args.values().map(Vec::len).sum::<usize>();
    }
    assert_eq!(answers.next(), None);
    count_values(arguments);
    println!(
        "  {} lines, {arguments} arguments: minicli and the project agree",
        lines.len()
    );
}
