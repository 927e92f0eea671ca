//! What a command line becomes on the wire: checked against the rules that
//! protect the shared daemon, put in its namespace, sent with minimega's
//! preprocessor off when a typed value needs it (see [`crate::preprocess`]),
//! and which hosts must answer it.

use minimega_spec::{Item, Match, Spec};

use minimega_spec::daemon_wide;
use minimega_spec::harmful::{self, BadArgument, ValueRule};
use minimega_spec::input::{forwarding_problem, unwritable_char};

use crate::arg::Origin;
use crate::error::{Error, Refusal};
use crate::excerpt::excerpt;
use crate::line::CommandLine;

/// Checks a namespace name against the rule for names minimega makes
/// directories of ([`ValueRule::FileName`]): minimega's own name rule,
/// `^[a-zA-Z0-9-_.]+$`, not `.` or `..`, and at most
/// [`MAX_FILE_NAME`](minimega_spec::harmful::MAX_FILE_NAME) bytes. The same
/// rule holds a `namespace` or `clear namespace` line on every route.
pub fn validate_namespace(name: &str) -> Result<(), Error> {
    ValueRule::FileName
        .check(name)
        .map_err(|problem| Error::InvalidNamespace {
            name: crate::excerpt::excerpt(name),
            problem,
        })
}

/// Where a command runs.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'s> {
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
/// no tokens, which minimega would not answer. The line is refused if, as
/// sent, it would change minimega for every client or carry a token that
/// minimega cannot pass on intact.
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
    let verbatim = crate::preprocess::needs_verbatim(&line)?;
    if let Some(token) = crate::preprocess::climbing_file(&line).filter(|_| !verbatim) {
        return Err(Error::Refused {
            line: excerpt(&line.to_string()),
            refusal: Refusal::BadValue {
                key: "file:",
                value: excerpt(token),
                rule: harmful::ValueRule::Contained,
                problem: harmful::BadValue::Climbs,
            },
        });
    }
    let namespace = namespace.filter(|_| !manages_namespaces(spec, &line));
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
    // A typed line is a form of its API's spec, which leaves the daemon-wide
    // forms out, and knows where its nested command starts: only a `mesh
    // send` in it needs the match, for its hosts. A hand-written line is
    // always matched.
    let typed = line.is_typed();
    let matched = if typed && !line.tokens().iter().any(|t| t == "mesh") {
        None
    } else {
        spec.compile_tokens(line.tokens())
    };
    let nested_from = match &matched {
        Some(found) => forwarded_from(spec, found),
        None if typed => line.nested_from().unwrap_or(usize::MAX),
        None => 1,
    };
    check(spec, matched.as_ref(), &line, nested_from).map_err(|refusal| Error::Refused {
        line: excerpt(&line.to_string()),
        refusal,
    })?;
    Ok(Some(Outgoing {
        expected_hosts: matched.as_ref().and_then(|m| mesh_targets(spec, m)),
        line: line.render()?,
    }))
}

/// Whether the line is `namespace …` or `clear namespace …`, which work on
/// namespaces rather than in one: a namespace prefix would only create that
/// namespace as a side effect. A typed line has its words in full; a
/// hand-written one may abbreviate them, so it is matched.
fn manages_namespaces(spec: &Spec, line: &CommandLine) -> bool {
    let tokens = line.tokens();
    if line.is_typed() {
        return match tokens {
            [first, ..] if first == "namespace" => true,
            [first, second, ..] => first == "clear" && second == "namespace",
            _ => false,
        };
    }
    let could_be = |word: &str| tokens.first().is_some_and(|t| word.starts_with(t.as_str()));
    if !could_be("namespace") && !could_be("clear") {
        return false;
    }
    spec.compile_tokens(tokens).is_some_and(|m| {
        let words: Vec<&str> = spec
            .pattern(m.id)
            .items
            .iter()
            .map_while(Item::fixed_word)
            .collect();
        matches!(
            words.as_slice(),
            ["namespace", ..] | ["clear", "namespace", ..]
        )
    })
}

/// The rules a line must keep to be sent; its nested command, if any,
/// starts at token `nested_from`.
fn check(
    spec: &Spec,
    matched: Option<&Match>,
    line: &CommandLine,
    nested_from: usize,
) -> Result<(), Refusal> {
    let tokens = line.tokens();
    if let Some(why) = matched.and_then(|m| daemon_wide::refusal_in(spec, m)) {
        return Err(Refusal::DaemonWide(why));
    }
    // A typed value carries its rule; a hand-written one is found by the
    // match, in the line and every command nested in it.
    let typed_bad = line
        .tokens_with_origin()
        .find_map(|(token, origin)| match origin {
            Origin::Arg {
                key,
                rule: Some(rule),
                ..
            } => rule.check(token).err().map(|problem| BadArgument {
                key,
                value: token.to_owned(),
                rule,
                problem,
            }),
            _ => None,
        });
    if let Some(bad) = typed_bad.or_else(|| matched.and_then(|m| harmful::bad_value_in(spec, m))) {
        return Err(Refusal::BadValue {
            key: bad.key,
            value: excerpt(&bad.value),
            rule: bad.rule,
            problem: bad.problem,
        });
    }
    if let Some((token, character)) = tokens
        .iter()
        .find_map(|token| unwritable_char(token).map(|c| (token, c)))
    {
        return Err(Refusal::Unwritable {
            token: excerpt(token),
            character,
        });
    }
    let forwarded = tokens.get(nested_from..).unwrap_or_default();
    match forwarded
        .iter()
        .find_map(|token| forwarding_problem(token).map(|problem| (token, problem)))
    {
        Some((token, problem)) => Err(Refusal::Unforwardable {
            token: excerpt(token),
            problem,
        }),
        None => Ok(()),
    }
}

