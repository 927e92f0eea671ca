//! `generate_api!`: expands a minimega command spec into a typed Rust API;
//! `cmd!`: one minimega line as a typed command of it; `script!`: a `.mm`
//! file checked line by line.
//!
//! This crate is only the entry point: it reads its arguments and the
//! files, and reports errors on them; everything else happens in
//! `minimega-codegen` (whose `naming` module documents the names of the
//! generated API, and whose `line` and `script` modules hold the line and
//! script macros' logic) and `minimega_spec::check`.

#![warn(missing_docs)]

mod trees;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use minimega_codegen::line::{LineApi, LineInput, TableError};
use minimega_codegen::SpecFn;
use proc_macro2::{TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token};
use trees::{Text, Trees};

/// Expands a minimega command spec into:
///
/// - a trait `Commands`, implemented for every runtime target (a client, a
///   namespace handle, or `Cmd`), with one method per top-level command;
/// - a module `nodes` with one builder type per step of a command;
/// - `fn spec() -> &'static minimega::spec::Spec`, the spec itself, parsed
///   once, for checks at run time.
///
/// Three forms:
///
/// ```text
/// minimega::generate_api!();                              // the spec shipped with minimega-spec
/// minimega::generate_api!("specs/minimega-2.9.json");     // your own `minimega -cli` dump
/// minimega::generate_api!("specs/minimega-2.9.json", version = "2.9.0");
/// ```
///
/// The path is relative to the calling crate's `Cargo.toml`; `version`
/// records the minimega version the dump came from in `spec()`. Method
/// chains follow the command's words: `vm launch kvm 10` is
/// `.vm().launch().kvm(10)`. Required arguments are parameters, and only
/// complete commands implement `Complete`, so they alone can run.
///
/// Any problem with the spec (a missing file, malformed JSON, a pattern
/// minicli would reject) is a compile error on the path literal, and the
/// three items are still defined (empty), so that the code using them shows
/// only that error. Cargo rebuilds the calling crate when the spec changes.
///
/// (`tests/it/awkward_spec.rs` in the workspace compiles a spec of its own, with
/// awkward names.)
#[proc_macro]
pub fn generate_api(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    expand(input.into(), manifest_dir.as_deref(), |path| {
        std::fs::read_to_string(path)
    })
    .into()
}

/// One minimega line as a typed command of the shipped minimega 3.1.0 API,
/// checked while compiling.
///
/// ```text
/// cmd!("vm launch kvm 5")                  // Cmd.vm().launch().kvm("5")
/// cmd!("vm launch kvm {count}")            // a placeholder: .kvm(count)
/// cmd!("vm config memory {}", mib * 1024)  // positional, as format! takes them
/// cmd!(mm, "vm start {}", "all")           // built on a client or namespace handle
/// ```
///
/// The line is matched as minicli matches it (abbreviations, choices,
/// optional and list items, nested commands, output modifiers), and the
/// macro expands to the builder calls that make the same command, so the
/// value is the typed command the builders make: `.run()`, `.on(..)`,
/// `preview()` and every check of the runtime apply unchanged. Each
/// placeholder (`{expr}`, or `{}` with an argument after the line) stands
/// for one argument value and goes to the builder as `impl Arg` does, never
/// lexed as text; `{{` and `}}` are braces. Values written in the line
/// are values as the builders take them, so `$VAR` and `file:` in them
/// arrive as written; for minimega's expansion, give the value as a
/// placeholder wrapped in `Expand`: `cmd!("vm config kernel {}",
/// Expand("file:vmlinuz"))`.
///
/// A `true,false` choice takes a placeholder as the builder's `bool`:
/// `cmd!(".json {on} vm info")` is `json(on, ..)`.
///
/// A line that is not a command is a compile error that shows the line,
/// marks the word at fault and says what would complete it. A placeholder
/// where only a word fits (a command's name, any other choice) is an error
/// too. Another spec's API (`generate_api!("my-spec.json")`)
/// defines its own `cmd!` beside its `Commands`.
#[proc_macro]
pub fn cmd(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let commands: &[&str] = &["minimega", "api", "Commands"];
    expand_line(input.into(), false, Some(commands), |path| {
        std::fs::read_to_string(path)
    })
    .into()
}

