//! Tests against one real daemon. Each works in a namespace of its own
//! where it can, so that tests do not see each other's VMs.

use std::cell::RefCell;
use std::io::Write;
use std::time::Duration;

use minimega::prelude::*;
use minimega::runtime::{ArgumentError, Client, Error, Event, Failures, Refusal, RunOptions, Wait};
use minimega::spec::input::{forwarding_problem, unwritable_char, ForwardingProblem};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde::Deserialize;

use crate::{count_refused, count_values, Case, Tier};

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
            name: "any_value_arrives_intact_through_echo",
            run: any_value_arrives_intact_through_echo,
        },
        Case {
            name: "any_value_arrives_intact_through_vm_config",
            run: any_value_arrives_intact_through_vm_config,
        },
        Case {
            name: "forwardable_values_survive_a_namespace_broadcast",
            run: forwardable_values_survive_a_namespace_broadcast,
        },
        Case {
            name: "values_minimega_cannot_pass_on_are_refused_and_it_lives",
            run: values_minimega_cannot_pass_on_are_refused_and_it_lives,
        },
        Case {
            name: "expansion_happens_only_when_asked_for",
            run: expansion_happens_only_when_asked_for,
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

/// Strings of every kind: quotes, `#`, backslashes, white space of all
/// sorts, `$`, `file:` and URL prefixes, non-ASCII.
pub fn awkward_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        r#"[ \t\n\r"'\\#$:{}a-zé\u{a0}\u{2028}]{0,16}"#,
        "(file|FILE|http|https|tar):[a-z$/]{0,8}",
        r"\$\{?[A-Z_]{1,8}\}?[a-z ]{0,4}",
    ]
}

/// Values minimega can pass on but that still need care: white space (so
/// they are quoted) with quotes, `#`, backslashes, `$` and non-ASCII.
pub fn quoted_string() -> impl Strategy<Value = String> {
    r#"[a-z]{1,3}[ \t][ a-z"'\\#$:{}é東🚀\n\r]{0,14}"#
}

pub fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

fn any_value_arrives_intact_through_echo(tier: &Tier) {
    // proptest wants an `Fn`; the client is used one case at a time.
    let mm = RefCell::new(tier.daemon.client());
    runner(300)
        .run(&awkward_string(), |value| {
            let sent = mm.borrow_mut().echo_args([&value]).run();
            if value.contains(char::REPLACEMENT_CHARACTER) {
                prop_assert!(
                    matches!(sent, Err(Error::Argument(ArgumentError::NotUtf8 { .. }))),
                    "{value:?} must be refused"
                );
                count_refused(1);
                return Ok(());
            }
            match sent {
                Ok(answer) => {
                    prop_assert!(unwritable_char(&value).is_none(), "{value:?} was sent");
                    prop_assert_eq!(answer.text().unwrap(), value.as_str());
                    count_values(1);
                }
                Err(Error::Refused {
                    refusal: Refusal::Unwritable { .. },
                    ..
                }) => {
                    prop_assert!(unwritable_char(&value).is_some());
                    count_refused(1);
                }
                // Only a value the preprocessor would touch is sent nested
                // (under `.preprocess false`), and only then can it be
                // refused for that.
                Err(Error::Refused {
                    refusal: Refusal::Unforwardable { .. },
                    ..
                }) => {
                    prop_assert!(forwarding_problem(&value).is_some());
                    prop_assert!(value.contains('$') || value.contains(':'), "{value:?}");
                    count_refused(1);
                }
                Err(error) => return Err(TestCaseError::fail(format!("{value:?}: {error}"))),
            }
            Ok(())
        })
        .unwrap();
}

/// Inside a namespace every command is nested, so a value either arrives
/// intact or, if minimega could not pass it on, is refused unsent.
pub fn arrives_or_is_refused<T: std::fmt::Debug>(
    value: &str,
    sent: Result<T, Error>,
) -> Result<Option<T>, TestCaseError> {
    if value.contains(char::REPLACEMENT_CHARACTER) {
        // U+FFFD marks text that was not UTF-8: the client refuses it.
        return match sent {
            Err(Error::Argument(ArgumentError::NotUtf8 { .. })) => {
                count_refused(1);
                Ok(None)
            }
            sent => Err(TestCaseError::fail(format!(
                "{value:?}: expected a refusal, got {sent:?}"
            ))),
        };
    }
    match (forwarding_problem(value), sent) {
        (None, Ok(answer)) => Ok(Some(answer)),
        // An optional argument's empty value would read, not set.
        (
            Some(ForwardingProblem::Empty),
            Err(Error::Argument(ArgumentError::EmptyOptional { .. })),
        ) => {
            count_refused(1);
            Ok(None)
        }
        (
            Some(ForwardingProblem::Escaped(_)),
            Err(Error::Refused {
                refusal: Refusal::Unwritable { .. },
                ..
            }),
        )
        | (
            Some(_),
            Err(Error::Refused {
                refusal: Refusal::Unforwardable { .. },
                ..
            }),
        ) => {
            count_refused(1);
            Ok(None)
        }
        (problem, sent) => Err(TestCaseError::fail(format!(
            "{value:?}: expected {}, got {sent:?}",
            if problem.is_some() {
                "a refusal"
            } else {
                "an answer"
            }
        ))),
    }
}

