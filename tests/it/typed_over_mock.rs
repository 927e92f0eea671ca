//! The generated API end to end: typed commands run over a real socket
//! against the embedded mock, which checks every line against the spec.

use minimega::mock::MockMinimega;
use minimega::prelude::*;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Vm {
    host: String,
    name: String,
    state: String,
    memory: u64,
}

#[test]
fn the_classic_script_goes_building_running_then_gone() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();

    mm.vm().config().memory(512).run().unwrap();
    mm.vm().launch().kvm(10).run().unwrap();
    let vms: Vec<Vm> = mm.vm().info().run().unwrap().rows_as().unwrap();
    assert_eq!(vms.len(), 10);
    assert!(vms
        .iter()
        .all(|vm| vm.state == "BUILDING" && vm.memory == 512));

    mm.vm().start("all").run().unwrap();
    let vms: Vec<Vm> = mm.vm().info().run().unwrap().rows_as().unwrap();
    assert!(vms.iter().all(|vm| vm.state == "RUNNING"), "{vms:?}");

    mm.vm().kill("all").run().unwrap();
    mm.vm().flush().run().unwrap();
    assert_eq!(mm.vm().info().run().unwrap().rows().count(), 0);

    assert_eq!(
        mock.commands()[..3],
        ["vm config memory 512", "vm launch kvm 10", "vm info"]
    );
}

#[test]
fn arguments_arrive_as_exactly_one_token_each() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    let awkward = ["a b", "c#d", "\"q\"", "back\\slash", "tab\there", "ünï"];
    let answer = mm.echo_args(awkward).run().unwrap();
    assert_eq!(answer.text().unwrap(), awkward.join(" "));
}

#[test]
fn namespace_handles_nest_and_never_switch_the_active_namespace() {
    let mock = MockMinimega::builder()
        .hosts(["head", "n1", "n2"])
        .start()
        .unwrap();
    let mut mm = mock.client().unwrap();
    {
        let mut outer = mm.in_namespace("outer").unwrap();
        outer.vm().launch().kvm("c1").run().unwrap();
        let mut inner = outer.in_namespace("inner").unwrap();
        let answer = inner.vm().info().run().unwrap();
        // A new namespace holds the head node's peers.
        assert_eq!(
            answer.hosts().collect::<Vec<_>>(),
            ["n1", "n2"],
            "one response per host"
        );
        assert_eq!(answer.rows().count(), 0, "the inner namespace has no VMs");
    }
    assert_eq!(
        mock.commands(),
        [
            "namespace outer vm launch kvm c1",
            "namespace inner vm info"
        ]
    );
    assert_eq!(mock.active_namespace(), "minimega");
}

#[test]
fn mesh_send_takes_a_typed_command_and_keeps_every_host() {
    let mock = MockMinimega::builder()
        .hosts(["head", "n1", "n2"])
        .start()
        .unwrap();
    let mut mm = mock.client().unwrap();
    mm.mesh()
        .send("n2", Cmd.vm().config().memory(4096))
        .run()
        .unwrap();
    let answer = mm
        .mesh()
        .send("all", Cmd.vm().config().memory_current())
        .run()
        .unwrap();
    let memory: Vec<(&str, &str)> = answer.iter().map(|r| (r.host(), r.text())).collect();
    assert_eq!(memory, [("n1", "2048"), ("n2", "4096")]);
}

#[test]
fn a_command_built_on_cmd_runs_on_any_connection() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    let launch = Cmd.vm().launch().kvm("web[1-2]");
    launch.clone().on(&mut mm).run().unwrap();
    let mut ns = mm.in_namespace("other").unwrap();
    launch.on(&mut ns).run().unwrap();
    let names: Vec<String> = ns
        .vm()
        .info()
        .run()
        .unwrap()
        .rows_as::<Vm>()
        .unwrap()
        .into_iter()
        .map(|vm| format!("{}@{}", vm.name, vm.host))
        .collect();
    assert_eq!(names, ["web1@mock", "web2@mock"]);
}

#[test]
fn a_typed_stream_yields_each_response_of_a_script() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    let script = mock
        .write_script("script.mm", "echo one\necho two\necho three\n")
        .unwrap();
    let texts: Vec<String> = mm
        .read(script.display())
        .stream()
        .unwrap()
        .map(|response| response.unwrap().text().to_owned())
        .collect();
    assert_eq!(texts, ["one", "two", "three"]);
    // The connection is free again once the stream is done.
    assert_eq!(
        mm.version().run().unwrap().text().unwrap(),
        "minimega 3.1.0 mock"
    );
}

