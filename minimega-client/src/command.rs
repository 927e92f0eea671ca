//! Commands as values: the target a command is built on, the [`Builder`]
//! every generated method is a thin wrapper around, the [`Complete`] trait
//! of whole commands, and [`Command`], a whole command given as a line.
//!
//! Each generated method pushes the words and arguments of one step of a
//! pattern. A builder whose words form a whole command implements
//! [`Complete`]; one that is only a prefix does not, so running it fails to
//! compile.

use minimega_spec::harmful;
use minimega_spec::input;

use crate::arg::{Arg, Args, ArgumentError, Origin};
use crate::error::Error;
use crate::excerpt::excerpt;
use crate::execute::{Execute, Target};
use crate::line::CommandLine;
use crate::options::RunOptions;

/// The start of a command that is not bound to a connection: for nesting in a
/// `(command)` slot, for writing scripts, and for tests. The `minimega`
/// crate's docs show it with the generated API (`Cmd.vm().info()`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cmd;

impl Target for Cmd {}

/// One word of a list's single value, expanding as the value would.
struct Word {
    text: String,
    expands: bool,
}

impl Arg for Word {
    fn to_arg(&self) -> String {
        self.text.clone()
    }

    fn expands(&self) -> bool {
        self.expands
    }
}

/// A command under construction: its target and its line so far.
///
/// Generated code calls these methods; scripts rarely need them.
#[derive(Debug, Clone)]
pub struct Builder<T> {
    target: T,
    line: CommandLine,
}

impl<T> Builder<T> {
    /// An empty command on `target`.
    pub fn new(target: T) -> Builder<T> {
        Builder {
            target,
            line: CommandLine::default(),
        }
    }

    /// Appends a literal word of the pattern.
    pub fn word(mut self, word: &str) -> Builder<T> {
        self.line.push(word.to_owned(), Origin::Word);
        self
    }

    /// Appends the argument `key`.
    pub fn arg(mut self, key: &'static str, value: impl Arg) -> Builder<T> {
        let expands = value.expands();
        let text = value.to_arg();
        if text.contains(char::REPLACEMENT_CHARACTER) {
            let value = excerpt(&text);
            self.line.note(ArgumentError::NotUtf8 { key, value });
        }
        // The words so far are the command's words before this argument.
        let words = (self.line.tokens_with_origin())
            .filter(|(_, origin)| *origin == Origin::Word)
            .map(|(token, _)| token);
        let rule = harmful::rule_for(words, key);
        self.line.push(text, Origin::Arg { key, expands, rule });
        self
    }

    /// Appends the optional last argument `key` of a pattern: as
    /// [`Builder::arg`], but an empty value fails when the command is
    /// rendered or run, since minimega would read it as not given.
    pub fn optional_arg(self, key: &'static str, value: impl Arg) -> Builder<T> {
        let mut built = self.arg(key, value);
        if built.line.tokens().last().is_some_and(String::is_empty) {
            let command = excerpt(&input::join(built.line.tokens()));
            built
                .line
                .note(ArgumentError::EmptyOptional { key, command });
        }
        built
    }

    /// Appends a `true,false` choice.
    pub fn flag(self, value: bool) -> Builder<T> {
        self.word(if value { "true" } else { "false" })
    }

    /// Appends a list that may be empty (`[key]...`): one value, split into
    /// words as at minimega's prompt, or any iterator of values, each one
    /// item (see [`Args`]).
    pub fn list<M, A: Args<M>>(mut self, key: &'static str, items: A) -> Builder<T> {
        for item in items.into_args() {
            self = if A::SPLIT {
                self.words(key, item)
            } else {
                self.arg(key, item)
            };
        }
        self
    }

    /// Appends the words of `value` as items of the list `key`, split as
    /// minimega's lexer splits a line; a value it cannot split (an open
    /// quote) makes the command fail when rendered or run.
    fn words(mut self, key: &'static str, value: impl Arg) -> Builder<T> {
        let (text, expands) = (value.to_arg(), value.expands());
        match input::lex(&text) {
            Ok(words) => {
                for text in words {
                    self = self.arg(key, Word { text, expands });
                }
            }
            Err(problem) => self.line.note(ArgumentError::Unsplittable {
                key,
                value: excerpt(&text),
                problem,
            }),
        }
        self
    }

    /// Appends a list that needs at least one item (`<key>...`); an empty one
    /// makes the command fail when it is rendered or run.
    pub fn required_list<M, A: Args<M>>(self, key: &'static str, items: A) -> Builder<T> {
        let before = self.line.tokens().len();
        let mut built = self.list(key, items);
        if built.line.tokens().len() == before {
            let command = excerpt(&input::join(built.line.tokens()));
            built.line.note(ArgumentError::EmptyList { key, command });
        }
        built
    }

    /// Appends a nested command, for a `(command)` slot.
    pub fn command(mut self, nested: impl Complete<Target = Cmd>) -> Builder<T> {
        self.line.append_nested(nested.into_line());
        self
    }

    /// A builder holding a line already made, such as one written by hand.
    pub(crate) fn from_line(target: T, line: CommandLine) -> Builder<T> {
        Builder { target, line }
    }

    /// The target and the finished line.
    pub fn into_parts(self) -> (T, CommandLine) {
        (self.target, self.line)
    }

    /// What the command is built on.
    pub fn target(&self) -> &T {
        &self.target
    }

    /// The line so far.
    pub fn line(&self) -> &CommandLine {
        &self.line
    }
}

