//! The rustdoc of generated items: the patterns each serves and the help
//! text of its commands, written so that rustdoc renders it as text (no
//! stray HTML tags or intra-doc links from minimega's `<arg>` and `[arg]`).

use std::fmt::Write;

use minimega_spec::{PatternId, Spec};

use crate::api::{NodeType, Param, ParamKind};
use crate::tree::Node;

/// Escapes the characters Markdown would read as markup.
pub fn escape_markdown(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|'
        ) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// A fenced block of plain text.
fn text_block(out: &mut String, text: &str) {
    let fence = if text.contains("```") { "~~~~" } else { "```" };
    let _ = writeln!(out, "\n{fence}text\n{}\n{fence}", text.trim_end());
}

fn handlers_of(ids: &[PatternId]) -> Vec<usize> {
    let mut handlers: Vec<usize> = ids.iter().map(|id| id.handler).collect();
    handlers.sort_unstable();
    handlers.dedup();
    handlers
}

/// The doc of a method that leads to `target`.
pub fn method(spec: &Spec, target: &NodeType, params: &[Param], node: &Node) -> String {
    let mut doc = String::new();
    let handlers = handlers_of(&node.reachable);
    if let [only] = handlers[..] {
        let handler = &spec.handlers()[only];
        let _ = writeln!(
            doc,
            "{}",
            escape_markdown(first_upper(&handler.help_short).trim())
        );
    } else {
        let _ = writeln!(doc, "`{}` and the commands under it.", target.path);
    }
    if !params.is_empty() {
        doc.push_str("\n# Arguments\n");
        for param in params {
            let takes = match param.kind {
                ParamKind::Value => "any `Display` value, delivered as written (or `Expand(..)` to let minimega expand it)",
                ParamKind::Flag => "`true` or `false`",
                ParamKind::List { required: true } => {
                    "one or more values (an empty list fails when run)"
                }
                ParamKind::List { required: false } => "zero or more values",
                ParamKind::Command => "a complete command built on `Cmd`",
            };
            let _ = writeln!(doc, "- `{}`: `{}`, {takes}", param.name, param.shown);
        }
    }
    doc.push_str("\n# Patterns\n");
    let listing: Vec<String> = node
        .reachable
        .iter()
        .map(|&id| {
            let pattern = &spec.pattern(id).text;
            if handlers.len() == 1 {
                pattern.clone()
            } else {
                format!("{pattern:<48} {}", spec.handlers()[id.handler].help_short)
            }
        })
        .collect();
    text_block(&mut doc, &listing.join("\n"));
    if let [only] = handlers[..] {
        let help = &spec.handlers()[only].help_long;
        if !help.trim().is_empty() {
            doc.push_str("\n# Help\n");
            text_block(&mut doc, help);
        }
    }
    doc
}

/// The doc of the builder type at the node reached by `path`.
pub fn node_type(spec: &Spec, path: &str, node: &Node) -> String {
    let mut doc = format!("The command `{path}`, being built.\n");
    if node.complete.is_empty() {
        doc.push_str("\nNot a whole command yet: call one of its methods to go on.\n");
    } else {
        doc.push_str("\nA whole command: render or run it through `Complete`. It serves:\n");
        let patterns: Vec<&str> = node
            .complete
            .iter()
            .map(|&id| spec.pattern(id).text.as_str())
            .collect();
        text_block(&mut doc, &patterns.join("\n"));
    }
    doc
}

fn first_upper(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}
