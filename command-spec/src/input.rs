//! minicli's input line: how a command line splits into tokens, and how a
//! token is written so that it comes back as exactly itself.
//!
//! The rules, as minimega's input lexer applies them:
//! - tokens are separated by white space (Unicode `White_Space`);
//! - `"` or `'` opens a quoted run that ends at the same quote; quoted runs
//!   and bare text next to each other form one token, and `""` is a token;
//! - `\` escapes one character, in or out of quotes: `\n`, `\r`, `\t`,
//!   `\\`, `\"`, `\'` and `\#` are the only escapes;
//! - outside quotes `#` starts a comment that runs to the end of the line.
//!
//! minimega also passes nested commands on as text (see
//! [`forwarding_problem`]), which not every token survives.

/// Why a command line cannot be split into tokens.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LexError {
    /// A quote was opened and never closed.
    #[error("missing terminal {0}")]
    Unterminated(char),
    /// A `\` at the very end of the line.
    #[error("expected escape character")]
    DanglingEscape,
    /// A `\` followed by a character that has no escape.
    #[error("unexpected escaped character: {0}")]
    UnknownEscape(char),
}

/// Splits a command line into tokens.
pub fn lex(line: &str) -> Result<Vec<String>, LexError> {
    let mut tokens = Vec::new();
    lex_with(line, |token, _| tokens.push(token))
        .map_err(|(error, _)| error)
        .map(|()| tokens)
}

/// One token of a line, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned {
    /// The token, unquoted.
    pub text: String,
    /// The byte range of the line it was read from, quotes included.
    pub span: std::ops::Range<usize>,
}

/// Why a line does not split into tokens, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct SpannedLexError {
    /// What went wrong.
    pub error: LexError,
    /// The byte offset of the quote that was never closed, or of the `\`.
    pub at: usize,
}

/// Splits a command line into tokens as [`lex`] does, each with the byte
/// range it was written in, for messages that point at a word.
pub fn lex_spanned(line: &str) -> Result<Vec<Spanned>, SpannedLexError> {
    let mut tokens = Vec::new();
    lex_with(line, |text, span| tokens.push(Spanned { text, span }))
        .map_err(|(error, at)| SpannedLexError { error, at })
        .map(|()| tokens)
}

/// The lexer: calls `emit` with each token and its byte range; an error
/// comes with the byte offset it is at.
fn lex_with(
    line: &str,
    mut emit: impl FnMut(String, std::ops::Range<usize>),
) -> Result<(), (LexError, usize)> {
    let mut current = String::new();
    // A quoted run makes a token even when it adds no characters (`""`).
    let mut pending = false;
    let mut quote: Option<(char, usize)> = None;
    let mut start: Option<usize> = None;
    let mut chars = line.char_indices();
    while let Some((at, c)) = chars.next() {
        match (c, quote) {
            ('\\', _) => {
                start.get_or_insert(at);
                let (_, escaped) = chars.next().ok_or((LexError::DanglingEscape, at))?;
                current.push(unescape(escaped).ok_or((LexError::UnknownEscape(escaped), at))?);
            }
            (c, Some((q, _))) if c == q => {
                quote = None;
                pending = true;
            }
            (c, Some(_)) => current.push(c),
            ('"' | '\'', None) => {
                start.get_or_insert(at);
                quote = Some((c, at));
            }
            ('#', None) => {
                if let Some(from) = start.take() {
                    emit(std::mem::take(&mut current), from..at);
                    pending = false;
                }
                break;
            }
            (c, None) if c.is_whitespace() => {
                if let Some(from) = start.take() {
                    if pending || !current.is_empty() {
                        emit(std::mem::take(&mut current), from..at);
                    }
                    pending = false;
                }
            }
            (c, None) => {
                start.get_or_insert(at);
                current.push(c);
            }
        }
    }
    if let Some((q, at)) = quote {
        return Err((LexError::Unterminated(q), at));
    }
    if let Some(from) = start {
        if pending || !current.is_empty() {
            emit(current, from..line.len());
        }
    }
    Ok(())
}

fn unescape(c: char) -> Option<char> {
    Some(match c {
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        '\\' | '"' | '\'' | '#' => c,
        _ => return None,
    })
}

