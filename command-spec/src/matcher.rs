//! Matching a tokenized command line against the spec, with minicli's rules.
//!
//! Patterns are indexed in a trie, one edge per item (a choice becomes one
//! edge per option). A literal or choice matches any prefix of its word; a
//! value matches any token; a list or nested command takes the rest of the
//! line. Where several branches match, the one whose words were all typed in
//! full wins; two full matches, or several abbreviated ones, are ambiguous and
//! the line is invalid, as in minicli.

use std::collections::{BTreeMap, BTreeSet};

use crate::pattern::Item;

/// Where a pattern lives in the spec: handler index and pattern index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PatternId {
    /// Index of the handler in the spec.
    pub handler: usize,
    /// Index of the pattern in its handler.
    pub pattern: usize,
}

/// A command line matched to one pattern, with its arguments by key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    /// The pattern the line matched.
    pub id: PatternId,
    /// Free string arguments, by key.
    pub values: BTreeMap<String, String>,
    /// The choice options the line picked, written in full.
    pub choices: BTreeSet<String>,
    /// List arguments, by key.
    pub lists: BTreeMap<String, Vec<String>>,
    /// The nested command, for patterns ending in `(command)`.
    pub subcommand: Option<Box<Match>>,
    /// Whether every literal and choice was typed in full.
    exact: bool,
}

impl Match {
    fn new(id: PatternId) -> Match {
        Match {
            id,
            values: BTreeMap::new(),
            choices: BTreeSet::new(),
            lists: BTreeMap::new(),
            subcommand: None,
            exact: true,
        }
    }

    /// The string argument `key`, if the line gave one.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// Whether the line picked the choice option `option`.
    pub fn chose(&self, option: &str) -> bool {
        self.choices.contains(option)
    }

