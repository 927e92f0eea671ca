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

use crate::api::{Api, Method, Push};
use crate::api_map::chains;
use crate::tree::{Form, ParamKind};

/// A spec with its named API, as the line macro needs them.
#[derive(Debug)]
pub struct LineApi {
    spec: Cow<'static, Spec>,
    api: Api,
    /// Every chain of calls that ends at a complete form (indices into the
    /// API's methods, as paths from the top).
    chains: Vec<(Form, Vec<MethodRef>)>,
    /// The indices into `chains` of each pattern's chains.
    by_pattern: HashMap<PatternId, Vec<usize>>,
}

/// Where a method is: a top-level command, or a method of a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MethodRef {
    Top(usize),
    Of(usize, usize),
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
        let api = Api::without_docs(&spec);
        // Where each method is, by address, to name the methods of chains.
        let mut places: HashMap<*const Method, MethodRef> = HashMap::new();
        for (index, method) in api.commands.iter().enumerate() {
            places.insert(method, MethodRef::Top(index));
        }
        for (ty, t) in api.types.iter().enumerate() {
            for (index, method) in t.methods.iter().enumerate() {
                places.insert(method, MethodRef::Of(ty, index));
            }
        }
        let chains: Vec<(Form, Vec<MethodRef>)> = chains(&api)
            .into_iter()
            .map(|(form, chain)| {
                let refs = chain
                    .iter()
                    .filter_map(|&m| places.get(&(m as *const Method)).copied())
                    .collect();
                (form, refs)
            })
            .collect();
        let mut by_pattern: HashMap<PatternId, Vec<usize>> = HashMap::new();
        for (index, (form, _)) in chains.iter().enumerate() {
            by_pattern.entry(form.id).or_default().push(index);
        }
        LineApi {
            spec,
            api,
            chains,
            by_pattern,
        }
    }

    /// The API of the shipped spec, made once.
    pub fn shipped() -> &'static LineApi {
        static SHIPPED: OnceLock<LineApi> = OnceLock::new();
        SHIPPED.get_or_init(|| LineApi::build(Cow::Borrowed(minimega_spec::shipped())))
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

    fn method(&self, at: MethodRef) -> &Method {
        match at {
            MethodRef::Top(index) => &self.api.commands[index],
            MethodRef::Of(ty, index) => &self.api.types[ty].methods[index],
        }
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

/// A placeholder of the template: where it was written and its value.
#[derive(Debug, Clone)]
struct Placeholder {
    /// Its byte range in the template, braces included.
    written: std::ops::Range<usize>,
    /// Where it is in the text that was lexed.
    lexed: usize,
    /// The expression, or `None` for `{}`.
    expr: Option<String>,
}

/// The template with its placeholders replaced by [`PLACEHOLDER`], and
/// where each was.
#[derive(Debug, Clone)]
struct Template {
    lexed: String,
    placeholders: Vec<Placeholder>,
    /// (offset in `lexed`, offset in the template) at every point where
    /// the two differ in length, to point into the template.
    shifts: Vec<(usize, usize)>,
}

impl Template {
    fn parse(text: &str) -> Result<Template, (String, std::ops::Range<usize>)> {
        let mut lexed = String::with_capacity(text.len());
        let mut placeholders = Vec::new();
        let mut shifts = Vec::new();
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|&(_, c)| c) == Some('{') => {
                    chars.next();
                    lexed.push('{');
                    shifts.push((lexed.len(), at + 2));
                }
                '}' if chars.peek().map(|&(_, c)| c) == Some('}') => {
                    chars.next();
                    lexed.push('}');
                    shifts.push((lexed.len(), at + 2));
                }
                '{' => {
                    let close = text[at..].find('}').map(|i| at + i).ok_or((
                        "this `{` opens a placeholder that is never closed (write `{{` for a brace)"
                            .to_owned(),
                        at..at + 1,
                    ))?;
                    let inner = text[at + 1..close].trim();
                    if inner.contains('{') {
                        return Err((
                            "a placeholder holds one expression, without braces: bind a block \
                             to a variable first"
                                .to_owned(),
                            at..close + 1,
                        ));
                    }
                    while chars.peek().is_some_and(|&(i, _)| i <= close) {
                        chars.next();
                    }
                    placeholders.push(Placeholder {
                        written: at..close + 1,
                        lexed: lexed.len(),
                        expr: (!inner.is_empty()).then(|| inner.to_owned()),
                    });
                    lexed.push_str(PLACEHOLDER);
                    shifts.push((lexed.len(), close + 1));
                }
                '}' => return Err(("a lone `}` (write `}}` for a brace)".to_owned(), at..at + 1)),
                c => lexed.push(c),
            }
        }
        Ok(Template {
            lexed,
            placeholders,
            shifts,
        })
    }

    /// The template offset of an offset of the lexed text.
    fn written(&self, lexed: usize) -> usize {
        let (from_lexed, from_written) = self
            .shifts
            .iter()
            .rev()
            .find(|(l, _)| *l <= lexed)
            .copied()
            .unwrap_or((0, 0));
        from_written + (lexed - from_lexed)
    }

    /// A range of the lexed text as a range of the template.
    fn span(&self, lexed: &std::ops::Range<usize>) -> std::ops::Range<usize> {
        let start = self.written(lexed.start);
        // A placeholder's end maps past its closing brace.
        let end = self.written(lexed.end).max(start);
        start..end
    }
}

