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
    mm.vm().flush_bare().run().unwrap();
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
    let answer = mm.echo(awkward).run().unwrap();
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
        let mut outer = mm.namespace("outer").unwrap();
        outer.vm().launch().kvm("c1").run().unwrap();
        let mut inner = outer.namespace("inner").unwrap();
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
        .send("all", Cmd.vm().config().memory_bare())
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
    let mut ns = mm.namespace("other").unwrap();
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
    let script = mock.base_dir().join("script.mm");
    std::fs::write(&script, "echo one\necho two\necho three\n").unwrap();
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
    mm.echo(["plain"]).run().unwrap();
    mm.echo(["x$HOME", "file:foo"]).run().unwrap();
    mm.echo([Expand("file:foo")]).run().unwrap();
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