/// Where the tokens of a matched line's nested command start: every item
/// before a pattern's `(command)` takes one token; a line without one nests
/// nothing. Where that cannot be told, from its second token, to be safe.
fn forwarded_from(spec: &Spec, found: &Match) -> usize {
    let items = &spec.pattern(found.id).items;
    let Some(slot) = items
        .iter()
        .position(|item| matches!(item, Item::Command { .. }))
    else {
        return usize::MAX;
    };
    let one_token_each = items[..slot]
        .iter()
        .all(|item| !item.is_optional() && !matches!(item, Item::List { .. }));
    if one_token_each {
        slot
    } else {
        1
    }
}

/// The match and the commands nested in it, outermost first.
fn nesting(found: &Match) -> impl Iterator<Item = &Match> {
    std::iter::successors(Some(found), |m| m.subcommand.as_deref())
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

    fn refusal(line: &str) -> Option<Refusal> {
        let spec = minimega_spec::shipped();
        let tokens = minimega_spec::input::lex(line).unwrap();
        let matched = spec.compile_tokens(&tokens);
        let nested_from = matched.as_ref().map_or(1, |m| forwarded_from(spec, m));
        let line = CommandLine::from_tokens(tokens);
        check(spec, matched.as_ref(), &line, nested_from).err()
    }

    #[test]
    fn refuses_what_changes_minimega_for_everyone() {
        for line in [
            "namespace foo",
            ".columns name namespace foo",
            "mesh send all namespace foo",
            "clear namespace",
            ".json true",
            ".alias x=vm info",
            ".unalias x",
            ".env HOME /tmp",
        ] {
            assert!(
                matches!(refusal(line), Some(Refusal::DaemonWide(_))),
                "{line}"
            );
        }
        for line in [
            "namespace",
            "namespace foo vm info",
            "clear namespace foo",
            ".json true vm info",
            ".alias",
            "vm info",
        ] {
            assert_eq!(refusal(line), None, "{line}");
        }
    }

    #[test]
    fn refuses_tokens_a_nested_command_cannot_carry() {
        assert_eq!(
            refusal(r#"vm start "a'b""#),
            None,
            "not nested: parsed once"
        );
        for line in [
            r#"namespace x vm start "a'b""#,
            r#"mesh send all echo "c#d""#,
            r#".columns name vm tag all k "x\\y""#,
            r#"namespace x echo """#,
        ] {
            assert!(
                matches!(refusal(line), Some(Refusal::Unforwardable { .. })),
                "{line}: {:?}",
                refusal(line)
            );
        }
        assert_eq!(refusal(r#"namespace x echo "a 'b' #c""#), None);
        assert_eq!(
            refusal(r#"mesh send "a'b" echo x"#),
            None,
            "the hosts are not passed on"
        );
        assert!(
            refusal(r#"frobnicate "a'b""#).is_some(),
            "unknown lines are checked whole"
        );
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

    /// A typed `vm start <value>`, optionally inside `.columns name (…)`.
    fn typed_start(value: &str, nested: bool) -> CommandLine {
        use crate::command::{Builder, Cmd, Complete};

        struct Typed(Builder<Cmd>);
        impl Complete for Typed {
            type Target = Cmd;
            fn into_builder(self) -> Builder<Cmd> {
                self.0
            }
            fn as_builder(&self) -> &Builder<Cmd> {
                &self.0
            }
        }
        let start = Builder::new(Cmd).word("vm").word("start").arg("vm", value);
        if !nested {
            return start.into_parts().1;
        }
        let columns = Builder::new(Cmd).word(".columns").arg("columns", "name");
        columns.command(Typed(start)).into_parts().1
    }

    #[test]
    fn typed_lines_know_their_nesting_without_a_match() {
        let spec = minimega_spec::shipped();
        let refused = |line: CommandLine, namespace| {
            matches!(
                prepare(spec, namespace, line),
                Err(Error::Refused {
                    refusal: Refusal::Unforwardable { .. },
                    ..
                })
            )
        };
        assert!(!refused(typed_start("a'b", false), None), "parsed once");
        assert!(
            refused(typed_start("a'b", false), Some("x")),
            "in a namespace"
        );
        assert!(refused(typed_start("a'b", true), None), "in a modifier");
        assert!(!refused(typed_start("a b's", true), Some("x")), "quoted");
        let mesh = crate::command::Builder::new(crate::Cmd)
            .word("mesh")
            .word("send")
            .arg("hostname", "n[1-2]")
            .word("echo")
            .into_parts()
            .1;
        let out = prepare(spec, None, mesh).unwrap().unwrap();
        assert_eq!(out.expected_hosts.unwrap(), ["n1", "n2"]);
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