/// The `cmd!` of a generated API: `shipped ; line...` or `"spec path" ;
/// line...`. The `cmd!` macros that `generate_api!` defines call it; its
/// form may change.
#[doc(hidden)]
#[proc_macro]
pub fn __cmd_in(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    expand_line(input.into(), true, None, |path| {
        // `generate_api!` passes the absolute path; a relative one is
        // relative to the crate, as `generate_api!`'s argument is.
        let path = match &manifest_dir {
            Some(dir) => dir.join(path),
            None => PathBuf::from(path),
        };
        std::fs::read_to_string(path)
    })
    .into()
}

/// A `.mm` script file, checked line by line while compiling, as a
/// `minimega::runtime::Script` of the shipped minimega 3.1.0 spec.
///
/// ```text
/// let lab = minimega::script!("scripts/lab.mm");  // relative to Cargo.toml
/// lab.run(&mut mm)?;                               // stops at the first failure, as `read` does
/// lab.run_with(&mut ns, OnError::Continue, |step| println!("{}: {:?}", step.line, step.result))?;
/// ```
///
/// Every line is checked as minimega's `read` would run it: blank lines
/// and comments skipped, `$VAR` and `file:` left for the daemon, a `read`
/// refused. Every bad line is a compile error of its own, written
/// `lab.mm:LINE:COL: error: …` with the line marked and the hints; a line
/// that would change minimega for every client (`namespace lab` alone) is
/// one too (run the script on a namespace handle instead). Cargo rebuilds
/// when the file changes. A command the spec's help marks deprecated is a
/// warning, with its place, through rustc's `deprecated` lint (stable proc
/// macros cannot warn otherwise). Another spec's API
/// (`generate_api!("my-spec.json")`) defines its own `script!`.
#[proc_macro]
pub fn script(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    expand_script(input.into(), false, manifest_dir.as_deref(), |path| {
        std::fs::read_to_string(path)
    })
    .into()
}

/// The `script!` of a generated API: `shipped ; "file"` or `"spec path" ;
/// "file"`. The `script!` macros that `generate_api!` defines call it; its
/// form may change.
#[doc(hidden)]
#[proc_macro]
pub fn __script_in(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    expand_script(input.into(), true, manifest_dir.as_deref(), |path| {
        std::fs::read_to_string(path)
    })
    .into()
}

