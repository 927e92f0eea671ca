//! `generate_api!`: expands a minimega command spec into a typed Rust API.
//!
//! This crate is only the entry point: it reads the file and reports errors
//! on the macro's argument; everything else happens in `minimega-codegen`.
//! The naming rules of the generated API are documented in
//! `minimega_codegen::naming`.

#![warn(missing_docs)]

use std::path::PathBuf;

use proc_macro::TokenStream;
use quote::quote;
use syn::{parse_macro_input, LitStr};

/// Expands the spec at the given path (relative to the calling crate's
/// `Cargo.toml`, as printed by `minimega -cli`) into:
///
/// - a trait `Commands`, implemented for every runtime target (a client, a
///   namespace handle, or `Cmd`), with one method per top-level command;
/// - a module `nodes` with one builder type per step of a command.
///
/// Method chains follow the command's words: `vm launch kvm 10` is
/// `.vm().launch().kvm(10)`. Required arguments are parameters, an optional
/// last argument is a method on the finished command, and only complete
/// commands implement `Complete`, so they alone can run.
///
/// Any problem with the spec (a missing file, malformed JSON, a pattern
/// minicli would reject) is a compile error on the path literal. Cargo
/// rebuilds the calling crate when the spec changes.
///
/// ```text
/// mod my_minimega {
///     minimega::generate_api!("specs/minimega-2.9.json");
/// }
/// ```
///
/// (`tests/awkward_spec.rs` in the workspace compiles exactly this, on a
/// spec with awkward names.)
#[proc_macro]
pub fn generate_api(input: TokenStream) -> TokenStream {
    let path = parse_macro_input!(input as LitStr);
    expand(&path)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

fn expand(path: &LitStr) -> syn::Result<proc_macro2::TokenStream> {
    let error = |message: String| syn::Error::new(path.span(), message);
    let base = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| error("CARGO_MANIFEST_DIR is not set: build with cargo".into()))?;
    let file = base.join(path.value());
    let json = std::fs::read_to_string(&file)
        .map_err(|e| error(format!("cannot read the spec `{}`: {e}", file.display())))?;
    let api = minimega_codegen::generate(&json)
        .map_err(|e| error(format!("in the spec `{}`: {e}", file.display())))?;
    let tracked = file
        .to_str()
        .ok_or_else(|| error(format!("the path `{}` is not UTF-8", file.display())))?;
    Ok(quote! {
        // Makes cargo rebuild when the spec changes.
        const _: &str = ::core::include_str!(#tracked);
        #api
    })
}
