//! The mock's simulation, seen through the client: the VM lifecycle,
//! `vm info` and its helpers, modifiers, scripts and `mesh send`.

use crate::support::{cluster, mock_and_client};
use minimega::runtime::Client;
use serde::Deserialize;

#[derive(Debug, Deserialize, PartialEq)]
struct Vm {
    host: String,
    id: u64,
    name: String,
    state: String,
    memory: u64,
    vcpus: u32,
    #[serde(rename = "type")]
    kind: String,
}

fn vms(mm: &mut Client) -> Vec<Vm> {
    mm.run_line("vm info").unwrap().rows_as().unwrap()
}

fn states(mm: &mut Client) -> Vec<(String, String)> {
    vms(mm).into_iter().map(|vm| (vm.name, vm.state)).collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn vm_lifecycle() {
    let (mock, mut mm) = mock_and_client();
    mm.run_line("vm config memory 512").unwrap();
    mm.run_line("vm config vcpus 2").unwrap();
    assert_eq!(
        mm.run_line("vm config memory").unwrap().text().unwrap(),
        "512"
    );
    mm.run_line("vm launch kvm 3").unwrap();
    // A container needs a filesystem that exists (without one, minimega
    // creates nothing).
    let rootfs = mock.files_dir();
    mm.run_line(&format!("vm config filesystem {}", rootfs.display()))
        .unwrap();
    mm.run_line("vm launch container web[1-2]").unwrap();

    let all = vms(&mut mm);
    assert_eq!(
        all.iter().map(|vm| vm.name.as_str()).collect::<Vec<_>>(),
        ["vm-0", "vm-1", "vm-2", "web1", "web2"]
    );
    assert_eq!(
        all[0],
        Vm {
            host: "mock".into(),
            id: 0,
            name: "vm-0".into(),
            state: "BUILDING".into(),
            memory: 512,
            vcpus: 2,
            kind: "kvm".into(),
        }
    );
    assert_eq!(all[4].kind, "container");

    mm.run_line("vm start vm-[0-1],web2").unwrap();
    mm.run_line("vm stop vm-0").unwrap();
    assert_eq!(
        states(&mut mm),
        pairs(&[
            ("vm-0", "PAUSED"),
            ("vm-1", "RUNNING"),
            ("vm-2", "BUILDING"),
            ("web1", "BUILDING"),
            ("web2", "RUNNING"),
        ])
    );
    mm.run_line("vm start all").unwrap();
    assert!(states(&mut mm).iter().all(|(_, state)| state == "RUNNING"));
    mm.run_line("vm kill 1").unwrap(); // by id
    mm.run_line("vm flush").unwrap();
    assert_eq!(vms(&mut mm).len(), 4);
    mm.run_line("vm kill all").unwrap();
    assert!(states(&mut mm).iter().all(|(_, state)| state == "QUIT"));
    mm.run_line("vm flush").unwrap();
    assert!(vms(&mut mm).is_empty());
    // Flushed names can be used again; counted names go on from the
    // namespace's own counter, which only counted VMs advance.
    mm.run_line("vm launch kvm web1").unwrap();
    mm.run_line("vm launch kvm 1").unwrap();
    let names: Vec<String> = vms(&mut mm).into_iter().map(|vm| vm.name).collect();
    assert_eq!(names, ["web1", "vm-3"]);
}

#[test]
fn launch_errors_read_like_minimega() {
    let (_mock, mut mm) = mock_and_client();
    mm.run_line("vm launch kvm a").unwrap();
    let cases = [
        ("vm launch kvm a", "vm already exists with name `a`"),
        (
            "vm launch kvm all",
            "invalid vm name, `all` is a reserved word",
        ),
        ("vm launch kvm 0", "invalid number of vms (must be > 0)"),
        (
            "vm launch kvm b,b",
            "`b` is specified twice in VMs to launch",
        ),
        ("vm start nope", "vm not found: nope"),
        (
            "vm config memory lots",
            r#"strconv.ParseUint: parsing "lots": invalid syntax"#,
        ),
        ("vm launch kvm 1 missing", "config missing does not exist"),
    ];
    for (line, message) in cases {
        let error = mm.run_line(line).unwrap_err();
        assert_eq!(error.failures()[0].message, message, "{line}");
    }
}

#[test]
fn saved_configs_launch_later() {
    let (_mock, mut mm) = mock_and_client();
    mm.run_line("vm config memory 4096").unwrap();
    mm.run_line("vm config save big").unwrap();
    mm.run_line("clear vm config").unwrap();
    assert_eq!(
        mm.run_line("vm config memory").unwrap().text().unwrap(),
        "2048"
    );
    mm.run_line("vm launch kvm 1 big").unwrap();
    assert_eq!(vms(&mut mm)[0].memory, 4096);
    mm.run_line("vm config restore big").unwrap();
    mm.run_line("clear vm config memory").unwrap();
    assert_eq!(
        mm.run_line("vm config memory").unwrap().text().unwrap(),
        "2048"
    );
    mm.run_line("vm config snapshot false").unwrap();
    assert_eq!(
        mm.run_line("vm config snapshot").unwrap().text().unwrap(),
        "false"
    );
    mm.run_line("vm config append console=ttyS0 quiet").unwrap();
    assert_eq!(
        mm.run_line("vm config append").unwrap().text().unwrap(),
        "[console=ttyS0 quiet]"
    );
}

#[test]
fn vm_info_has_minimegas_header_and_data() {
    let (_mock, mut mm) = mock_and_client();
    mm.run_line("vm launch kvm vm[1-2]").unwrap();
    let answer = mm.run_line("vm info").unwrap();
    let response = answer.single().unwrap();
    assert_eq!(response.header().len(), 44);
    assert_eq!(
        &response.header()[..6],
        ["id", "name", "state", "uptime", "type", "uuid"]
    );
    assert_eq!(response.header().last().unwrap(), "tags");
    assert!(answer.rendered().starts_with("host | id | name"));

    #[derive(Deserialize)]
    struct Data {
        #[serde(rename = "Name")]
        name: String,
        #[serde(rename = "Memory")]
        memory: u64,
        #[serde(rename = "Namespace")]
        namespace: String,
    }
    let data: Vec<Data> = response.data_as().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!((data[1].name.as_str(), data[1].memory), ("vm2", 2048));
    assert_eq!(data[0].namespace, "minimega");

    let summary = mm.run_line("vm info summary").unwrap();
    assert_eq!(summary[0].header().len(), 7);
}

#[test]
fn columns_and_filters() {
    let (_mock, mut mm) = mock_and_client();
    mm.run_line("vm launch kvm a,b,c").unwrap();
    mm.run_line("vm start b").unwrap();
    let answer = mm.run_line(".columns name,state vm info").unwrap();
    assert_eq!(answer[0].header(), ["name", "state"]);
    assert_eq!(answer[0].tabular()[1], ["b", "RUNNING"]);

    // Each modifier works on what the command inside it answers: the
    // columns are cut after the rows are filtered, and a filter of a column
    // already cut away is minimega's error.
    let running = mm
        .run_line(".columns name .filter state=running vm info")
        .unwrap();
    assert_eq!(running[0].tabular(), [vec!["b".to_owned()]]);
    let error = mm
        .run_line(".filter state=running .columns name vm info")
        .unwrap_err();
    assert_eq!(error.failures()[0].message, "no such column `state`");
    let others = mm.run_line(".filter state!=running vm info").unwrap();
    assert_eq!(others[0].tabular().len(), 2);
    // Other modifiers leave the answer as it is.
    assert_eq!(
        mm.run_line(".json true vm info").unwrap()[0]
            .tabular()
            .len(),
        3
    );
}

#[test]
fn read_streams_one_message_per_command_and_stops_at_the_first_error() {
    let (mock, mut mm) = mock_and_client();
    let path = mock
        .write_script(
            "script.mm",
            "echo one\n# a comment\nvm config memory 128\nbogus\necho never\n",
        )
        .unwrap()
        .display()
        .to_string();
    let error = mm.run_line(&format!("read {path}")).unwrap_err();
    let minimega::runtime::Error::Command {
        failures,
        responses,
        ..
    } = error
    else {
        panic!("{error}")
    };
    assert_eq!(failures[0].message, "script.mm:4 invalid command: `bogus`");
    let texts: Vec<&str> = responses.iter().map(|r| r.text()).collect();
    assert_eq!(texts, ["one", "", ""]);
    assert_eq!(
        mm.run_line("vm config memory").unwrap().text().unwrap(),
        "128"
    );

    let ok = mock
        .write_script("ok.mm", "echo a\necho b\n")
        .unwrap()
        .display()
        .to_string();
    let answer = mm.run_line(&format!("read {ok}")).unwrap();
    assert_eq!(
        answer.iter().map(|r| r.text()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(answer.rendered(), "mock: a\nmock: b");
}

#[test]
fn mesh_send_answers_once_per_host() {
    let (_mock, mut mm) = cluster(&["head", "n1", "n2"]);
    let answer = mm.run_line("mesh send all host name").unwrap();
    let hosts: Vec<(&str, &str)> = answer.iter().map(|r| (r.host(), r.text())).collect();
    assert_eq!(hosts, [("n1", "n1"), ("n2", "n2")]);

    let one = mm.run_line("mesh send n2 echo hi").unwrap();
    assert_eq!((one[0].host(), one.text().unwrap()), ("n2", "hi"));

    // Launching through meshage is refused on every host: one failure each.
    let error = mm.run_line("mesh send n[1-2] vm launch kvm 1").unwrap_err();
    let hosts: Vec<&str> = error.failures().iter().map(|f| f.host.as_str()).collect();
    assert_eq!(hosts, ["n1", "n2"]);
    // A host the mesh does not know answers nothing, and minimega says
    // nothing of it: the client reports it unanswered.
    let error = mm.run_line("mesh send nowhere echo x").unwrap_err();
    assert!(
        matches!(error, minimega::runtime::Error::Unanswered { .. }),
        "{error}"
    );
}

#[test]
fn each_host_keeps_its_own_vm_config() {
    let (_mock, mut mm) = cluster(&["head", "n1", "n2"]);
    mm.run_line("mesh send n1 vm config memory 4096").unwrap();
    let answer = mm.run_line("mesh send all vm config memory").unwrap();
    let memory: Vec<(&str, &str)> = answer.iter().map(|r| (r.host(), r.text())).collect();
    assert_eq!(memory, [("n1", "4096"), ("n2", "2048")]);
    // The head node's config, which launches use, is untouched.
    assert_eq!(
        mm.run_line("vm config memory").unwrap().text().unwrap(),
        "2048"
    );
}
