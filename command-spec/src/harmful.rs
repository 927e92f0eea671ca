//! Argument values minimega acts on without checking them, where a bad one
//! ends the daemon for every client or reaches outside its directories.
//!
//! minimega turns some arguments into files and directories under its
//! base directory, and trusts some numbers it makes buffers of. These are
//! the ones a client can send that minimega 3.1.0 does not check (each was
//! seen to harm a real daemon, or read in its source):
//!
//! | command (its words) | argument | rule | what minimega does with a bad value |
//! |---|---|---|---|
//! | `namespace …` | `name` | [`ValueRule::FileName`] | makes `files/<name>/miniccc_responses`: a name over 255 bytes, or one that names a file, ends the daemon; `.` shares the default namespace's responses, `..` puts them in the base directory |
//! | `clear namespace …` | `name` | [`ValueRule::FileName`] | the same directory, and with no check at all: `../minimega.pid/x` ends the daemon, `../../x` is made outside the base directory |
//! | `vm config uuid` | `value` | [`ValueRule::FileName`] | links `namespaces/<ns>/<uuid>` at launch and deletes it at flush: `../../../../etc/passwd` deletes that file |
//! | `file get`, `file stream`, `file delete` | `file` | [`ValueRule::Contained`] | `file stream ../x` reads outside the files directory |
//! | `cc send`, `cc recv` | `file` | [`ValueRule::Contained`] | `cc send ../x` sends a file from outside the files directory |
//! | `disk inject …` | `files` | [`ValueRule::InsideImage`] | deletes or writes the path joined to the image's mount point: `../x` is outside the image |
//! | `log ring` | `size` | [`ValueRule::AtLeastOne`] | `0` or less makes a ring of nothing, and the next log line ends the daemon |
//!
//! The same table serves every route a value can take: the typed API
//! checks a value as it is given ([`rule_for`], from the words before it),
//! and the runtime checks a hand-written line, and every command nested in
//! it, once matched ([`bad_value_in`]).
//!
//! ```
//! use minimega_spec::{harmful, Line};
//!
//! let spec = minimega_spec::shipped();
//! let Line::Command(m) = spec.compile("clear namespace ../../x").unwrap() else { panic!() };
//! let bad = harmful::bad_value_in(spec, &m).unwrap();
//! assert_eq!((bad.key, bad.value.as_str()), ("name", "../../x"));
//! assert!(harmful::rule_for(["log", "ring"], "size").is_some());
//! ```

use std::fmt;

use crate::matcher::Match;
use crate::pattern::Item;
use crate::spec::Spec;

/// The longest file name: a longer one makes minimega's `mkdir` fail, and
/// minimega exits on that failure.
pub const MAX_FILE_NAME: usize = 255;

/// What a value must be for minimega to survive it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueRule {
    /// A name minimega makes a file or directory of: minimega's own name
    /// rule (`^[a-zA-Z0-9-_.]+$`), not `.` or `..`, at most
    /// [`MAX_FILE_NAME`] bytes.
    FileName,
    /// A path minimega looks up under its files directory: no `..` step
    /// that would climb out of it.
    Contained,
    /// A `disk inject` file: the path inside the image (after the `:` of a
    /// `src:dst` pair) has no `..` step that would climb out of the image.
    InsideImage,
    /// A whole number of at least 1.
    AtLeastOne,
}

/// Why a value breaks its rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BadValue {
    /// The value is empty.
    #[error("it is empty")]
    Empty,
    /// The value is longer than a file name can be.
    #[error("it is {0} bytes long, and a file name holds at most {MAX_FILE_NAME}")]
    TooLong(usize),
    /// The value holds a character outside minimega's name rule.
    #[error("it holds {0:?}; a name holds only letters, digits, `-`, `_` and `.`")]
    NotANameCharacter(char),
    /// The value is `.` or `..`, which name directories that exist already.
    #[error("`.` and `..` name the directory itself or its parent")]
    DotName,
    /// The value has a `..` step.
    #[error("a `..` step climbs out of the directory minimega keeps it in")]
    Climbs,
    /// The value is not a whole number of at least 1.
    #[error("it must be a whole number of at least 1")]
    NotAtLeastOne,
}

impl ValueRule {
    /// Whether `value` keeps this rule.
    pub fn check(self, value: &str) -> Result<(), BadValue> {
        match self {
            ValueRule::FileName => file_name(value),
            ValueRule::Contained => no_climbing(value),
            ValueRule::InsideImage => {
                // `src:dst` pairs put `dst` in the image; a lone path is
                // one to delete from it.
                let inside = value.split_once(':').map_or(value, |(_, dst)| dst);
                no_climbing(inside)
            }
            ValueRule::AtLeastOne => match value.trim().parse::<i64>() {
                Ok(n) if n >= 1 => Ok(()),
                // A number too large for minimega to read is its own error.
                Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => Ok(()),
                _ => Err(BadValue::NotAtLeastOne),
            },
        }
    }
}

