//! What a command line becomes on the wire: checked against the rules that
//! protect the shared daemon, put in its namespace, sent with minimega's
//! preprocessor off when a typed value needs it (see [`crate::preprocess`]),
//! and which hosts must answer it.

use minimega_spec::{Item, Match, Spec};

use crate::command::CommandLine;
use crate::error::Error;

/// Where a command runs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope<'s> {
    /// In the client's default namespace, if it has one.
    Client,
    /// In the given namespace.
    Namespace(&'s str),
    /// Without any namespace prefix.
    Bare,
}

/// A line ready to send.
#[derive(Debug)]
pub(crate) struct Outgoing {
    /// The line as written on the socket.
    pub(crate) line: String,
    /// The hosts a `mesh send` in the line was addressed to, when the line
    /// names them (not `all`): each should answer.
    pub(crate) expected_hosts: Option<Vec<String>>,
}

/// Prepares `line` to run in `namespace` (if any); `None` for a line with
/// no tokens, which minimega would not answer.
pub(crate) fn prepare(
    spec: &Spec,
    namespace: Option<&str>,
    line: CommandLine,
) -> Result<Option<Outgoing>, Error> {
    if let Some(problem) = line.problem() {
        return Err(problem.clone().into());
    }
    if line.tokens().is_empty() {
        return Ok(None);
    }
    let matched = spec.compile_tokens(line.tokens());
    if matched
        .as_ref()
        .is_some_and(|m| switches_namespace(spec, m))
    {
        return Err(Error::NamespaceSwitch {
            line: crate::error::excerpt(&line.to_string()),
        });
    }
    let expected_hosts = matched.as_ref().and_then(|m| mesh_targets(spec, m));
    let verbatim = crate::preprocess::needs_verbatim(&line)?;
    let line = match namespace {
        Some(name) => line.prefixed(["namespace", name]),
        None => line,
    };
    // Outermost, so that it covers the namespace's nested command too.
    let line = if verbatim {
        line.prefixed([".preprocess", "false"])
    } else {
        line
    };
    Ok(Some(Outgoing {
        line: line.render()?,
        expected_hosts,
    }))
}

/// The match and the commands nested in it, outermost first.
fn nesting(found: &Match) -> impl Iterator<Item = &Match> {
    std::iter::successors(Some(found), |m| m.subcommand.as_deref())
}

/// Whether the line, or a command nested in it, is a plain `namespace
/// <name>`, which switches the active namespace of the whole minimega.
fn switches_namespace(spec: &Spec, found: &Match) -> bool {
    nesting(found).any(|m| {
        matches!(
            spec.pattern(m.id).items.as_slice(),
            [Item::Literal(word), Item::Value { key, .. }] if word == "namespace" && m.value(key).is_some()
        )
    })
}

/// The hosts of the first `mesh send <hosts> (command)` in the line, if it
/// names them: minimega answers for each host that ran the command and says
/// nothing of a host that did not (an unknown name, the head itself).
fn mesh_targets(spec: &Spec, found: &Match) -> Option<Vec<String>> {
    nesting(found).find_map(|m| match spec.pattern(m.id).items.as_slice() {
        [Item::Literal(mesh), Item::Literal(send), Item::Value { key, .. }, Item::Command { .. }]
            if mesh == "mesh" && send == "send" =>
        {
            let hosts = m.value(key)?;
            if hosts == "all" {
                return None;
            }
            let mut names = minimega_spec::ranges::expand(hosts).ok()?;
            let mut seen = std::collections::BTreeSet::new();
            names.retain(|name| seen.insert(name.clone()));
            Some(names)
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matched(line: &str) -> Match {
        let spec = minimega_spec::shipped();
        spec.compile_tokens(&minimega_spec::input::lex(line).unwrap())
            .unwrap()
    }

    #[test]
    fn spots_namespace_switches() {
        let spec = minimega_spec::shipped();
        let switches = |line: &str| switches_namespace(spec, &matched(line));
        assert!(switches("namespace foo"));
        assert!(switches(".columns name namespace foo"));
        assert!(switches("mesh send all namespace foo"));
        assert!(!switches("namespace"));
        assert!(!switches("namespace foo vm info"));
        assert!(!switches("clear namespace foo"));
        assert!(!switches("vm info"));
    }

    #[test]
    fn knows_which_hosts_a_mesh_send_names() {
        let spec = minimega_spec::shipped();
        let targets = |line: &str| mesh_targets(spec, &matched(line));
        assert_eq!(
            targets("mesh send node[1-3],node2 echo x").unwrap(),
            ["node1", "node2", "node3"]
        );
        assert_eq!(
            targets("namespace lab .columns name mesh send n9 vm info").unwrap(),
            ["n9"]
        );
        assert_eq!(targets("mesh send all echo x"), None);
        assert_eq!(targets("mesh send n[1-x] echo x"), None);
        assert_eq!(targets("vm info"), None);
    }

    #[test]
    fn prefixes_namespace_then_preprocessor() {
        let spec = minimega_spec::shipped();
        let line = crate::command::Builder::new(crate::Cmd)
            .word("echo")
            .arg("args", "$x")
            .into_parts()
            .1;
        let out = prepare(spec, Some("lab"), line).unwrap().unwrap();
        assert_eq!(out.line, ".preprocess false namespace lab echo $x");
        assert!(prepare(spec, None, CommandLine::default())
            .unwrap()
            .is_none());
    }
}
