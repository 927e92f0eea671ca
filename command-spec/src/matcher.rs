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
            self.child(edge).add(rest, id)?;
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

    fn child(&mut self, edge: Edge) -> &mut Trie {
        let index = match self.children.iter().position(|(e, _)| *e == edge) {
            Some(index) => index,
            None => {
                self.children.push((edge, Trie::default()));
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
}