#[test]
fn values_minimega_would_rewrite_are_sent_with_its_preprocessor_off() {
    use minimega::runtime::Expand;

    let mock = MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    mm.echo_args(["plain"]).run().unwrap();
    mm.echo_args(["x$HOME", "file:foo"]).run().unwrap();
    mm.echo_args([Expand("file:foo")]).run().unwrap();
    assert_eq!(
        mock.commands(),
        [
            "echo plain",
            ".preprocess false echo x$HOME file:foo",
            "echo file:foo"
        ]
    );
    let disk = mm.vm().config().disks(["a$b.qcow2"]).run();
    assert!(
        matches!(disk, Err(minimega::runtime::Error::Argument(_))),
        "{disk:?}"
    );
    assert_eq!(mock.commands().len(), 3, "nothing more was sent");
}

#[test]
fn namespaces_are_handles_blocks_or_the_generated_command() {
    use minimega::runtime::Client;

    let mock = MockMinimega::start().unwrap();
    let mut mm = Client::builder()
        .socket(mock.socket_path())
        .namespace("p1")
        .connect()
        .unwrap();
    mm.vm().info().run().unwrap();
    // Managing namespaces never runs inside one: a prefix would recreate p1.
    mm.clear().namespace("p2").run().unwrap();
    mm.namespace_current().run().unwrap();
    // Without the default namespace, on request.
    mm.unscoped().vm().info().run().unwrap();
    // The generated `namespace` command, as the API map says.
    mm.namespace("p3", Cmd.vm().info()).run().unwrap();
    // A block, like Python's `with`.
    let rows = mm
        .with_namespace("p4", |p4| Ok(p4.vm().info().run()?.rows().count()))
        .unwrap();
    assert_eq!(rows, 0);
    // A handle for one statement leaves the client free for the next.
    mm.in_namespace("p5").unwrap().vm().info().run().unwrap();
    mm.echo_args("free").run().unwrap();
    assert_eq!(
        mock.commands(),
        [
            "namespace p1 vm info",
            "clear namespace p2",
            "namespace",
            "vm info",
            "namespace p3 vm info",
            "namespace p4 vm info",
            "namespace p5 vm info",
            "namespace p1 echo free",
        ]
    );
}

#[test]
fn preview_shows_the_line_as_it_would_be_sent() {
    use minimega::runtime::Client;

    let mock = MockMinimega::start().unwrap();
    let mut mm = Client::builder()
        .socket(mock.socket_path())
        .namespace("lab")
        .connect()
        .unwrap();
    let info = mm.vm().info();
    assert_eq!(info.command_line().to_string(), "vm info");
    assert_eq!(info.preview().unwrap(), "namespace lab vm info");
    info.run().unwrap();
    let dollars = mm.echo_args("$HOME");
    assert_eq!(
        dollars.preview().unwrap(),
        ".preprocess false namespace lab echo $HOME"
    );
    assert!(mm.vm().start("a'b").preview().is_err(), "refused, unsent");
    assert_eq!(mock.commands(), ["namespace lab vm info"]);
}

#[test]
fn the_common_call_of_an_optional_argument_is_the_short_one() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    // A target: the word alone acts on every VM, the target joins its key.
    assert_eq!(mm.vm().flush().preview().unwrap(), "vm flush");
    assert_eq!(mm.vm().flush_vm("a").preview().unwrap(), "vm flush a");
    assert_eq!(mm.vm().top().preview().unwrap(), "vm top");
    // Under `clear`: the word takes what to clear, `_all` is everything.
    assert_eq!(mm.clear().vlans_all().preview().unwrap(), "clear vlans");
    assert_eq!(
        mm.clear().vlans("lab").preview().unwrap(),
        "clear vlans lab"
    );
    assert_eq!(
        mm.clear().vm().tag("a", "t").preview().unwrap(),
        "clear vm tag a t"
    );
    assert_eq!(
        mm.clear().vm().tag_vm("a").preview().unwrap(),
        "clear vm tag a"
    );
    // A setting: the word sets, the read says so.
    mm.vm().config().memory(2048).run().unwrap();
    let read = mm.vm().config().memory_current();
    assert_eq!(read.preview().unwrap(), "vm config memory");
    assert_eq!(read.run().unwrap().text().unwrap(), "2048");
    mm.vm().flush().run().unwrap();
    assert_eq!(
        mock.commands(),
        ["vm config memory 2048", "vm config memory", "vm flush"]
    );
}

