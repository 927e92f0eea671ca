//! The line macro's logic: one minimega line, with `{expr}` and `{}`
//! placeholders for values, matched against the spec as minicli matches it
//! and turned into the builder calls that make the same command.
//!
//! The line is a template: `{{` and `}}` are braces, `{expr}` is a
//! placeholder for the value of `expr`, `{}` one for the next positional
//! argument. Placeholders are taken out before the line is lexed with
//! minicli's rules, each as one token that matches any argument of a
//! pattern and no word ([`minimega_spec::check::PLACEHOLDER`]), so a value
//! is never lexed or matched as text: it goes to the builder's parameter as
//! the expression it is. The match then picks the chain of generated
//! methods whose words the line wrote (abbreviations included, as minicli
//! takes them), and the line's own values become string literals.
//!
//! A line that is not a command fails with the message of
//! [`minimega_spec::check::explain`], the line shown with the word at fault
//! marked.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use minimega_spec::check::{self, PLACEHOLDER};
use minimega_spec::input::{self, Spanned};
use minimega_spec::{daemon_wide, Expected, Item, Match, PatternId, Reason, Spec, SpecError};
use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::quote;

use crate::api::Api;
use crate::tree::ParamKind;

mod matching;
mod table;
mod template;
mod to_rust;
mod tokens;

use matching::{matched_line, resolve, respan};
pub use table::TableError;
use table::{LineTable, TableMethod, TablePush};
use template::Template;
pub use to_rust::{rust_text, script_to_rust};
use tokens::Tokens;

/// A spec with the chains of calls of its API, as the line macro needs
/// them.
#[derive(Debug)]
pub struct LineApi {
    spec: Cow<'static, Spec>,
    table: LineTable,
    /// The indices into the table's chains of each pattern's chains.
    by_pattern: HashMap<PatternId, Vec<usize>>,
}

impl LineApi {
    /// Reads a spec in the format `minimega -cli` prints.
    pub fn from_json(json: &str) -> Result<LineApi, SpecError> {
        Ok(LineApi::new(Spec::from_json(json)?))
    }

    /// The API of a spec already read.
    pub fn new(spec: Spec) -> LineApi {
        LineApi::build(Cow::Owned(spec))
    }

    fn build(spec: Cow<'static, Spec>) -> LineApi {
        let table = LineTable::from_api(&Api::without_docs(&spec));
        LineApi::with_table(spec, table)
    }

    fn with_table(spec: Cow<'static, Spec>, table: LineTable) -> LineApi {
        let mut by_pattern: HashMap<PatternId, Vec<usize>> = HashMap::new();
        for (index, (form, _)) in table.chains.iter().enumerate() {
            by_pattern.entry(form.id).or_default().push(index);
        }
        LineApi {
            spec,
            table,
            by_pattern,
        }
    }

    /// The API of the shipped spec, made once.
    pub fn shipped() -> &'static LineApi {
        static SHIPPED: OnceLock<LineApi> = OnceLock::new();
        SHIPPED.get_or_init(|| LineApi::build(Cow::Borrowed(minimega_spec::shipped())))
    }

    /// The API that [`LineApi::table_text`] wrote as text, its spec with
    /// it: the same API without reading the spec's JSON or naming the
    /// whole tree again, which were most of the cost of a crate's first
    /// line. A damaged table is an error.
    pub fn from_table(text: &str) -> Result<LineApi, TableError> {
        let (spec, table) = LineTable::from_text(text)?;
        Ok(LineApi::with_table(Cow::Owned(spec), table))
    }

    /// This API and its spec as text, for [`LineApi::from_table`]; `None`
    /// if the spec has a word with whitespace in it, which minimega's
    /// cannot have.
    pub fn table_text(&self) -> Option<String> {
        self.table.to_text(&self.spec)
    }

    /// The API of the spec in `json`, made once per text: proc macros run
    /// in one process per crate, so every line of a crate shares it.
    pub fn cached(json: &str) -> Result<Arc<LineApi>, SpecError> {
        type Cache = Mutex<Vec<(String, Arc<LineApi>)>>;
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
        let mut cache = cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, api)) = cache.iter().find(|(text, _)| text == json) {
            return Ok(Arc::clone(api));
        }
        let api = Arc::new(LineApi::from_json(json)?);
        cache.push((json.to_owned(), Arc::clone(&api)));
        Ok(api)
    }

    /// The spec.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    fn method(&self, index: usize) -> &TableMethod {
        &self.table.methods[index]
    }
}

/// Why a line cannot be a command, for the compiler to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// The whole message: what is wrong, the line with the place marked,
    /// and the hints.
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// What the macro was given.
#[derive(Debug, Clone)]
pub struct LineInput {
    /// The line, as the string literal holds it.
    pub text: String,
    /// The values of `{}` placeholders, in order, each as its tokens
    /// (token trees, not streams: in a proc macro, every stream made or
    /// taken apart is a call across the compiler's bridge).
    pub positional: Vec<Vec<TokenTree>>,
    /// What the command is built on, as its tokens; `None` for `Cmd`.
    pub target: Option<Vec<TokenTree>>,
    /// The span of the string literal: the expressions of `{expr}`
    /// placeholders get it, so that their names resolve where the line was
    /// written (through a `cmd!` that `generate_api!` defined as well).
    pub span: Span,
    /// The path of the API's `Commands` trait from the crate root, as its
    /// segments (`["minimega", "api", "Commands"]`), if it can be named
    /// (the shipped API's can); otherwise it must be in scope where the
    /// macro is used.
    pub commands: Option<&'static [&'static str]>,
}

/// A value of the line: written in it, or a placeholder's.
#[derive(Debug, Clone)]
pub(super) enum Value {
    Written(String),
    Placeholder(usize),
}

