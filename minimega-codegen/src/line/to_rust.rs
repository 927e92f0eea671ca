//! Lines and scripts printed as Rust: the typed calls they become.

use super::*;

/// A script as Rust source: a function `name(mm: &mut Client)` that runs
/// each command of `text` in order as a typed call (`mm.vm().info().run()?;`),
/// each after a comment with its line number and the line as written. A
/// line the typed API cannot take (one that is not a command, such as an
/// alias the script defined, or one that changes minimega for every
/// client) comes out as `raw_unchecked` with a comment saying why.
pub fn script_to_rust(api: &LineApi, name: &str, file: &str, text: &str) -> String {
    let target: Vec<TokenTree> = vec![Ident::new("mm", Span::call_site()).into()];
    let mut body = Vec::new();
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw).trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // Braces are the template's: a line's own are written doubled.
        let template = line.replace('{', "{{").replace('}', "}}");
        let input = LineInput {
            text: template,
            positional: Vec::new(),
            target: Some(target.clone()),
            commands: None,
            span: Span::call_site(),
        };
        let comment = format!(" line {}: {line}", index + 1);
        let statement = match expand(api, &input) {
            Ok(tokens) => quote!(#tokens.run()?;),
            Err(error) => {
                let why = error.message.lines().next().unwrap_or_default().to_owned();
                let why = format!(" not typed: {why}");
                quote!({
                    #[doc = #why]
                    mm.raw_unchecked(#line)?.run()?;
                })
            }
        };
        body.push(quote!(
            #[doc = #comment]
            #statement
        ));
    }
    let name = proc_macro2::Ident::new(name, Span::call_site());
    let doc =
        format!(" `{file}`, one typed call per line (written by `minimega-check --to-rust`).");
    let function = quote! {
        #[doc = #doc]
        pub fn #name(mm: &mut ::minimega::runtime::Client) -> ::core::result::Result<(), ::minimega::runtime::Error> {
            use ::minimega::prelude::*;
            #(#body)*
            Ok(())
        }
    };
    let parsed: syn::File = match syn::parse2(function.clone()) {
        Ok(parsed) => parsed,
        Err(_) => return function.to_string(),
    };
    // Comments on statements are written as `///`; make them plain. The
    // prelude names `Cmd`.
    prettyplease::unparse(&parsed)
        .replace("::minimega::runtime::Cmd.", "Cmd.")
        .lines()
        .map(|l| match l.trim_start().strip_prefix("///") {
            Some(rest) if !l.starts_with("///") => {
                let indent = &l[..l.len() - l.trim_start().len()];
                format!("{indent}//{rest}\n")
            }
            _ => format!("{l}\n"),
        })
        .collect()
}

/// The builder calls a line becomes, as Rust text (`Cmd.vm().info()`),
/// for tests and for printing scripts as Rust.
pub fn rust_text(api: &LineApi, line: &str) -> Result<String, LineError> {
    let tokens = expand(
        api,
        &LineInput {
            text: line.to_owned(),
            positional: Vec::new(),
            target: None,
            commands: None,
            span: Span::call_site(),
        },
    )?;
    let text = tokens.to_string();
    Ok(text
        .replace(":: minimega :: runtime :: Cmd", "Cmd")
        .replace(" . ", ".")
        .replace(" (", "(")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(" ,", ","))
}
