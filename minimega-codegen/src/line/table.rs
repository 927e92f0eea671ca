//! The line macro's table: for every complete form of every pattern, the
//! chains of generated calls that write it, keeping of each method only
//! what a line needs (its name and what it appends).
//!
//! Naming the whole API is most of what a crate's first `cmd!` costs (the
//! macro runs unoptimised, as cargo builds proc macros), so the macro
//! crate writes the shipped spec's table as text at its own build
//! ([`LineApi::table_text`](super::LineApi::table_text)) and reads it back
//! ([`LineApi::shipped_from_table`](super::LineApi::shipped_from_table));
//! another spec's table is made from its API.

use std::fmt::Write;

use minimega_spec::model::RawHandler;
use minimega_spec::{PatternId, Spec};

use crate::api::{Api, Push};
use crate::api_map::chains;
use crate::tree::{Form, ParamKind};

/// The first line of the text, naming its format: a table written by
/// another version of this code is refused rather than misread.
const HEADER: &str = "minimega line table 1";

/// What a method appends to the line, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum TablePush {
    /// A literal word.
    Word(String),
    /// A parameter's value.
    Param(ParamKind),
}

/// A generated method, as a line writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TableMethod {
    /// The Rust name.
    pub(super) name: String,
    /// What it appends.
    pub(super) pushes: Vec<TablePush>,
}

/// The chains of calls of a spec's complete forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LineTable {
    /// Every method some chain calls.
    pub(super) methods: Vec<TableMethod>,
    /// Each complete form with one chain that writes it (indices into
    /// `methods`), ordered by form as [`chains`] orders them.
    pub(super) chains: Vec<(Form, Vec<usize>)>,
}

/// Why a table's text could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    /// The line of the text, from 1.
    pub line: usize,
    /// What is wrong with it.
    pub message: String,
}

impl std::fmt::Display for TableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for TableError {}

impl LineTable {
    /// The table of a named API.
    pub(super) fn from_api(api: &Api) -> LineTable {
        let mut methods = Vec::new();
        // Each method once, by address: chains share their prefixes.
        let mut index_of = std::collections::HashMap::new();
        let chains = chains(api)
            .into_iter()
            .map(|(form, chain)| {
                let indices = chain
                    .into_iter()
                    .map(|method| {
                        *index_of
                            .entry(std::ptr::from_ref(method))
                            .or_insert_with(|| {
                                methods.push(TableMethod {
                                    name: method.name.clone(),
                                    pushes: method
                                        .pushes
                                        .iter()
                                        .map(|push| match push {
                                            Push::Word(word) => TablePush::Word(word.clone()),
                                            Push::Param(index) => {
                                                TablePush::Param(method.params[*index].kind)
                                            }
                                        })
                                        .collect(),
                                });
                                methods.len() - 1
                            })
                    })
                    .collect();
                (form, indices)
            })
            .collect();
        LineTable { methods, chains }
    }

    /// `spec` and its table as text, one record a line: the header; the
    /// spec's version (`v`); each handler (`h` and its shared prefix, then
    /// `s` its short help, `l` its long help, `p` each pattern, escaped so
    /// each stays on its line); each method (`m`, its name and its pushes:
    /// `=word`, or a parameter's kind); each chain (`c`, handler, pattern,
    /// `full` or `short`, method indices). `None` if a word holds
    /// whitespace, which a minimega word cannot.
    pub(super) fn to_text(&self, spec: &Spec) -> Option<String> {
        let mut text = format!("{HEADER}\n");
        if let Some(version) = spec.version() {
            record(&mut text, 'v', version);
        }
        for handler in spec.handlers() {
            record(&mut text, 'h', &handler.shared_prefix);
            record(&mut text, 's', &handler.help_short);
            record(&mut text, 'l', &handler.help_long);
            for pattern in &handler.patterns {
                record(&mut text, 'p', &pattern.text);
            }
        }
        for method in &self.methods {
            text.push_str("m ");
            text.push_str(&method.name);
            for push in &method.pushes {
                text.push(' ');
                match push {
                    TablePush::Word(word) => {
                        if word.is_empty() || word.contains(char::is_whitespace) {
                            return None;
                        }
                        text.push('=');
                        text.push_str(word);
                    }
                    TablePush::Param(kind) => text.push_str(kind_code(*kind)),
                }
            }
            text.push('\n');
        }
        for (form, chain) in &self.chains {
            let full = if form.full { "full" } else { "short" };
            let _ = write!(text, "c {} {} {full}", form.id.handler, form.id.pattern);
            for index in chain {
                let _ = write!(text, " {index}");
            }
            text.push('\n');
        }
        Some(text)
    }