/// The script macros' expansion, or one compile error per bad line.
fn expand_script(
    input: TokenStream,
    in_api: bool,
    manifest_dir: Option<&Path>,
    read: impl Fn(&Path) -> std::io::Result<String>,
) -> TokenStream {
    let parsed = (|| -> syn::Result<(Option<Text>, Text)> {
        let mut trees = Trees::new(input);
        let spec = trees.api_spec(in_api)?;
        let file = trees.text("expected the script's path, as in `script!(\"scripts/lab.mm\")`")?;
        trees.punct(',');
        if !trees.is_empty() {
            return Err(syn::Error::new(
                file.span,
                "unexpected input after the script's path",
            ));
        }
        Ok((spec, file))
    })();
    let (spec_path, file) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => return error.into_compile_error(),
    };
    let fail =
        |message: String| quote::quote_spanned!(file.span=> ::core::compile_error!(#message));
    let Some(base) = manifest_dir else {
        return fail("CARGO_MANIFEST_DIR is not set: build with cargo".to_owned());
    };
    let owned;
    let spec: &minimega_spec::Spec = match &spec_path {
        None => minimega_spec::shipped(),
        Some(path) => {
            let json = match read(&base.join(&path.value)) {
                Ok(json) => json,
                Err(e) => return fail(format!("cannot read the spec `{}`: {e}", path.value)),
            };
            owned = match LineApi::cached(&json) {
                Ok(api) => api,
                Err(e) => return fail(format!("in the spec: {e}")),
            };
            owned.spec()
        }
    };
    let written = &file.value;
    let path = base.join(written);
    let text = match read(&path) {
        Ok(text) => text,
        Err(e) => {
            return fail(format!(
            "cannot read the script `{written}` (a path relative to this crate's Cargo.toml): {e}"
        ))
        }
    };
    let Some(include_path) = path.to_str() else {
        return fail(format!("the path `{written}` is not UTF-8"));
    };
    let input = minimega_codegen::script::ScriptInput {
        name: written,
        include_path,
        text: &text,
    };
    match minimega_codegen::script::expand(spec, &input) {
        Ok(tokens) => tokens,
        Err(errors) => {
            let errors = errors.into_iter().map(
                |message| quote::quote_spanned!(file.span=> ::core::compile_error!(#message);),
            );
            quote::quote!({ #(#errors)* ::core::unreachable!() })
        }
    }
}

/// A line macro's arguments: the spec (for `__cmd_in`), the target, the
/// line and the positional values.
struct LineArgs {
    spec: Option<Text>,
    target: Option<Vec<TokenTree>>,
    line: Text,
    positional: Vec<Vec<TokenTree>>,
}

impl LineArgs {
    fn parse(input: TokenStream, in_api: bool) -> syn::Result<LineArgs> {
        let mut trees = Trees::new(input);
        let spec = trees.api_spec(in_api)?;
        let (target, line) = match trees.try_text()? {
            Some(line) => (None, line),
            None => {
                let target = trees.argument().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "expected a minimega line, as in `cmd!(\"vm info\")`, or a target and a line, as in `cmd!(mm, \"vm info\")`",
                    )
                })?;
                trees.expect_punct(',')?;
                let line = trees.text("expected the minimega line, as a string literal")?;
                (Some(target), line)
            }
        };
        let mut positional = Vec::new();
        while !trees.is_empty() {
            trees.expect_punct(',')?;
            if trees.is_empty() {
                break;
            }
            positional.push(trees.argument()?);
        }
        Ok(LineArgs {
            spec,
            target,
            line,
            positional,
        })
    }
}

/// The line macros' expansion, or the error as an expression of the
/// compiler's error type, so that nothing else is reported about it.
fn expand_line(
    input: TokenStream,
    in_api: bool,
    commands: Option<&'static [&'static str]>,
    read: impl FnOnce(&str) -> std::io::Result<String>,
) -> TokenStream {
    try_expand_line(input, in_api, commands, read).unwrap_or_else(|error| {
        let message = error.to_string();
        quote::quote_spanned!(error.span()=> ::core::compile_error!(#message))
    })
}

fn try_expand_line(
    input: TokenStream,
    in_api: bool,
    commands: Option<&'static [&'static str]>,
    read: impl FnOnce(&str) -> std::io::Result<String>,
) -> syn::Result<TokenStream> {
    let args = LineArgs::parse(input, in_api)?;
    let owned;
    let api: &LineApi = match &args.spec {
        None => shipped_lines().map_err(|e| syn::Error::new(args.line.span, e))?,
        Some(path) => {
            let json = read(&path.value).map_err(|e| {
                syn::Error::new(
                    path.span,
                    format!("cannot read the spec `{}`: {e}", path.value),
                )
            })?;
            owned = LineApi::cached(&json)
                .map_err(|e| syn::Error::new(path.span, format!("in the spec: {e}")))?;
            &owned
        }
    };
    let input = LineInput {
        text: args.line.value,
        positional: args.positional,
        target: args.target,
        commands,
        span: args.line.span,
    };
    minimega_codegen::line::expand(api, &input).map_err(|e| syn::Error::new(input.span, e.message))
}

/// The shipped spec's line API, from the table this crate's build script
/// wrote (`build.rs`): reading it back costs a fraction of naming the
/// API, which cargo's unoptimised build of proc macros makes slow.
fn shipped_lines() -> Result<&'static LineApi, String> {
    static SHIPPED: OnceLock<Result<LineApi, TableError>> = OnceLock::new();
    SHIPPED
        .get_or_init(|| {
            LineApi::from_table(include_str!(concat!(
                env!("OUT_DIR"),
                "/shipped-line-table.txt"
            )))
        })
        .as_ref()
        .map_err(|e| {
            format!("the line table minimega-macros' build wrote is unreadable, at {e}: rebuild minimega-macros")
        })
}

/// The macro's arguments: nothing, or a path and an optional version.
struct Args {
    path: Option<LitStr>,
    version: Option<LitStr>,
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Args> {
        if input.is_empty() {
            return Ok(Args {
                path: None,
                version: None,
            });
        }
        let path: LitStr = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected the spec's path, as in `generate_api!(\"my-spec.json\")`, or nothing for the shipped spec",
            )
        })?;
        let mut version = None;
        if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let key: Ident = input.parse()?;
            if key != "version" {
                return Err(syn::Error::new(
                    key.span(),
                    "the only option is `version = \"3.1.0\"`",
                ));
            }
            input.parse::<Token![=]>()?;
            version = Some(input.parse()?);
            input.parse::<Option<Token![,]>>()?;
        }
        if !input.is_empty() {
            return Err(input.error("unexpected input after the macro's arguments"));
        }
        Ok(Args {
            path: Some(path),
            version,
        })
    }
}