/// A value of the line: written in it, or a placeholder's.
#[derive(Debug, Clone)]
enum Value {
    Written(String),
    Placeholder(usize),
}

/// One argument of one generated call.
#[derive(Debug, Clone)]
enum ArgTokens {
    One(Value),
    /// A `true,false` choice: the word in full, or a placeholder.
    Flag(Value),
    List(Vec<Value>),
    Nested(Vec<Call>),
}

/// One call of the chain: the method's name and its arguments.
#[derive(Debug, Clone)]
struct Call {
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

/// The expansion, gathered as token trees and made a stream once. In a
/// proc macro every stream that `quote!` makes and every stream put into
/// another is a call across the compiler's bridge; a line's tokens made
/// this way cost a fraction of what nested `quote!`s did.
#[derive(Default)]
struct Tokens(Vec<TokenTree>);

impl Tokens {
    fn push(&mut self, tree: impl Into<TokenTree>) {
        self.0.push(tree.into());
    }

    fn ident(&mut self, name: &str) {
        self.push(Ident::new(name, Span::call_site()));
    }

    fn punct(&mut self, c: char) {
        self.push(Punct::new(c, Spacing::Alone));
    }

    /// `::`, as in a path.
    fn path_sep(&mut self) {
        self.push(Punct::new(':', Spacing::Joint));
        self.punct(':');
    }

    /// A path from the crate root: `::minimega::runtime::Cmd`.
    fn path(&mut self, segments: &[&str]) {
        for segment in segments {
            self.path_sep();
            self.ident(segment);
        }
    }

    fn trees(&mut self, trees: &[TokenTree]) {
        self.0.extend_from_slice(trees);
    }

    fn group(&mut self, delimiter: Delimiter, inner: impl FnOnce(&mut Tokens)) {
        let mut tokens = Tokens::default();
        inner(&mut tokens);
        self.push(Group::new(delimiter, tokens.into_stream()));
    }

    fn into_stream(self) -> TokenStream {
        self.0.into_iter().collect()
    }

    /// The calls on `Cmd`: the first through the trait's path when it can
    /// be named (`Commands::vm(Cmd)`), so that no block or import is needed;
    /// else as a method.
    fn on_cmd(&mut self, calls: &[Call], exprs: &[Vec<TokenTree>], commands: Option<&[&str]>) {
        match (commands, calls.split_first()) {
            (Some(path), Some((first, rest))) => {
                self.path(path);
                self.path_sep();
                self.ident(&first.name);
                self.group(Delimiter::Parenthesis, |out| {
                    out.path(CMD);
                    for arg in &first.args {
                        out.punct(',');
                        out.arg(arg, exprs, commands);
                    }
                });
                self.chain(rest, exprs, commands);
            }
            _ => {
                self.path(CMD);
                self.chain(calls, exprs, commands);
            }
        }
    }