impl fmt::Display for ValueRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValueRule::FileName => "minimega makes a file or directory of it",
            ValueRule::Contained => "minimega looks it up under its files directory",
            ValueRule::InsideImage => "minimega joins it to the image's mount point",
            ValueRule::AtLeastOne => "minimega makes a buffer of that size",
        })
    }
}

/// A character minimega's own name rule (`^[a-zA-Z0-9-_.]+$`, for VM and
/// namespace names) allows.
fn name_character(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// Whether minimega itself takes `name` as a VM or namespace name: its
/// rule `^[a-zA-Z0-9-_.]+$`, which lets `.`, `..` and names of any length
/// through ([`ValueRule::FileName`] does not).
pub fn minimega_accepts_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(name_character)
}

fn file_name(value: &str) -> Result<(), BadValue> {
    if value.is_empty() {
        return Err(BadValue::Empty);
    }
    if let Some(c) = value.chars().find(|c| !name_character(*c)) {
        return Err(BadValue::NotANameCharacter(c));
    }
    if value == "." || value == ".." {
        return Err(BadValue::DotName);
    }
    if value.len() > MAX_FILE_NAME {
        return Err(BadValue::TooLong(value.len()));
    }
    Ok(())
}

fn no_climbing(path: &str) -> Result<(), BadValue> {
    if path.split('/').any(|step| step == "..") {
        Err(BadValue::Climbs)
    } else {
        Ok(())
    }
}

/// The rules: the command's first words (literal words and chosen
/// options, arguments left out), the argument's key, and its rule.
const RULES: &[(&[&str], &str, ValueRule)] = &[
    (&["namespace"], "name", ValueRule::FileName),
    (&["clear", "namespace"], "name", ValueRule::FileName),
    (&["vm", "config", "uuid"], "value", ValueRule::FileName),
    (&["file"], "file", ValueRule::Contained),
    (&["cc"], "file", ValueRule::Contained),
    (&["disk", "inject"], "files", ValueRule::InsideImage),
    (&["log", "ring"], "size", ValueRule::AtLeastOne),
];

/// The rule for argument `key` of a command whose words before it (its
/// literal words and chosen options, in order, arguments left out) are
/// `words`.
pub fn rule_for<'w, W>(words: W, key: &str) -> Option<ValueRule>
where
    W: IntoIterator<Item = &'w str>,
    W::IntoIter: Clone,
{
    // Most keys have no rule; the words are walked, never collected, so a
    // typed argument costs no allocation here.
    let words = words.into_iter();
    RULES
        .iter()
        .filter(|(_, k, _)| *k == key)
        .find(|(start, _, _)| {
            let mut have = words.clone();
            start.iter().all(|want| have.next() == Some(*want))
        })
        .map(|(_, _, rule)| *rule)
}

/// A value that breaks its rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadArgument {
    /// The argument's key.
    pub key: &'static str,
    /// The value, as given.
    pub value: String,
    /// The rule it breaks.
    pub rule: ValueRule,
    /// How it breaks it.
    pub problem: BadValue,
}

impl fmt::Display for BadArgument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}, and {}", self.key, self.rule, self.problem)
    }
}

/// The first value of a matched line, or of a command nested in it, that
/// breaks its rule.
pub fn bad_value_in(spec: &Spec, found: &Match) -> Option<BadArgument> {
    let mut current = Some(found);
    while let Some(m) = current {
        if let Some(bad) = bad_value_of(spec, m) {
            return Some(bad);
        }
        current = m.subcommand.as_deref();
    }
    None
}

/// The first bad value of one matched command, nested ones left out.
fn bad_value_of(spec: &Spec, found: &Match) -> Option<BadArgument> {
    let mut words: Vec<&str> = Vec::new();
    for item in &spec.pattern(found.id).items {
        let (key, values) = match item {
            Item::Literal(word) => {
                words.push(word);
                continue;
            }
            Item::Choice { options, .. } => {
                words.extend(
                    options
                        .iter()
                        .filter(|o| found.chose(o))
                        .map(String::as_str),
                );
                continue;
            }
            Item::Value { key, .. } => (key, found.value(key).into_iter().collect::<Vec<_>>()),
            Item::List { key, .. } => (key, found.list(key).iter().map(String::as_str).collect()),
            Item::Command { .. } => break,
        };
        let Some(rule) = rule_for(words.iter().copied(), key) else {
            continue;
        };
        for value in values {
            if let Err(problem) = rule.check(value) {
                return Some(BadArgument {
                    key: static_key(key),
                    value: value.to_owned(),
                    rule,
                    problem,
                });
            }
        }
    }
    None
}

