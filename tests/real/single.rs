//! Tests against one real daemon. Each works in a namespace of its own
//! where it can, so that tests do not see each other's VMs.

use std::io::Write;
use std::time::Duration;

use minimega::prelude::*;
use minimega::runtime::{Client, Error, Event, Failures, RunOptions, Wait};
use serde::Deserialize;

use crate::{Case, Tier};

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "version_check_matches_the_spec",
            run: version_check_matches_the_spec,
        },
        Case {
            name: "classic_lifecycle",
            run: classic_lifecycle,
        },
        Case {
            name: "namespace_handles_are_scoped",
            run: namespace_handles_are_scoped,
        },
        Case {
            name: "output_modifiers_on_real_tables",
            run: output_modifiers_on_real_tables,
        },
        Case {
            name: "errors_name_their_host",
            run: errors_name_their_host,
        },
        Case {
            name: "suggest_completes_like_minimega",
            run: suggest_completes_like_minimega,
        },
        Case {
            name: "a_long_read_streams_in_order",
            run: a_long_read_streams_in_order,
        },
        Case {
            name: "waits_see_real_states_and_real_failures",
            run: waits_see_real_states_and_real_failures,
        },
        Case {
            name: "typed_tables_read_real_answers",
            run: typed_tables_read_real_answers,
        },
        Case {
            name: "the_active_namespace_is_never_switched",
            run: the_active_namespace_is_never_switched,
        },
    ]
}

fn version_check_matches_the_spec(tier: &Tier) {
    let mut mm = tier.daemon.client();
    let check = mm.check_version().unwrap();
    assert!(check.is_match(), "{check}");
    assert_eq!(
        check.server_version(),
        Some("3.1.0"),
        "{}",
        check.reported()
    );
}

#[derive(Debug, Deserialize)]
struct Vm {
    host: String,
    name: String,
    state: String,
    memory: u64,
}

fn vms(mm: &mut minimega::runtime::Namespace<'_>) -> Vec<Vm> {
    mm.vm().info().run().unwrap().rows_as().unwrap()
}

fn classic_lifecycle(tier: &Tier) {
    let mut client = tier.daemon.client();
    let mut mm = client.in_namespace("rs-classic").unwrap();
    // Without /dev/kvm, qemu only starts with an emulated CPU.
    mm.vm().config().cpu("qemu64").run().unwrap();
    mm.vm().config().memory(128).run().unwrap();
    mm.vm().launch().kvm(3).run().unwrap();
    let launched = vms(&mut mm);
    let names: std::collections::BTreeSet<&str> =
        launched.iter().map(|vm| vm.name.as_str()).collect();
    assert_eq!(names.len(), 3, "three distinct VMs: {launched:?}");
    assert!(
        launched
            .iter()
            .all(|vm| vm.state == "BUILDING" && vm.memory == 128 && vm.host == tier.daemon.host),
        "{launched:?}"
    );

    mm.vm().start("all").run().unwrap();
    let running = vms(&mut mm);
    assert!(
        running.iter().all(|vm| vm.state == "RUNNING"),
        "{running:?}"
    );

    mm.vm().kill("all").run().unwrap();
    let killed = vms(&mut mm);
    assert!(killed.iter().all(|vm| vm.state == "QUIT"), "{killed:?}");
    mm.vm().flush().run().unwrap();
    assert!(vms(&mut mm).is_empty());
    drop(mm);
    client.clear().namespace("rs-classic").run().unwrap();
}

fn namespace_handles_are_scoped(tier: &Tier) {
    let mut mm = tier.daemon.client();
    {
        let mut outer = mm.in_namespace("rs-outer").unwrap();
        outer.vm().config().memory(512).run().unwrap();
        {
            let mut inner = outer.in_namespace("rs-inner").unwrap();
            inner.vm().config().memory(256).run().unwrap();
            let memory = inner.vm().config().memory_current().run().unwrap();
            assert_eq!(memory.text().unwrap(), "256");
        }
        let memory = outer.vm().config().memory_current().run().unwrap();
        assert_eq!(
            memory.text().unwrap(),
            "512",
            "the inner handle did not leak"
        );
    }
    let memory = mm.vm().config().memory_current().run().unwrap();
    assert_eq!(
        memory.text().unwrap(),
        "2048",
        "the default namespace is untouched"
    );

    let listed = mm.namespace_list();
    for name in ["rs-outer", "rs-inner"] {
        assert!(listed.iter().any(|(ns, _)| ns == name), "{listed:?}");
    }
    mm.clear().namespace("rs-inner").run().unwrap();
    mm.clear().namespace("rs-outer").run().unwrap();
    let listed = mm.namespace_list();
    assert!(
        !listed
            .iter()
            .any(|(ns, _)| ns.starts_with("rs-outer") || ns == "rs-inner"),
        "{listed:?}"
    );
}

