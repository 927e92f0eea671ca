//! minimega's command spec, in exactly the JSON format `minimega -cli`
//! prints, with the grammar to read it.
//!
//! - [`model`]: the serde model of the document;
//! - [`pattern`]: minicli's pattern grammar (`<required>`, `[optional]`,
//!   `<a,b>`, `<list>...`, `(command)`);
//! - [`input`]: minicli's input lexer, and quoting that it reads back exactly;
//! - [`matcher`]: matching a command line to its pattern, as minicli does;
//! - [`ranges`]: minimega's name lists and ranges (`vm[1-3],db`);
//! - [`spec`]: a validated spec tying them together;
//! - [`check`]: lines and `.mm` scripts checked without a daemon, with
//!   messages that name the word at fault and what would complete it;
//! - [`daemon_wide`]: the forms that change minimega for every client, which
//!   the typed API leaves out and the client refuses;
//! - [`preprocess`]: what minimega's preprocessor rewrites (`$VAR`,
//!   `file:`, `http:`, `tar:`), shared by the client and the mock;
//! - [`harmful`]: the argument values minimega does not check and cannot
//!   survive, or that reach outside its directories, which the client
//!   refuses on every route.
//!
//! The crate ships the spec of minimega 3.1.0 ([`MINIMEGA_JSON`]); another
//! version's dump (`minimega -cli > my-spec.json`) reads with
//! [`Spec::from_json`].
//!
//! ```
//! use minimega_spec::{Line, Spec};
//!
//! let spec = minimega_spec::shipped();
//! let Line::Command(m) = spec.compile("vm launch kvm 5").unwrap() else { panic!() };
//! assert_eq!(spec.pattern(m.id).text, "vm launch <kvm,> <name or count> [config]");
//! assert_eq!(m.value("name"), Some("5"));
//! assert_eq!(spec.version(), Some("3.1.0"));
//! # let _ = Spec::from_json("[]").unwrap();
//! ```

#![warn(missing_docs)]

pub mod check;
pub mod daemon_wide;
mod go_printable;
pub mod harmful;
pub mod host_table;
pub mod input;
pub mod matcher;
pub mod model;
pub mod pattern;
pub mod preprocess;
pub mod ranges;
pub mod spec;

pub use matcher::{Expected, Match, Mismatch, PatternId, Reason};
pub use pattern::{Item, Pattern, PatternError};
pub use spec::{CompileError, Handler, Line, Spec, SpecError};

/// The spec of minimega 3.1.0 that ships with this crate, as JSON.
pub const MINIMEGA_JSON: &str = include_str!("../minimega.json");

/// The minimega version [`MINIMEGA_JSON`] was taken from.
pub const MINIMEGA_VERSION: &str = "3.1.0";

/// The shipped spec, parsed once, with [`MINIMEGA_VERSION`] as its version.
///
/// # Panics
/// Never for the shipped file: its validity is checked by this crate's tests.
pub fn shipped() -> &'static Spec {
    static SPEC: std::sync::OnceLock<Spec> = std::sync::OnceLock::new();
    SPEC.get_or_init(|| {
        Spec::from_json(MINIMEGA_JSON)
            .expect("the shipped spec is valid")
            .with_version(MINIMEGA_VERSION)
    })
}