/// A whole command: one that minimega accepts as it stands.
///
/// Generated builders implement it when their words form a complete pattern;
/// its methods render the command, or run it when its target is a
/// connection.
pub trait Complete: Sized {
    /// What the command was built on.
    type Target;

    /// The builder behind this command.
    fn into_builder(self) -> Builder<Self::Target>;

    /// The builder behind this command, borrowed.
    fn as_builder(&self) -> &Builder<Self::Target>;

    /// The command line, without its target; print it with `{}`.
    fn command_line(&self) -> &CommandLine {
        self.as_builder().line()
    }

    /// The line exactly as running the command would send it (namespace
    /// prefix, `.preprocess false` where a value needs it), after every
    /// check that running makes; nothing is sent.
    ///
    /// ```no_run
    /// # mod minimega { pub mod runtime { pub use minimega_client::*; } }
    /// # use minimega::runtime::{Client, Complete, Builder};
    /// # struct Info<T>(Builder<T>);
    /// # impl<T> Complete for Info<T> { type Target = T;
    /// #   fn into_builder(self) -> Builder<T> { self.0 }
    /// #   fn as_builder(&self) -> &Builder<T> { &self.0 } }
    /// let mut mm = Client::builder().namespace("lab").connect()?;
    /// # let info = Info(Builder::new(&mut mm).word("vm").word("info"));
    /// // With the generated API: `let info = mm.vm().info();`
    /// assert_eq!(info.preview()?, "namespace lab vm info");
    /// info.run()?;
    /// # Ok::<(), minimega::runtime::Error>(())
    /// ```
    fn preview<'a>(&self) -> Result<String, Error>
    where
        Self::Target: Execute<'a>,
    {
        let builder = self.as_builder();
        builder.target().preview(builder.line().clone())
    }

    /// The command line, without its target.
    fn into_line(self) -> CommandLine {
        self.into_builder().into_parts().1
    }

    /// The command line as minimega reads it.
    fn render(self) -> Result<String, ArgumentError> {
        self.into_line().render()
    }

    /// This command, built on [`Cmd`], moved onto a connection or namespace
    /// handle to run there: build commands once, run them anywhere.
    fn on<U: Target>(self, target: U) -> Command<U>
    where
        Self: Complete<Target = Cmd>,
    {
        Command::from_line(target, self.into_line())
    }

    /// Runs the command and waits for its whole answer, with the target's
    /// settings. Only commands built on a client or namespace handle can run.
    ///
    /// On a blocking client this returns the answer; on an async one
    /// (feature `tokio`), a future of it: `mm.vm().info().run().await`.
    ///
    /// By default a host's error makes this return
    /// [`Error::Command`] with every failing host; see
    /// [`Complete::run_with`] to keep failures in the answer instead.
    fn run<'a>(self) -> <Self::Target as Execute<'a>>::Run
    where
        Self::Target: Execute<'a>,
    {
        self.run_with(RunOptions::new())
    }

    /// Runs the command with `options` overriding the target's settings
    /// (timeout, failure handling) for this command only.
    fn run_with<'a>(self, options: RunOptions) -> <Self::Target as Execute<'a>>::Run
    where
        Self::Target: Execute<'a>,
    {
        let (target, line) = self.into_builder().into_parts();
        target.execute(line, options)
    }

    /// Runs the command and returns its answer as it arrives (a
    /// [`ResponseStream`](crate::ResponseStream) on a blocking client; on an
    /// async one, a future of an `AsyncResponseStream`). The stream holds
    /// the connection until dropped; dropping it early discards the rest of
    /// the answer.
    fn stream<'a>(self) -> <Self::Target as Execute<'a>>::Stream
    where
        Self::Target: Execute<'a>,
    {
        self.stream_with(RunOptions::new())
    }

    /// [`Complete::stream`] with `options` for this command only.
    fn stream_with<'a>(self, options: RunOptions) -> <Self::Target as Execute<'a>>::Stream
    where
        Self::Target: Execute<'a>,
    {
        let (target, line) = self.into_builder().into_parts();
        target.execute_stream(line, options)
    }
}

/// A whole command bound to a target, given as a line rather than built
/// with the typed methods: a line written by hand
/// ([`Client::raw`](crate::Client::raw)), or a command built on [`Cmd`] and
/// moved to a connection with [`Complete::on`]. Run it through
/// [`Complete`].
///
/// ```no_run
/// # mod minimega { pub mod runtime { pub use minimega_client::*; } }
/// use minimega::runtime::{Client, Complete};
///
/// let mut mm = Client::connect()?;
/// mm.raw("vm launch kvm 2")?.run()?;
/// for response in mm.raw("vm info")?.stream()? {
///     println!("{}", response?.host());
/// }
/// # Ok::<(), minimega::runtime::Error>(())
/// ```
#[derive(Debug)]
pub struct Command<T> {
    builder: Builder<T>,
}

impl<T> Command<T> {
    /// `line` on `target`.
    pub(crate) fn from_line(target: T, line: CommandLine) -> Command<T> {
        Command {
            builder: Builder::from_line(target, line),
        }
    }
}

impl<T> Complete for Command<T> {
    type Target = T;

    fn into_builder(self) -> Builder<T> {
        self.builder
    }

    fn as_builder(&self) -> &Builder<T> {
        &self.builder
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_given_as_a_line_keeps_its_tokens() {
        let command = Command::from_line(Cmd, CommandLine::from_tokens(["echo", "a b"]));
        assert_eq!(command.render().unwrap(), "echo \"a b\"");
    }
}
