//! Tests against a running cluster of at least three nodes, reached through
//! the head node's socket (`MINIMEGA_CLUSTER_SOCKET`). They leave the
//! cluster as they found it: every namespace and file they make is removed.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use minimega::prelude::*;
use minimega::runtime::{Client, Error, Failures, RunOptions};
use proptest::prelude::*;

use crate::values::arrives_or_is_refused;

use crate::{count_values, Case, Tier};

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "cluster_mesh_send_to_all_answers_once_per_peer",
            run: mesh_send_to_all_answers_once_per_peer,
        },
        Case {
            name: "cluster_mesh_send_to_one_host",
            run: mesh_send_to_one_host,
        },
        Case {
            name: "cluster_mesh_send_to_a_range_with_the_head_names_the_silent_head",
            run: mesh_send_to_a_range_with_the_head_names_the_silent_head,
        },
        Case {
            name: "cluster_mesh_send_to_an_unknown_host_is_not_silent",
            run: mesh_send_to_an_unknown_host_is_not_silent,
        },
        Case {
            name: "cluster_a_namespace_spans_the_peers",
            run: a_namespace_spans_the_peers,
        },
        Case {
            name: "cluster_one_host_failing",
            run: one_host_failing,
        },
        Case {
            name: "cluster_values_arrive_intact_on_every_host",
            run: values_arrive_intact_on_every_host,
        },
        Case {
            name: "cluster_status_lines_during_a_file_transfer",
            run: status_lines_during_a_file_transfer,
        },
    ]
}

/// The cluster as the head sees it.
pub struct Cluster {
    pub mm: Client,
    pub head: String,
    pub peers: BTreeSet<String>,
}

pub fn cluster(tier: &Tier) -> Cluster {
    let socket = tier
        .cluster
        .as_ref()
        .expect("cluster tests run with a socket");
    let mut mm = Client::connect_to(socket).unwrap();
    let head = mm.host().name().run().unwrap().text().unwrap().to_owned();
    let peers: BTreeSet<String> = mm
        .mesh()
        .send("all", Cmd.host().name())
        .run()
        .unwrap()
        .iter()
        .map(|r| r.text().to_owned())
        .collect();
    assert!(peers.len() >= 2, "a cluster of three: {head} and {peers:?}");
    Cluster { mm, head, peers }
}

pub fn hosts(answer: &minimega::runtime::Responses) -> BTreeSet<String> {
    answer.hosts().map(str::to_owned).collect()
}

fn mesh_send_to_all_answers_once_per_peer(tier: &Tier) {
    let Cluster { mut mm, peers, .. } = cluster(tier);
    let answer = mm.mesh().send("all", Cmd.echo_args(["hi"])).run().unwrap();
    assert_eq!(answer.len(), peers.len(), "one response per peer");
    assert_eq!(hosts(&answer), peers);
    assert!(answer.iter().all(|r| r.text() == "hi"));
    assert!(answer.missing_hosts().is_empty());
}

fn mesh_send_to_one_host(tier: &Tier) {
    let Cluster { mut mm, peers, .. } = cluster(tier);
    let peer = peers.first().unwrap();
    let answer = mm.mesh().send(peer, Cmd.host().name()).run().unwrap();
    assert_eq!(answer.single().unwrap().host(), peer);
    assert_eq!(answer.text().unwrap(), peer);
}

