//! minimega's preprocessor, seen from the client.
//!
//! Before a command runs, minimega 3.1.0 rewrites each of its string and
//! list arguments: `$NAME` and `${NAME}` expand from the daemon's
//! environment, then a `file:`, `http:`, `https:` or `tar:` prefix turns the
//! value into a local path (fetched over the mesh, downloaded or unpacked).
//! `.preprocess false (command)` turns that off for one command.
//!
//! Typed arguments must arrive as written, so a line carrying a value the
//! preprocessor would touch is sent as `.preprocess false <line>`, unless the
//! user asked for the expansion with [`Expand`](crate::Expand). Hand-written
//! lines keep minimega's own behaviour.

use minimega_spec::harmful::ValueRule;
use minimega_spec::preprocess::{may_rewrite, scheme, Scheme, EXPANDED_BY_HANDLER};

use crate::arg::{ArgumentError, Origin};
use crate::excerpt::excerpt;
use crate::line::CommandLine;

/// Whether `line` must be sent with the preprocessor off for every typed
/// value to arrive as written; an error when no single setting does.
pub(crate) fn needs_verbatim(line: &CommandLine) -> Result<bool, ArgumentError> {
    let mut wants_expansion: Option<&'static str> = None;
    let mut must_stay: Option<(&'static str, &str)> = None;
    for (token, origin) in line.tokens_with_origin() {
        if !may_rewrite(token) {
            continue;
        }
        match origin {
            Origin::Word => {}
            Origin::Raw => {
                wants_expansion.get_or_insert("a hand-written part");
            }
            Origin::Arg {
                key, expands: true, ..
            } => {
                wants_expansion.get_or_insert(key);
            }
            Origin::Arg {
                key,
                expands: false,
                ..
            } => {
                if EXPANDED_BY_HANDLER.contains(&key) {
                    return Err(ArgumentError::AlwaysExpanded {
                        key,
                        value: excerpt(token),
                    });
                }
                must_stay.get_or_insert((key, token));
            }
        }
    }
    match (wants_expansion, must_stay) {
        (Some(expanded), Some((verbatim, value))) => Err(ArgumentError::MixedExpansion {
            expanded,
            verbatim,
            value: excerpt(value),
        }),
        (None, Some(_)) => Ok(true),
        _ => Ok(false),
    }
}

/// A token minimega would expand as `file:PATH` where `PATH` climbs out of
/// its files directory with `..`: minimega joins it to that directory
/// without stopping the climb.
pub(crate) fn climbing_file(line: &CommandLine) -> Option<&str> {
    line.tokens_with_origin()
        .filter(|(_, origin)| matches!(origin, Origin::Raw | Origin::Arg { expands: true, .. }))
        .map(|(token, _)| token)
        .find(|token| {
            let expands_file = scheme(token) == Some(Scheme::File);
            expands_file && ValueRule::Contained.check(&token[5..]).is_err()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arg::Expand;
    use crate::command::{Builder, Cmd};

    #[test]
    fn knows_what_the_preprocessor_touches() {
        for touched in [
            "x$HOME",
            "${A}",
            "$",
            "file:foo",
            "FILE:foo",
            "http://h/x",
            "HTTPS://h",
            "tar:a.tgz",
        ] {
            assert!(may_rewrite(touched), "{touched}");
        }
        for untouched in [
            "plain", "a/file:x", "ftp://h", "1:2", ":file", "vm[1-3]", "filex", "",
        ] {
            assert!(!may_rewrite(untouched), "{untouched}");
        }
    }

    fn line(args: &[(&'static str, &str, bool)]) -> CommandLine {
        let mut builder = Builder::new(Cmd).word("echo");
        for &(key, value, expands) in args {
            builder = if expands {
                builder.arg(key, Expand(value))
            } else {
                builder.arg(key, value)
            };
        }
        builder.into_parts().1
    }

    #[test]
    fn turns_the_preprocessor_off_only_when_a_value_needs_it() {
        assert_eq!(needs_verbatim(&line(&[("a", "plain", false)])), Ok(false));
        assert_eq!(needs_verbatim(&line(&[("a", "$5", false)])), Ok(true));
        assert_eq!(
            needs_verbatim(&line(&[("a", "file:x", true), ("b", "plain", false)])),
            Ok(false)
        );
        assert_eq!(
            needs_verbatim(&CommandLine::from_tokens(["echo", "$HOME"])),
            Ok(false),
            "hand-written lines keep minimega's behaviour"
        );
    }

    #[test]
    fn refuses_what_cannot_arrive_as_written() {
        let mixed = needs_verbatim(&line(&[("a", "file:x", true), ("b", "$5", false)]));
        assert!(
            matches!(
                mixed,
                Err(ArgumentError::MixedExpansion {
                    expanded: "a",
                    verbatim: "b",
                    ..
                })
            ),
            "{mixed:?}"
        );
        let disk = needs_verbatim(&line(&[("diskspec", "a$b.qcow2", false)])).unwrap_err();
        assert!(
            disk.to_string().contains("`diskspec` = `a$b.qcow2`"),
            "{disk}"
        );
        assert_eq!(
            needs_verbatim(&line(&[("diskspec", "file:a.qcow2", true)])),
            Ok(false)
        );
    }
}
