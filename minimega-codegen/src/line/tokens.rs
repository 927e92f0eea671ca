//! The expansion's tokens, gathered as token trees and made a stream once.

use super::*;

/// The expansion, gathered as token trees and made a stream once. In a
/// proc macro every stream that `quote!` makes and every stream put into
/// another is a call across the compiler's bridge; a line's tokens made
/// this way cost a fraction of what nested `quote!`s did.
#[derive(Default)]
pub(super) struct Tokens(Vec<TokenTree>);

impl Tokens {
    pub(super) fn push(&mut self, tree: impl Into<TokenTree>) {
        self.0.push(tree.into());
    }

    pub(super) fn ident(&mut self, name: &str) {
        self.push(Ident::new(name, Span::call_site()));
    }

    pub(super) fn punct(&mut self, c: char) {
        self.push(Punct::new(c, Spacing::Alone));
    }

    /// `::`, as in a path.
    pub(super) fn path_sep(&mut self) {
        self.push(Punct::new(':', Spacing::Joint));
        self.punct(':');
    }

    /// A path from the crate root: `::minimega::runtime::Cmd`.
    pub(super) fn path(&mut self, segments: &[&str]) {
        for segment in segments {
            self.path_sep();
            self.ident(segment);
        }
    }

    pub(super) fn trees(&mut self, trees: &[TokenTree]) {
        self.0.extend_from_slice(trees);
    }

    pub(super) fn group(&mut self, delimiter: Delimiter, inner: impl FnOnce(&mut Tokens)) {
        let mut tokens = Tokens::default();
        inner(&mut tokens);
        self.push(Group::new(delimiter, tokens.into_stream()));
    }

    pub(super) fn into_stream(self) -> TokenStream {
        self.0.into_iter().collect()
    }

    /// The calls on `Cmd`: the first through the trait's path when it can
    /// be named (`Commands::vm(Cmd)`), so that no block or import is needed;
    /// else as a method.
    pub(super) fn on_cmd(
        &mut self,
        calls: &[Call],
        exprs: &[Vec<TokenTree>],
        commands: Option<&[&str]>,
    ) {
        match (commands, calls.split_first()) {
            (Some(path), Some((first, rest))) => {
                self.path(path);
                self.path_sep();
                self.ident(&first.name);
                self.group(Delimiter::Parenthesis, |out| {
                    out.path(CMD);
                    for arg in &first.args {
                        out.punct(',');
                        out.arg(arg, exprs, commands);
                    }
                });
                self.chain(rest, exprs, commands);
            }
            _ => {
                self.path(CMD);
                self.chain(calls, exprs, commands);
            }
        }
    }

    pub(super) fn chain(
        &mut self,
        calls: &[Call],
        exprs: &[Vec<TokenTree>],
        commands: Option<&[&str]>,
    ) {
        for call in calls {
            self.punct('.');
            self.ident(&call.name);
            self.group(Delimiter::Parenthesis, |out| {
                for (index, arg) in call.args.iter().enumerate() {
                    if index > 0 {
                        out.punct(',');
                    }
                    out.arg(arg, exprs, commands);
                }
            });
        }
    }

    pub(super) fn arg(
        &mut self,
        arg: &ArgTokens,
        exprs: &[Vec<TokenTree>],
        commands: Option<&[&str]>,
    ) {
        match arg {
            ArgTokens::One(value) => self.value(value, exprs),
            ArgTokens::Flag(Value::Written(word)) => self.ident(word),
            ArgTokens::Flag(placeholder) => self.value(placeholder, exprs),
            ArgTokens::List(items) => match &items[..] {
                [] => {
                    self.path(&["core", "iter", "empty"]);
                    self.path_sep();
                    self.punct('<');
                    self.punct('&');
                    self.push(Punct::new('\'', Spacing::Joint));
                    self.ident("static");
                    self.ident("str");
                    self.punct('>');
                    self.group(Delimiter::Parenthesis, |_| {});
                }
                [one] => self.value(one, exprs),
                _ => {
                    // Words alone are one type; with placeholders, each
                    // item is an `ArgValue`.
                    let mixed = items.iter().any(|v| matches!(v, Value::Placeholder(_)));
                    self.group(Delimiter::Bracket, |out| {
                        for (index, item) in items.iter().enumerate() {
                            if index > 0 {
                                out.punct(',');
                            }
                            if mixed {
                                out.path(&["minimega", "runtime", "ArgValue", "of"]);
                                out.group(Delimiter::Parenthesis, |out| out.value(item, exprs));
                            } else {
                                out.value(item, exprs);
                            }
                        }
                    });
                }
            },
            ArgTokens::Nested(nested) => self.on_cmd(nested, exprs, commands),
        }
    }

    pub(super) fn value(&mut self, value: &Value, exprs: &[Vec<TokenTree>]) {
        match value {
            Value::Written(text) => self.push(Literal::string(text)),
            // The expression is the whole argument, so it needs no
            // parentheses of its own.
            Value::Placeholder(k) => self.trees(exprs.get(*k).map_or(&[], Vec::as_slice)),
        }
    }
}