    fn chain(&mut self, calls: &[Call], exprs: &[Vec<TokenTree>], commands: Option<&[&str]>) {
        for call in calls {
            self.punct('.');
            self.ident(&call.name);
            self.group(Delimiter::Parenthesis, |out| {
                for (index, arg) in call.args.iter().enumerate() {
                    if index > 0 {
                        out.punct(',');
                    }
                    out.arg(arg, exprs, commands);
                }
            });
        }
    }

    fn arg(&mut self, arg: &ArgTokens, exprs: &[Vec<TokenTree>], commands: Option<&[&str]>) {
        match arg {
            ArgTokens::One(value) => self.value(value, exprs),
            ArgTokens::Flag(Value::Written(word)) => self.ident(word),
            ArgTokens::Flag(placeholder) => self.value(placeholder, exprs),
            ArgTokens::List(items) => match &items[..] {
                [] => {
                    self.path(&["core", "iter", "empty"]);
                    self.path_sep();
                    self.punct('<');
                    self.punct('&');
                    self.push(Punct::new('\'', Spacing::Joint));
                    self.ident("static");
                    self.ident("str");
                    self.punct('>');
                    self.group(Delimiter::Parenthesis, |_| {});
                }
                [one] => self.value(one, exprs),
                _ => {
                    // Words alone are one type; with placeholders, each
                    // item is an `ArgValue`.
                    let mixed = items.iter().any(|v| matches!(v, Value::Placeholder(_)));
                    self.group(Delimiter::Bracket, |out| {
                        for (index, item) in items.iter().enumerate() {
                            if index > 0 {
                                out.punct(',');
                            }
                            if mixed {
                                out.path(&["minimega", "runtime", "ArgValue", "of"]);
                                out.group(Delimiter::Parenthesis, |out| out.value(item, exprs));
                            } else {
                                out.value(item, exprs);
                            }
                        }
                    });
                }
            },
            ArgTokens::Nested(nested) => self.on_cmd(nested, exprs, commands),
        }
    }

