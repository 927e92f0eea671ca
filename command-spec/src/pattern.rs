//! minicli's pattern grammar: parsing one pattern string into [`Item`]s.
//!
//! | written        | item                                                      |
//! |----------------|-----------------------------------------------------------|
//! | `foo`          | literal word                                              |
//! | `<foo bar>`    | required string; key `foo`, the rest is a comment         |
//! | `[foo]`        | optional string (last item only)                          |
//! | `<a,b>`        | required choice; `<a,>` has one option: the input must say `a`, and minicli records it as chosen |
//! | `[a,b]`        | optional choice (last item only)                          |
//! | `<foo>...`     | list of one or more strings (last item only)              |
//! | `[foo]...`     | list of zero or more strings (last item only)             |
//! | `(foo)`        | nested command taking the rest of the line (last only)    |
//!
//! The parser rejects what minicli rejects, with the same reasons, and is a
//! little stricter where minicli would accept a pattern no client can use
//! (an empty `<>`, an empty choice option).

use std::fmt;

/// One item of a parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Item {
    /// A word the input must contain.
    Literal(String),
    /// One of several words (one, for `<kvm,>`: minicli records the word as
    /// chosen, which a plain literal is not).
    Choice {
        /// The words to choose from, in pattern order.
        options: Vec<String>,
        /// Whether the choice may be left out (`[a,b]`).
        optional: bool,
    },
    /// A free string argument.
    Value {
        /// The key: the first word inside the brackets.
        key: String,
        /// The whole text inside the brackets, comment included.
        text: String,
        /// Whether the argument may be left out (`[foo]`).
        optional: bool,
    },
    /// A list of free strings, which takes the rest of the line.
    List {
        /// The key: the first word inside the brackets.
        key: String,
        /// The whole text inside the brackets, comment included.
        text: String,
        /// Whether the list may be empty (`[foo]...`).
        optional: bool,
    },
    /// A nested command, which takes the rest of the line.
    Command {
        /// The key: the first word inside the parentheses.
        key: String,
        /// The whole text inside the parentheses.
        text: String,
    },
}

impl Item {
    /// Whether the item may be left out of the input.
    pub fn is_optional(&self) -> bool {
        match self {
            Item::Literal(_) | Item::Command { .. } => false,
            Item::Choice { optional, .. }
            | Item::Value { optional, .. }
            | Item::List { optional, .. } => *optional,
        }
    }

    /// The word the input must contain here, if there is only one: a
    /// literal, or a required choice with one option (`<kvm,>`).
    pub fn fixed_word(&self) -> Option<&str> {
        match self {
            Item::Literal(word) => Some(word),
            Item::Choice {
                options,
                optional: false,
            } if options.len() == 1 => Some(&options[0]),
            _ => None,
        }
    }

    /// Whether the item is a `true,false` choice, which the API takes as a `bool`.
    pub fn is_bool_choice(&self) -> bool {
        matches!(self, Item::Choice { options, .. } if options == &["true", "false"])
    }

    /// The item as minicli's `parsed_patterns` type bit set
    /// (see [`crate::model::RawItem`]).
    pub fn raw_kind(&self) -> u32 {
        use crate::model::RawItem as R;
        let optional = if self.is_optional() { R::OPTIONAL } else { 0 };
        optional
            | match self {
                Item::Literal(_) => R::LITERAL,
                Item::Choice { .. } => R::CHOICE,
                Item::Value { .. } => R::STRING,
                Item::List { .. } => R::LIST,
                Item::Command { .. } => R::COMMAND,
            }
    }
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (open, close) = if self.is_optional() {
            ("[", "]")
        } else {
            ("<", ">")
        };
        match self {
            Item::Literal(word) => f.write_str(word),
            Item::Choice { options, .. } if options.len() == 1 => {
                write!(f, "{open}{},{close}", options[0])
            }
            Item::Choice { options, .. } => write!(f, "{open}{}{close}", options.join(",")),
            Item::Value { text, .. } => write!(f, "{open}{text}{close}"),
            Item::List { text, .. } => write!(f, "{open}{text}{close}..."),
            Item::Command { text, .. } => write!(f, "({text})"),
        }
    }
}

