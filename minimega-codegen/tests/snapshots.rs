//! Snapshots of the code generated for small specs, formatted for reading.
//! A change to the generated API shows up here as a reviewable diff
//! (`cargo insta review`, or `INSTA_UPDATE=always` to accept).

use minimega_codegen::generate;

fn expand(json: &str) -> String {
    let tokens = generate(json).expect("a valid spec");
    prettyplease::unparse(&syn::parse2(tokens).expect("generated code parses"))
}

fn spec(patterns: &[&str]) -> String {
    let quoted: Vec<String> = patterns.iter().map(|p| format!("{p:?}")).collect();
    format!(
        r#"[{{"help_short": "launch virtual machines", "help_long": "Launches VMs.", "patterns": [{}]}}]"#,
        quoted.join(", ")
    )
}

#[test]
fn launch_with_choice_and_optional_argument() {
    insta::assert_snapshot!(expand(&spec(&[
        "vm launch",
        "vm launch <kvm,container> <name or count> [config]",
    ])));
}

#[test]
fn flags_lists_and_nested_commands() {
    insta::assert_snapshot!(expand(&spec(&[
        "vm config snapshot [true,false]",
        "shell <command>...",
        "mesh send <hostname or range or all> (command)",
    ])));
}

#[test]
fn paths_that_part_after_a_word_do_not_clash() {
    insta::assert_snapshot!(expand(&spec(&[
        "cc <tunnel,> <vm name or uuid> <src port> <host> <dst port>",
        "cc <tunnel,> <close,> <vm name or uuid> <id>",
    ])));
}
