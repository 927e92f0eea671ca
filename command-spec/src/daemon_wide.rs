//! Command forms that change minimega for every client of the daemon, which
//! a typed API does not generate and the client refuses to send.
//!
//! minimega keeps some state per daemon, not per connection: the active
//! namespace, the defaults of minicli's output flags, aliases and its
//! environment. A client that changes them changes them under every other
//! client's feet, so these forms are not offered:
//!
//! | form | why |
//! |---|---|
//! | `namespace <name>` without a command | switches the active namespace |
//! | `clear namespace` without a name | switches back to the default namespace |
//! | `.csv`, `.json`, `.headers`, `.annotate`, `.sort`, `.compress`, `.record`, `.preprocess` given `true` or `false` without a command | changes that flag's default |
//! | `.alias <alias>...`, `.unalias <alias>` | aliases rewrite every later command, and can route around these checks |
//! | `.env <name> <value>` | sets a variable of the daemon's environment |
//!
//! Reading the state stays allowed: `namespace`, `.json`, `.alias` and
//! `.env [name]` alone. The same rule serves the code generator, which
//! decides per pattern form ([`refusal`]), and the runtime, which checks a
//! matched line and every command nested in it ([`refusal_in`]).
//!
//! ```
//! use minimega_spec::{daemon_wide, Line};
//!
//! let spec = minimega_spec::shipped();
//! let Line::Command(m) = spec.compile("mesh send all namespace foo").unwrap() else { panic!() };
//! assert_eq!(
//!     daemon_wide::refusal_in(spec, &m),
//!     Some(daemon_wide::DaemonWide::SwitchesNamespace)
//! );
//! ```

use std::fmt;

use crate::matcher::Match;
use crate::pattern::{Item, Pattern};
use crate::spec::Spec;

/// minicli's flag builtins (`.csv [true,false] [command]` …): `true` or
/// `false` without a command sets the default for every client.
pub const FLAG_BUILTINS: &[&str] = &[
    ".csv",
    ".json",
    ".headers",
    ".annotate",
    ".sort",
    ".compress",
    ".record",
    ".preprocess",
];

/// Why a form is refused: the daemon-wide state it would change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DaemonWide {
    /// `namespace <name>` without a command.
    SwitchesNamespace,
    /// `clear namespace` without a name.
    ResetsNamespace,
    /// A minicli flag builtin given `true` or `false` without a command.
    SetsFlagDefault,
    /// `.alias <alias>...` or `.unalias <alias>`.
    ChangesAliases,
    /// `.env <name> <value>`.
    SetsEnvironment,
}

impl DaemonWide {
    /// What to do instead, in a sentence.
    pub fn instead(self) -> &'static str {
        match self {
            DaemonWide::SwitchesNamespace | DaemonWide::ResetsNamespace => {
                "run commands through a namespace handle (`Client::in_namespace(name)`) instead"
            }
            DaemonWide::SetsFlagDefault => {
                "give the command the flag applies to, as in `.json true vm info`"
            }
            DaemonWide::ChangesAliases | DaemonWide::SetsEnvironment => {
                "configure the daemon before clients connect instead"
            }
        }
    }
}

impl fmt::Display for DaemonWide {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DaemonWide::SwitchesNamespace => "switches the active namespace for every client",
            DaemonWide::ResetsNamespace => "switches every client back to the default namespace",
            DaemonWide::SetsFlagDefault => "changes the flag's default for every client",
            DaemonWide::ChangesAliases => "changes the aliases every client's commands go through",
            DaemonWide::SetsEnvironment => "changes the daemon's environment for every client",
        })
    }
}

