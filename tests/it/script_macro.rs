//! `script!`: a `.mm` file of the project's own (`tests/scripts/web.mm`),
//! checked while compiling and run line by line on a namespace handle.

use minimega::mock::MockClient;
use minimega::runtime::{OnError, Script};

const WEB: Script = minimega::script!("tests/scripts/web.mm");

#[test]
fn the_script_keeps_its_commands_and_their_lines() {
    assert_eq!(WEB.name(), "tests/scripts/web.mm");
    let numbers: Vec<u32> = WEB.lines().iter().map(|(n, _)| *n).collect();
    assert_eq!(numbers, [2, 3, 4, 6, 7]);
    assert_eq!(WEB.lines()[2].1, "vm launch kvm web[1-2]");
}

#[test]
fn the_script_runs_in_order_on_a_namespace() {
    let mock = minimega::mock::MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    let mut lab = mm.in_namespace("lab").unwrap();
    let answers = WEB.run(&mut lab).unwrap();
    assert_eq!(answers.len(), 5);
    let states: Vec<String> = answers[4]
        .rows()
        .map(|row| row.get("state").unwrap().to_owned())
        .collect();
    assert_eq!(states, ["RUNNING", "RUNNING"]);
    drop(lab);
    let sent = mock.commands();
    assert_eq!(sent[2], "namespace lab vm launch kvm web[1-2]");
}

#[test]
fn a_failing_line_stops_the_script_or_not() {
    // Launching the same names twice fails on the second run.
    let mock = minimega::mock::MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    WEB.run(&mut mm).unwrap();
    let error = WEB.run(&mut mm).unwrap_err();
    assert_eq!((error.line, error.command), (4, "vm launch kvm web[1-2]"));
    assert!(
        error
            .to_string()
            .starts_with("tests/scripts/web.mm:4: `vm launch kvm web[1-2]`: "),
        "{error}"
    );
    let mut seen = Vec::new();
    let failed = WEB
        .run_with(&mut mm, OnError::Continue, |step| {
            seen.push((step.line, step.result.is_ok()))
        })
        .unwrap();
    assert_eq!(failed, 1);
    assert_eq!(
        seen,
        [(2, true), (3, true), (4, false), (6, true), (7, true)]
    );
}
