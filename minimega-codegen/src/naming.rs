//! Names of the generated API: how minimega's words and argument keys become
//! Rust identifiers.
//!
//! The naming rules are numbered as in `docs/design.md` ("Naming rules").
//! Rules 1 to 4, which steps make one method and which form of a word keeps
//! the word, are the tree's ([`crate::tree::Node::edges`]); the names follow
//! rules 5 to 9, in order:
//!
//! 5. Words split at every character that is not a letter or digit
//!    (`exec-once`, `IPv4/MASK`, `hostname:port`, `.csv`) and at a lower-case
//!    to upper-case change (`vmName`); the parts, lower-cased and joined by
//!    `_`, make the snake_case name (`exec_once`, `ipv4_mask`,
//!    `hostname_port`, `csv`, `vm_name`). Types join the same parts
//!    capitalised (`ExecOnce`). A name left empty becomes `arg`; one that
//!    starts with a digit gets `n` (types: `N`) in front: `3d` → `n3d`.
//! 6. A method is named after its first step: the word, else the argument's
//!    words before any ` or ` or `,` (`[maximum dimension]` →
//!    `maximum_dimension`, `<name or count>` → `name`), or `enabled` for a
//!    `true,false` choice. A name that rule 2 or 3 joins with a key takes
//!    the key's first word (`flush_vm`, `mirror_vm`, `tag_key`), or `named`
//!    where that repeats the word (`x [x]` → `x_named`); a setting's read adds
//!    `current` (`memory_current`), a clear of everything `all`
//!    (`vlans_all`). A parameter is named after its key, and
//!    one named like a keyword adds `_value`: `<match>` → `match_value`.
//! 7. A method name that is a Rust keyword, a method of the runtime's
//!    `Complete` trait ([`COMPLETE_METHODS`]) or a method of a prelude trait
//!    every builder has (`clone`, `into`, …) is joined with the key of its
//!    last argument: `file stream <file>` → `stream_file(file)`,
//!    `ns run (command)` → `run_command(command)`, `vnc type <vm> <str>...`
//!    → `type_str(vm, str)`, `vm config clone <vm>` → `clone_vm(vm)`. One
//!    without arguments is joined after the last word before it
//!    (`route_static()`), or at the top level followed by `command`
//!    (`type_command()`).
//! 8. Names that still clash with one another get `_2`, `_3`, … (types:
//!    `2`, `3`, …) in the order the spec first mentions them; types never
//!    take `T`, `M` (the generated code's type parameters) or `Self` (see
//!    [`Disambiguator`]).
//! 9. Types are the PascalCase path of method names: `vm().launch().kvm(..)`
//!    → `VmLaunchKvm`.

use std::collections::HashSet;

/// Words that cannot be plain identifiers.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// The methods of the runtime's `Complete` trait, which every complete
/// command has (and incomplete ones carry as hints). A method added to
/// `Complete` must be added here; the facade's `reserved_names` test fails
/// for a name here that `Complete` does not have.
pub const COMPLETE_METHODS: &[&str] = &[
    "run",
    "run_with",
    "stream",
    "stream_with",
    "render",
    "into_line",
    "into_builder",
    "as_builder",
    "command_line",
    "preview",
    "on",
];

/// Methods of prelude traits that every builder implements (`Clone`, and
/// the blanket `ToOwned`, `Into`, `TryInto`): a generated method of that
/// name would shadow them.
const PRELUDE_METHODS: &[&str] = &[
    "clone",
    "clone_from",
    "clone_into",
    "to_owned",
    "into",
    "try_into",
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

/// The snake_case name of a word or key (rule 5).
pub(crate) fn snake(text: &str) -> String {
    let mut name = parts(text).join("_");
    if name.is_empty() {
        name.push_str("arg");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'n');
    }
    name
}

/// The words of an argument's text that name it: those before any ` or `
/// or `,` (rule 6).
pub(crate) fn key_words(text: &str) -> &str {
    let end = [text.find(" or "), text.find(',')]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(text.len());
    &text[..end]
}