fn any_value_arrives_intact_through_vm_config(tier: &Tier) {
    let mut client = tier.daemon.client();
    let mm = RefCell::new(client.in_namespace("rs-values").unwrap());
    runner(200)
        .run(&awkward_string(), |value| {
            let mut mm = mm.borrow_mut();
            let set = mm.vm().config().hostname(&value).run();
            if arrives_or_is_refused(&value, set)?.is_some() {
                let read = mm.vm().config().hostname_current().run().unwrap();
                prop_assert_eq!(read.text().unwrap(), value.as_str());
                count_values(1);
            }
            Ok(())
        })
        .unwrap();
    drop(mm);
    client.clear().namespace("rs-values").run().unwrap();
}

#[derive(Debug, Deserialize)]
struct Tagged {
    tags: String,
}

/// `vm tag` in a namespace is parsed a second time by minimega, from a
/// text it writes itself; a value the client lets through must survive it.
fn forwardable_values_survive_a_namespace_broadcast(tier: &Tier) {
    let mut client = tier.daemon.client();
    {
        let mut mm = client.in_namespace("rs-broadcast").unwrap();
        mm.vm().config().cpu("qemu64").run().unwrap();
        mm.vm().config().memory(128).run().unwrap();
        mm.vm().launch().kvm("rs-tagged").run().unwrap();
        let mm = RefCell::new(mm);
        runner(200)
            .run(&prop_oneof![awkward_string(), quoted_string()], |value| {
                let mut mm = mm.borrow_mut();
                let tagged = mm.vm().tag("all", "k", &value).run();
                if arrives_or_is_refused(&value, tagged)?.is_some() {
                    let rows: Vec<Tagged> = mm
                        .columns("tags", Cmd.vm().info())
                        .run()
                        .unwrap()
                        .rows_as()
                        .unwrap();
                    let tags: serde_json::Value = serde_json::from_str(&rows[0].tags).unwrap();
                    prop_assert_eq!(tags["k"].as_str(), Some(value.as_str()));
                    count_values(1);
                }
                Ok(())
            })
            .unwrap();
        let mut mm = mm.into_inner();
        mm.vm().kill("all").run().unwrap();
        mm.vm().flush().run().unwrap();
    }
    client.clear().namespace("rs-broadcast").run().unwrap();
}

/// Each of these, sent as is, makes minimega exit or changes the command.
fn values_minimega_cannot_pass_on_are_refused_and_it_lives(tier: &Tier) {
    let mut client = tier.daemon.client();
    {
        let mut mm = client.in_namespace("rs-hostile").unwrap();
        for value in ["a'b", "\"", "c#d", "x\\y", "", "nb\u{a0}sp", "a b\u{b}"] {
            let error = mm.vm().start(value).run().unwrap_err();
            assert!(
                matches!(
                    &error,
                    Error::Refused {
                        refusal: Refusal::Unforwardable { .. } | Refusal::Unwritable { .. },
                        ..
                    }
                ),
                "{value:?}: {error}"
            );
            count_refused(1);
        }
        let hand_written = mm.raw(r#"vm start "a'b""#).unwrap().run().unwrap_err();
        assert!(
            matches!(hand_written, Error::Refused { .. }),
            "{hand_written}"
        );
    }
    let still = client.echo_args(["alive"]).run().unwrap();
    assert_eq!(still.text().unwrap(), "alive");
    client.clear().namespace("rs-hostile").run().unwrap();
}

fn expansion_happens_only_when_asked_for(tier: &Tier) {
    use minimega::runtime::Expand;

    let mut mm = tier.daemon.client();
    let files = tier.daemon.files_dir();
    let verbatim = mm.echo_args(["file:foo"]).run().unwrap();
    assert_eq!(verbatim.text().unwrap(), "file:foo");
    let expanded = mm.echo_args([Expand("file:foo")]).run().unwrap();
    assert_eq!(
        expanded.text().unwrap(),
        files.join("foo").display().to_string()
    );
    let hand_written = mm.run_line("echo file:foo").unwrap();
    assert_eq!(
        hand_written.text().unwrap(),
        files.join("foo").display().to_string(),
        "hand-written lines keep minimega's behaviour"
    );
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