fn mesh_send_to_a_range_with_the_head_names_the_silent_head(tier: &Tier) {
    let Cluster {
        mut mm,
        head,
        peers,
    } = cluster(tier);
    let mut everyone: Vec<&str> = peers.iter().map(String::as_str).collect();
    everyone.push(&head);
    let targets = everyone.join(",");
    // minimega does not run a `mesh send` on the node it is sent from.
    let error = mm
        .mesh()
        .send(&targets, Cmd.echo_args(["self"]))
        .run()
        .unwrap_err();
    let Error::Unanswered {
        hosts, responses, ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(hosts, std::slice::from_ref(&head), "{error}");
    assert_eq!(responses.len(), peers.len());
    let kept = mm
        .mesh()
        .send(&targets, Cmd.echo_args(["self"]))
        .run_with(RunOptions::new().failures(Failures::Keep))
        .unwrap();
    assert_eq!(kept.missing_hosts(), [head.as_str()]);
}

fn mesh_send_to_an_unknown_host_is_not_silent(tier: &Tier) {
    let Cluster { mut mm, .. } = cluster(tier);
    // minimega answers no response and no error for a host it does not know.
    let error = mm
        .mesh()
        .send("rs-nosuch-node", Cmd.echo_args(["x"]))
        .run()
        .unwrap_err();
    assert!(
        matches!(&error, Error::Unanswered { hosts, .. } if hosts == &["rs-nosuch-node"]),
        "{error:?}"
    );
    assert!(error.to_string().contains("rs-nosuch-node"), "{error}");
    assert!(!mm.is_closed());
}

fn a_namespace_spans_the_peers(tier: &Tier) {
    let Cluster { mut mm, peers, .. } = cluster(tier);
    {
        let mut lab = mm.in_namespace("rs-lab").unwrap();
        // The head is not part of a new namespace; minimega writes the
        // hosts as a range.
        let ns_hosts = lab.ns().hosts().run().unwrap();
        let listed = minimega::spec::ranges::expand(ns_hosts.text().unwrap()).unwrap();
        assert_eq!(listed.into_iter().collect::<BTreeSet<_>>(), peers);

        lab.vm().config().cpu("qemu64").run().unwrap();
        lab.vm().config().memory(128).run().unwrap();
        lab.vm().launch().kvm("rs-db[1-3]").run().unwrap();
        let info = lab.columns("name,state", Cmd.vm().info()).run().unwrap();
        let names: BTreeSet<&str> = info.rows().map(|r| r.get("name").unwrap()).collect();
        assert_eq!(names, BTreeSet::from(["rs-db1", "rs-db2", "rs-db3"]));
        assert!(
            info.rows().all(|r| peers.contains(r.host())),
            "VMs run on peers only"
        );

        // Stopping VMs that are not running is no error in minimega.
        lab.vm().stop("rs-db[1-3]").run().unwrap();
        lab.vm().start("all").run().unwrap();
        let info = lab.columns("name,state", Cmd.vm().info()).run().unwrap();
        assert!(info.rows().all(|r| r.get("state") == Some("RUNNING")));
        lab.vm().kill("all").run().unwrap();
        lab.vm().flush().run().unwrap();
        assert_eq!(lab.vm().info().run().unwrap().rows().count(), 0);
    }
    mm.clear().namespace("rs-lab").run().unwrap();
}

fn one_host_failing(tier: &Tier) {
    let Cluster { mut mm, peers, .. } = cluster(tier);
    let victim = peers.first().unwrap().clone();
    // `grep` fails on every host but the one whose name it looks for.
    let check = Cmd.shell(["grep", "-qvx", victim.as_str(), "/proc/sys/kernel/hostname"]);
    let error = mm.mesh().send("all", check.clone()).run().unwrap_err();
    let failures = error.failures();
    assert_eq!(failures.len(), 1, "{error}");
    assert_eq!(failures[0].host, victim);
    let kept = mm
        .mesh()
        .send("all", check)
        .run_with(RunOptions::new().keep_failures())
        .unwrap();
    assert_eq!(hosts(&kept), peers, "the other hosts' answers are kept");
    assert_eq!(kept.failures().len(), 1);
}

fn values_arrive_intact_on_every_host(tier: &Tier) {
    let Cluster { mm, peers, .. } = cluster(tier);
    let mm = RefCell::new(mm);
    crate::values::runner(60)
        .run(
            &prop_oneof![
                crate::values::awkward_string(),
                crate::values::quoted_string()
            ],
            |value| {
                let sent = mm
                    .borrow_mut()
                    .mesh()
                    .send("all", Cmd.echo_args([&value]))
                    .run();
                if let Some(answer) = arrives_or_is_refused(&value, sent)? {
                    prop_assert_eq!(hosts(&answer), peers.clone());
                    for response in answer.iter() {
                        prop_assert_eq!(response.text(), value.as_str());
                    }
                    count_values(peers.len());
                }
                Ok(())
            },
        )
        .unwrap();
    // Through a namespace of several hosts too.
    let mut mm = mm.into_inner();
    {
        let mut lab = mm.in_namespace("rs-values").unwrap();
        for value in ["a$HOME", "file:x", "${PATH}", "q \"r\" #s"] {
            lab.vm().config().hostname(value).run().unwrap();
            let read = lab.vm().config().hostname_current().run().unwrap();
            assert_eq!(read.text().unwrap(), value);
            count_values(1);
        }
    }
    mm.clear().namespace("rs-values").run().unwrap();
}

fn status_lines_during_a_file_transfer(tier: &Tier) {
    let Cluster { mut mm, peers, .. } = cluster(tier);
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&statuses);
    mm.set_status_handler(move |status| seen.lock().unwrap().push(status.to_owned()));

    let files = mm
        .args()
        .run()
        .unwrap()
        .rows()
        .next()
        .unwrap()
        .get("filepath")
        .unwrap()
        .to_owned();
    let image = format!("{files}/rs-transfer.img");
    mm.shell(["truncate", "-s", "1G", image.as_str()])
        .run()
        .unwrap();
    mm.status().updates_frequency("1s").run().unwrap();
    let launched = {
        let mut lab = mm.in_namespace("rs-transfer").unwrap();
        lab.vm().config().cpu("qemu64").run().unwrap();
        lab.vm().config().memory(128).run().unwrap();
        lab.vm().config().snapshot(false).run().unwrap();
        lab.vm().config().disks([&image]).run().unwrap();
        let launched = lab
            .vm()
            .launch()
            .kvm(peers.len())
            .run_with(RunOptions::new().timeout(Duration::from_secs(120)));
        let _ = lab.vm().kill("all").run();
        let _ = lab.vm().flush().run();
        launched
    };
    let _ = mm.clear().namespace("rs-transfer").run();
    let _ = mm.status().updates_frequency("3s").run();
    let _ = mm
        .mesh()
        .send("all", Cmd.file().delete("rs-transfer.img"))
        .run();
    let _ = mm.file().delete("rs-transfer.img").run();

    let answer = launched.unwrap();
    let statuses = statuses.lock().unwrap().clone();
    assert!(
        statuses
            .iter()
            .any(|s| s.contains("transferring file rs-transfer.img")),
        "{statuses:?}"
    );
    assert_eq!(
        answer.statuses(),
        statuses.as_slice(),
        "kept with the answer too"
    );
    assert!(answer.iter().all(|r| r.is_ok()));
}