/// `namespace`'s table as (name, active) pairs.
trait NamespaceList {
    fn namespace_list(&mut self) -> Vec<(String, bool)>;
}

impl NamespaceList for Client {
    fn namespace_list(&mut self) -> Vec<(String, bool)> {
        let table = self.namespace_current().run().unwrap();
        assert_eq!(
            table.single().unwrap().header(),
            ["namespace", "vlans", "active"]
        );
        table
            .rows()
            .map(|row| {
                (
                    row.get("namespace").unwrap().to_owned(),
                    row.get("active") == Some("true"),
                )
            })
            .collect()
    }
}

fn output_modifiers_on_real_tables(tier: &Tier) {
    let mut client = tier.daemon.client();
    let mut mm = client.in_namespace("rs-modifiers").unwrap();
    mm.vm().config().cpu("qemu64").run().unwrap();
    mm.vm().config().memory(128).run().unwrap();
    mm.vm().launch().kvm("web[1-2],db").run().unwrap();

    let columns = mm.columns("name,state", Cmd.vm().info()).run().unwrap();
    assert_eq!(columns.single().unwrap().header(), ["name", "state"]);
    // minimega lists VMs in no fixed order.
    let mut names: Vec<&str> = columns.rows().map(|r| r.get("name").unwrap()).collect();
    names.sort_unstable();
    assert_eq!(names, ["db", "web1", "web2"]);

    let filtered = mm.filter("name=db", Cmd.vm().info()).run().unwrap();
    let names: Vec<&str> = filtered.rows().map(|r| r.get("name").unwrap()).collect();
    assert_eq!(names, ["db"]);
    let contains = mm.filter("name~web", Cmd.vm().info()).run().unwrap();
    assert_eq!(contains.rows().count(), 2);

    // The rendering modifiers change `Rendered`, never the responses.
    let json = mm.json(true, Cmd.vm().info()).run().unwrap();
    let rendered: serde_json::Value = serde_json::from_str(&json.rendered()).unwrap();
    assert_eq!(rendered[0]["Tabular"].as_array().unwrap().len(), 3);
    assert_eq!(json.rows().count(), 3);
    let bare = mm
        .headers(false, Cmd.columns("name", Cmd.vm().info()))
        .run()
        .unwrap();
    assert_eq!(bare.single().unwrap().header(), ["name"], "{bare:?}");
    assert!(!bare.rendered().contains("name"), "{}", bare.rendered());
    let annotated = mm
        .annotate(false, Cmd.columns("name", Cmd.vm().info()))
        .run()
        .unwrap();
    assert!(!annotated.rendered().contains(&tier.daemon.host));

    mm.vm().kill("all").run().unwrap();
    mm.vm().flush().run().unwrap();
    drop(mm);
    client.clear().namespace("rs-modifiers").run().unwrap();
}

fn errors_name_their_host(tier: &Tier) {
    let mut mm = tier.daemon.client();
    let error = mm.vm().start("rs-nosuch").run().unwrap_err();
    let Error::Command { failures, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].host, tier.daemon.host);
    assert_eq!(failures[0].message, "vm not found: rs-nosuch");
    assert_eq!(
        failures[0].kind(),
        minimega::runtime::FailureKind::VmNotFound("rs-nosuch")
    );
    assert!(!error.closes_connection() && !mm.is_closed());

    let kept = mm
        .vm()
        .config()
        .memory("notanumber")
        .run_with(RunOptions::new().failures(Failures::Keep))
        .unwrap();
    assert_eq!(
        kept.single().unwrap().error(),
        Some("strconv.ParseUint: parsing \"notanumber\": invalid syntax")
    );
    // The connection goes on.
    assert_eq!(
        mm.echo_args(["still here"]).run().unwrap().text().unwrap(),
        "still here"
    );
}

