//! A second, small spec with awkward names: keywords, hyphens, leading
//! digits and names that clash after sanitizing. It must expand into an API
//! that compiles without a warning and renders the right lines.

// The generated code must not make a user crate warn.
#![deny(warnings)]

mod awkward {
    minimega::generate_api!("tests/specs/awkward.json", version = "0.1.0");
}

use awkward::Commands;
use minimega::runtime::{Cmd, Complete};

#[test]
fn keywords_join_a_neighbour() {
    assert_eq!(
        Cmd.type_command().in_static("a b").render().unwrap(),
        r#"type in "a b""#
    );
    assert_eq!(Cmd.type_command().out(1).render().unwrap(), "type out 1");
    assert_eq!(
        Cmd.type_command().self_test().render().unwrap(),
        "type self-test"
    );
    assert_eq!(
        Cmd.type_command()
            .self_test_n3d_mode("on")
            .render()
            .unwrap(),
        "type self-test on"
    );
    assert_eq!(Cmd.self_value(1).render().unwrap(), "self 1");
    assert_eq!(Cmd.self_command().render().unwrap(), "self");
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
    // `run` is a method of every command, so the word takes its argument's key.
    assert_eq!(Cmd.n3com().run_stream("s").render().unwrap(), "3com run s");
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
fn type_names_avoid_the_type_parameters() {
    let t: awkward::nodes::T2<Cmd> = Cmd.t("x");
    assert_eq!(t.render().unwrap(), "t x");
    let m: awkward::nodes::M2<Cmd> = Cmd.m(["a", "b"]);
    assert_eq!(m.render().unwrap(), "m a b");
}

#[test]
fn the_spec_travels_with_its_api() {
    let spec = awkward::spec();
    assert_eq!(spec.handlers().len(), 5);
    assert_eq!(spec.version(), Some("0.1.0"));
    assert_eq!(minimega::api::spec().version(), Some("3.1.0"));
    assert!(std::ptr::eq(
        minimega::api::spec(),
        minimega::spec::shipped()
    ));
}