/// Writes `token` so that [`lex`] reads it back as exactly one token equal to
/// `token`. Plain words stay bare; anything else is double-quoted.
pub fn quote(token: &str) -> String {
    let plain = !token.is_empty()
        && !token
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '\\' | '#'));
    if plain {
        return token.to_owned();
    }
    let mut quoted = String::with_capacity(token.len() + 2);
    quoted.push('"');
    for c in token.chars() {
        match c {
            '"' | '\\' => {
                quoted.push('\\');
                quoted.push(c);
            }
            // Escaped so that a rendered line stays one physical line.
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            _ => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

/// Writes tokens as one command line, quoting each as [`quote`] does.
pub fn join<S: AsRef<str>>(tokens: &[S]) -> String {
    tokens
        .iter()
        .map(|t| quote(t.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first character of `token` that minimega cannot write back into a
/// command line, if any: a control character other than tab, line feed and
/// carriage return, or a non-printing Unicode character.
///
/// minimega writes some values back into command lines it parses again
/// (with Go's `%q` quoting: VLAN aliases, bridge names, nested commands),
/// and Go escapes such characters as `\u00a0`, `\a` or `\x00`, which
/// minimega's own parser rejects; on some of those paths the rejection makes
/// minimega exit (`vm config net "a\u{a0}b"` does).
pub fn unwritable_char(token: &str) -> Option<char> {
    token.chars().find(|&c| !quoted_as_itself(c))
}

/// Why a token would not survive minimega passing it on, as part of a nested
/// command, to be parsed again.
///
/// minimega passes the `(command)` of `namespace`, `mesh send`, `ns run` and
/// the output modifiers on as text, parsed again on the same node or
/// another: each token is written back double-quoted with Go's escapes if it
/// holds white space, and bare otherwise. A token that does not read back as
/// itself changes the command, makes `mesh send` wait forever for a host
/// that could not parse it, or makes minimega exit (it re-parses a
/// namespace's local copy with a parse that aborts the process on error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ForwardingProblem {
    /// An empty token is written as nothing.
    #[error("an empty argument would vanish")]
    Empty,
    /// A quote, backslash or `#` in a token without white space is written
    /// bare, where it opens a quote, escapes or starts a comment.
    #[error("`{0}` in an argument without white space would be read as syntax")]
    Bare(char),
    /// A character minimega cannot write back (see [`unwritable_char`]).
    #[error("U+{:04X} would be written back as an escape minimega cannot read", u32::from(*.0))]
    Escaped(char),
}

/// What would go wrong with `token` inside a nested command, if anything.
pub fn forwarding_problem(token: &str) -> Option<ForwardingProblem> {
    if token.is_empty() {
        return Some(ForwardingProblem::Empty);
    }
    if let Some(c) = unwritable_char(token) {
        return Some(ForwardingProblem::Escaped(c));
    }
    if token.chars().any(char::is_whitespace) {
        return None;
    }
    token
        .chars()
        .find(|c| matches!(c, '"' | '\'' | '\\' | '#'))
        .map(ForwardingProblem::Bare)
}

/// Whether Go's `strconv.Quote` writes `c` as itself or with an escape
/// minicli reads back (`\n`, `\r`, `\t`, `\"`, `\\`).
fn quoted_as_itself(c: char) -> bool {
    if c.is_ascii() {
        return matches!(c, ' '..='~' | '\t' | '\n' | '\r');
    }
    let code = u32::from(c);
    crate::go_printable::GO_PRINTABLE
        .binary_search_by(|&(low, high)| {
            if high < code {
                std::cmp::Ordering::Less
            } else if low > code {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lexes_like_minicli() {
        let cases: &[(&str, &[&str])] = &[
            ("vm info", &["vm", "info"]),
            ("  vm   info  ", &["vm", "info"]),
            (r#"echo "a b" c\#d "\"""#, &["echo", "a b", "c#d", "\""]),
            ("echo '' x", &["echo", "", "x"]),
            (r#"echo a"b c"d"#, &["echo", "ab cd"]),
            ("vm info # what runs", &["vm", "info"]),
            ("echo \"# not a comment\"", &["echo", "# not a comment"]),
            (r"echo \n\t", &["echo", "\n\t"]),
            ("# only a comment", &[]),
            ("echo ünïcode\u{a0}nbsp", &["echo", "ünïcode", "nbsp"]),
        ];
        for (line, want) in cases {
            assert_eq!(lex(line).unwrap(), *want, "{line}");
        }
    }

    #[test]
    fn spans_point_at_what_was_written() {
        let line = r#"vm  "a b"c x\#y # rest"#;
        let spanned = lex_spanned(line).unwrap();
        let got: Vec<(&str, &str)> = spanned
            .iter()
            .map(|t| (t.text.as_str(), &line[t.span.clone()]))
            .collect();
        assert_eq!(got, [("vm", "vm"), ("a bc", "\"a b\"c"), ("x#y", "x\\#y")]);
        assert_eq!(lex_spanned("echo ''").unwrap()[1].span, 5..7);
        let error = lex_spanned("echo a \"open").unwrap_err();
        assert_eq!((error.error, error.at), (LexError::Unterminated('"'), 7));
        assert_eq!(lex_spanned("echo \\x").unwrap_err().at, 5);
    }

    #[test]
    fn lex_errors() {
        assert_eq!(lex("echo \"a"), Err(LexError::Unterminated('"')));
        assert_eq!(lex("echo 'a"), Err(LexError::Unterminated('\'')));
        assert_eq!(lex("echo a\\"), Err(LexError::DanglingEscape));
        assert_eq!(lex("echo \\x"), Err(LexError::UnknownEscape('x')));
    }

    #[test]
    fn quotes_only_what_needs_it() {
        assert_eq!(quote("vm[1-5]"), "vm[1-5]");
        assert_eq!(quote(""), "\"\"");
        assert_eq!(quote("a b"), "\"a b\"");
        assert_eq!(quote("c#d"), "\"c#d\"");
        assert_eq!(quote("say \"hi\"\n"), r#""say \"hi\"\n""#);
    }

    #[test]
    fn knows_which_tokens_survive_forwarding() {
        for fine in [
            "vm1",
            "a b",
            "say \"hi\" #1 'x'",
            "tab\there",
            "line\nbreak",
            "café au lait",
            "東京 サーバー",
            "ünï",
            "x$y",
            "🚀 launch",
        ] {
            assert_eq!(forwarding_problem(fine), None, "{fine:?}");
        }
        let cases = [
            ("", ForwardingProblem::Empty),
            ("a'b", ForwardingProblem::Bare('\'')),
            ("c#d", ForwardingProblem::Bare('#')),
            ("x\\y", ForwardingProblem::Bare('\\')),
            ("\"q\"", ForwardingProblem::Bare('"')),
            ("a\u{a0}b", ForwardingProblem::Escaped('\u{a0}')),
            ("bell\u{7}", ForwardingProblem::Escaped('\u{7}')),
            ("a b\u{0}", ForwardingProblem::Escaped('\u{0}')),
            ("a b\u{b}", ForwardingProblem::Escaped('\u{b}')),
            (
                "soft\u{ad}hyphen here",
                ForwardingProblem::Escaped('\u{ad}'),
            ),
            ("private \u{e000}", ForwardingProblem::Escaped('\u{e000}')),
        ];
        for (token, problem) in cases {
            assert_eq!(forwarding_problem(token), Some(problem), "{token:?}");
        }
        assert_eq!(unwritable_char("a\u{a0}b"), Some('\u{a0}'));
        assert_eq!(unwritable_char("tab\t line\n ünï 🚀"), None);
    }

    proptest! {
        #[test]
        fn any_token_round_trips(token in any::<String>()) {
            prop_assert_eq!(lex(&quote(&token)).unwrap(), vec![token]);
        }

        #[test]
        fn any_token_list_round_trips(tokens in prop::collection::vec(any::<String>(), 0..6)) {
            prop_assert_eq!(lex(&join(&tokens)).unwrap(), tokens);
        }

        #[test]
        fn spans_lex_back_to_their_token(line in r#"[ a"'\\#\n]{0,16}"#) {
            if let Ok(spanned) = lex_spanned(&line) {
                let texts: Vec<&str> = spanned.iter().map(|t| t.text.as_str()).collect();
                prop_assert_eq!(&texts, &lex(&line).unwrap());
                for token in &spanned {
                    prop_assert_eq!(lex(&line[token.span.clone()]).unwrap(), vec![token.text.clone()]);
                }
            } else {
                prop_assert!(lex(&line).is_err());
            }
        }

        #[test]
        fn awkward_tokens_round_trip(token in r#"[ \t\n\r"'\\#a-zé\u{a0}\u{2028}]{0,12}"#) {
            prop_assert_eq!(lex(&quote(&token)).unwrap(), vec![token]);
        }
    }
}