/// The expansion, or the error with empty stand-ins for the items, so that
/// code using them shows only the real error.
fn expand(
    input: TokenStream,
    manifest_dir: Option<&Path>,
    read: impl FnOnce(&Path) -> std::io::Result<String>,
) -> TokenStream {
    try_expand(input, manifest_dir, read).unwrap_or_else(|error| {
        let mut tokens = error.into_compile_error();
        tokens.extend(minimega_codegen::fallback());
        tokens
    })
}

fn try_expand(
    input: TokenStream,
    manifest_dir: Option<&Path>,
    read: impl FnOnce(&Path) -> std::io::Result<String>,
) -> syn::Result<TokenStream> {
    let args: Args = syn::parse2(input)?;
    let Some(path) = args.path else {
        return Ok(
            minimega_codegen::generate(minimega_spec::MINIMEGA_JSON, &SpecFn::Shipped)
                .expect("the shipped spec is valid"),
        );
    };
    let error = |message: String| syn::Error::new(path.span(), message);
    let written = path.value();
    let base = manifest_dir
        .ok_or_else(|| error("CARGO_MANIFEST_DIR is not set: build with cargo".into()))?;
    let file = base.join(&written);
    let json = read(&file).map_err(|e| {
        error(format!(
            "cannot read the spec `{written}` (a path relative to this crate's Cargo.toml): {e}"
        ))
    })?;
    let include_path = file
        .to_str()
        .ok_or_else(|| error(format!("the path `{written}` is not UTF-8")))?;
    let version = args.version.as_ref().map(LitStr::value);
    minimega_codegen::generate(
        &json,
        &SpecFn::File {
            include_path,
            version: version.as_deref(),
        },
    )
    .map_err(|e| error(format!("in the spec `{written}`: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// Expands `input` as if the crate's spec files held `json`.
    fn expand_text(input: TokenStream, json: &str) -> String {
        expand(input, Some(Path::new("/crate")), |_| Ok(json.to_owned())).to_string()
    }

    fn compile_error(tokens: &str) -> &str {
        let start = tokens.find("compile_error").expect("an error");
        let open = tokens[start..].find('"').expect("a message") + start + 1;
        let close = tokens[open..].find("\" }").expect("its end") + open;
        &tokens[open..close]
    }

    #[test]
    fn malformed_json_names_the_file_as_written_and_the_place() {
        let tokens = expand_text(
            quote!("specs/mine.json"),
            "[\n {\n  \"patterns\": [\"vm\"] ]",
        );
        assert_eq!(
            compile_error(&tokens),
            "in the spec `specs/mine.json`: malformed spec at line 3, column 22: expected `,` or `}` at line 3 column 22"
        );
    }

    #[test]
    fn a_pattern_minicli_rejects_names_the_handler() {
        let json = r#"[{"shared_prefix": "vm", "patterns": ["vm launch <kvm,> <name or count"]}]"#;
        let tokens = expand_text(quote!("mine.json"), json);
        assert_eq!(
            compile_error(&tokens),
            "in the spec `mine.json`: handler 0 (`vm`): invalid pattern `vm launch <kvm,> <name or count`: missing terminal `>`"
        );
    }

    #[test]
    fn an_unreadable_file_says_where_the_path_starts() {
        let tokens = expand(quote!("no/such.json"), Some(Path::new("/crate")), |_| {
            Err(std::io::Error::from(std::io::ErrorKind::NotFound))
        })
        .to_string();
        assert_eq!(
            compile_error(&tokens),
            "cannot read the spec `no/such.json` (a path relative to this crate's Cargo.toml): entity not found"
        );
    }

    #[test]
    fn an_error_still_defines_the_items() {
        let tokens = expand_text(quote!("mine.json"), "not json");
        for item in ["pub trait Commands", "pub mod nodes", "pub fn spec"] {
            assert!(tokens.contains(item), "{item} in {tokens}");
        }
    }

    #[test]
    fn arguments_are_a_path_and_an_optional_version() {
        let json = r#"[{"patterns": ["version"]}]"#;
        let tokens = expand_text(quote!("mine.json", version = "3.2.0"), json);
        assert!(tokens.contains("with_version (\"3.2.0\")"), "{tokens}");
        assert!(tokens.contains("include_str ! (\"/crate/mine.json\")"));
        let tokens = expand_text(quote!("mine.json", versio = "3.2.0"), json);
        assert_eq!(
            compile_error(&tokens),
            "the only option is `version = \\\"3.1.0\\\"`"
        );
        let tokens = expand_text(quote!(mine), json);
        assert!(compile_error(&tokens).starts_with("expected the spec's path"));
    }

    #[test]
    fn a_script_reports_every_bad_line_on_its_path() {
        let script = "vm info\nvm lunch kvm 2\n# fine\nlog level verbose\n";
        let tokens = expand_script(quote!("lab.mm"), false, Some(Path::new("/crate")), |path| {
            assert_eq!(path, Path::new("/crate/lab.mm"));
            Ok(script.to_owned())
        })
        .to_string();
        assert_eq!(tokens.matches("compile_error").count(), 2, "{tokens}");
        assert!(
            tokens.contains("lab.mm:2:4: error: unknown word `lunch` after `vm`"),
            "{tokens}"
        );
        assert!(
            tokens.contains("lab.mm:4:11: error: unknown word `verbose`"),
            "{tokens}"
        );
        let good = expand_script(quote!("lab.mm"), false, Some(Path::new("/crate")), |_| {
            Ok("vm info\n".to_owned())
        })
        .to_string();
        assert!(
            good.contains("Script :: new (\"lab.mm\" , & [(1u32 , \"vm info\")])"),
            "{good}"
        );
        let missing = expand_script(quote!("no.mm"), false, Some(Path::new("/crate")), |_| {
            Err(std::io::Error::from(std::io::ErrorKind::NotFound))
        })
        .to_string();
        assert!(
            missing.contains("cannot read the script `no.mm`"),
            "{missing}"
        );
    }

    #[test]
    fn no_argument_is_the_shipped_spec() {
        let tokens = expand_text(quote!(), "unused");
        assert!(tokens.contains(":: minimega :: spec :: shipped ()"));
        assert!(!tokens.contains("include_str"));
    }
}