fn suggest_completes_like_minimega(tier: &Tier) {
    let mut mm = tier.daemon.client();
    assert_eq!(mm.suggest("vm la").unwrap(), ["vm launch "]);
    let config = mm.suggest("vm config mem").unwrap();
    assert_eq!(config, ["vm config memory "]);
    assert!(mm.suggest("frobnicate").unwrap().is_empty());
}

fn a_long_read_streams_in_order(tier: &Tier) {
    const LINES: usize = 300;
    let script = tier.daemon.base().join("rs-long.mm");
    let mut file = std::fs::File::create(&script).unwrap();
    for i in 0..LINES {
        writeln!(file, "echo line-{i}").unwrap();
    }
    drop(file);
    let mut mm = tier.daemon.client();
    let mut stream = mm
        .read(script.display())
        .stream_with(RunOptions::new().timeout(Duration::from_secs(30)))
        .unwrap();
    let mut texts = Vec::new();
    while let Some(event) = stream.next_event() {
        if let Event::Response(response) = event.unwrap() {
            texts.push(response.text().to_owned());
        }
    }
    assert!(stream.is_complete());
    drop(stream);
    let want: Vec<String> = (0..LINES).map(|i| format!("line-{i}")).collect();
    assert_eq!(texts, want);
    // The connection is ready for the next command.
    assert_eq!(
        mm.echo_args(["after"]).run().unwrap().text().unwrap(),
        "after"
    );
}

fn the_active_namespace_is_never_switched(tier: &Tier) {
    let mut mm = tier.daemon.client();
    let refused = mm.raw("namespace rs-switch").unwrap().run().unwrap_err();
    assert!(matches!(refused, Error::Refused { .. }), "{refused:?}");
    let active: Vec<String> = mm
        .namespace_list()
        .into_iter()
        .filter(|(_, active)| *active)
        .map(|(name, _)| name)
        .collect();
    assert_eq!(active, ["minimega"]);
}

fn waits_see_real_states_and_real_failures(tier: &Tier) {
    use minimega::runtime::tables::{VmKind, VmState};

    let mut client = tier.daemon.client();
    {
        let mut mm = client.in_namespace("rs-wait").unwrap();
        mm.vm().config().cpu("qemu64").run().unwrap();
        mm.vm().config().memory(128).run().unwrap();
        mm.vm().launch().kvm("rs-ok[1-2]").run().unwrap();
        mm.vm().start("all").run().unwrap();
        let running = mm
            .wait_for_state("rs-ok[1-2]", VmState::Running, Duration::from_secs(30))
            .unwrap();
        assert_eq!(running.len(), 2);
        for vm in &running {
            assert_eq!((vm.kind, vm.memory), (VmKind::Kvm, 128), "{vm:?}");
            assert_eq!(vm.host, tier.daemon.host);
            assert!(vm.uptime.is_some() && vm.pid.is_some(), "{vm:?}");
        }

        // minimega fails the launch of a VM whose disk does not exist, and
        // records why in its error tag.
        mm.vm()
            .config()
            .disks("/nonexistent/rs-missing.qcow2")
            .run()
            .unwrap();
        mm.vm().launch().kvm("rs-bad").run().unwrap();
        let error = mm
            .wait_for_state("rs-bad", VmState::Running, Duration::from_secs(30))
            .unwrap_err();
        let Error::VmFailed {
            vm, state, reason, ..
        } = &error
        else {
            panic!("{error}");
        };
        assert_eq!((vm.as_str(), *state), ("rs-bad", VmState::Error));
        assert!(reason.contains("rs-missing.qcow2"), "{reason}");

        mm.vm().kill("all").run().unwrap();
        mm.wait_for_state("rs-ok[1-2]", VmState::Quit, Duration::from_secs(30))
            .unwrap();
        mm.vm().flush().run().unwrap();
    }
    client.clear().namespace("rs-wait").run().unwrap();
}