#[test]
fn waits_for_states_and_names_what_never_came() {
    use std::time::Duration;

    use minimega::runtime::tables::VmState;
    use minimega::runtime::{Error, Wait};

    let mock = MockMinimega::builder()
        .hosts(["head", "n1", "n2"])
        .start()
        .unwrap();
    let mut mm = mock.client().unwrap();
    let mut lab = mm.in_namespace("lab").unwrap();
    lab.vm().launch().kvm("web[1-3]").run().unwrap();
    lab.vm().start("all").run().unwrap();
    let vms = lab
        .wait_for_state("web[1-3]", VmState::Running, Duration::from_secs(5))
        .unwrap();
    let mut names: Vec<&str> = vms.iter().map(|vm| vm.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["web1", "web2", "web3"]);

    let error = lab
        .wait_for_state("web[1-4]", VmState::Running, Duration::from_millis(300))
        .unwrap_err();
    assert!(
        matches!(&error, Error::WaitTimedOut { last_seen, .. } if last_seen == "web4 never appeared"),
        "{error}"
    );
    lab.vm().kill("web1").run().unwrap();
    let error = lab
        .wait_for_state("web1", VmState::Running, Duration::from_secs(5))
        .unwrap_err();
    assert!(
        matches!(&error, Error::VmFailed { vm, state: VmState::Quit, .. } if vm == "web1"),
        "{error}"
    );
    let quit = lab
        .wait_for_state("web1", VmState::Quit, Duration::from_secs(5))
        .unwrap();
    assert_eq!(quit.len(), 1);
}

#[test]
fn typed_vm_rows_read_every_interface_and_tag() {
    use minimega::runtime::tables::VmInfo;

    let mock = MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    mm.vlans().add("lan", 102).run().unwrap();
    mm.vm().config().networks(["lan", "200"]).run().unwrap();
    mm.vm().launch().kvm("db").run().unwrap();
    mm.vm().tag("db", "role", "db").run().unwrap();
    let vms: Vec<VmInfo> = mm.vm().info().run().unwrap().rows_as().unwrap();
    assert_eq!(vms[0].vlan, ["lan (102)", "200"]);
    assert_eq!(vms[0].tap.len(), 2);
    assert_eq!(vms[0].ip, ["", ""]);
    assert_eq!(vms[0].tags["role"], "db");
    mock.assert_all_simulated();
}

#[test]
fn values_minimega_does_not_check_are_refused_on_every_route() {
    use minimega::runtime::{Error, Refusal};

    let mock = MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    let long = "n".repeat(300);
    let refused = |result: Result<minimega::runtime::Responses, Error>| {
        matches!(
            result,
            Err(Error::Refused {
                refusal: Refusal::BadValue { .. },
                ..
            })
        )
    };
    assert!(refused(mm.namespace(&long, Cmd.echo_args(["x"])).run()));
    assert!(refused(mm.clear().namespace("../minimega.pid/x").run()));
    assert!(refused(mm.clear().namespace("..").run()));
    assert!(refused(
        mm.columns("name", Cmd.namespace(".", Cmd.vm().info()))
            .run()
    ));
    assert!(refused(
        mm.ns().run_command(Cmd.clear().namespace("a/b")).run()
    ));
    assert!(refused(
        mm.in_namespace("lab")
            .unwrap()
            .clear()
            .namespace(&long)
            .run()
    ));
    assert!(refused(mm.log().ring(0).run()));
    assert!(refused(
        mm.vm().config().uuid("../../../../etc/passwd").run()
    ));
    assert!(refused(mm.file().stream_file("../minimega.pid").run()));
    assert!(refused(mm.cc().send(["ok", "../../x"]).run()));
    assert!(refused(mm.run_line("mesh send all clear namespace ..")));
    assert!(refused(mm.raw_unchecked("log ring -1").unwrap().run()));
    assert!(refused(
        mm.echo_args([minimega::runtime::Expand("file:../../etc/passwd")])
            .run()
    ));
    assert!(refused(mm.run_line("echo file:sub/../../x")));
    assert!(matches!(
        mm.in_namespace(".."),
        Err(Error::InvalidNamespace { .. })
    ));
    assert!(mock.commands().is_empty(), "{:?}", mock.commands());
    // What the rules let through arrives.
    mm.log().ring(100).run().unwrap();
    mm.clear().namespace("lab").run().unwrap();
    // Sent as written, `file:../x` is only text.
    mm.echo_args(["file:../x"]).run().unwrap();
    assert_eq!(
        mock.commands(),
        [
            "log ring 100",
            "clear namespace lab",
            ".preprocess false echo file:../x"
        ]
    );
}

