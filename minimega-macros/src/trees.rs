//! The line and script macros' arguments, read from the token trees as
//! written. syn's parser, which cargo builds unoptimised as it builds every
//! proc macro, cost a line more than the rest of its expansion; so only
//! what needs it goes through it: a string literal with escapes or a raw
//! one, and an argument that may hold a comma of its own.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::parse::{ParseStream, Parser};
use syn::LitStr;

/// A string literal's value and where it was written.
#[derive(Debug, Clone)]
pub(crate) struct Text {
    /// The value, escapes resolved.
    pub value: String,
    /// The literal's span.
    pub span: Span,
}

/// The token trees of a macro's input, read from the front.
pub(crate) struct Trees {
    trees: std::vec::IntoIter<TokenTree>,
}

impl Trees {
    pub(crate) fn new(input: TokenStream) -> Trees {
        let trees: Vec<TokenTree> = input.into_iter().collect();
        Trees {
            trees: trees.into_iter(),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.trees.as_slice().is_empty()
    }

    fn peek(&self) -> Option<&TokenTree> {
        self.trees.as_slice().first()
    }

    /// Where the next tree is, or the call site at the end, for errors.
    fn next_span(&self) -> Span {
        self.peek().map_or_else(Span::call_site, TokenTree::span)
    }

    fn error(&self, message: &str) -> syn::Error {
        syn::Error::new(self.next_span(), message)
    }

    /// The next tree if it is a string literal (plain or raw), taken;
    /// `None`, taking nothing, if it is not one.
    pub(crate) fn try_text(&mut self) -> syn::Result<Option<Text>> {
        let Some(TokenTree::Literal(literal)) = self.peek() else {
            return Ok(None);
        };
        let written = literal.to_string();
        // Without escapes, a plain literal's value is what is between its
        // quotes; a raw one, or one with escapes, is syn's to read.
        let value = match written.strip_prefix('"') {
            Some(rest) if !rest.contains('\\') => match rest.strip_suffix('"') {
                Some(inner) => inner.to_owned(),
                None => return Ok(None), // a suffix: not a plain string
            },
            Some(_) => escaped_value(literal)?,
            None if written.starts_with("r\"") || written.starts_with("r#") => {
                escaped_value(literal)?
            }
            None => return Ok(None),
        };
        let span = literal.span();
        self.trees.next();
        Ok(Some(Text { value, span }))
    }

    /// A string literal, or an error saying `expected`.
    pub(crate) fn text(&mut self, expected: &str) -> syn::Result<Text> {
        self.try_text()?.ok_or_else(|| self.error(expected))
    }

    /// Takes the punctuation `c` if it is next.
    pub(crate) fn punct(&mut self, c: char) -> bool {
        let next = matches!(self.peek(), Some(TokenTree::Punct(p)) if p.as_char() == c);
        if next {
            self.trees.next();
        }
        next
    }

    /// The punctuation `c`, or syn's error for it.
    pub(crate) fn expect_punct(&mut self, c: char) -> syn::Result<()> {
        if self.punct(c) {
            Ok(())
        } else {
            Err(self.error(&format!("expected `{c}`")))
        }
    }

    /// The spec a generated API's own `cmd!` or `script!` names before its
    /// arguments (`shipped;` or `"path.json";`); nothing for the facade's.
    pub(crate) fn api_spec(&mut self, in_api: bool) -> syn::Result<Option<Text>> {
        if !in_api {
            return Ok(None);
        }
        let spec = match self.try_text()? {
            Some(path) => Some(path),
            None => match self.peek() {
                Some(TokenTree::Ident(word)) if word == "shipped" => {
                    self.trees.next();
                    None
                }
                _ => return Err(self.error("expected `shipped` or a path")),
            },
        };
        self.expect_punct(';')?;
        Ok(spec)
    }

    /// One argument, up to the next comma outside brackets, as the tokens
    /// written: the builder call it goes into checks it, as the builders'
    /// own arguments are checked. Only an argument with a `<` or a `|`
    /// outside brackets (a turbofish, a closure's parameters) may hold a
    /// comma of its own, so only that one is parsed as an expression to find
    /// where it ends.
    pub(crate) fn argument(&mut self) -> syn::Result<Vec<TokenTree>> {
        let rest = self.trees.as_slice();
        let end = rest
            .iter()
            .position(|tree| matches!(tree, TokenTree::Punct(p) if p.as_char() == ','))
            .unwrap_or(rest.len());
        if end == 0 {
            return Err(self.error("expected an expression"));
        }
        let may_hold_a_comma = rest[..end]
            .iter()
            .any(|tree| matches!(tree, TokenTree::Punct(p) if matches!(p.as_char(), '<' | '|')));
        if !may_hold_a_comma {
            return Ok(self.trees.by_ref().take(end).collect());
        }
        let stream: TokenStream = self.trees.by_ref().collect();
        let (expr, rest) = (|input: ParseStream<'_>| {
            let expr: syn::Expr = input.parse()?;
            let rest: TokenStream = input.parse()?;
            Ok((expr, rest))
        })
        .parse2(stream)?;
        *self = Trees::new(rest);
        Ok(quote::quote!(#expr).into_iter().collect())
    }
}

/// The value of a string literal with escapes, or a raw one, as syn reads
/// it.
fn escaped_value(literal: &proc_macro2::Literal) -> syn::Result<String> {
    syn::parse2::<LitStr>(TokenTree::Literal(literal.clone()).into()).map(|lit| lit.value())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn shown(trees: &[TokenTree]) -> String {
        trees.iter().cloned().collect::<TokenStream>().to_string()
    }

    #[test]
    fn arguments_end_at_commas_outside_brackets() {
        let mut trees = Trees::new(quote!(f(a, b), [c, d], n + 1));
        assert_eq!(shown(&trees.argument().unwrap()), "f (a , b)");
        assert!(trees.punct(','));
        assert_eq!(shown(&trees.argument().unwrap()), "[c , d]");
        assert!(trees.punct(','));
        assert_eq!(shown(&trees.argument().unwrap()), "n + 1");
        assert!(trees.is_empty());
    }

    #[test]
    fn a_turbofish_or_a_closure_keeps_its_commas() {
        let mut trees = Trees::new(quote!(f::<A, B>(x), |a, b| a + b, last));
        assert_eq!(shown(&trees.argument().unwrap()), "f :: < A , B > (x)");
        assert!(trees.punct(','));
        assert_eq!(shown(&trees.argument().unwrap()), "| a , b | a + b");
        assert!(trees.punct(','));
        assert_eq!(shown(&trees.argument().unwrap()), "last");
        let mut empty = Trees::new(quote!(, x));
        assert_eq!(
            empty.argument().unwrap_err().to_string(),
            "expected an expression"
        );
    }

    #[test]
    fn string_literals_are_read_with_their_escapes() {
        let mut trees = Trees::new(quote!("vm info", "a \"b\"\n", r#"c "d""#, 5));
        for want in ["vm info", "a \"b\"\n", "c \"d\""] {
            assert_eq!(trees.text("a string").unwrap().value, want);
            trees.punct(',');
        }
        assert!(trees.try_text().unwrap().is_none());
        assert_eq!(trees.text("a string").unwrap_err().to_string(), "a string");
        assert_eq!(shown(&trees.argument().unwrap()), "5");
    }

    #[test]
    fn a_generated_api_names_its_spec_first() {
        let mut shipped = Trees::new(quote!(shipped; "vm info"));
        assert!(shipped.api_spec(true).unwrap().is_none());
        assert_eq!(shipped.text("line").unwrap().value, "vm info");
        let mut path = Trees::new(quote!("my.json"; "vm info"));
        assert_eq!(path.api_spec(true).unwrap().unwrap().value, "my.json");
        let mut wrong = Trees::new(quote!(shiped; "vm info"));
        assert_eq!(
            wrong.api_spec(true).unwrap_err().to_string(),
            "expected `shipped` or a path"
        );
        let mut no_semicolon = Trees::new(quote!(shipped "vm info"));
        assert_eq!(
            no_semicolon.api_spec(true).unwrap_err().to_string(),
            "expected `;`"
        );
        let mut facade = Trees::new(quote!("vm info"));
        assert!(facade.api_spec(false).unwrap().is_none());
    }
}