    /// Reads what [`LineTable::to_text`] wrote: the spec, validated as
    /// [`Spec::from_raw`] validates any, and its table, every pattern and
    /// method index checked, so that a damaged table is an error, never a
    /// wrong chain. Only the standard library's string functions read it,
    /// which are optimised even where the macro is not.
    pub(super) fn from_text(text: &str) -> Result<(Spec, LineTable), TableError> {
        let mut lines = text.lines().enumerate().map(|(at, line)| (at + 1, line));
        match lines.next() {
            Some((_, HEADER)) => {}
            _ => {
                return Err(TableError {
                    line: 1,
                    message: format!("expected `{HEADER}`"),
                })
            }
        }
        let mut version = None;
        let mut handlers: Vec<RawHandler> = Vec::new();
        let mut table = LineTable {
            methods: Vec::new(),
            chains: Vec::new(),
        };
        // Each chain's line, to name it if its pattern is not in the spec.
        let mut chain_lines = Vec::new();
        for (line, text) in lines {
            let fail = |message: String| TableError { line, message };
            let (tag, rest) = text.split_once(' ').unwrap_or((text, ""));
            let before_handlers = || fail(format!("`{tag}` before the first handler (`h`)"));
            match tag {
                "v" => version = Some(unescape(rest)),
                "h" => handlers.push(RawHandler {
                    help_short: String::new(),
                    help_long: String::new(),
                    patterns: Vec::new(),
                    shared_prefix: unescape(rest),
                    parsed_patterns: Vec::new(),
                }),
                "s" | "l" | "p" => {
                    let handler = handlers.last_mut().ok_or_else(before_handlers)?;
                    let value = unescape(rest);
                    match tag {
                        "s" => handler.help_short = value,
                        "l" => handler.help_long = value,
                        _ => handler.patterns.push(value),
                    }
                }
                "m" => {
                    let mut fields = rest.split(' ');
                    let name = fields
                        .next()
                        .filter(|name| !name.is_empty())
                        .ok_or_else(|| fail("a method without a name".to_owned()))?;
                    let pushes = fields
                        .map(|field| match field.strip_prefix('=') {
                            Some(word) if !word.is_empty() => Ok(TablePush::Word(word.to_owned())),
                            _ => kind_of_code(field)
                                .map(TablePush::Param)
                                .ok_or_else(|| fail(format!("unknown push `{field}`"))),
                        })
                        .collect::<Result<_, _>>()?;
                    table.methods.push(TableMethod {
                        name: name.to_owned(),
                        pushes,
                    });
                }
                "c" => {
                    let mut fields = rest.split(' ');
                    let mut number = |what: &str| -> Result<usize, TableError> {
                        fields
                            .next()
                            .and_then(|field| field.parse().ok())
                            .ok_or_else(|| fail(format!("expected the {what}")))
                    };
                    let id = PatternId {
                        handler: number("handler")?,
                        pattern: number("pattern")?,
                    };
                    let full = match fields.next() {
                        Some("full") => true,
                        Some("short") => false,
                        _ => return Err(fail("expected `full` or `short`".to_owned())),
                    };
                    let chain = fields
                        .map(|field| {
                            field
                                .parse()
                                .ok()
                                .filter(|&index| index < table.methods.len())
                                .ok_or_else(|| fail(format!("no method `{field}`")))
                        })
                        .collect::<Result<Vec<usize>, _>>()?;
                    if chain.is_empty() {
                        return Err(fail("a chain without calls".to_owned()));
                    }
                    table.chains.push((Form { id, full }, chain));
                    chain_lines.push(line);
                }
                _ => return Err(fail(format!("unknown record `{tag}`"))),
            }
        }
        let spec = Spec::from_raw(handlers).map_err(|error| TableError {
            line: 0,
            message: format!("its spec: {error}"),
        })?;
        let spec = match version {
            Some(version) => spec.with_version(&version),
            None => spec,
        };
        for ((form, _), line) in table.chains.iter().zip(chain_lines) {
            let in_spec = spec
                .handlers()
                .get(form.id.handler)
                .is_some_and(|handler| form.id.pattern < handler.patterns.len());
            if !in_spec {
                return Err(TableError {
                    line,
                    message: format!(
                        "pattern {} of handler {} is not in the spec",
                        form.id.pattern, form.id.handler
                    ),
                });
            }
        }
        Ok((spec, table))
    }
}

/// Appends a record: its tag and its text, escaped to stay on one line.
fn record(text: &mut String, tag: char, value: &str) {
    text.push(tag);
    text.push(' ');
    for c in value.chars() {
        match c {
            '\\' => text.push_str("\\\\"),
            '\n' => text.push_str("\\n"),
            '\r' => text.push_str("\\r"),
            c => text.push(c),
        }
    }
    text.push('\n');
}

/// A record's text as [`record`] wrote it.
fn unescape(escaped: &str) -> String {
    if !escaped.contains('\\') {
        return escaped.to_owned();
    }
    let mut text = String::with_capacity(escaped.len());
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            text.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => text.push('\n'),
            Some('r') => text.push('\r'),
            Some(other) => text.push(other),
            None => text.push('\\'),
        }
    }
    text
}

/// Every kind of parameter, for reading the codes back.
pub(super) const KINDS: [ParamKind; 6] = [
    ParamKind::Value { optional: false },
    ParamKind::Value { optional: true },
    ParamKind::Flag,
    ParamKind::List { required: true },
    ParamKind::List { required: false },
    ParamKind::Command,
];

/// A parameter's kind in the text.
fn kind_code(kind: ParamKind) -> &'static str {
    match kind {
        ParamKind::Value { optional: false } => "value",
        ParamKind::Value { optional: true } => "value?",
        ParamKind::Flag => "flag",
        ParamKind::List { required: true } => "list+",
        ParamKind::List { required: false } => "list",
        ParamKind::Command => "command",
    }
}

fn kind_of_code(code: &str) -> Option<ParamKind> {
    KINDS.into_iter().find(|kind| kind_code(*kind) == code)
}
