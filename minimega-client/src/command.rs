//! Commands as values: the tokens of one command line, the target a command
//! will run on, and the traits that generated builders implement.
//!
//! Generated builders are thin wrappers around [`Builder`]: each method pushes
//! the words and arguments of one step of a pattern. A builder whose words
//! form a whole command implements [`Complete`]; one that is only a prefix
//! does not, so running it fails to compile.

use std::fmt;

use minimega_spec::harmful::{self, ValueRule};
use minimega_spec::input;

use crate::error::Error;
use crate::execute::Execute;
use crate::options::RunOptions;
use crate::raw::Raw;

/// The start of a command that is not bound to a connection: for nesting in a
/// `(command)` slot, for writing scripts, and for tests. The `minimega`
/// crate's docs show it with the generated API (`Cmd.vm().info()`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cmd;

/// Something a command can be built on: [`Cmd`], a client, or a namespace
/// handle. The generated `Commands` trait is implemented for every target.
pub trait Target {}

impl Target for Cmd {}

/// An argument that cannot be put on a command line as it stands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgumentError {
    /// A `<key>...` list, which needs at least one item, was given none.
    #[error("`{key}` needs at least one item (in `{command}`)")]
    EmptyList {
        /// The list's key in the pattern.
        key: &'static str,
        /// The command line built so far (cut if long).
        command: String,
    },
    /// minimega expands `$` and `file:` in this argument whatever the
    /// client asks, so it would not arrive as written.
    #[error(
        "`{key}` = `{value}` would not arrive as written: minimega always expands `$VAR` and \
         `file:`/`http:`/`tar:` prefixes in it; wrap it in `Expand(..)` if that is what you want"
    )]
    AlwaysExpanded {
        /// The argument's key in the pattern.
        key: &'static str,
        /// The value (cut if long).
        value: String,
    },
    /// The argument holds U+FFFD, the mark left where text was not valid
    /// UTF-8 (a path written with `Path::display`, say): minimega would get
    /// a different value than the one meant.
    #[error(
        "`{key}` = `{value}` holds U+FFFD, the mark of text that was not valid UTF-8 (such as a \
         path written with `Path::display`); pass the value as UTF-8 (e.g. `path.to_str()`)"
    )]
    NotUtf8 {
        /// The argument's key in the pattern.
        key: &'static str,
        /// The value (cut if long).
        value: String,
    },
    /// A list's single value that does not split into words (an open
    /// quote, a dangling `\`).
    #[error(
        "`{key}` = `{value}` does not split into words ({problem}); a list's single value is \
         read as at minimega's prompt, so close its quotes, or give the items as an iterator \
         (`[\"echo\", \"it's\"]`)"
    )]
    Unsplittable {
        /// The list's key in the pattern.
        key: &'static str,
        /// The value (cut if long).
        value: String,
        /// Why it does not split.
        problem: input::LexError,
    },
    /// An empty value for an optional argument, which minimega reads as
    /// not given: `vm config tags k ""` reads the tag instead of setting it.
    #[error(
        "`{key}` is empty (in `{command}`), and minimega reads an empty optional argument as \
         not given, so the command would read rather than set; to clear a setting, use its \
         `clear` command"
    )]
    EmptyOptional {
        /// The argument's key in the pattern.
        key: &'static str,
        /// The command line built so far (cut if long).
        command: String,
    },
    /// One argument asks for minimega's expansion and another must arrive as
    /// written, but minimega expands a whole command or none of it.
    #[error(
        "`{expanded}` asks minimega to expand it, but `{verbatim}` = `{value}` would then be \
         expanded too; send them in separate commands, or wrap both in `Expand(..)`"
    )]
    MixedExpansion {
        /// The key of the argument wrapped in [`Expand`].
        expanded: &'static str,
        /// The key of the argument that must arrive as written.
        verbatim: &'static str,
        /// Its value (cut if long).
        value: String,
    },
}

/// A value for one argument of a command.
///
/// Anything that implements `Display` is an argument, written exactly as it
/// displays and delivered to minimega's handler exactly so: the client
/// turns off minimega's preprocessor for a command whose values it would
/// otherwise rewrite (see [`Expand`]).
pub trait Arg {
    /// The argument's text.
    fn to_arg(&self) -> String;