fn typed_tables_read_real_answers(tier: &Tier) {
    use minimega::runtime::cc::{CcClient, CcCommand};
    use minimega::runtime::tables::{
        BlacklistedVlan, Capture, DiskInfo, FileEntry, HostInfo, NamespaceInfo, Vlan, VlanRange,
        VmState, VmSummary, VmTop,
    };

    let mut mm = tier.daemon.client();
    let hosts: Vec<HostInfo> = mm.host().run().unwrap().rows_as().unwrap();
    assert_eq!(hosts.len(), 1);
    assert_eq!(hosts[0].host, tier.daemon.host);
    assert!(hosts[0].cpus > 0 && hosts[0].memtotal > 0 && hosts[0].uptime.is_some());

    let namespaces: Vec<NamespaceInfo> = mm.namespace_current().run().unwrap().rows_as().unwrap();
    assert!(namespaces
        .iter()
        .any(|ns| ns.namespace == "minimega" && ns.active));

    let mut lab = mm.in_namespace("rs-tables").unwrap();
    lab.vm().config().cpu("qemu64").run().unwrap();
    lab.vm().launch().kvm("rs-row").run().unwrap();
    let summary: Vec<VmSummary> = lab.vm().info().summary().run().unwrap().rows_as().unwrap();
    assert_eq!(summary.len(), 1);
    assert_eq!(
        (summary[0].name.as_str(), summary[0].state),
        ("rs-row", VmState::Building)
    );
    let top: Vec<VmTop> = lab.vm().top().run().unwrap().rows_as().unwrap();
    assert!(top.iter().all(|row| row.name == "rs-row"), "{top:?}");

    lab.vlans().add("rs-dmz", 100).run().unwrap();
    let vlans: Vec<Vlan> = lab.vlans().run().unwrap().rows_as().unwrap();
    assert!(
        vlans.iter().any(|v| v.alias == "rs-dmz" && v.vlan == 100),
        "{vlans:?}"
    );
    // A namespace has a range of its own only once it is given one.
    lab.vlans().range(3000, 3100).run().unwrap();
    let range: Vec<VlanRange> = lab
        .vlans()
        .range_current()
        .run()
        .unwrap()
        .rows_as()
        .unwrap();
    assert_eq!((range[0].min, range[0].max), (3000, 3100), "{range:?}");
    assert!((3000..=3100).contains(&range[0].next), "{range:?}");
    lab.vlans().blacklist(4000).run().unwrap();
    let black: Vec<BlacklistedVlan> = lab
        .vlans()
        .blacklist_current()
        .run()
        .unwrap()
        .rows_as()
        .unwrap();
    assert!(black.iter().any(|b| b.vlan == 4000), "{black:?}");
    let captures: Vec<Capture> = lab.capture().run().unwrap().rows_as().unwrap();
    assert!(captures.is_empty());
    let clients: Vec<CcClient> = lab.cc().clients().run().unwrap().rows_as().unwrap();
    let commands: Vec<CcCommand> = lab.cc().commands().run().unwrap().rows_as().unwrap();
    assert!(clients.is_empty() && commands.is_empty());

    std::fs::create_dir_all(tier.daemon.files_dir()).unwrap();
    std::fs::write(tier.daemon.files_dir().join("rs-table.txt"), "abc").unwrap();
    let files: Vec<FileEntry> = lab.file().list().run().unwrap().rows_as().unwrap();
    let file = files.iter().find(|f| f.name == "rs-table.txt").unwrap();
    assert!(!file.dir && file.size == 3, "{file:?}");
    let have_qemu_img = std::process::Command::new("qemu-img")
        .arg("--version")
        .output()
        .is_ok();
    if have_qemu_img {
        lab.disk()
            .create()
            .qcow2("rs-table.qcow2", "1M")
            .run()
            .unwrap();
        let disks: Vec<DiskInfo> = lab
            .disk()
            .info("rs-table.qcow2")
            .run()
            .unwrap()
            .rows_as()
            .unwrap();
        assert_eq!(
            (disks[0].format.as_str(), disks[0].backingfile.as_deref()),
            ("qcow2", None)
        );
    } else {
        println!("  disk info: skipped (no qemu-img on this machine)");
    }

    lab.vm().kill("all").run().unwrap();
    lab.vm().flush().run().unwrap();
    drop(lab);
    mm.clear().namespace("rs-tables").run().unwrap();
}