/// One argument of one generated call.
#[derive(Debug, Clone)]
pub(super) enum ArgTokens {
    One(Value),
    /// A `true,false` choice: the word in full, or a placeholder.
    Flag(Value),
    List(Vec<Value>),
    Nested(Vec<Call>),
}

/// One call of the chain: the method's name and its arguments.
#[derive(Debug, Clone)]
pub(super) struct Call {
    name: String,
    args: Vec<ArgTokens>,
}

/// The expression a line expands to: the builder calls of its command.
pub fn expand(api: &LineApi, input: &LineInput) -> Result<TokenStream, LineError> {
    let text = &input.text;
    let fail = |message: String, span: std::ops::Range<usize>, help: Vec<String>| {
        let mut message = format!("{message}\n{}", check::mark(text, &span, "  "));
        for help in help {
            message.push_str(&format!("  = help: {help}\n"));
        }
        LineError {
            message: message.trim_end().to_owned(),
        }
    };
    let template = Template::parse(text).map_err(|(message, span)| fail(message, span, vec![]))?;
    let positional = template
        .placeholders
        .iter()
        .filter(|p| p.expr.is_none())
        .count();
    if positional != input.positional.len() {
        let all = 0..text.len();
        return Err(fail(
            format!(
                "{positional} `{{}}` placeholder{} but {} argument{} after the line",
                if positional == 1 { "" } else { "s" },
                input.positional.len(),
                if input.positional.len() == 1 { "" } else { "s" },
            ),
            all,
            vec!["give one argument for each `{}`, in order, or name the value inside the braces: `{count}`".to_owned()],
        ));
    }
    let tokens = input::lex_spanned(&template.lexed).map_err(|error| {
        let at = template.written(error.at);
        fail(error.to_string(), at..at + 1, vec![])
    })?;
    // Each placeholder must be a token of its own.
    let mut seen = 0;
    for token in &tokens {
        if token.text == PLACEHOLDER {
            seen += 1;
        } else if token.text.contains(PLACEHOLDER) {
            return Err(fail(
                "a placeholder stands for a whole argument, not part of one".to_owned(),
                template.span(&token.span),
                vec![
                    "build the value in Rust (`format!`) and give it as one placeholder".to_owned(),
                ],
            ));
        }
    }
    if seen != template.placeholders.len() {
        let lost = template
            .placeholders
            .iter()
            .find(|p| !tokens.iter().any(|t| t.span.start == p.lexed))
            .map_or(0..text.len(), |p| p.written.clone());
        return Err(fail(
            "this placeholder is in a comment, which minimega ignores".to_owned(),
            lost,
            vec![],
        ));
    }
    if tokens.is_empty() || template.lexed.trim_start().starts_with('#') {
        return Err(fail(
            "the line has no command".to_owned(),
            0..text.len(),
            vec!["write a minimega command, as in `vm info`".to_owned()],
        ));
    }
    let matched = matched_line(&api.spec, &tokens).map_err(|diagnostic| {
        fail(
            diagnostic.message,
            template.span(&diagnostic.span),
            diagnostic.help,
        )
    })?;
    // The placeholders, by their token's place in the line.
    let mut placeholder_at = Vec::new();
    let mut next = 0;
    for (index, token) in tokens.iter().enumerate() {
        if token.text == PLACEHOLDER {
            placeholder_at.push((index, next));
            next += 1;
        }
    }
    let values: Vec<Value> = tokens
        .iter()
        .enumerate()
        .map(
            |(index, token)| match placeholder_at.iter().find(|(i, _)| *i == index) {
                Some(&(_, k)) => Value::Placeholder(k),
                None => Value::Written(token.text.clone()),
            },
        )
        .collect();
    let calls = resolve(api, &matched, &tokens, &values).map_err(|(message, at, help)| {
        let span = tokens.get(at).map_or(0..0, |t| template.span(&t.span));
        fail(message, span, help)
    })?;
    // The expressions of the placeholders, in order.
    let mut positional = input.positional.iter();
    let mut exprs = Vec::new();
    for placeholder in &template.placeholders {
        let expr = match &placeholder.expr {
            None => positional.next().cloned().unwrap_or_default(),
            Some(expr) => {
                let parsed: syn::Expr = syn::parse_str(expr).map_err(|e| {
                    fail(
                        format!("`{expr}` is not a Rust expression: {e}"),
                        placeholder.written.clone(),
                        vec![],
                    )
                })?;
                respan(quote!(#parsed), input.span).into_iter().collect()
            }
        };
        exprs.push(expr);
    }
    let mut out = Tokens::default();
    let commands = input.commands;
    match &input.target {
        None => out.on_cmd(&calls, &exprs, commands),
        Some(target) => {
            let on_target = |out: &mut Tokens| {
                match &target[..] {
                    [TokenTree::Ident(name)] => out.push(name.clone()),
                    _ => out.group(Delimiter::Parenthesis, |out| out.trees(target)),
                }
                out.chain(&calls, &exprs, commands);
            };
            match commands {
                // Method syntax takes `mm` by `&mut` as the builders do,
                // which needs the trait in scope.
                Some(path) => out.group(Delimiter::Brace, |out| {
                    out.punct('#');
                    out.group(Delimiter::Bracket, |out| {
                        out.ident("allow");
                        out.group(Delimiter::Parenthesis, |out| out.ident("unused_imports"));
                    });
                    out.ident("use");
                    out.path(path);
                    out.ident("as");
                    out.ident("_");
                    out.punct(';');
                    on_target(out);
                }),
                None => on_target(&mut out),
            }
        }
    }
    Ok(out.into_stream())
}

/// The path of the type every command starts from.
const CMD: &[&str] = &["minimega", "runtime", "Cmd"];

#[cfg(test)]
mod tests;
