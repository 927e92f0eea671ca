//! `.mm` scripts checked while compiling (the `minimega::script!` macro),
//! run line by line on a client or a namespace handle.
//!
//! A [`Script`] holds the script's commands with their line numbers; the
//! macro has already matched every one against the spec. Each runs as a
//! hand-written line would (`$VAR` and `file:` left to minimega, as `read`
//! leaves them), through the target's checks and refusals, and each is
//! traced at debug level under the target `minimega` with its file and
//! line. [`Script::run`] stops at the first failing command, as minimega's
//! `read` does; [`Script::run_with`] can go on, and reports every line.

use std::fmt;

use crate::client::Client;
use crate::error::Error;
use crate::namespace::Namespace;
use crate::response::Responses;

/// A `.mm` script whose every line was checked while compiling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Script {
    name: &'static str,
    lines: &'static [(u32, &'static str)],
}

/// What runs a script's lines: a client or a namespace handle.
pub trait RunsLines {
    /// Runs one line written by hand, with the target's settings and
    /// checks (as its `run_line` does).
    fn run_script_line(&mut self, line: &str) -> Result<Responses, Error>;
}

impl RunsLines for Client {
    fn run_script_line(&mut self, line: &str) -> Result<Responses, Error> {
        self.run_line(line)
    }
}

impl RunsLines for Namespace<'_> {
    fn run_script_line(&mut self, line: &str) -> Result<Responses, Error> {
        self.run_line(line)
    }
}

/// What to do when a command of a script fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Stop there, as minimega's `read` does.
    #[default]
    Stop,
    /// Go on with the next line.
    Continue,
}

/// One line of a script, run.
#[derive(Debug)]
pub struct Step<'s> {
    /// The line's number in the file, from 1.
    pub line: u32,
    /// The command as written.
    pub command: &'static str,
    /// Its answer, or why it failed.
    pub result: &'s Result<Responses, Error>,
}

/// A command of a script that failed, with its place.
#[derive(Debug, thiserror::Error)]
#[error("{script}:{line}: `{command}`: {source}")]
pub struct ScriptError {
    /// The script's file name, as the macro was given it.
    pub script: &'static str,
    /// The line's number, from 1.
    pub line: u32,
    /// The command as written.
    pub command: &'static str,
    /// Why it failed (boxed, so that a script's result stays small).
    #[source]
    pub source: Box<Error>,
}

impl Script {
    /// A script of `lines` (line number, command). The `script!` macro
    /// makes it, once every line is checked.
    #[doc(hidden)]
    pub const fn new(name: &'static str, lines: &'static [(u32, &'static str)]) -> Script {
        Script { name, lines }
    }

    /// The file name, as the macro was given it.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The commands (blank lines and comments left out), each with its
    /// line number.
    pub fn lines(&self) -> &'static [(u32, &'static str)] {
        self.lines
    }

    /// Runs every command in order on `target`, and stops at the first that
    /// fails, as minimega's `read` does. Returns each command's answer.
    pub fn run(&self, target: &mut impl RunsLines) -> Result<Vec<Responses>, ScriptError> {
        let mut answers = Vec::with_capacity(self.lines.len());
        for &(line, command) in self.lines {
            let result = self.run_one(target, line, command);
            answers.push(result.map_err(|source| self.error(line, command, source))?);
        }
        Ok(answers)
    }

    /// Runs every command in order on `target`, calling `each` after each
    /// one; on a failure, stops (returning it) or goes on, as `on_error`
    /// says. Returns how many commands failed.
    pub fn run_with(
        &self,
        target: &mut impl RunsLines,
        on_error: OnError,
        mut each: impl FnMut(Step<'_>),
    ) -> Result<usize, ScriptError> {
        let mut failed = 0;
        for &(line, command) in self.lines {
            let result = self.run_one(target, line, command);
            each(Step {
                line,
                command,
                result: &result,
            });
            if let Err(source) = result {
                failed += 1;
                if on_error == OnError::Stop {
                    return Err(self.error(line, command, source));
                }
            }
        }
        Ok(failed)
    }

    fn run_one(
        &self,
        target: &mut impl RunsLines,
        line: u32,
        command: &str,
    ) -> Result<Responses, Error> {
        tracing::debug!(target: "minimega", script = self.name, line, command, "script line");
        target.run_script_line(command)
    }

    fn error(&self, line: u32, command: &'static str, source: Error) -> ScriptError {
        ScriptError {
            script: self.name,
            line,
            command,
            source: Box::new(source),
        }
    }
}

impl fmt::Display for Script {
    /// The script's commands, one a line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (_, command) in self.lines {
            writeln!(f, "{command}")?;
        }
        Ok(())
    }
}
