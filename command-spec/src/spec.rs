//! A validated spec: every pattern parsed, and all of them indexed for
//! matching command lines.

use std::fmt;

use crate::input::{self, LexError};
use crate::matcher::{Match, Mismatch, PatternId, Trie};
use crate::model::RawHandler;
use crate::pattern::{Pattern, PatternError};

/// One handler with its patterns parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handler {
    /// A one-line summary of the command.
    pub help_short: String,
    /// The full description of the command.
    pub help_long: String,
    /// The literal words all patterns start with.
    pub shared_prefix: String,
    /// The parsed patterns, in spec order.
    pub patterns: Vec<Pattern>,
}

/// Why a spec document cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// The document is not JSON of the `minimega -cli` shape.
    #[error("malformed spec at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line of the fault.
        line: usize,
        /// 1-based column of the fault.
        column: usize,
        /// What the JSON parser said.
        message: String,
    },
    /// A pattern breaks minicli's grammar.
    #[error("handler {handler} (`{prefix}`): invalid pattern `{pattern}`: {error}")]
    Pattern {
        /// Index of the handler in the spec.
        handler: usize,
        /// The handler's shared prefix, to find it by eye.
        prefix: String,
        /// The pattern as written.
        pattern: String,
        /// What is wrong with it.
        error: PatternError,
    },
    /// A handler without patterns.
    #[error("handler {handler} (`{prefix}`) has no patterns")]
    NoPatterns {
        /// Index of the handler in the spec.
        handler: usize,
        /// The handler's shared prefix.
        prefix: String,
    },
    /// Two patterns that accept exactly the same lines.
    #[error("patterns `{first}` and `{second}` accept the same command lines")]
    Conflict {
        /// The earlier pattern.
        first: String,
        /// The later pattern.
        second: String,
    },
}

/// Why a command line is not a command of the spec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// The line does not split into tokens.
    #[error("{0}")]
    Lex(#[from] LexError),
    /// No pattern, or more than one, matches the line; the message is
    /// minimega's own.
    #[error("invalid command: `{0}`")]
    Invalid(String),
}

/// What a command line amounts to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// Nothing but white space: minimega runs nothing and answers nothing.
    Empty,
    /// Only a comment: minimega runs nothing and answers with no responses.
    Comment,
    /// A command, matched to its pattern.
    Command(Match),
}

/// A validated command spec.
#[derive(Debug, Clone)]
pub struct Spec {
    handlers: Vec<Handler>,
    trie: Trie,
    version: Option<String>,
}

impl Spec {
    /// Reads and validates a spec in the format `minimega -cli` prints.
    pub fn from_json(json: &str) -> Result<Spec, SpecError> {
        let raw: Vec<RawHandler> = serde_json::from_str(json).map_err(|error| SpecError::Json {
            line: error.line(),
            column: error.column(),
            message: error.to_string(),
        })?;
        Spec::from_raw(raw)
    }

    /// Validates handlers already read.
    pub fn from_raw(raw: Vec<RawHandler>) -> Result<Spec, SpecError> {
        let mut handlers = Vec::with_capacity(raw.len());
        for (index, handler) in raw.into_iter().enumerate() {
            if handler.patterns.is_empty() {
                return Err(SpecError::NoPatterns {
                    handler: index,
                    prefix: handler.shared_prefix,
                });
            }
            let patterns = handler
                .patterns
                .iter()
                .map(|text| {
                    Pattern::parse(text).map_err(|error| SpecError::Pattern {
                        handler: index,
                        prefix: handler.shared_prefix.clone(),
                        pattern: text.clone(),
                        error,
                    })
                })
                .collect::<Result<_, _>>()?;
            handlers.push(Handler {
                help_short: handler.help_short,
                help_long: handler.help_long,
                shared_prefix: handler.shared_prefix,
                patterns,
            });
        }
        let mut trie = Trie::default();
        for (h, handler) in handlers.iter().enumerate() {
            for (p, pattern) in handler.patterns.iter().enumerate() {
                let id = PatternId {
                    handler: h,
                    pattern: p,
                };
                trie.add(&pattern.items, id).map_err(|conflict| {
                    let text =
                        |id: PatternId| handlers[id.handler].patterns[id.pattern].text.clone();
                    SpecError::Conflict {
                        first: text(conflict.first),
                        second: text(conflict.second),
                    }
                })?;
            }
        }
        Ok(Spec {
            handlers,
            trie,
            version: None,
        })
    }

    /// This spec, recorded as the spec of minimega `version` (as in
    /// `3.1.0`), so that a client can compare it with the server's.
    pub fn with_version(mut self, version: &str) -> Spec {
        self.version = Some(version.to_owned());
        self
    }

    /// The minimega version the spec was taken from, if it was recorded.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The handlers, in spec order.
    pub fn handlers(&self) -> &[Handler] {
        &self.handlers
    }

    /// The pattern with the given id.
    ///
    /// # Panics
    /// If `id` does not come from this spec.
    pub fn pattern(&self, id: PatternId) -> &Pattern {
        &self.handlers[id.handler].patterns[id.pattern]
    }

    /// Every pattern with its id, in spec order.
    pub fn patterns(&self) -> impl Iterator<Item = (PatternId, &Pattern)> {
        self.handlers.iter().enumerate().flat_map(|(h, handler)| {
            handler
                .patterns
                .iter()
                .enumerate()
                .map(move |(p, pattern)| {
                    (
                        PatternId {
                            handler: h,
                            pattern: p,
                        },
                        pattern,
                    )
                })
        })
    }

    /// Matches a command line as minimega would: lexed, then matched against
    /// every pattern.
    pub fn compile(&self, line: &str) -> Result<Line, CompileError> {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            return Ok(Line::Empty);
        }
        let tokens = input::lex(trimmed)?;
        if trimmed.starts_with('#') {
            return Ok(Line::Comment);
        }
        self.compile_tokens(&tokens)
            .map(Line::Command)
            .ok_or_else(|| CompileError::Invalid(trimmed.to_owned()))
    }

    /// Matches tokens already split, as [`Spec::compile`] does after lexing.
    pub fn compile_tokens(&self, tokens: &[String]) -> Option<Match> {
        self.trie.compile(tokens)
    }

    /// Why tokens that [`Spec::compile_tokens`] rejects are not a command:
    /// the token at fault and what could come there (see
    /// [`crate::check`] for the messages made of it).
    pub fn diagnose(&self, tokens: &[String]) -> Mismatch {
        self.trie.diagnose(tokens)
    }
}

impl fmt::Display for Handler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shared_prefix)
    }
}