/// Whether the form of `pattern` is refused, and why. `tail_given` says
/// whether its optional last item, if it has one, was given; it is ignored
/// for a pattern without one.
pub fn refusal(pattern: &Pattern, tail_given: bool) -> Option<DaemonWide> {
    let items = &pattern.items;
    let given = |index: usize| match items.get(index) {
        None => false,
        Some(item) if index + 1 == items.len() && item.is_optional() => tail_given,
        Some(_) => true,
    };
    let words: Vec<&str> = items.iter().map_while(Item::fixed_word).collect();
    let nested = items
        .iter()
        .any(|item| matches!(item, Item::Command { .. }));
    match words[..] {
        ["namespace"] if given(1) && !nested => Some(DaemonWide::SwitchesNamespace),
        ["clear", "namespace"] if !given(2) => Some(DaemonWide::ResetsNamespace),
        [flag] if FLAG_BUILTINS.contains(&flag) && given(1) && !nested => {
            Some(DaemonWide::SetsFlagDefault)
        }
        [".alias"] if given(1) => Some(DaemonWide::ChangesAliases),
        [".unalias"] => Some(DaemonWide::ChangesAliases),
        [".env"] if given(2) => Some(DaemonWide::SetsEnvironment),
        _ => None,
    }
}

/// Whether the matched line's optional last item, if its pattern has one,
/// was given.
pub fn tail_given(pattern: &Pattern, found: &Match) -> bool {
    match pattern.items.last() {
        Some(Item::Value {
            key,
            optional: true,
            ..
        }) => found.value(key).is_some(),
        Some(Item::List {
            key,
            optional: true,
            ..
        }) => !found.list(key).is_empty(),
        Some(Item::Choice {
            options,
            optional: true,
        }) => options.iter().any(|option| found.chose(option)),
        _ => true,
    }
}

/// Whether a matched line, or any command nested in it, is refused, and
/// why: the check the runtime makes on every line it sends.
pub fn refusal_in(spec: &Spec, found: &Match) -> Option<DaemonWide> {
    let mut current = Some(found);
    while let Some(m) = current {
        let pattern = spec.pattern(m.id);
        if let Some(reason) = refusal(pattern, tail_given(pattern, m)) {
            return Some(reason);
        }
        current = m.subcommand.as_deref();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Line;

    fn check(line: &str) -> Option<DaemonWide> {
        let spec = crate::shipped();
        let Ok(Line::Command(m)) = spec.compile(line) else {
            panic!("{line} does not compile");
        };
        refusal_in(spec, &m)
    }

    #[test]
    fn refuses_what_changes_every_client() {
        use DaemonWide::*;
        let cases = [
            ("namespace foo", Some(SwitchesNamespace)),
            ("clear namespace", Some(ResetsNamespace)),
            (".json true", Some(SetsFlagDefault)),
            (".preprocess false", Some(SetsFlagDefault)),
            (".alias foo vm info", Some(ChangesAliases)),
            (".unalias foo", Some(ChangesAliases)),
            (".env FOO bar", Some(SetsEnvironment)),
            ("mesh send all namespace foo", Some(SwitchesNamespace)),
            (".columns name .csv true", Some(SetsFlagDefault)),
            ("namespace", None),
            ("namespace foo vm info", None),
            ("clear namespace foo", None),
            (".json", None),
            (".json true vm info", None),
            (".alias", None),
            (".env", None),
            (".env FOO", None),
            ("vm info", None),
        ];
        for (line, want) in cases {
            assert_eq!(check(line), want, "{line}");
        }
    }

    #[test]
    fn decides_per_pattern_form() {
        let pattern = |text: &str| Pattern::parse(text).unwrap();
        assert!(refusal(&pattern("namespace [name]"), true).is_some());
        assert!(refusal(&pattern("namespace [name]"), false).is_none());
        assert!(refusal(&pattern("clear namespace [name]"), false).is_some());
        assert!(refusal(&pattern("clear namespace [name]"), true).is_none());
        assert!(refusal(&pattern(".csv <true,false> (command)"), true).is_none());
        assert!(refusal(&pattern(".unalias <alias>"), true).is_some());
        assert!(refusal(&pattern(".env <name> <value>"), true).is_some());
        assert!(refusal(&pattern(".env [name]"), true).is_none());
    }
}
