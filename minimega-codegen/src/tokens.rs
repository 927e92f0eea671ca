//! Rust tokens for a named API: the `Commands` trait with the top-level
//! commands, one small builder type per node of the command tree, and the
//! `spec()` the API was generated from.
//!
//! Every builder is a newtype over the runtime's `Builder`; each method
//! pushes its words and arguments and wraps the result in the next type, so
//! per-command code stays a few lines. An unfinished command gets `run`,
//! `stream` and `render` that can never be called: their unsatisfiable
//! bound carries a message naming the methods that finish it.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::api::{Api, Method, NodeType, Push};
use crate::tree::ParamKind;
use crate::SpecFn;

/// How many ways on an unfinished command's message names.
const HINTED_METHODS: usize = 6;

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

fn runtime() -> TokenStream {
    quote!(::minimega::runtime)
}

/// The whole expansion for `api`.
pub(crate) fn expand(api: &Api, spec_fn: &SpecFn<'_>) -> TokenStream {
    let commands = api.commands.iter().map(|m| trait_method(api, m));
    let types = api.types.iter().map(|ty| type_tokens(api, ty));
    let hints = api.types.iter().filter(|ty| ty.complete.is_empty());
    let hints = hints.map(hint_trait);
    let runtime = runtime();
    let spec = spec_tokens(spec_fn);
    let line_macro = line_macro(spec_fn);
    quote! {
        /// Every top-level minimega command, on any target: a client, a
        /// namespace handle, or `Cmd` for a command that is only built.
        ///
        /// Method chains follow the command's words:
        /// `vm launch kvm 10` is `.vm().launch().kvm(10)`.
        pub trait Commands: #runtime::Target + ::core::marker::Sized {
            #(#commands)*
        }

        impl<T: #runtime::Target> Commands for T {}

        /// The builder types behind [`Commands`], one per step of a command.
        pub mod nodes {
            #(#types)*

            /// The bounds of generated methods: what a `(command)` slot
            /// takes, and the messages of unfinished commands.
            pub mod bounds {
                /// A whole command built on `Cmd`, for a `(command)` slot.
                #[diagnostic::on_unimplemented(
                    message = "`{Self}` is not a whole command built on `Cmd`",
                    label = "a `(command)` slot takes a command",
                    note = "build the nested command on `Cmd`, as in `Cmd.vm().info()`: it fits once it could `.render()` on its own"
                )]
                pub trait Nested: #runtime::Complete<Target = #runtime::Cmd> {}

                impl<C: #runtime::Complete<Target = #runtime::Cmd>> Nested for C {}

                #(#hints)*
            }
        }

        #spec

        #line_macro

        /// A client for this API: hand-written lines are checked against
        /// [`spec()`], and the version check expects its minimega version.
        /// Connect with `client().connect()`, `.base(dir)` or `.socket(path)`.
        pub fn client() -> #runtime::ClientBuilder {
            #runtime::Client::builder().spec(spec())
        }

        ::minimega::__with_mock! {
            /// A mock minimega for this API (with `minimega`'s `mock`
            /// feature): it accepts this spec's commands and reports its
            /// version, and its `client()` checks lines against it too.
            pub fn mock() -> ::minimega::mock::MockBuilder {
                ::minimega::mock::MockMinimega::builder().spec(spec())
            }
        }
    }
}

/// The items a failed expansion still defines, so that code using them
/// shows only the real error.
pub(crate) fn fallback() -> TokenStream {
    let runtime = runtime();
    quote! {
        /// Empty: the spec could not be read.
        pub trait Commands: #runtime::Target + ::core::marker::Sized {}

        impl<T: #runtime::Target> Commands for T {}

        /// Empty: the spec could not be read.
        pub mod nodes {}

        /// Never returns: the spec could not be read.
        pub fn spec() -> &'static ::minimega::spec::Spec {
            ::core::unreachable!("the spec could not be read")
        }

        /// Stands in for the line macro: the spec could not be read.
        #[allow(unused_macros)]
        macro_rules! cmd {
            ($($line:tt)*) => { ::core::unreachable!("the spec could not be read") };
        }
        #[allow(unused_imports)]
        pub(crate) use cmd;

        /// Stands in for the script macro: the spec could not be read.
        #[allow(unused_macros)]
        macro_rules! script {
            ($($file:tt)*) => { ::core::unreachable!("the spec could not be read") };
        }
        #[allow(unused_imports)]
        pub(crate) use script;

        /// A client of the shipped spec: the spec could not be read.
        pub fn client() -> #runtime::ClientBuilder {
            #runtime::Client::builder()
        }
    }
}