/// Why a pattern string is not valid minicli grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// A `<`, `[` or `(` inside another item.
    #[error("cannot nest items (at offset {0})")]
    Nested(usize),
    /// Quotes are not part of the grammar.
    #[error("single and double quotes are not allowed (at offset {0})")]
    Quote(usize),
    /// An item was opened and never closed.
    #[error("missing terminal `{0}`")]
    Unterminated(char),
    /// A multiple choice with white space in it.
    #[error("spaces not allowed in multiple choice (at offset {0})")]
    SpaceInChoice(usize),
    /// An optional item, list or nested command that is not the last item.
    #[error("`{0}` must be the last item of the pattern")]
    NotLast(String),
    /// Something other than `...` right after an item's closing bracket.
    #[error("invalid trailing characters after `{0}`")]
    Trailing(char),
    /// An item with no key, such as `<>`, or an empty choice option.
    #[error("empty item or choice option (at offset {0})")]
    Empty(usize),
    /// A pattern with no items at all.
    #[error("the pattern is empty")]
    NoItems,
}

/// A parsed pattern: its text and its items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// The pattern as written in the spec.
    pub text: String,
    /// The items, in order.
    pub items: Vec<Item>,
}

impl Pattern {
    /// Parses one pattern string.
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        let items = parse_items(text)?;
        Ok(Pattern {
            text: text.to_owned(),
            items,
        })
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn parse_items(text: &str) -> Result<Vec<Item>, PatternError> {
    let chars: Vec<char> = text.chars().collect();
    let mut items = Vec::new();
    let mut pos = 0;
    while pos < chars.len() {
        let c = chars[pos];
        if c.is_whitespace() {
            pos += 1;
            continue;
        }
        if let Some(last) = items.last() {
            if must_be_last(last) {
                return Err(PatternError::NotLast(last.to_string()));
            }
        }
        let (item, next) = match c {
            '<' | '[' | '(' => parse_bracketed(&chars, pos)?,
            '"' | '\'' => return Err(PatternError::Quote(pos)),
            _ => parse_literal(&chars, pos)?,
        };
        items.push(item);
        pos = next;
    }
    if items.is_empty() {
        return Err(PatternError::NoItems);
    }
    Ok(items)
}

fn must_be_last(item: &Item) -> bool {
    item.is_optional() || matches!(item, Item::List { .. } | Item::Command { .. })
}

fn parse_literal(chars: &[char], start: usize) -> Result<(Item, usize), PatternError> {
    let mut pos = start;
    let mut word = String::new();
    while pos < chars.len() && !chars[pos].is_whitespace() {
        match chars[pos] {
            '<' | '[' | '(' => break,
            '"' | '\'' => return Err(PatternError::Quote(pos)),
            c => word.push(c),
        }
        pos += 1;
    }
    Ok((Item::Literal(word), pos))
}

fn parse_bracketed(chars: &[char], start: usize) -> Result<(Item, usize), PatternError> {
    let open = chars[start];
    let close = match open {
        '<' => '>',
        '[' => ']',
        _ => ')',
    };
    let mut pos = start + 1;
    let mut inner = String::new();
    loop {
        let Some(&c) = chars.get(pos) else {
            return Err(PatternError::Unterminated(close));
        };
        if c == close {
            break;
        }
        match c {
            '<' | '[' | '(' => return Err(PatternError::Nested(pos)),
            '"' | '\'' => return Err(PatternError::Quote(pos)),
            _ => inner.push(c),
        }
        pos += 1;
    }
    pos += 1;
    let is_list = open != '(' && trailing_ellipsis(chars, &mut pos, close)?;
    let optional = open == '[';

    let item = if open == '(' {
        let key = first_word(&inner);
        if key.is_empty() {
            return Err(PatternError::Empty(start));
        }
        Item::Command { key, text: inner }
    } else if is_choice(&inner) && !is_list {
        if let Some(offset) = inner.chars().position(char::is_whitespace) {
            return Err(PatternError::SpaceInChoice(start + 1 + offset));
        }
        let mut options: Vec<String> = inner.split(',').map(str::to_owned).collect();
        if options.last().is_some_and(String::is_empty) {
            options.pop();
        }
        if options.is_empty() || options.iter().any(String::is_empty) {
            return Err(PatternError::Empty(start));
        }
        Item::Choice { options, optional }
    } else {
        let key = first_word(&inner);
        if key.is_empty() {
            return Err(PatternError::Empty(start));
        }
        if is_list {
            Item::List {
                key,
                text: inner,
                optional,
            }
        } else {
            Item::Value {
                key,
                text: inner,
                optional,
            }
        }
    };
    Ok((item, pos))
}

/// Consumes `...` after a closing bracket; anything else up to the next
/// white space is an error.
fn trailing_ellipsis(chars: &[char], pos: &mut usize, close: char) -> Result<bool, PatternError> {
    let mut dots = 0;
    while let Some(&c) = chars.get(*pos) {
        if c.is_whitespace() {
            break;
        }
        if c != '.' {
            return Err(PatternError::Trailing(close));
        }
        dots += 1;
        *pos += 1;
    }
    match dots {
        0 => Ok(false),
        3 => Ok(true),
        _ => Err(PatternError::Trailing(close)),
    }
}

/// A comma before the first white space makes a choice; after it, the comma
/// is part of a comment (`<vm name, uuid or all>`).
fn is_choice(inner: &str) -> bool {
    let key_end = inner.find(char::is_whitespace).unwrap_or(inner.len());
    inner[..key_end].contains(',')
}

fn first_word(inner: &str) -> String {
    inner.split_whitespace().next().unwrap_or("").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(p: &str) -> Vec<Item> {
        Pattern::parse(p).unwrap().items
    }

    fn value(key: &str, text: &str, optional: bool) -> Item {
        Item::Value {
            key: key.into(),
            text: text.into(),
            optional,
        }
    }

    #[test]
    fn literals_values_and_comments() {
        assert_eq!(
            items("vm launch <kvm,> <name or count> [config]"),
            vec![
                Item::Literal("vm".into()),
                Item::Literal("launch".into()),
                Item::Choice {
                    options: vec!["kvm".into()],
                    optional: false
                },
                value("name", "name or count", false),
                value("config", "config", true),
            ]
        );
    }

    #[test]
    fn choices_lists_and_commands() {
        assert_eq!(
            items("x <a,b> [c,d]"),
            vec![
                Item::Literal("x".into()),
                Item::Choice {
                    options: vec!["a".into(), "b".into()],
                    optional: false
                },
                Item::Choice {
                    options: vec!["c".into(), "d".into()],
                    optional: true
                },
            ]
        );
        assert_eq!(
            items("cc <filter,> [filter]..."),
            vec![
                Item::Literal("cc".into()),
                Item::Choice {
                    options: vec!["filter".into()],
                    optional: false
                },
                Item::List {
                    key: "filter".into(),
                    text: "filter".into(),
                    optional: true
                }
            ]
        );
        assert_eq!(
            items("mesh send <hostname or range or all> (command)")[3],
            Item::Command {
                key: "command".into(),
                text: "command".into()
            }
        );
        assert!(items("[raw,]")[0].is_optional());
        assert!(items("<true,false>")[0].is_bool_choice());
    }

    #[test]
    fn rejects_what_minicli_rejects() {
        use PatternError::*;
        let cases = [
            ("a <b", Unterminated('>')),
            ("a [b", Unterminated(']')),
            ("a (b", Unterminated(')')),
            ("a <b <c>>", Nested(5)),
            ("a \"b\"", Quote(2)),
            ("a <b,c d>", SpaceInChoice(6)),
            ("a <b c,d>x", Trailing('>')),
            ("a [b] c", NotLast("[b]".into())),
            ("a <b>... c", NotLast("<b>...".into())),
            ("a (b) c", NotLast("(b)".into())),
            ("a <b>.. c", Trailing('>')),
            ("a <b>x", Trailing('>')),
            ("a <>", Empty(2)),
            ("a <,b>", Empty(2)),
            ("  ", NoItems),
        ];
        for (pattern, want) in cases {
            assert_eq!(Pattern::parse(pattern), Err(want), "{pattern}");
        }
    }

    #[test]
    fn display_round_trips_the_grammar() {
        for p in [
            "vm launch kvm <name or count> [config]",
            "cc [filter]...",
            "x <a,b> (command)",
            "a <b>...",
        ] {
            let rendered: Vec<String> = items(p).iter().map(Item::to_string).collect();
            assert_eq!(rendered.join(" "), p);
        }
    }
}
