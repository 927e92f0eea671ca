//! Rust tokens for a named API: the `Commands` trait with the top-level
//! commands, and one small builder type per node of the command tree.
//!
//! Every builder is a newtype over the runtime's `Builder`; each method
//! pushes its words and arguments and wraps the result in the next type, so
//! per-command code stays a few lines.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::api::{Api, Method, NodeType, ParamKind, Push};

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The whole expansion for `api`.
pub fn expand(api: &Api) -> TokenStream {
    let runtime = quote!(::minimega::runtime);
    let commands = api
        .commands
        .iter()
        .map(|method| method_tokens(api, method, &runtime, quote!(Self), true));
    let types = api.types.iter().map(|ty| type_tokens(api, ty, &runtime));
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
        }
    }
}

fn method_tokens(
    api: &Api,
    method: &Method,
    runtime: &TokenStream,
    target: TokenStream,
    on_trait: bool,
) -> TokenStream {
    let doc = &method.doc;
    let name = ident(&method.name);
    let returns = ident(&api.types[method.returns].name);
    let params = method.params.iter().map(|param| {
        let name = ident(&param.name);
        match param.kind {
            ParamKind::Value => quote!(#name: impl #runtime::Arg),
            ParamKind::Flag => quote!(#name: bool),
            ParamKind::List { .. } => {
                quote!(#name: impl ::core::iter::IntoIterator<Item = impl #runtime::Arg>)
            }
            ParamKind::Command => {
                quote!(#name: impl #runtime::Complete<Target = #runtime::Cmd>)
            }
        }
    });
    let pushes = method.pushes.iter().map(|push| match push {
        Push::Word(word) => quote!(.word(#word)),
        Push::Param(index) => {
            let param = &method.params[*index];
            let name = ident(&param.name);
            let key = &param.key;
            match param.kind {
                ParamKind::Value => quote!(.arg(#key, #name)),
                ParamKind::Flag => quote!(.flag(#name)),
                ParamKind::List { required: true } => quote!(.required_list(#key, #name)),
                ParamKind::List { required: false } => quote!(.list(#key, #name)),
                ParamKind::Command => quote!(.command(#name)),
            }
        }
    });
    if on_trait {
        quote! {
            #[doc = #doc]
            fn #name(self, #(#params),*) -> nodes::#returns<#target> {
                nodes::#returns(#runtime::Builder::new(self) #(#pushes)*)
            }
        }
    } else {
        quote! {
            #[doc = #doc]
            pub fn #name(self, #(#params),*) -> #returns<#target> {
                #returns(self.0 #(#pushes)*)
            }
        }
    }
}

fn type_tokens(api: &Api, ty: &NodeType, runtime: &TokenStream) -> TokenStream {
    let doc = &ty.doc;
    let name = ident(&ty.name);
    let methods = ty
        .methods
        .iter()
        .map(|method| method_tokens(api, method, runtime, quote!(T), false));
    let complete = (!ty.complete.is_empty()).then(|| {
        quote! {
            impl<T> #runtime::Complete for #name<T> {
                type Target = T;
                fn into_builder(self) -> #runtime::Builder<T> {
                    self.0
                }
            }
        }
    });
    let methods_impl = (!ty.methods.is_empty()).then(|| {
        quote! {
            #[allow(clippy::should_implement_trait, clippy::wrong_self_convention, clippy::too_many_arguments)]
            impl<T> #name<T> {
                #(#methods)*
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        #[must_use = "a command does nothing until it is run or rendered"]
        pub struct #name<T>(pub(super) #runtime::Builder<T>);
        #methods_impl
        #complete
    }
}