    fn value(&mut self, value: &Value, exprs: &[Vec<TokenTree>]) {
        match value {
            Value::Written(text) => self.push(Literal::string(text)),
            // The expression is the whole argument, so it needs no
            // parentheses of its own.
            Value::Placeholder(k) => self.trees(exprs.get(*k).map_or(&[], Vec::as_slice)),
        }
    }
}

/// The path of the type every command starts from.
const CMD: &[&str] = &["minimega", "runtime", "Cmd"];

/// The line matched as minicli would match it, a placeholder standing for
/// any value. A placeholder where the line fails and a `true,false` choice
/// would go on is that choice's `bool`: it is matched as `true` (the
/// method that takes the choice takes either value) and tried again.
fn matched_line(spec: &Spec, tokens: &[Spanned]) -> Result<Match, check::Diagnostic> {
    let mut texts: Vec<String> = tokens.iter().map(|t| t.text.clone()).collect();
    loop {
        if let Some(matched) = spec.compile_tokens(&texts) {
            return Ok(matched);
        }
        let mismatch = spec.diagnose(&texts);
        let takes_bool = mismatch.reason == Reason::Unexpected
            && texts.get(mismatch.at).is_some_and(|t| t == PLACEHOLDER)
            && ["true", "false"].iter().all(|word| {
                mismatch
                    .expected
                    .contains(&Expected::Word((*word).to_owned()))
            });
        if !takes_bool {
            return Err(check::explain(tokens, &mismatch));
        }
        texts[mismatch.at] = "true".to_owned();
    }
}

/// The chain of calls for a matched line: the chain of its form whose
/// words the line wrote. `Err` holds a message, the index of the token it
/// is about, and hints.
fn resolve(
    api: &LineApi,
    matched: &Match,
    tokens: &[Spanned],
    values: &[Value],
) -> Result<Vec<Call>, (String, usize, Vec<String>)> {
    let pattern = api.spec.pattern(matched.id);
    let full = match pattern.items.last() {
        Some(item) if item.is_optional() => match item {
            Item::Value { key, .. } => matched.value(key).is_some(),
            Item::List { key, .. } => !matched.list(key).is_empty(),
            Item::Choice { options, .. } => options.iter().any(|o| matched.chose(o)),
            _ => true,
        },
        _ => true,
    };
    let candidates: Vec<&Vec<MethodRef>> = api
        .by_pattern
        .get(&matched.id)
        .into_iter()
        .flatten()
        .map(|&index| &api.chains[index])
        .filter(|(form, _)| form.full == full)
        .map(|(_, chain)| chain)
        .collect();
    for exact in [true, false] {
        for chain in &candidates {
            if let Some(calls) = align(api, chain, matched, tokens, values, exact)? {
                return Ok(calls);
            }
        }
    }
    // No chain: the form is one the API leaves out.
    let refusal =
        daemon_wide::refusal(pattern, true).or_else(|| daemon_wide::refusal(pattern, false));
    match refusal {
        Some(why) => Err((
            format!("`{}` {why}, so the typed API leaves it out", pattern.text),
            0,
            vec![why.instead().to_owned()],
        )),
        None => Err((
            format!("`{}` has no typed form a line can take here", pattern.text),
            0,
            vec!["write the command with the builders".to_owned()],
        )),
    }
}

type Resolved = Result<Option<Vec<Call>>, (String, usize, Vec<String>)>;

/// The calls of `chain` if the line's tokens follow it; words match in
/// full when `exact`, or as minicli's abbreviations.
fn align(
    api: &LineApi,
    chain: &[MethodRef],
    matched: &Match,
    tokens: &[Spanned],
    values: &[Value],
    exact: bool,
) -> Resolved {
    let mut at = 0;
    let mut calls = Vec::new();
    for &method in chain {
        let method = api.method(method);
        let mut args = Vec::new();
        for push in &method.pushes {
            match push {
                Push::Word(word) => {
                    let Some(token) = tokens.get(at) else {
                        return Ok(None);
                    };
                    let fits = if exact {
                        token.text == *word
                    } else {
                        token.text != PLACEHOLDER && word.starts_with(token.text.as_str())
                    };
                    if !fits {
                        return Ok(None);
                    }
                    at += 1;
                }
                Push::Param(index) => match method.params[*index].kind {
                    ParamKind::Value { .. } => {
                        let Some(value) = values.get(at) else {
                            return Ok(None);
                        };
                        args.push(ArgTokens::One(value.clone()));
                        at += 1;
                    }
                    ParamKind::Flag => {
                        // A placeholder here is the method's `bool` (the
                        // match took it as `true`, see `matched_line`).
                        let flag = match values.get(at) {
                            Some(Value::Placeholder(k)) => Value::Placeholder(*k),
                            Some(Value::Written(word)) => {
                                match ["true", "false"]
                                    .into_iter()
                                    .find(|full| full.starts_with(word.as_str()))
                                {
                                    Some(full) => Value::Written(full.to_owned()),
                                    None => return Ok(None),
                                }
                            }
                            None => return Ok(None),
                        };
                        args.push(ArgTokens::Flag(flag));
                        at += 1;
                    }
                    ParamKind::List { .. } => {
                        args.push(ArgTokens::List(values[at.min(values.len())..].to_vec()));
                        at = tokens.len();
                    }
                    ParamKind::Command => {
                        let Some(sub) = matched.subcommand.as_deref() else {
                            return Ok(None);
                        };
                        let nested = resolve(api, sub, &tokens[at..], &values[at..])
                            .map_err(|(message, i, help)| (message, at + i, help))?;
                        args.push(ArgTokens::Nested(nested));
                        at = tokens.len();
                    }
                },
            }
        }
        calls.push(Call {
            name: method.name.clone(),
            args,
        });
    }
    Ok((at == tokens.len()).then_some(calls))
}

/// `tokens` with every span set to `span`.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(group) = &tree {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tree = proc_macro2::TokenTree::Group(inner);
            } else {
                tree.set_span(span);
            }
            tree
        })
        .collect()
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn api() -> &'static LineApi {
        LineApi::shipped()
    }

    fn rust(line: &str) -> String {
        rust_text(api(), line).unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    fn error(line: &str) -> String {
        rust_text(api(), line).unwrap_err().message
    }

    #[test]
    fn a_line_becomes_the_builder_calls() {
        assert_eq!(rust("vm launch kvm 5"), r#"Cmd.vm().launch().kvm("5")"#);
        assert_eq!(
            rust("vm lau kvm 5 web"),
            r#"Cmd.vm().launch().kvm("5").config("web")"#
        );
        assert_eq!(
            rust("vm config memory"),
            "Cmd.vm().config().memory_current()"
        );
        assert_eq!(rust("vm flush"), "Cmd.vm().flush()");
        assert_eq!(rust("vm flush a"), r#"Cmd.vm().flush_vm("a")"#);
        assert_eq!(
            rust("vm config memory 2048"),
            r#"Cmd.vm().config().memory("2048")"#
        );
        assert_eq!(
            rust("mesh send all vm info"),
            r#"Cmd.mesh().send("all", Cmd.vm().info())"#
        );
        assert_eq!(
            rust(".json true vm info"),
            "Cmd.json(true, Cmd.vm().info())"
        );
        assert_eq!(rust("cc exec ls -l"), r#"Cmd.cc().exec(["ls", "-l"])"#);
        assert_eq!(
            rust(r#"cc exec "uname -a""#),
            r#"Cmd.cc().exec("uname -a")"#
        );
    }

    #[test]
    fn placeholders_are_values() {
        assert_eq!(
            rust("vm launch kvm {count}"),
            "Cmd.vm().launch().kvm(count)"
        );
        assert_eq!(
            rust("vm launch kvm {n + 1}"),
            "Cmd.vm().launch().kvm(n + 1)"
        );
        assert_eq!(
            rust("cc exec ls {dir}"),
            r#"Cmd.cc().exec([:: minimega :: runtime :: ArgValue :: of("ls"), :: minimega :: runtime :: ArgValue :: of(dir)])"#
        );
        assert_eq!(rust("echo {{braces}}"), r#"Cmd.echo_args("{braces}")"#);
        // A `true,false` choice takes a placeholder as the method's `bool`.
        assert_eq!(rust(".json {on} vm info"), "Cmd.json(on, Cmd.vm().info())");
        assert_eq!(
            rust(".csv {a} .headers {b} vm info"),
            "Cmd.csv(a, Cmd.headers(b, Cmd.vm().info()))"
        );
    }

    #[test]
    fn mistakes_name_the_word_and_the_way_on() {
        let message = error("vm lunch kvm 5");
        assert!(
            message.starts_with("unknown word `lunch` after `vm`\n  vm lunch kvm 5\n     ^^^^^\n  = help: did you mean `launch`?"),
            "{message}"
        );
        let message = error("vm {what}");
        assert!(
            message.starts_with("a placeholder stands for a value, and only a word fits after `vm`\n  vm {what}\n     ^^^^^^"),
            "{message}"
        );
        let message = error("vm launch kvm");
        assert!(
            message.contains("= help: it needs `<name or count>`"),
            "{message}"
        );
        let message = error("log level verbose");
        assert!(
            message.contains("`debug`, `info`, `warn`, `error` or `fatal`"),
            "{message}"
        );
        let message = error("vm launch kvm web-{n}");
        assert!(
            message.starts_with("a placeholder stands for a whole argument"),
            "{message}"
        );
        let message = error("namespace foo");
        assert!(
            message.contains("switches the active namespace for every client"),
            "{message}"
        );
        let message = error(".json {on}");
        assert!(
            message.contains("changes the flag's default for every client"),
            "{message}"
        );
        let message = error("vm config {on}");
        assert!(message.contains("only a word fits"), "{message}");
        let message = error("vm info # {x}");
        assert!(
            message.starts_with("this placeholder is in a comment"),
            "{message}"
        );
        let message = error("vm launch kvm {}");
        assert!(
            message.starts_with("1 `{}` placeholder but 0 arguments"),
            "{message}"
        );
        let message = error("mesh send all vm");
        assert!(
            message.starts_with("`mesh send all vm` is not a whole command"),
            "{message}"
        );
    }

    #[test]
    #[ignore = "prints timings"]
    fn timings() {
        let t = std::time::Instant::now();
        let spec = minimega_spec::shipped().clone();
        eprintln!("spec clone {:?}", t.elapsed());
        let t = std::time::Instant::now();
        let api = Api::new(&spec);
        eprintln!("api {:?}", t.elapsed());
        let t = std::time::Instant::now();
        let _ = chains(&api);
        eprintln!("chains {:?}", t.elapsed());
        let t = std::time::Instant::now();
        let line_api = LineApi::new(spec.clone());
        eprintln!("line api {:?}", t.elapsed());
        let t = std::time::Instant::now();
        let _ = Api::without_docs(&spec);
        eprintln!("api without docs {:?}", t.elapsed());
        let lines: Vec<String> = line_api
            .chains
            .iter()
            .map(|(_, chain)| {
                let methods: Vec<&Method> = chain.iter().map(|&m| line_api.method(m)).collect();
                crate::api_map::line_and_call(&methods).0
            })
            .collect();
        let input = |text: &str| LineInput {
            text: text.to_owned(),
            positional: Vec::new(),
            target: None,
            commands: Some(&["minimega", "api", "Commands"]),
            span: Span::call_site(),
        };
        for _ in 0..3 {
            let t = std::time::Instant::now();
            for line in &lines {
                expand(&line_api, &input(line)).unwrap();
            }
            eprintln!("{} lines {:?}", lines.len(), t.elapsed());
        }
        let texts: Vec<Vec<String>> = lines.iter().map(|l| input::lex(l).unwrap()).collect();
        let t = std::time::Instant::now();
        for tokens in &texts {
            line_api.spec.compile_tokens(tokens).unwrap();
        }
        eprintln!("their matches alone {:?}", t.elapsed());
    }

    #[test]
    fn a_script_as_rust() {
        let rust = script_to_rust(
            api(),
            "lab",
            "lab.mm",
            "# lab\nvm launch kvm 2\n.alias vmr=vm info\nvmr\nnamespace lab\necho {x}\n",
        );
        for want in [
            "pub fn lab(\n    mm: &mut ::minimega::runtime::Client,\n)",
            "    // line 2: vm launch kvm 2\n    mm.vm().launch().kvm(\"2\").run()?;",
            "    // line 4: vmr\n    {\n        // not typed: unknown command `vmr`\n        mm.raw_unchecked(\"vmr\")?.run()?;",
            "// not typed: `namespace [name]` switches the active namespace for every client",
            "mm.echo_args(\"{x}\").run()?;",
        ] {
            assert!(rust.contains(want), "{want}\n---\n{rust}");
        }
        syn::parse_file(&rust).expect("it parses as Rust");
    }

    proptest::proptest! {
        #[test]
        fn any_template_expands_or_says_why(text in r#"[ a-z.#"'\\{}0-9é]{0,24}"#) {
            let _ = rust_text(api(), &text);
        }
    }

    #[test]
    fn another_spec_has_its_own_lines() {
        let api = LineApi::from_json(
            r#"[{"patterns": ["frob <count>"]}, {"patterns": ["echo [args]..."]}]"#,
        )
        .unwrap();
        assert_eq!(rust_text(&api, "frob 3").unwrap(), r#"Cmd.frob("3")"#);
        let message = rust_text(&api, "vm info").unwrap_err().message;
        assert!(message.starts_with("unknown command `vm`"), "{message}");
        let cached = LineApi::cached(r#"[{"patterns": ["frob <count>"]}]"#).unwrap();
        let again = LineApi::cached(r#"[{"patterns": ["frob <count>"]}]"#).unwrap();
        assert!(Arc::ptr_eq(&cached, &again), "one API per spec text");
    }

    #[test]
    fn every_form_through_a_line_is_the_builder_chain() {
        let api = api();
        let mut checked = 0;
        for (form, chain) in &api.chains {
            let methods: Vec<&Method> = chain.iter().map(|&m| api.method(m)).collect();
            let (line, want) = crate::api_map::line_and_call(&methods);
            let got = rust_text(api, &line)
                .unwrap_or_else(|e| panic!("{}: `{line}`: {e}", api.spec.pattern(form.id).text));
            assert_eq!(got, want, "{line}");
            checked += 1;
        }
        assert!(checked > 500, "{checked}");
    }
}
