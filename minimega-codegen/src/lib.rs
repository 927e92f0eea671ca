//! Code generation for the typed minimega API: the logic behind the
//! `minimega-macros` proc macro, as ordinary, testable Rust.
//!
//! The pipeline is spec → [`tree`] → [`api`] (names, [`naming`], and
//! [`docs`]) → [`tokens`]. [`api_map`] writes the same named API as a
//! Markdown table and as a test of every pattern.

#![warn(missing_docs)]

pub mod api;
pub mod api_map;
pub mod docs;
pub mod naming;
pub mod tokens;
pub mod tree;

use minimega_spec::{Spec, SpecError};
use proc_macro2::TokenStream;

pub use api::Api;

/// Reads a spec in the format `minimega -cli` prints and returns the tokens
/// of its typed API.
pub fn generate(json: &str) -> Result<TokenStream, SpecError> {
    let spec = Spec::from_json(json)?;
    Ok(tokens::expand(&Api::new(&spec)))
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
