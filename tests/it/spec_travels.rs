//! A user's own spec, expanded once, reaches everything that needs a spec
//! without being named again: the client's raw-line check and version check
//! (through the generated `client()`, or the mock's client) and the mock
//! (through the generated `mock()`).

mod travels {
    minimega::generate_api!("tests/specs/travels.json", version = "9.9.0");
}

use minimega::mock::MockClient;
use minimega::runtime::{Complete, Error};
use travels::Commands;

#[test]
fn a_user_spec_reaches_the_client_and_the_mock_without_being_named_again() {
    // The spec has `frob` and lacks most commands the mock simulates.
    let mock = travels::mock()
        .allow_missing_patterns(true)
        .start()
        .unwrap();
    let mut mm = mock.client().unwrap();

    // The raw-line check knows this spec's commands, and only them.
    mm.raw("frob 3").unwrap().run().unwrap();
    let refused = mm.raw("vm info").unwrap_err();
    assert!(matches!(refused, Error::Spec { .. }), "{refused}");
    // So does the mock: a line of minimega 3.1.0 is not a command here.
    let invalid = mm.raw_unchecked("vm info").unwrap().run().unwrap_err();
    assert_eq!(invalid.failures()[0].message, "invalid command: `vm info`");
    assert_eq!(
        mock.unsimulated(),
        ["frob 3"],
        "valid, but nothing to simulate"
    );

    // The typed API of this spec runs, and the version is this spec's.
    assert_eq!(mm.echo_args("hi").run().unwrap().text().unwrap(), "hi");
    let check = mm.check_version().unwrap();
    assert_eq!(check.expected(), "9.9.0");
    assert!(check.is_match(), "{check}");

    // The generated client() carries the spec as well.
    let mut other = travels::client()
        .socket(mock.socket_path())
        .connect()
        .unwrap();
    assert!(other.raw("frob 1").is_ok());
    assert!(other.raw("vm info").is_err());
    assert_eq!(other.frob(2).render().unwrap(), "frob 2");
}

#[test]
fn a_user_spec_has_its_own_line_macro() {
    // `travels::cmd!` matches lines against this spec, and makes this API's
    // commands (its `Commands` is in scope).
    let count = 3;
    assert_eq!(travels::cmd!("frob {count}").render().unwrap(), "frob 3");
    assert_eq!(
        travels::cmd!("echo hello {}", "big world")
            .render()
            .unwrap(),
        r#"echo hello "big world""#
    );
    let mock = travels::mock()
        .allow_missing_patterns(true)
        .start()
        .unwrap();
    let mut mm = mock.client().unwrap();
    travels::cmd!(mm, "frob 2").run().unwrap();
    assert_eq!(mock.commands(), ["frob 2"]);
    // And its own `script!`, checked against this spec.
    let script = travels::script!("tests/scripts/travels.mm");
    assert_eq!(script.lines(), [(2, "frob 2"), (3, "echo hello world")]);
    script.run(&mut mm).unwrap();
    assert_eq!(mock.commands(), ["frob 2", "frob 2", "echo hello world"]);
}
