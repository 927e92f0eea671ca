//! The line as a template: `{expr}` and `{}` placeholders taken out and
//! replaced by one token each, with the offsets to point back into it.

use super::*;

/// A placeholder of the template: where it was written and its value.
#[derive(Debug, Clone)]
pub(super) struct Placeholder {
    /// Its byte range in the template, braces included.
    pub(super) written: std::ops::Range<usize>,
    /// Where it is in the text that was lexed.
    pub(super) lexed: usize,
    /// The expression, or `None` for `{}`.
    pub(super) expr: Option<String>,
}

/// The template with its placeholders replaced by [`PLACEHOLDER`], and
/// where each was.
#[derive(Debug, Clone)]
pub(super) struct Template {
    pub(super) lexed: String,
    pub(super) placeholders: Vec<Placeholder>,
    /// (offset in `lexed`, offset in the template) at every point where
    /// the two differ in length, to point into the template.
    pub(super) shifts: Vec<(usize, usize)>,
}

impl Template {
    pub(super) fn parse(text: &str) -> Result<Template, (String, std::ops::Range<usize>)> {
        let mut lexed = String::with_capacity(text.len());
        let mut placeholders = Vec::new();
        let mut shifts = Vec::new();
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|&(_, c)| c) == Some('{') => {
                    chars.next();
                    lexed.push('{');
                    shifts.push((lexed.len(), at + 2));
                }
                '}' if chars.peek().map(|&(_, c)| c) == Some('}') => {
                    chars.next();
                    lexed.push('}');
                    shifts.push((lexed.len(), at + 2));
                }
                '{' => {
                    let close = text[at..].find('}').map(|i| at + i).ok_or((
                        "this `{` opens a placeholder that is never closed (write `{{` for a brace)"
                            .to_owned(),
                        at..at + 1,
                    ))?;
                    let inner = text[at + 1..close].trim();
                    if inner.contains('{') {
                        return Err((
                            "a placeholder holds one expression, without braces: bind a block \
                             to a variable first"
                                .to_owned(),
                            at..close + 1,
                        ));
                    }
                    while chars.peek().is_some_and(|&(i, _)| i <= close) {
                        chars.next();
                    }
                    placeholders.push(Placeholder {
                        written: at..close + 1,
                        lexed: lexed.len(),
                        expr: (!inner.is_empty()).then(|| inner.to_owned()),
                    });
                    lexed.push_str(PLACEHOLDER);
                    shifts.push((lexed.len(), close + 1));
                }
                '}' => return Err(("a lone `}` (write `}}` for a brace)".to_owned(), at..at + 1)),
                c => lexed.push(c),
            }
        }
        Ok(Template {
            lexed,
            placeholders,
            shifts,
        })
    }

    /// The template offset of an offset of the lexed text.
    pub(super) fn written(&self, lexed: usize) -> usize {
        let (from_lexed, from_written) = self
            .shifts
            .iter()
            .rev()
            .find(|(l, _)| *l <= lexed)
            .copied()
            .unwrap_or((0, 0));
        from_written + (lexed - from_lexed)
    }

    /// A range of the lexed text as a range of the template.
    pub(super) fn span(&self, lexed: &std::ops::Range<usize>) -> std::ops::Range<usize> {
        let start = self.written(lexed.start);
        // A placeholder's end maps past its closing brace.
        let end = self.written(lexed.end).max(start);
        start..end
    }
}