/// `cmd!`, the line macro of this API, usable as `path::to::api::cmd!`.
fn line_macro(spec_fn: &SpecFn<'_>) -> TokenStream {
    let source = match spec_fn {
        SpecFn::Shipped => quote!(shipped),
        SpecFn::File { include_path, .. } => quote!(#include_path),
    };
    quote! {
        /// One minimega line as a typed command of this API, checked while
        /// compiling: `cmd!("vm launch kvm {count}")` is
        /// `Cmd.vm().launch().kvm(count)`, and `cmd!(mm, "vm info")` is
        /// built on `mm`. This API's `Commands` must be in scope where it
        /// is used, as for the builders. See `minimega::cmd!`.
        #[allow(unused_macros)]
        macro_rules! cmd {
            ($($line:tt)*) => { ::minimega::__cmd_in!(#source ; $($line)*) };
        }
        #[allow(unused_imports)]
        pub(crate) use cmd;

        /// A `.mm` script file checked line by line against this API's
        /// spec while compiling, as a `minimega::runtime::Script` to run on
        /// a client or namespace handle. See `minimega::script!`.
        #[allow(unused_macros)]
        macro_rules! script {
            ($($file:tt)*) => { ::minimega::__script_in!(#source ; $($file)*) };
        }
        #[allow(unused_imports)]
        pub(crate) use script;
    }
}

fn spec_tokens(spec_fn: &SpecFn<'_>) -> TokenStream {
    let spec = quote!(::minimega::spec);
    match spec_fn {
        SpecFn::Shipped => quote! {
            /// The spec this API was generated from: the one shipped with
            /// `minimega-spec`.
            pub fn spec() -> &'static #spec::Spec {
                #spec::shipped()
            }
        },
        SpecFn::File {
            include_path,
            version,
        } => {
            let version = version.map(|v| quote!(.with_version(#v)));
            quote! {
                /// The spec this API was generated from, parsed once.
                pub fn spec() -> &'static #spec::Spec {
                    static SPEC: ::std::sync::OnceLock<#spec::Spec> = ::std::sync::OnceLock::new();
                    SPEC.get_or_init(|| {
                        #spec::Spec::from_json(::core::include_str!(#include_path))
                            .expect("the spec was valid when the API was generated")
                            #version
                    })
                }
            }
        }
    }
}

/// The parameter list of a method; `nodes` is the path to the `nodes`
/// module from where the method is.
fn params(method: &Method, nodes: &TokenStream) -> Vec<TokenStream> {
    let runtime = runtime();
    method
        .params
        .iter()
        .map(|param| {
            let name = ident(&param.name);
            match param.kind {
                ParamKind::Value { .. } => quote!(#name: impl #runtime::Arg),
                ParamKind::Flag => quote!(#name: bool),
                ParamKind::List { .. } => quote!(#name: impl #runtime::Args<M>),
                ParamKind::Command => quote!(#name: impl #nodes bounds::Nested),
            }
        })
        .collect()
}

/// The builder calls that append what a method adds.
fn pushes(method: &Method) -> TokenStream {
    let pushes = method.pushes.iter().map(|push| match push {
        Push::Word(word) => quote!(.word(#word)),
        Push::Param(index) => {
            let param = &method.params[*index];
            let name = ident(&param.name);
            let key = &param.key;
            match param.kind {
                ParamKind::Value { optional: false } => quote!(.arg(#key, #name)),
                ParamKind::Value { optional: true } => quote!(.optional_arg(#key, #name)),
                ParamKind::Flag => quote!(.flag(#name)),
                ParamKind::List { required: true } => quote!(.required_list(#key, #name)),
                ParamKind::List { required: false } => quote!(.list(#key, #name)),
                ParamKind::Command => quote!(.command(#name)),
            }
        }
    });
    quote!(#(#pushes)*)
}

fn generics(method: &Method) -> Option<TokenStream> {
    method.takes_list().then(|| quote!(<M>))
}

/// A top-level command: a provided method of `Commands`.
fn trait_method(api: &Api, method: &Method) -> TokenStream {
    let doc = &method.doc;
    let name = ident(&method.name);
    let generics = generics(method);
    let params = params(method, &quote!(nodes::));
    let returns = ident(&api.types[method.returns].name);
    let pushes = pushes(method);
    let runtime = runtime();
    quote! {
        #[doc = #doc]
        fn #name #generics(self, #(#params),*) -> nodes::#returns<Self> {
            nodes::#returns(#runtime::Builder::new(self) #pushes)
        }
    }
}

/// A step of a command: an inherent method of a builder type.
fn node_method(api: &Api, method: &Method) -> TokenStream {
    let doc = &method.doc;
    let name = ident(&method.name);
    let generics = generics(method);
    let params = params(method, &TokenStream::new());
    let returns = ident(&api.types[method.returns].name);
    let pushes = pushes(method);
    quote! {
        #[doc = #doc]
        pub fn #name #generics(self, #(#params),*) -> #returns<T> {
            #returns(self.0 #pushes)
        }
    }
}

fn type_tokens(api: &Api, ty: &NodeType) -> TokenStream {
    let doc = &ty.doc;
    let name = ident(&ty.name);
    let methods = ty.methods.iter().map(|m| node_method(api, m));
    let methods_impl = (!ty.methods.is_empty()).then(|| {
        quote! {
            #[allow(clippy::should_implement_trait, clippy::wrong_self_convention, clippy::too_many_arguments)]
            impl<T> #name<T> {
                #(#methods)*
            }
        }
    });
    let finish = if ty.complete.is_empty() {
        unfinished_methods(ty)
    } else {
        complete_impl(ty)
    };
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        #[must_use = "a command does nothing until it is run or rendered"]
        pub struct #name<T>(pub(super) ::minimega::runtime::Builder<T>);
        #methods_impl
        #finish
    }
}

fn complete_impl(ty: &NodeType) -> TokenStream {
    let name = ident(&ty.name);
    let runtime = runtime();
    quote! {
        impl<T> #runtime::Complete for #name<T> {
            type Target = T;
            fn into_builder(self) -> #runtime::Builder<T> {
                self.0
            }
            fn as_builder(&self) -> &#runtime::Builder<T> {
                &self.0
            }
        }
    }
}

/// `run`, `stream` and `render` on an unfinished command, which fail to
/// compile with the message of its trait in `bounds`.
fn unfinished_methods(ty: &NodeType) -> TokenStream {
    let name = ident(&ty.name);
    let runtime = runtime();
    quote! {
        #[doc(hidden)]
        impl<T> #name<T> {
            pub fn run(self) -> ::core::result::Result<#runtime::Responses, #runtime::Error>
            where
                Self: bounds::#name,
            {
                ::core::unreachable!()
            }
            pub fn stream(self) -> ::core::result::Result<#runtime::ResponseStream<'static>, #runtime::Error>
            where
                Self: bounds::#name,
            {
                ::core::unreachable!()
            }
            pub fn render(self) -> ::core::result::Result<::std::string::String, #runtime::ArgumentError>
            where
                Self: bounds::#name,
            {
                ::core::unreachable!()
            }
        }
    }
}

/// The never-implemented trait behind an unfinished command's `run`, with
/// the message that names the ways to finish it.
fn hint_trait(ty: &NodeType) -> TokenStream {
    let name = ident(&ty.name);
    let message = format!("`{}` is not a whole command", ty.path);
    let ways: Vec<String> = ty
        .methods
        .iter()
        .take(HINTED_METHODS)
        .map(|m| {
            let args = if m.params.is_empty() { "" } else { ".." };
            format!("`.{}({args})`", m.name)
        })
        .collect();
    let more = ty.methods.len().saturating_sub(HINTED_METHODS);
    let label = match (&ways[..], more) {
        ([only], _) => format!("finish it with {only}"),
        (_, 0) => format!("finish it with one of {}", ways.join(", ")),
        _ => format!(
            "finish it with one of {}, or {more} more (see `{}`)",
            ways.join(", "),
            ty.name
        ),
    };
    let doc = format!("Never implemented: `{}` is not a whole command.", ty.path);
    quote! {
        #[doc = #doc]
        #[diagnostic::on_unimplemented(message = #message, label = #label)]
        pub trait #name {}
    }
}
