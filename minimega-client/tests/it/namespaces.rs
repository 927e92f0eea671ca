//! Namespaces: scoped handles, nesting, the default namespace, name checks,
//! and never switching minimega's active namespace.

use crate::common::{cluster, cmd, mock_and_client};
use minimega_client::{Client, Complete, Error};
use minimega_mock::MockMinimega;

fn names(mm: &mut Client, namespace: &str) -> Vec<String> {
    let mut ns = mm.in_namespace(namespace).unwrap();
    let answer = ns.run_line("vm info").unwrap();
    answer
        .rows()
        .map(|r| r.get("name").unwrap().to_owned())
        .collect()
}

#[test]
fn handles_prefix_commands_and_nest_with_the_innermost_winning() {
    let (mock, mut mm) = mock_and_client();
    {
        let mut foo = mm.in_namespace("foo").unwrap();
        assert_eq!(foo.name(), Some("foo"));
        foo.run_line("vm launch kvm in-foo").unwrap();
        {
            let mut bar = foo.in_namespace("bar").unwrap();
            bar.raw("vm launch kvm in-bar").unwrap().run().unwrap();
            cmd(&mut bar, &["vm", "config", "memory", "64"])
                .run()
                .unwrap();
        }
        // Back on the outer handle after the inner one is gone.
        foo.run_line("vm config memory").unwrap();
    }
    assert_eq!(
        mock.commands(),
        [
            "namespace foo vm launch kvm in-foo",
            "namespace bar vm launch kvm in-bar",
            "namespace bar vm config memory 64",
            "namespace foo vm config memory",
        ]
    );
    assert_eq!(names(&mut mm, "foo"), ["in-foo"]);
    assert_eq!(names(&mut mm, "bar"), ["in-bar"]);
    // The client's own commands still run outside any namespace.
    assert!(mm.run_line("vm info").unwrap().rows().next().is_none());
    assert_eq!(mock.active_namespace(), "minimega");
}

#[test]
fn a_temporary_handle_runs_one_command() {
    let (mock, mut mm) = mock_and_client();
    mm.in_namespace("lab")
        .unwrap()
        .raw("vm config vcpus 4")
        .unwrap()
        .run()
        .unwrap();
    let answer = mm
        .in_namespace("lab")
        .unwrap()
        .run_line("vm config vcpus")
        .unwrap();
    assert_eq!(answer.text().unwrap(), "4");
    // Each namespace keeps its own config.
    assert_eq!(mm.run_line("vm config vcpus").unwrap().text().unwrap(), "1");
    assert_eq!(mock.commands()[0], "namespace lab vm config vcpus 4");
}

#[test]
fn default_namespace_applies_unless_a_handle_overrides_it() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = Client::builder()
        .socket(mock.socket_path())
        .namespace("team")
        .connect()
        .unwrap();
    assert_eq!(mm.default_namespace(), Some("team"));
    mm.run_line("vm launch kvm a").unwrap();
    mm.in_namespace("other")
        .unwrap()
        .run_line("vm info")
        .unwrap();
    assert_eq!(
        mock.commands(),
        ["namespace team vm launch kvm a", "namespace other vm info"]
    );
}

#[test]
fn invalid_names_are_rejected_before_sending() {
    let (mock, mut mm) = mock_and_client();
    for bad in ["", "has space", "semi;colon", "slash/y", "ünï"] {
        let error = mm.in_namespace(bad).unwrap_err();
        assert!(matches!(&error, Error::InvalidNamespace { name, .. } if name == bad));
        assert!(error.to_string().contains(&format!("`{bad}`")), "{error}");
    }
    let mut ok = mm.in_namespace("a-b_c.9").unwrap();
    assert!(ok.in_namespace("no good").is_err());
    let error = Client::builder()
        .socket(mock.socket_path())
        .namespace("bad name")
        .connect()
        .unwrap_err();
    assert!(matches!(error, Error::InvalidNamespace { .. }));
    assert!(mock.commands().is_empty());
}

#[test]
fn never_switches_the_active_namespace() {
    let (mock, mut mm) = mock_and_client();
    for line in ["namespace foo", ".columns name namespace foo"] {
        let error = mm.run_line(line).unwrap_err();
        assert!(matches!(error, Error::Refused { .. }), "{error}");
    }
    // Not even unchecked, nor inside a handle.
    assert!(mm.raw_unchecked("namespace foo").unwrap().run().is_err());
    let mut lab = mm.in_namespace("lab").unwrap();
    assert!(lab.run_line("namespace foo").is_err());
    assert!(mock.commands().is_empty());
    assert_eq!(mock.active_namespace(), "minimega");

    // Listing namespaces is fine.
    let answer = mm.run_line("namespace").unwrap();
    assert!(answer
        .rows()
        .any(|r| r.get("namespace") == Some("minimega")));
    assert_eq!(mock.active_namespace(), "minimega");
}

#[test]
fn a_namespace_of_many_hosts_answers_once_per_host() {
    let (_mock, mut mm) = cluster(&["h1", "h2", "h3", "h4"]);
    let mut lab = mm.in_namespace("lab").unwrap();
    // A new namespace holds the head node's peers, in minimega's ranges.
    assert_eq!(lab.run_line("ns hosts").unwrap().text().unwrap(), "h[2-4]");
    lab.run_line("vm launch kvm 5").unwrap();
    let info = lab.run_line("vm info").unwrap();
    assert_eq!(info.hosts().collect::<Vec<_>>(), ["h2", "h3", "h4"]);
    let mut per_host: Vec<usize> = info.iter().map(|r| r.tabular().len()).collect();
    per_host.sort_unstable();
    assert_eq!(per_host, [1, 2, 2]);
    assert!(
        info.single().is_err(),
        "several hosts are never merged into one"
    );

    let names = lab.run_line("host name").unwrap();
    let hosts: Vec<&str> = names.iter().map(|r| r.text()).collect();
    assert_eq!(hosts, ["h2", "h3", "h4"]);

    // The default namespace is the head node alone.
    assert_eq!(mm.run_line("host name").unwrap().text().unwrap(), "h1");
}
