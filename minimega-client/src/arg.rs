//! One argument value as it becomes one token of a command line: the
//! [`Arg`] and [`Args`] traits every generated method takes, [`Expand`] to
//! let minimega rewrite a value, and [`ArgumentError`] for a value that
//! cannot be put on a line as it stands.

use std::fmt;

use minimega_spec::harmful::ValueRule;
use minimega_spec::input;

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
/// # mod minimega { pub mod runtime { pub use minimega_client::*; } }
/// use minimega::runtime::{Builder, Cmd};
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

/// An argument that minimega may rewrite before the command runs, as its own
/// CLI does: `$VAR` and `${VAR}` from the daemon's environment, `file:NAME`
/// into a path under its files directory (fetched over the mesh if need
/// be), `http(s)://` and `tar:` into downloaded or unpacked paths.
///
/// Without it, every value arrives exactly as written.
///
/// ```
/// # mod minimega { pub mod runtime { pub use minimega_client::*; } }
/// use minimega::runtime::{Arg, Expand};
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
/// # mod minimega { pub mod runtime { pub use minimega_client::*; } }
/// use minimega::runtime::{Arg, ArgValue, Expand};
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
