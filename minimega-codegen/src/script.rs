//! The script macro's logic: a `.mm` file checked line by line, as
//! minimega's `read` would run it ([`minimega_spec::check::script`]), and
//! made into a `runtime::Script` of its commands.
//!
//! Every bad line is reported, each as `file:LINE:COL: error: …` with the
//! line marked and the hints. A line that would change minimega for every
//! client ([`minimega_spec::daemon_wide`], such as `namespace lab` alone)
//! is an error too: `read` scopes such a switch to the script, but a client
//! shares the daemon, so the script runs on a namespace handle instead.
//!
//! A line whose command the spec's help marks deprecated is a warning, and
//! stable Rust gives a proc macro no way to warn: so the expansion uses a
//! `#[deprecated]` item whose note is the checker's message, and rustc's
//! own `deprecated` lint reports it (and `#![deny(warnings)]` makes it an
//! error, as for any warning).

use minimega_spec::check::{self, Severity};
use minimega_spec::{daemon_wide, Line, Spec};
use proc_macro2::TokenStream;
use quote::quote;

/// A script file, as the macro read it.
#[derive(Debug, Clone, Copy)]
pub struct ScriptInput<'a> {
    /// The path as the user wrote it, for messages and `Script::name`.
    pub name: &'a str,
    /// The path as `include_str!` takes it, so cargo rebuilds when the file
    /// changes.
    pub include_path: &'a str,
    /// The file's text.
    pub text: &'a str,
}

/// The `runtime::Script` of a file, or one message per bad line.
pub fn expand(spec: &Spec, input: &ScriptInput<'_>) -> Result<TokenStream, Vec<String>> {
    let (mut errors, warnings): (Vec<_>, Vec<_>) = check::script(spec, input.text)
        .into_iter()
        .map(|found| {
            let message = found.render(input.name).trim_end().to_owned();
            (found.diagnostic.severity, found.line, message)
        })
        .partition(|(severity, _, _)| *severity == Severity::Error);
    let mut lines = Vec::new();
    for (index, raw) in input.text.split('\n').enumerate() {
        let text = raw.strip_suffix('\r').unwrap_or(raw);
        let Ok(Line::Command(matched)) = spec.compile(text) else {
            continue;
        };
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        if let Some(why) = daemon_wide::refusal_in(spec, &matched) {
            let column = text.len() - text.trim_start().len() + 1;
            errors.push((Severity::Error, index + 1, format!(
                "{}:{}:{column}: error: `{}` {why}\n    {text}\n    = help: run the script on a namespace handle (`mm.in_namespace(name)`), or {}",
                input.name,
                number,
                text.trim(),
                why.instead()
            )));
            continue;
        }
        lines.push((number, text.trim().to_owned()));
    }
    if !errors.is_empty() {
        errors.sort_by_key(|(_, line, _)| *line);
        return Err(errors.into_iter().map(|(_, _, message)| message).collect());
    }
    let name = input.name;
    let include_path = input.include_path;
    let entries = lines.iter().map(|(number, text)| quote!((#number, #text)));
    let warnings = warnings.iter().map(|(_, _, message)| warning(message));
    Ok(quote!({
        const _: &str = ::core::include_str!(#include_path);
        #(#warnings)*
        ::minimega::runtime::Script::new(#name, &[#(#entries),*])
    }))
}

/// A statement that makes rustc warn with `message`: the use of a
/// deprecated item whose note it is.
fn warning(message: &str) -> TokenStream {
    quote! {
        {
            #[deprecated(note = #message)]
            #[allow(non_upper_case_globals)]
            const minimega_script_warning: () = ();
            #[allow(clippy::let_unit_value)]
            let _ = minimega_script_warning;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<String, Vec<String>> {
        expand(
            minimega_spec::shipped(),
            &ScriptInput {
                name: "lab.mm",
                include_path: "/crate/lab.mm",
                text,
            },
        )
        .map(|tokens| tokens.to_string())
    }

    #[test]
    fn a_good_script_keeps_its_commands_and_their_lines() {
        let tokens = run("# lab\nvm config memory 2048\n\nvm launch kvm 2 # two\r\n").unwrap();
        assert!(
            tokens.contains("include_str ! (\"/crate/lab.mm\")"),
            "{tokens}"
        );
        assert!(
            tokens.contains(
                "(2u32 , \"vm config memory 2048\") , (4u32 , \"vm launch kvm 2 # two\")"
            ),
            "{tokens}"
        );
    }

    #[test]
    fn a_deprecated_command_is_a_warning_rustc_reports() {
        let text = "ns snapshot\nvm info\n";
        let warned = check::script(minimega_spec::shipped(), text);
        assert_eq!(warned.len(), 1, "the spec marks `ns snapshot` deprecated");
        let tokens = run(text).unwrap();
        let note = warned[0].render("lab.mm").trim_end().to_owned();
        assert!(note.starts_with("lab.mm:1:"), "{note}");
        let expected = quote!(#[deprecated(note = #note)]).to_string();
        assert!(tokens.contains(&expected), "{tokens}");
        assert!(!run("vm info\n").unwrap().contains("deprecated"));
    }

    #[test]
    fn every_bad_line_is_reported_with_its_place() {
        let errors =
            run("vm lunch kvm 2\nvm info\nnamespace lab\nread x.mm\nvm launch kvm\n").unwrap_err();
        let heads: Vec<&str> = errors.iter().map(|e| e.lines().next().unwrap()).collect();
        assert_eq!(
            heads,
            [
                "lab.mm:1:4: error: unknown word `lunch` after `vm`",
                "lab.mm:3:1: error: `namespace lab` switches the active namespace for every client",
                "lab.mm:4:1: error: minimega's `read` refuses to run `read` from a script",
                "lab.mm:5:11: error: `vm launch kvm` is not a whole command",
            ]
        );
    }
}