    /// The list argument `key`, empty if the line gave none.
    pub fn list(&self, key: &str) -> &[String] {
        self.lists.get(key).map_or(&[], Vec::as_slice)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum EdgeKind {
    Literal,
    Choice,
    Value,
    List,
    Command,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Edge {
    kind: EdgeKind,
    optional: bool,
    /// The word for literals and choice options, the key otherwise.
    word: String,
}

/// Two patterns that would end at the same place, so minicli could not tell
/// them apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The pattern registered first.
    pub first: PatternId,
    /// The pattern that collided with it.
    pub second: PatternId,
}

/// The trie of all patterns of a spec.
#[derive(Debug, Default, Clone)]
pub struct Trie {
    end: Option<PatternId>,
    children: Vec<(Edge, Trie)>,
    /// Each child's item as the first pattern through it wrote it
    /// (`<name or count>`), for messages.
    shown: Vec<String>,
}

impl Trie {
    /// Adds one pattern.
    pub fn add(&mut self, items: &[Item], id: PatternId) -> Result<(), Conflict> {
        let Some((item, rest)) = items.split_first() else {
            return self.set_end(id);
        };
        if item.is_optional() {
            self.set_end(id)?;
        }
        let optional = item.is_optional();
        let shown = item.to_string();
        let edges: Vec<Edge> = match item {
            Item::Literal(word) => vec![Edge {
                kind: EdgeKind::Literal,
                optional,
                word: word.clone(),
            }],
            Item::Choice { options, .. } => options
                .iter()
                .map(|o| Edge {
                    kind: EdgeKind::Choice,
                    optional,
                    word: o.clone(),
                })
                .collect(),
            Item::Value { key, .. } => vec![Edge {
                kind: EdgeKind::Value,
                optional,
                word: key.clone(),
            }],
            Item::List { key, .. } => vec![Edge {
                kind: EdgeKind::List,
                optional,
                word: key.clone(),
            }],
            Item::Command { key, .. } => vec![Edge {
                kind: EdgeKind::Command,
                optional,
                word: key.clone(),
            }],
        };
        for edge in edges {
            self.child(edge, &shown).add(rest, id)?;
        }
        Ok(())
    }

    fn set_end(&mut self, id: PatternId) -> Result<(), Conflict> {
        match self.end {
            Some(first) => Err(Conflict { first, second: id }),
            None => {
                self.end = Some(id);
                Ok(())
            }
        }
    }

    fn child(&mut self, edge: Edge, shown: &str) -> &mut Trie {
        let index = match self.children.iter().position(|(e, _)| *e == edge) {
            Some(index) => index,
            None => {
                let shown = match edge.kind {
                    EdgeKind::Choice => edge.word.clone(),
                    _ => shown.to_owned(),
                };
                self.children.push((edge, Trie::default()));
                self.shown.push(shown);
                self.children.len() - 1
            }
        };
        &mut self.children[index].1
    }

    /// Matches a tokenized line; `None` if no pattern, or more than one,
    /// matches it.
    pub fn compile(&self, tokens: &[String]) -> Option<Match> {
        self.compile_at(self, tokens)
    }

    fn compile_at(&self, root: &Trie, tokens: &[String]) -> Option<Match> {
        let Some((first, rest)) = tokens.split_first() else {
            return self.end.map(Match::new);
        };
        let mut found: Vec<Match> = Vec::new();
        for (edge, next) in &self.children {
            let matched = match edge.kind {
                EdgeKind::Literal | EdgeKind::Choice => {
                    if !edge.word.starts_with(first.as_str()) {
                        continue;
                    }
                    next.compile_at(root, rest).map(|mut m| {
                        m.exact &= edge.word.len() == first.len();
                        if edge.kind == EdgeKind::Choice {
                            m.choices.insert(edge.word.clone());
                        }
                        m
                    })
                }
                EdgeKind::Value => next.compile_at(root, rest).map(|mut m| {
                    m.values.insert(edge.word.clone(), first.clone());
                    m
                }),
                EdgeKind::List => next.end.map(|id| {
                    let mut m = Match::new(id);
                    m.lists.insert(edge.word.clone(), tokens.to_vec());
                    m
                }),
                EdgeKind::Command => next.end.and_then(|id| {
                    let sub = root.compile_at(root, tokens)?;
                    let mut m = Match::new(id);
                    m.subcommand = Some(Box::new(sub));
                    Some(m)
                }),
            };
            found.extend(matched);
        }
        if found.len() == 1 {
            return found.pop();
        }
        let mut exact = found.into_iter().filter(|m| m.exact);
        match (exact.next(), exact.next()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    }

    /// Why a tokenized line that [`Trie::compile`] rejected is not a
    /// command: the first token no pattern takes, or the end of a line that
    /// stopped too soon, with what could have come there. Where a nested
    /// command is at fault, that is the place named.
    pub fn diagnose(&self, tokens: &[String]) -> Mismatch {
        let mut walk = Walk {
            root: self,
            failure: None,
            ambiguous: None,
        };
        let accepted = walk.run(tokens, 0);
        let failure = if accepted { None } else { walk.failure };
        failure.or(walk.ambiguous).unwrap_or(Mismatch {
            at: 0,
            reason: Reason::Ambiguous(Vec::new()),
            expected: Vec::new(),
            complete_before: false,
            command_start: false,
        })
    }
}

/// Why a line is not a command of the spec (see [`Trie::diagnose`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The index of the token at fault; the number of tokens when the line
    /// ended too soon.
    pub at: usize,
    /// What went wrong there.
    pub reason: Reason,
    /// What the patterns take at that point, in spec order.
    pub expected: Vec<Expected>,
    /// Whether the tokens before `at` are already a whole command.
    pub complete_before: bool,
    /// Whether a command starts at `at`: the line's first token, or a
    /// nested command's.
    pub command_start: bool,
}

/// What went wrong at a [`Mismatch`]'s token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// No pattern takes this token here.
    Unexpected,
    /// The line ends before the command is whole.
    Unfinished,
    /// The token is the start of several words (listed), none typed in
    /// full, so minicli cannot tell which is meant; empty when the line as
    /// a whole matches more than one pattern.
    Ambiguous(Vec<String>),
}

/// Something a pattern takes at a point of a line.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Expected {
    /// A word: a literal, or one option of a choice.
    Word(String),
    /// A value or a list, as the pattern writes it (`<name or count>`,
    /// `[config]`, `<command>...`).
    Argument(String),
    /// A nested command, as the pattern writes it (`(command)`).
    Command(String),
}