    /// Whether minimega may expand `$VAR`, `${VAR}` and `file:`, `http:`,
    /// `https:`, `tar:` prefixes in this argument.
    fn expands(&self) -> bool {
        false
    }
}

impl<T: fmt::Display + ?Sized> Arg for T {
    fn to_arg(&self) -> String {
        self.to_string()
    }
}

/// The items of a list argument (`<command>...`, `[value]...`): one value,
/// read as minimega reads that part of a line (split into words at white
/// space, quotes grouping, so `cc().exec("uname -a")` runs `uname` with
/// `-a`, as `cc exec uname -a` does at minimega's prompt), or any iterator
/// of values, each arriving whole as one item (`["sh", "-c", "echo a b"]`
/// keeps `echo a b` one argument of the program).
///
/// `M` is [`One`] or [`Many`]; the compiler picks it from the argument's
/// type, so callers never name it.
///
/// ```
/// use minimega_client::{Builder, Cmd};
///
/// let render = |b: Builder<Cmd>| b.into_parts().1.render().unwrap();
/// let one = Builder::new(Cmd).word("shell").required_list("command", "uname -a");
/// let many = Builder::new(Cmd).word("shell").required_list("command", ["uname", "-a"]);
/// assert_eq!(render(one), "shell uname -a");
/// assert_eq!(render(many), "shell uname -a");
/// let quoted = Builder::new(Cmd).word("shell").required_list("command", r#"echo "a b""#);
/// let whole = Builder::new(Cmd).word("shell").required_list("command", ["echo", "a b"]);
/// assert_eq!(render(quoted), r#"shell echo "a b""#);
/// assert_eq!(render(whole), r#"shell echo "a b""#);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a list argument",
    label = "not a value or an iterator of values",
    note = "a list takes one value, split into words as at minimega's prompt (`\"uname -a\"`, `10`), or any iterator of values, each one item (`[\"ls\", \"-l\"]`, a `Vec`)"
)]
pub trait Args<M> {
    /// The items.
    type Item: Arg;
    /// Whether the one value is split into words as minimega reads a line
    /// (rather than each item arriving whole).
    const SPLIT: bool = false;
    /// The items, in order.
    fn into_args(self) -> impl Iterator<Item = Self::Item>;
}

/// [`Args`] of a single value.
#[derive(Debug)]
pub enum One {}

/// [`Args`] of an iterator of values.
#[derive(Debug)]
pub enum Many {}

impl<A: Arg> Args<One> for A {
    type Item = A;
    const SPLIT: bool = true;
    fn into_args(self) -> impl Iterator<Item = A> {
        std::iter::once(self)
    }
}

impl<I> Args<Many> for I
where
    I: IntoIterator,
    I::Item: Arg,
{
    type Item = I::Item;
    fn into_args(self) -> impl Iterator<Item = I::Item> {
        self.into_iter()
    }
}

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

/// An argument that minimega may rewrite before the command runs, as its own
/// CLI does: `$VAR` and `${VAR}` from the daemon's environment, `file:NAME`
/// into a path under its files directory (fetched over the mesh if need
/// be), `http(s)://` and `tar:` into downloaded or unpacked paths.
///
/// Without it, every value arrives exactly as written.
///
/// ```
/// use minimega_client::{Arg, Expand};
///
/// assert!(Expand("file:vmlinuz").expands()); // minimega fetches and rewrites it
/// assert!(!"file:vmlinuz".expands()); // arrives as `file:vmlinuz`
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Expand<T>(pub T);

impl<T: fmt::Display> Arg for Expand<T> {
    fn to_arg(&self) -> String {
        self.0.to_string()
    }

    fn expands(&self) -> bool {
        true
    }
}

/// One argument's text and whether minimega may expand it, taken from any
/// [`Arg`]: the item type of a list whose values have different types
/// (the line macro's `cmd!("cc exec ls {dir}")` makes one of each).
///
/// ```
/// use minimega_client::{Arg, ArgValue, Expand};
///
/// let items = [ArgValue::of("ls"), ArgValue::of(Expand("$HOME"))];
/// assert_eq!(items[1].to_arg(), "$HOME");
/// assert!(items[1].expands() && !items[0].expands());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ArgValue {
    text: String,
    expands: bool,
}