fn is_taken(name: &str) -> bool {
    KEYWORDS.contains(&name) || COMPLETE_METHODS.contains(&name) || PRELUDE_METHODS.contains(&name)
}

/// A method name (rule 7): `wanted`, or joined with the key of the last
/// parameter, or after `parent` (the last word before it), or before
/// `command`.
pub(crate) fn method(wanted: String, last_key: Option<&str>, parent: Option<&str>) -> String {
    if !is_taken(&wanted) {
        return wanted;
    }
    let joined = match (last_key, parent) {
        (Some(key), _) => format!("{wanted}_{}", snake(key)),
        (None, Some(parent)) => format!("{parent}_{wanted}"),
        (None, None) => format!("{wanted}_command"),
    };
    if is_taken(&joined) {
        format!("{joined}_")
    } else {
        joined
    }
}

/// A parameter name (rule 6).
pub(crate) fn param(key: &str) -> String {
    let name = snake(key);
    if KEYWORDS.contains(&name.as_str()) {
        format!("{name}_value")
    } else {
        name
    }
}

/// The PascalCase name of a snake_case name.
pub(crate) fn pascal(snake_name: &str) -> String {
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

/// Hands out unique names within one scope (rule 8).
#[derive(Debug, Default)]
pub(crate) struct Disambiguator {
    /// A set, not a list: the type scope holds every type of the API, and
    /// the line macro names them all, unoptimised, once per crate.
    taken: HashSet<String>,
    separator: &'static str,
}

impl Disambiguator {
    /// A scope for snake_case names: clashes become `name_2`, `name_3`, …
    pub fn snake() -> Disambiguator {
        Disambiguator {
            taken: HashSet::new(),
            separator: "_",
        }
    }

    /// A scope for type names: clashes become `Name2`, `Name3`, … (an `_`
    /// would trip `non_camel_case_types`), and `T` and `M`, the generated
    /// code's type parameters, and `Self` are never handed out.
    pub fn types() -> Disambiguator {
        Disambiguator {
            taken: ["T", "M", "Self"].into_iter().map(str::to_owned).collect(),
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
        self.taken.insert(name.clone());
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
            ("3d", "n3d"),
            ("...", "arg"),
            ("background-status", "background_status"),
        ];
        for (text, want) in cases {
            assert_eq!(snake(text), want, "{text}");
        }
    }

    #[test]
    fn argument_names_are_the_words_before_or() {
        let cases = [
            ("maximum dimension", "maximum dimension"),
            ("name or count", "name"),
            ("vm name, uuid or all", "vm name"),
            ("IPv4/MASK or IPv6/MASK or dhcp", "IPv4/MASK"),
            ("value", "value"),
        ];
        for (text, want) in cases {
            assert_eq!(key_words(text), want, "{text}");
        }
    }

    #[test]
    fn keywords_and_taken_methods_join_a_neighbour() {
        let method = |wanted: &str, key, parent| super::method(wanted.to_owned(), key, parent);
        assert_eq!(method("stream", Some("file"), Some("file")), "stream_file");
        assert_eq!(method("run", Some("command"), Some("ns")), "run_command");
        assert_eq!(method("type", Some("str"), Some("vnc")), "type_str");
        assert_eq!(method("clone", Some("vm"), Some("config")), "clone_vm");
        assert_eq!(method("static", None, Some("route")), "route_static");
        assert_eq!(method("type", None, None), "type_command");
        assert_eq!(method("memory", Some("value"), Some("config")), "memory");
        assert_eq!(param("match"), "match_value");
        assert_eq!(param("replacement"), "replacement");
    }

    #[test]
    fn pascal_names() {
        assert_eq!(pascal("exec_once"), "ExecOnce");
        assert_eq!(pascal("type_str"), "TypeStr");
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
        assert_eq!(types.claim("M"), "M2");
        assert_eq!(types.claim("Self"), "Self2");
    }
}
