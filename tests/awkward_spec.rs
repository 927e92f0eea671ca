//! A second, small spec with awkward names: keywords, hyphens, leading
//! digits and names that clash after sanitizing. It must expand into an API
//! that compiles and renders the right lines.

// The generated code must not make a user crate warn.
#![deny(warnings)]

mod awkward {
    minimega::generate_api!("tests/specs/awkward.json");
}

use awkward::Commands;
use minimega::runtime::{Cmd, Complete};

#[test]
fn keywords_get_a_trailing_underscore() {
    assert_eq!(Cmd.type_().in_("a b").render().unwrap(), r#"type in "a b""#);
    assert_eq!(Cmd.type_().out(1).render().unwrap(), "type out 1");
    assert_eq!(Cmd.type_().self_test().render().unwrap(), "type self-test");
    assert_eq!(
        Cmd.type_().self_test().n3d_mode("on").render().unwrap(),
        "type self-test on"
    );
}

#[test]
fn punctuation_and_leading_digits_become_valid_names() {
    assert_eq!(
        Cmd.n3com()
            .ipv4_mask("10.0.0.1/24", "h:80")
            .render()
            .unwrap(),
        "3com 10.0.0.1/24 h:80"
    );
    // `run` is reserved for running commands, so the word gets a `_`.
    assert_eq!(Cmd.n3com().run_("s").render().unwrap(), "3com run s");
}

#[test]
fn clashing_names_are_numbered_in_spec_order() {
    assert_eq!(Cmd.net().foo_bar().render().unwrap(), "net foo-bar");
    assert_eq!(Cmd.net().foo_bar_2("v").render().unwrap(), "net foo_bar v");
    assert_eq!(Cmd.net().x("1", "2").render().unwrap(), "net 1 2");
    assert_eq!(Cmd.pair("a", "b").render().unwrap(), "pair a b");
    assert_eq!(Cmd.wrap(Cmd.pair(1, 2)).render().unwrap(), "wrap pair 1 2");
}

#[test]
fn type_names_avoid_the_type_parameter_and_self() {
    let t: awkward::nodes::T2<Cmd> = Cmd.t("x");
    assert_eq!(t.render().unwrap(), "t x");
    let me: awkward::nodes::Self2<Cmd> = Cmd.self_();
    assert_eq!(me.value(1).render().unwrap(), "self 1");
}
