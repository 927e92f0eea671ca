//! [`CommandLine`]: the tokens of one command line, each with where it came
//! from, and the first argument problem met while building it.

use std::fmt;

use minimega_spec::input;

use crate::arg::{ArgumentError, Origin};

/// The tokens of one command line, each exactly one minicli token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandLine {
    tokens: Vec<String>,
    origins: Vec<Origin>,
    problem: Option<ArgumentError>,
    /// Where the outermost nested command starts, for a line built by the
    /// typed API or prefixed by the client (a hand-written line's nesting
    /// is only known by matching it).
    nested_from: Option<usize>,
}

impl CommandLine {
    /// A hand-written line of the given tokens; minimega treats them as its
    /// own CLI would (`$VAR` and `file:` expand).
    pub fn from_tokens<I, S>(tokens: I) -> CommandLine
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let tokens: Vec<String> = tokens.into_iter().map(Into::into).collect();
        CommandLine {
            origins: vec![Origin::Raw; tokens.len()],
            tokens,
            problem: None,
            nested_from: None,
        }
    }

    /// The tokens, unquoted.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// The first argument that could not be put on the line, if any.
    pub fn problem(&self) -> Option<&ArgumentError> {
        self.problem.as_ref()
    }

    /// The line as minimega reads it: every token quoted where needed, so
    /// that each argument stays exactly one token.
    pub fn render(&self) -> Result<String, ArgumentError> {
        match &self.problem {
            Some(problem) => Err(problem.clone()),
            None => Ok(input::join(&self.tokens)),
        }
    }

    /// This line with `prefix` words in front, as used to run it in a
    /// namespace or on other hosts.
    pub fn prefixed<I, S>(mut self, prefix: I) -> CommandLine
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut tokens: Vec<String> = prefix.into_iter().map(Into::into).collect();
        let mut origins = vec![Origin::Word; tokens.len()];
        // The prefix is a command whose `(command)` is this whole line.
        let nested_from = Some(tokens.len());
        tokens.append(&mut self.tokens);
        origins.append(&mut self.origins);
        CommandLine {
            tokens,
            origins,
            problem: self.problem,
            nested_from,
        }
    }

    /// Whether every token came from the typed API or the client (none was
    /// written by hand), so that the line is a form of the spec its API was
    /// generated from and its nesting is known.
    pub(crate) fn is_typed(&self) -> bool {
        !self.origins.contains(&Origin::Raw)
    }

    /// Where the outermost nested command starts, if the line is typed and
    /// has one.
    pub(crate) fn nested_from(&self) -> Option<usize> {
        self.nested_from
    }

    /// Each token with where it came from.
    pub(crate) fn tokens_with_origin(&self) -> impl Iterator<Item = (&str, Origin)> + Clone {
        self.tokens
            .iter()
            .map(String::as_str)
            .zip(self.origins.iter().copied())
    }

    /// Appends `nested`, the command of a `(command)` slot.
    pub(crate) fn append_nested(&mut self, nested: CommandLine) {
        // A `(command)` slot is a pattern's last item: the first one filled
        // is the outermost.
        self.nested_from.get_or_insert(self.tokens.len());
        self.tokens.extend(nested.tokens);
        self.origins.extend(nested.origins);
        if let Some(problem) = nested.problem {
            self.note(problem);
        }
    }

    /// Appends one token and where it came from.
    pub(crate) fn push(&mut self, token: String, origin: Origin) {
        self.tokens.push(token);
        self.origins.push(origin);
    }

    /// Keeps `problem` unless the line already has one: the first is
    /// the one reported.
    pub(crate) fn note(&mut self, problem: ArgumentError) {
        if self.problem.is_none() {
            self.problem = Some(problem);
        }
    }
}

impl fmt::Display for CommandLine {
    /// Writes the rendered line; an argument problem is written as a
    /// comment after it, so a broken line never passes for a valid one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&input::join(&self.tokens))?;
        if let Some(problem) = &self.problem {
            write!(f, " # error: {problem}")?;
        }
        Ok(())
    }
}
