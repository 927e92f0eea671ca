//! Rules 1 to 4 of the naming rules on small specs.

use super::*;
use crate::tree::tests::{child, tree, tree_of_handlers};

/// The edges out of `node`, each as its steps' names, with `~current`
/// or `~key` for a derived name and `(words)` or `()` for a type that
/// keeps only its words or nothing.
fn edges(node: &Node) -> Vec<Vec<String>> {
    node.edges()
        .iter()
        .map(|edge| {
            let mut names: Vec<String> = edge
                .steps
                .iter()
                .map(|step| match step {
                    Step::Word(word) => word.clone(),
                    Step::Arg(slot) => format!("<{}>", slot.key),
                })
                .collect();
            match edge.naming {
                Naming::First => {}
                Naming::Current => names.push("~current".into()),
                Naming::All => names.push("~all".into()),
                Naming::Joined(key) => names.push(format!("~{key}")),
            }
            match edge.prune {
                Prune::Nothing => {}
                Prune::Arguments => names.push("(words)".into()),
                Prune::Everything => names.push("()".into()),
            }
            names
        })
        .collect()
}

#[test]
fn required_arguments_fold_into_the_word_before_them() {
    let (_, tree) = tree(&["vm launch <kvm,container> <name or count> [config]"]);
    let launch = child(&tree.root, &["vm", "launch"]);
    assert_eq!(
        edges(launch),
        [vec!["kvm", "<name>"], vec!["container", "<name>"]]
    );
    let kvm = launch.edges()[0].target;
    assert_eq!(
        kvm.complete.len(),
        1,
        "complete without the optional config"
    );
    assert_eq!(edges(kvm), [vec!["<config>"]], "an option of the command");
}

#[test]
fn grouping_stops_where_paths_part_or_a_command_is_complete() {
    let (_, tree) = tree(&[
        "cc <tunnel,> <vm name or uuid> <src port> <host> <dst port>",
        "cc <tunnel,> <close,> <vm name or uuid> <id>",
    ]);
    assert_eq!(
        edges(child(&tree.root, &["cc", "tunnel"])),
        [
            vec!["<vm>", "<src>", "<host>", "<dst>"],
            vec!["close", "<vm>", "<id>"]
        ]
    );
}

#[test]
fn a_setting_keeps_the_word_for_the_set_and_names_the_read_current() {
    let (_, tree) = tree(&[
        "vm config memory [value]",
        "vm config snapshot [true,false]",
        "clear vm config <memory,>",
        "mesh degree [degree]",
        "vlans <range,>",
        "vlans <range,> <min> <max>",
        "clear vlans [prefix]",
    ]);
    assert_eq!(
        edges(child(&tree.root, &["vm", "config"])),
        [
            vec!["memory", "<value>"],
            vec!["memory", "~current", "(words)"],
            vec!["snapshot", "<enabled>"],
            vec!["snapshot", "~current", "(words)"]
        ],
        "a clear resets memory; snapshot is a flag"
    );
    assert_eq!(
        edges(child(&tree.root, &["mesh"])),
        [
            vec!["degree", "<degree>"],
            vec!["degree", "~current", "(words)"]
        ],
        "a value named after its word"
    );
    assert_eq!(
        edges(child(&tree.root, &["vlans"])),
        [
            vec!["range", "<min>", "<max>"],
            vec!["range", "~current", "(words)"]
        ],
        "clear vlans resets what vlans range shows"
    );
}

#[test]
fn a_word_alone_that_is_no_read_keeps_the_word_and_the_arguments_join_their_key() {
    let (_, tree) = tree(&[
        "vm <flush,>",
        "vm <flush,> <vm target>",
        "vm save",
        "vm save <vm name>",
        "vm save <vm name> <filename>",
        "vm top [duration]",
    ]);
    assert_eq!(
        edges(child(&tree.root, &["vm"])),
        [
            vec!["flush", "(words)"],
            vec!["flush", "<vm>", "~vm"],
            vec!["save", "(words)"],
            vec!["save", "<vm>", "~vm"],
            vec!["top", "(words)"],
            vec!["top", "<duration>", "~duration"]
        ]
    );
    let save = &child(&tree.root, &["vm"]).edges()[3];
    assert_eq!(
        edges(save.target),
        [vec!["<filename>"]],
        "a later optional argument is a method"
    );
}

#[test]
fn under_clear_the_word_takes_its_arguments_and_everything_is_all() {
    let (_, tree) = tree(&[
        "clear vlans [prefix]",
        "clear pipe [pipe]",
        "clear pipe <pipe> <mode,>",
        "clear vm tag",
        "clear vm tag <vm target> [tag]",
    ]);
    assert_eq!(
        edges(child(&tree.root, &["clear"])),
        [
            vec!["vlans", "<prefix>"],
            vec!["vlans", "~all", "(words)"],
            vec!["pipe", "<pipe>"],
            vec!["pipe", "~all", "(words)"],
            vec!["vm"]
        ],
        "a clear that forgets what to clear does not compile into clearing everything"
    );
    assert_eq!(
        edges(child(&tree.root, &["clear", "vm"])),
        [
            vec!["tag", "<vm>", "<tag>"],
            vec!["tag", "<vm>", "~vm", "(words)"],
            vec!["tag", "~all", "(words)"]
        ]
    );
}