impl std::fmt::Display for Expected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expected::Word(word) => write!(f, "`{word}`"),
            Expected::Argument(shown) | Expected::Command(shown) => write!(f, "`{shown}`"),
        }
    }
}

/// A walk of every path a line could take, noting the furthest failure.
struct Walk<'t> {
    root: &'t Trie,
    failure: Option<Mismatch>,
    ambiguous: Option<Mismatch>,
}

impl<'t> Walk<'t> {
    /// Whether some path takes the whole of `tokens`, a line (or a nested
    /// command) whose first token is the line's token `offset`.
    fn run(&mut self, tokens: &[String], offset: usize) -> bool {
        let mut states: Vec<&'t Trie> = vec![self.root];
        let mut accepted = false;
        for (i, token) in tokens.iter().enumerate() {
            let mut next: Vec<&'t Trie> = Vec::new();
            let mut words: Vec<&str> = Vec::new();
            let mut exact = false;
            for &state in &states {
                for (edge, child) in &state.children {
                    match edge.kind {
                        EdgeKind::Literal | EdgeKind::Choice => {
                            if edge.word.starts_with(token.as_str()) {
                                exact |= edge.word == *token;
                                words.push(&edge.word);
                                push_unique(&mut next, child);
                            }
                        }
                        EdgeKind::Value => push_unique(&mut next, child),
                        EdgeKind::List => accepted |= child.end.is_some(),
                        EdgeKind::Command => {
                            accepted |= child.end.is_some() && self.run(&tokens[i..], offset + i);
                        }
                    }
                }
            }
            words.sort_unstable();
            words.dedup();
            if words.len() > 1 && !exact && self.ambiguous.is_none() {
                self.ambiguous = Some(Mismatch {
                    at: offset + i,
                    reason: Reason::Ambiguous(words.iter().map(|w| (*w).to_owned()).collect()),
                    expected: Vec::new(),
                    complete_before: false,
                    command_start: i == 0,
                });
            }
            if next.is_empty() {
                if !accepted {
                    self.note(offset + i, i == 0, Reason::Unexpected, &states);
                }
                return accepted;
            }
            states = next;
        }
        if states.iter().any(|s| s.end.is_some()) {
            return true;
        }
        if !accepted {
            let start = tokens.is_empty();
            self.note(offset + tokens.len(), start, Reason::Unfinished, &states);
        }
        accepted
    }

    /// Keeps the failure furthest along the line (the first of equals).
    fn note(&mut self, at: usize, command_start: bool, reason: Reason, states: &[&Trie]) {
        if self.failure.as_ref().is_some_and(|f| f.at >= at) {
            return;
        }
        let mut expected: Vec<Expected> = Vec::new();
        for state in states {
            for ((edge, _), shown) in state.children.iter().zip(&state.shown) {
                let item = match edge.kind {
                    EdgeKind::Literal | EdgeKind::Choice => Expected::Word(edge.word.clone()),
                    EdgeKind::Value | EdgeKind::List => Expected::Argument(shown.clone()),
                    EdgeKind::Command => Expected::Command(shown.clone()),
                };
                if !expected.contains(&item) {
                    expected.push(item);
                }
            }
        }
        self.failure = Some(Mismatch {
            at,
            reason,
            expected,
            complete_before: states.iter().any(|s| s.end.is_some()),
            command_start,
        });
    }
}

fn push_unique<'t>(states: &mut Vec<&'t Trie>, state: &'t Trie) {
    if !states.iter().any(|s| std::ptr::eq(*s, state)) {
        states.push(state);
    }
}