#[test]
fn an_empty_value_for_an_optional_argument_is_not_a_silent_read() {
    use minimega::runtime::{ArgumentError, Error};

    let mock = MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    let error = mm.vm().config().tags("k", "").run().unwrap_err();
    assert!(
        matches!(
            error,
            Error::Argument(ArgumentError::EmptyOptional { key: "value", .. })
        ),
        "{error}"
    );
    assert!(error.to_string().contains("clear"), "{error}");
    assert!(mm.vm().config().hostname("").run().is_err());
    assert!(mock.commands().is_empty(), "{:?}", mock.commands());
    mm.vm().config().tags("k", "v").run().unwrap();
    // (minimega 3.1.0's `vm config tags k` looks up the empty key, so the
    // whole map is read instead.)
    let tags = mm.vm().config().tags_current().run().unwrap();
    assert!(tags.text().unwrap().contains("k -> v"), "{tags:?}");
    // A required argument may be empty: `echo ""` prints an empty line.
    mm.echo_args([""]).run().unwrap();
}

#[test]
fn several_namespaces_can_be_held_at_once() {
    let mock = MockMinimega::start().unwrap();
    let mm = mock.client().unwrap();
    let mut red = mm.connect_in("red").unwrap();
    let mut blue = mm.connect_in("blue").unwrap();
    red.vm().launch().kvm("r[1-2]").run().unwrap();
    blue.vm().launch().kvm("b1").run().unwrap();
    let red_vms = red.vm().info().run().unwrap().rows().count();
    let blue_vms = blue.vm().info().run().unwrap().rows().count();
    assert_eq!((red_vms, blue_vms), (2, 1));
    assert!(matches!(
        mm.connect_in(".."),
        Err(minimega::runtime::Error::InvalidNamespace { .. })
    ));
    assert_eq!(
        mock.commands(),
        [
            "namespace red vm launch kvm r[1-2]",
            "namespace blue vm launch kvm b1",
            "namespace red vm info",
            "namespace blue vm info"
        ]
    );
}

#[test]
fn a_cc_command_is_answered_by_every_agent_it_chooses() {
    use minimega::runtime::cc;
    use std::time::Duration;

    let mock = MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    mm.vm().config().kernel("guest.kernel").run().unwrap();
    mm.vm().launch().kvm("a[1-3]").run().unwrap();
    mm.vm().start("all").run().unwrap();
    let agents = mm.wait_for_cc("a[1-3]", Duration::from_secs(5)).unwrap();
    assert_eq!(agents.len(), 3);

    let id = cc::command_id(&mm.cc().exec("hostname").run().unwrap()).unwrap();
    let answers = mm
        .wait_for_cc_responses(id, Duration::from_secs(5))
        .unwrap();
    assert_eq!(answers.len(), 3, "{answers:?}");
    assert!(
        answers.iter().all(|a| a.exit_code == Some(0)),
        "{answers:?}"
    );

    mm.cc().filter("hostname=a2").run().unwrap();
    let id = cc::command_id(&mm.cc().exec("true").run().unwrap()).unwrap();
    let answers = mm
        .wait_for_cc_responses(id, Duration::from_secs(5))
        .unwrap();
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(
        answers[0].stdout, "",
        "an answer without output is still one"
    );

    mm.clear().cc().commands().run().unwrap();
    assert!(matches!(
        mm.wait_for_cc_responses(id, Duration::from_secs(5)),
        Err(minimega::runtime::Error::CcCommandUnknown { .. })
    ));
}