#[test]
fn a_setting_after_arguments_folds_its_stops() {
    let (_, tree) = tree(&[
        "vm tag <vm target> [key or all]",
        "vm tag <vm target> <key> <value>",
        "clear vm tag",
        "clear vm tag <vm target> [tag]",
        "vm screenshot <vm name> file <filename> [maximum dimension]",
    ]);
    let vm = child(&tree.root, &["vm"]);
    assert_eq!(
        edges(vm),
        [
            vec!["tag", "<vm>", "<key>", "<value>"],
            vec!["tag", "<vm>", "~current", "(words)"],
            vec!["tag", "<vm>", "<key>", "~key", "(words)"],
            vec!["screenshot", "<vm>"]
        ]
    );
    let screenshot = vm.edges()[3].target;
    assert_eq!(edges(screenshot), [vec!["file", "<filename>"]]);
    assert_eq!(
        edges(screenshot.edges()[0].target),
        [vec!["<maximum>"]],
        "one optional argument after arguments is an option"
    );
}

#[test]
fn settings_come_in_groups_of_one_command() {
    let (_, tree) = tree(&[
        "deploy <flags,> [minimega flags]...",
        "deploy <stdout,> [path]",
        "clear deploy flags",
    ]);
    assert_eq!(
        edges(child(&tree.root, &["deploy"]))[2..],
        [
            vec!["stdout", "<path>"],
            vec!["stdout", "~current", "(words)"]
        ]
    );
    let (_, two) = tree_of_handlers(&[&[".json [true,false]"], &["quit [delay]"]]);
    assert_eq!(
        edges(&two.root)[1..],
        [vec!["quit", "(words)"], vec!["quit", "<delay>", "~delay"]],
        "a flag of another command says nothing about quit"
    );
}

#[test]
fn argument_forks_fold_into_the_word() {
    let (_, tree) = tree(&[
        "tap <mirror,> <src name> <dst name> [bridge]",
        "tap <mirror,> <vm name> <interface index> <vm2 name> <interface2 index>",
    ]);
    assert_eq!(
        edges(child(&tree.root, &["tap"])),
        [
            vec!["mirror", "<src>", "<dst>"],
            vec![
                "mirror",
                "<vm>",
                "<interface>",
                "<vm2>",
                "<interface2>",
                "~vm"
            ]
        ]
    );
}

#[test]
fn words_after_a_setting_join_its_word_and_its_read_keeps_nothing() {
    let (_, tree) = tree(&[
        "optimize <affinity,> <filter,> <filter>",
        "optimize <affinity,> [true,false]",
    ]);
    assert_eq!(
        edges(child(&tree.root, &["optimize"])),
        [
            vec!["affinity", "<enabled>"],
            vec!["affinity", "~current", "()"],
            vec!["affinity", "filter", "<filter>", "~filter"]
        ]
    );
}

#[test]
fn words_after_a_word_alone_that_is_no_read_stay_its_methods() {
    let (_, tree) = tree(&[
        "dnsmasq configure <ID> <dns,>",
        "dnsmasq configure <ID> <dns,> <ip> <hostname>",
        "dnsmasq configure <ID> <dns,> <upstream,>",
    ]);
    let (_, id) = &child(&tree.root, &["dnsmasq", "configure"]).children[0];
    assert_eq!(
        edges(id),
        [
            vec!["dns", "(words)"],
            vec!["dns", "<ip>", "<hostname>", "~ip"]
        ]
    );
    let kept: Vec<_> = edges(id.edges()[0].target)
        .into_iter()
        .filter(|steps| !steps[0].starts_with('<'))
        .collect();
    assert_eq!(kept, [vec!["upstream"]]);
}

#[test]
fn forms_that_change_every_client_are_left_out() {
    let (_, tree) = tree(&[
        ".json [true,false]",
        ".json <true,false> (command)",
        ".unalias <alias>",
        "namespace [name]",
        "namespace <name> (command)",
        "clear namespace [name]",
    ]);
    assert_eq!(
        edges(&tree.root),
        [
            vec![".json", "<enabled>", "<command>"],
            vec![".json", "~current", "(words)"],
            vec!["namespace", "<name>", "<command>"],
            vec!["namespace", "~current", "(words)"],
            vec!["clear"],
        ]
    );
    assert_eq!(
        edges(child(&tree.root, &["clear"])),
        [vec!["namespace", "<name>"]]
    );
    assert_eq!(tree.refused.len(), 4);
}
