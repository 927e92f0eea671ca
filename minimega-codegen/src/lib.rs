//! Code generation for the typed minimega API: the logic behind the
//! `minimega-macros` proc macro, as ordinary, testable Rust.
//!
//! This is an implementation crate of `minimega-macros` and `minimega-check`
//! (as `sqlx-macros-core` is of `sqlx-macros`): its API follows what they
//! need and is not stable. Depend on `minimega` instead.
//!
//! The pipeline is spec → `tree` → `api` (names from `naming`, rustdoc from
//! `docs`) → `tokens`. `api_map` writes the same named API as a Markdown
//! table ([`api_map_markdown`]) and as Rust that builds every form of every
//! pattern ([`every_pattern_calls`], [`every_pattern_lines`]); the
//! repository's `xtask` keeps those files current.
//!
//! The public surface is what the macros, the checker, `xtask` and the
//! tests need: [`generate`], [`fallback`], [`line`](mod@line) (the line
//! macro's logic), [`script`] (the script macro's), [`token_count`] and the names of [`COMPLETE_METHODS`].

#![warn(missing_docs)]

mod api;
mod api_map;
mod docs;
pub mod line;
mod naming;
pub mod script;
mod tokens;
mod tree;

use minimega_spec::{Spec, SpecError};
use proc_macro2::TokenStream;

pub use naming::COMPLETE_METHODS;

/// Where the generated `spec()` function gets the spec from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecFn<'a> {
    /// The spec shipped with `minimega-spec`: `minimega::spec::shipped()`.
    Shipped,
    /// A file, read with `include_str!` (which also makes cargo rebuild
    /// when it changes), optionally recorded as a minimega version's spec.
    File {
        /// The path as `include_str!` takes it.
        include_path: &'a str,
        /// The minimega version to record, as in `3.2.0`.
        version: Option<&'a str>,
    },
}

/// Reads a spec in the format `minimega -cli` prints and returns the tokens
/// of its typed API, with a `spec()` function as `spec_fn` says.
pub fn generate(json: &str, spec_fn: &SpecFn<'_>) -> Result<TokenStream, SpecError> {
    let spec = Spec::from_json(json)?;
    Ok(tokens::expand(&api::Api::new(&spec), spec_fn))
}

/// The API map: one Markdown row per pattern of `spec`, with its Rust
/// call; `regenerate` is the command named in its header.
pub fn api_map_markdown(spec: &Spec, regenerate: &str) -> String {
    api_map::markdown(spec, &api::Api::new(spec), regenerate)
}

/// Rust source that builds every form of every pattern of `spec` through
/// its generated API, each beside its pattern.
pub fn every_pattern_calls(spec: &Spec, regenerate: &str) -> String {
    api_map::pattern_calls(spec, &api::Api::new(spec), regenerate)
}

/// Rust source that builds every form of every pattern of `spec` through
/// the line macro, each beside the builders' call.
pub fn every_pattern_lines(spec: &Spec, regenerate: &str) -> String {
    api_map::pattern_lines(spec, &api::Api::new(spec), regenerate)
}

/// The items a failed expansion still defines (an empty `Commands`, an
/// empty `nodes` and a `spec()`), so that code using them shows only the
/// real error.
pub fn fallback() -> TokenStream {
    tokens::fallback()
}

/// How many tokens an expansion holds, counted as rust-analyzer counts them
/// (every leaf token, and every group's delimiters).
pub fn token_count(tokens: &TokenStream) -> usize {
    tokens
        .clone()
        .into_iter()
        .map(|tree| match tree {
            proc_macro2::TokenTree::Group(group) => 2 + token_count(&group.stream()),
            _ => 1,
        })
        .sum()
}
