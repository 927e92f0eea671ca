//! Names of the generated API: how minimega's words and argument keys become
//! Rust identifiers.
//!
//! The rules, in order:
//! 1. Words split at every character that is not a letter or digit
//!    (`exec-once`, `IPv4/MASK`, `hostname:port`, `.csv`) and at a lower-case
//!    to upper-case change (`vmName`); the parts, lower-cased and joined by
//!    `_`, make the snake_case name (`exec_once`, `ipv4_mask`,
//!    `hostname_port`, `csv`, `vm_name`). Types join the same parts
//!    capitalised (`ExecOnce`).
//! 2. A name left empty becomes `arg`; one that starts with a digit gets
//!    `n` (types: `N`) in front: `3d` → `n3d`.
//! 3. Rust keywords and the method names of the runtime's `Complete` trait
//!    (`run`, `run_with`, `stream`, `stream_with`, `render`, `into_line`,
//!    `into_builder`, `on`) get a trailing
//!    `_`: `type_`, `in_`, `static_`, `run_`.
//! 4. Names that still clash with one another get `_2`, `_3`, … (types:
//!    `2`, `3`, …) in the order the spec first mentions them; types never
//!    take `T` or `Self` (see [`Disambiguator`]).

/// Words that cannot be plain identifiers.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// Method names the runtime's traits already use on every command.
const RESERVED: &[&str] = &[
    "run",
    "run_with",
    "stream",
    "stream_with",
    "render",
    "into_line",
    "into_builder",
    "on",
];

fn parts(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in text.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                parts.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower {
            parts.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// The snake_case name of a word or key (rules 1 to 3).
pub fn snake(text: &str) -> String {
    let mut name = parts(text).join("_");
    if name.is_empty() {
        name.push_str("arg");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'n');
    }
    if KEYWORDS.contains(&name.as_str()) || RESERVED.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// The PascalCase name of a snake_case name.
pub fn pascal(snake_name: &str) -> String {
    let mut name: String = snake_name
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() {
        name.insert(0, 'N');
    }
    name
}

/// Hands out unique names within one scope (rule 4).
#[derive(Debug, Default)]
pub struct Disambiguator {
    taken: Vec<String>,
    separator: &'static str,
}

impl Disambiguator {
    /// A scope for snake_case names: clashes become `name_2`, `name_3`, …
    pub fn snake() -> Disambiguator {
        Disambiguator {
            taken: Vec::new(),
            separator: "_",
        }
    }

    /// A scope for type names: clashes become `Name2`, `Name3`, … (an `_`
    /// would trip `non_camel_case_types`), and `T`, the builders' type
    /// parameter, and `Self` are never handed out.
    pub fn types() -> Disambiguator {
        Disambiguator {
            taken: vec!["T".to_owned(), "Self".to_owned()],
            separator: "",
        }
    }

    /// `wanted` if it is free, else `wanted` numbered from 2.
    pub fn claim(&mut self, wanted: &str) -> String {
        let mut name = wanted.to_owned();
        let mut n = 1;
        while self.taken.contains(&name) {
            n += 1;
            name = format!("{wanted}{}{n}", self.separator);
        }
        self.taken.push(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_names() {
        let cases = [
            ("exec-once", "exec_once"),
            ("IPv4/MASK", "ipv4_mask"),
            ("Ipv4/Mask", "ipv4_mask"),
            ("hostname:port", "hostname_port"),
            (".csv", "csv"),
            ("vmName", "vm_name"),
            ("ID", "id"),
            ("type", "type_"),
            ("in", "in_"),
            ("static", "static_"),
            ("run", "run_"),
            ("3d", "n3d"),
            ("...", "arg"),
            ("background-status", "background_status"),
        ];
        for (text, want) in cases {
            assert_eq!(snake(text), want, "{text}");
        }
    }

    #[test]
    fn pascal_names() {
        assert_eq!(pascal("exec_once"), "ExecOnce");
        assert_eq!(pascal("type_"), "Type");
        assert_eq!(pascal("n3d"), "N3d");
        assert_eq!(pascal(""), "N");
    }

    #[test]
    fn clashes_get_numbered_in_order() {
        let mut names = Disambiguator::snake();
        assert_eq!(names.claim("foo_bar"), "foo_bar");
        assert_eq!(names.claim("foo_bar"), "foo_bar_2");
        assert_eq!(names.claim("foo_bar"), "foo_bar_3");
        let mut types = Disambiguator::types();
        assert_eq!(types.claim("FooBar"), "FooBar");
        assert_eq!(types.claim("FooBar"), "FooBar2");
        assert_eq!(types.claim("T"), "T2");
        assert_eq!(types.claim("Self"), "Self2");
    }
}