/// The rule table's own copy of `key`, so that a bad argument can name it
/// without borrowing the spec.
fn static_key(key: &str) -> &'static str {
    RULES
        .iter()
        .map(|(_, k, _)| *k)
        .find(|k| *k == key)
        .unwrap_or("argument")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Line;

    fn bad(line: &str) -> Option<BadValue> {
        let spec = crate::shipped();
        let Ok(Line::Command(m)) = spec.compile(line) else {
            panic!("{line} does not compile");
        };
        bad_value_in(spec, &m).map(|bad| bad.problem)
    }

    #[test]
    fn names_follow_minimegas_rule_and_stay_names() {
        let rule = ValueRule::FileName;
        for good in [
            "foo",
            "a-b_c.d",
            "X9",
            ".hidden",
            &"n".repeat(MAX_FILE_NAME),
        ] {
            assert_eq!(rule.check(good), Ok(()), "{good}");
        }
        assert_eq!(rule.check(""), Err(BadValue::Empty));
        assert_eq!(rule.check("."), Err(BadValue::DotName));
        assert_eq!(rule.check(".."), Err(BadValue::DotName));
        assert_eq!(rule.check("a/b"), Err(BadValue::NotANameCharacter('/')));
        assert_eq!(rule.check("é"), Err(BadValue::NotANameCharacter('é')));
        assert_eq!(rule.check(&"n".repeat(256)), Err(BadValue::TooLong(256)));
        // What minimega itself lets through, and the rule does not.
        assert!(minimega_accepts_name("..") && minimega_accepts_name(&"n".repeat(300)));
        assert!(!minimega_accepts_name("a/b") && !minimega_accepts_name(""));
    }

    #[test]
    fn paths_do_not_climb() {
        assert_eq!(ValueRule::Contained.check("a/b..c/d"), Ok(()));
        assert_eq!(ValueRule::Contained.check("/abs/file"), Ok(()));
        assert_eq!(ValueRule::Contained.check("../x"), Err(BadValue::Climbs));
        assert_eq!(
            ValueRule::Contained.check("a/../../x"),
            Err(BadValue::Climbs)
        );
        let image = ValueRule::InsideImage;
        assert_eq!(image.check("/host/../src:/etc/motd"), Ok(()));
        assert_eq!(image.check("/src:../../x"), Err(BadValue::Climbs));
        assert_eq!(image.check("/tmp/../../x"), Err(BadValue::Climbs));
    }

    #[test]
    fn sizes_are_at_least_one() {
        let rule = ValueRule::AtLeastOne;
        assert_eq!(rule.check("1"), Ok(()));
        assert_eq!(rule.check("99999999999999999999999"), Ok(()));
        for bad in ["0", "-1", "", "x"] {
            assert_eq!(rule.check(bad), Err(BadValue::NotAtLeastOne), "{bad}");
        }
    }

    #[test]
    fn every_rule_names_arguments_of_the_shipped_spec() {
        let spec = crate::shipped();
        for (words, key, _) in RULES {
            let found = spec.patterns().any(|(_, p)| {
                let mut taken = Vec::new();
                p.items.iter().any(|item| match item {
                    Item::Literal(w) => {
                        taken.push(w.as_str());
                        false
                    }
                    Item::Choice { options, .. } => {
                        taken.extend(options.iter().map(String::as_str));
                        false
                    }
                    Item::Value { key: k, .. } | Item::List { key: k, .. } => {
                        k == key && words.iter().all(|w| taken.contains(w))
                    }
                    Item::Command { .. } => false,
                })
            });
            assert!(found, "{words:?} {key}: no such argument in the spec");
        }
    }

    #[test]
    fn finds_bad_values_on_every_route_a_line_has() {
        use BadValue::*;
        let cases = [
            (
                "clear namespace ../minimega.pid/x",
                Some(NotANameCharacter('/')),
            ),
            ("clear namespace ..", Some(DotName)),
            ("namespace .", Some(DotName)),
            ("namespace . vm info", Some(DotName)),
            (".columns name namespace .. vm info", Some(DotName)),
            (
                "mesh send all clear namespace a/b",
                Some(NotANameCharacter('/')),
            ),
            ("ns run clear namespace ..", Some(DotName)),
            (
                "vm config uuid ../../etc/passwd",
                Some(NotANameCharacter('/')),
            ),
            ("file stream ../minimega.pid", Some(Climbs)),
            ("cc send a ../b", Some(Climbs)),
            ("disk inject x.qcow2 files /src:../../etc", Some(Climbs)),
            ("disk inject x.qcow2 delete files ../x", Some(Climbs)),
            ("log ring 0", Some(NotAtLeastOne)),
            ("log ring -1", Some(NotAtLeastOne)),
            ("namespace lab vm info", None),
            ("clear namespace lab", None),
            ("vm config uuid 3c4a0f3e-2b3d-4b1a-9c1e-0a1b2c3d4e5f", None),
            ("file stream images/a.qcow2", None),
            ("cc send a b", None),
            ("log ring 1000", None),
            ("log ring", None),
            ("vm config disks ../x.qcow2", None),
        ];
        for (line, want) in cases {
            assert_eq!(bad(line), want, "{line}");
        }
    }
}
