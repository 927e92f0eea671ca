//! The rustdoc of generated items: the patterns each serves and the help
//! text of its commands, written so that rustdoc renders it as text (no
//! stray HTML tags or intra-doc links from minimega's `<arg>` and `[arg]`).

use std::fmt::Write;

use minimega_spec::{Handler, PatternId, Spec};

use crate::api::Param;
use crate::tree::{Edge, Node, ParamKind, Prune};

/// Escapes the characters Markdown would read as markup.
pub(crate) fn escape_markdown(text: &str) -> String {
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

/// The doc of a method: what it does, its arguments and patterns.
pub(crate) fn method(spec: &Spec, target_path: &str, params: &[Param], edge: &Edge<'_>) -> String {
    let mut doc = String::new();
    let node = edge.target;
    let handlers = handlers_of(&node.reachable);
    if let [only] = handlers[..] {
        let handler = &spec.handlers()[only];
        let _ = writeln!(
            doc,
            "{}",
            escape_markdown(first_upper(&handler.help_short).trim())
        );
    } else {
        let _ = writeln!(doc, "`{target_path}` and the commands under it.");
    }
    if !params.is_empty() {
        doc.push_str("\n# Arguments\n");
        for param in params {
            let takes = match param.kind {
                ParamKind::Value { optional: false } => "any `Display` value, delivered as written (or `Expand(..)` to let minimega expand it)",
                ParamKind::Value { optional: true } => "any `Display` value but an empty one, which minimega would read as not given, delivered as written (or `Expand(..)` to let minimega expand it)",
                ParamKind::Flag => "`true` or `false`",
                ParamKind::List { required: true } => {
                    "one value, or any iterator of values (an empty one fails when run)"
                }
                ParamKind::List { required: false } => "one value, or any iterator of values",
                ParamKind::Command => "a complete command built on `Cmd`, such as `Cmd.vm().info()`",
            };
            let _ = writeln!(doc, "- `{}`: `{}`, {takes}", param.name, param.shown);
        }
    }
    doc.push_str("\n# Patterns\n");
    let ids: Vec<PatternId> = if edge.prune != Prune::Nothing {
        node.complete.iter().map(|form| form.id).collect()
    } else {
        node.reachable.clone()
    };
    let listing: Vec<String> = ids
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
    doc
}

/// The line that points a method to the type showing its long help
/// (`link`, an intra-doc link).
pub(crate) fn help_pointer(link: &str) -> String {
    format!("\nThe full help is on [`{link}`].\n")
}

/// A command's long help, for the doc of the one type that shows it.
pub(crate) fn help(handler: &Handler) -> String {
    let mut doc = format!(
        "\n# Help\n\n{}\n",
        escape_markdown(first_upper(&handler.help_short).trim())
    );
    text_block(&mut doc, &handler.help_long);
    doc
}

/// The doc of the builder type at the node reached by `path`.
pub(crate) fn node_type(spec: &Spec, path: &str, node: &Node) -> String {
    let mut doc = format!("The command `{path}`, being built.\n");
    if node.complete.is_empty() {
        doc.push_str("\nNot a whole command yet: finish it with one of its methods.\n");
    } else {
        doc.push_str("\nA whole command: render or run it through `Complete`. It serves:\n");
        let patterns: Vec<&str> = node
            .complete
            .iter()
            .map(|form| spec.pattern(form.id).text.as_str())
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