impl ArgValue {
    /// The value of `arg`, as it will be sent.
    pub fn of(arg: impl Arg) -> ArgValue {
        ArgValue {
            text: arg.to_arg(),
            expands: arg.expands(),
        }
    }
}

impl Arg for ArgValue {
    fn to_arg(&self) -> String {
        self.text.clone()
    }

    fn expands(&self) -> bool {
        self.expands
    }
}

/// Where a token came from, which decides whether minimega may rewrite it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// A word of the pattern, or a namespace prefix.
    Word,
    /// A typed argument: delivered as written unless `expands`.
    Arg {
        /// The argument's key in the pattern.
        key: &'static str,
        /// Whether it was wrapped in [`Expand`].
        expands: bool,
        /// What its value must be for minimega to survive it, if anything
        /// (checked with the line's other rules before it is sent).
        rule: Option<ValueRule>,
    },
    /// A token of a hand-written line: minimega treats it as its CLI would.
    Raw,
}

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
    pub(crate) fn tokens_with_origin(&self) -> impl Iterator<Item = (&str, Origin)> {
        self.tokens
            .iter()
            .map(String::as_str)
            .zip(self.origins.iter().copied())
    }

    fn push(&mut self, token: String, origin: Origin) {
        self.tokens.push(token);
        self.origins.push(origin);
    }

    fn note(&mut self, problem: ArgumentError) {
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
            let value = crate::error::excerpt(&text);
            self.line.note(ArgumentError::NotUtf8 { key, value });
        }
        // The words so far are the command's words before this argument.
        let words = (self.line.tokens.iter())
            .zip(&self.line.origins)
            .filter(|(_, origin)| **origin == Origin::Word)
            .map(|(token, _)| token.as_str());
        let rule = harmful::rule_for(words, key);
        self.line.push(text, Origin::Arg { key, expands, rule });
        self
    }

    /// Appends the optional last argument `key` of a pattern: as
    /// [`Builder::arg`], but an empty value fails when the command is
    /// rendered or run, since minimega would read it as not given.
    pub fn optional_arg(self, key: &'static str, value: impl Arg) -> Builder<T> {
        let mut built = self.arg(key, value);
        if built.line.tokens.last().is_some_and(String::is_empty) {
            let command = crate::error::excerpt(&input::join(&built.line.tokens));
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
                value: crate::error::excerpt(&text),
                problem,
            }),
        }
        self
    }

    /// Appends a list that needs at least one item (`<key>...`); an empty one
    /// makes the command fail when it is rendered or run.
    pub fn required_list<M, A: Args<M>>(self, key: &'static str, items: A) -> Builder<T> {
        let before = self.line.tokens.len();
        let mut built = self.list(key, items);
        if built.line.tokens.len() == before {
            let command = crate::error::excerpt(&input::join(&built.line.tokens));
            built.line.note(ArgumentError::EmptyList { key, command });
        }
        built
    }

    /// Appends a nested command, for a `(command)` slot.
    pub fn command(mut self, nested: impl Complete<Target = Cmd>) -> Builder<T> {
        let nested = nested.into_line();
        // A `(command)` slot is a pattern's last item: the first one filled
        // is the outermost.
        self.line.nested_from.get_or_insert(self.line.tokens.len());
        self.line.tokens.extend(nested.tokens);
        self.line.origins.extend(nested.origins);
        if let Some(problem) = nested.problem {
            self.line.note(problem);
        }
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
    /// # use minimega_client::{Client, Complete, Builder};
    /// # struct Info<T>(Builder<T>);
    /// # impl<T> Complete for Info<T> { type Target = T;
    /// #   fn into_builder(self) -> Builder<T> { self.0 }
    /// #   fn as_builder(&self) -> &Builder<T> { &self.0 } }
    /// let mut mm = Client::builder().namespace("lab").connect()?;
    /// # let info = Info(Builder::new(&mut mm).word("vm").word("info"));
    /// // With the generated API: `let info = mm.vm().info();`
    /// assert_eq!(info.preview()?, "namespace lab vm info");
    /// info.run()?;
    /// # Ok::<(), minimega_client::Error>(())
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
    fn on<U: Target>(self, target: U) -> Raw<U>
    where
        Self: Complete<Target = Cmd>,
    {
        Raw::from_line(target, self.into_line())
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
