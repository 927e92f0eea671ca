//! The client over a real socket: connecting, running, failures, raw
//! lines, suggestions, versions, sharing.

use std::sync::{Arc, Mutex};

use crate::common::{cluster, cmd, mock_and_client, tokens};
use minimega::mock::MockClient;
use minimega_client::{
    Builder, Client, Complete, Error, Execute, Failure, Failures, Namespace, ResponseStream,
    Responses, RunOptions,
};
use minimega_mock::MockMinimega;

#[test]
fn connect_error_names_the_path_and_what_to_do() {
    let path = "/nonexistent/minimega-test/minimega";
    let error = Client::connect_to(path).unwrap_err();
    assert!(matches!(&error, Error::Connect { path: p, .. } if p.to_str() == Some(path)));
    let text = error.to_string();
    assert!(text.contains(path), "{text}");
    assert!(text.contains("start minimega"), "{text}");
    assert!(text.contains("connect_base"), "{text}");

    let base = Client::connect_base("/nonexistent/base").unwrap_err();
    assert!(
        base.to_string().contains("/nonexistent/base/minimega"),
        "{base}"
    );
}

#[test]
fn connects_by_base_dir_and_runs_commands() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = Client::connect_base(mock.base_dir()).unwrap();
    assert_eq!(mm.socket_path(), mock.socket_path());
    let answer = cmd(&mut mm, &["echo", "a b", "c#d"]).run().unwrap();
    assert_eq!(answer.text().unwrap(), "a b c#d");
    assert_eq!(answer[0].host(), "mock");
    assert_eq!(answer.rendered(), "mock: a b c#d");
    // Each argument stays one token on the wire.
    assert_eq!(mock.commands(), ["echo \"a b\" \"c#d\""]);
}

#[test]
fn execute_takes_command_lines() {
    let (mock, mut mm) = mock_and_client();
    let answer = (&mut mm)
        .execute(tokens(&["vm", "config", "memory"]), RunOptions::new())
        .unwrap();
    assert_eq!(answer.text().unwrap(), "2048");
    assert_eq!(mock.commands(), ["vm config memory"]);
}

#[test]
fn argument_problems_fail_before_sending() {
    let (mock, mut mm) = mock_and_client();
    let broken = crate::common::Line(
        Builder::new(&mut mm)
            .word("vm")
            .word("start")
            .required_list("vm", Vec::<String>::new()),
    );
    let error = broken.run().unwrap_err();
    assert!(matches!(error, Error::Argument(_)), "{error}");
    assert!(mock.commands().is_empty());
    // The connection is untouched.
    assert!(!mm.is_closed());
    assert_eq!(mm.run_line("echo ok").unwrap().text().unwrap(), "ok");
}

#[test]
fn command_errors_carry_every_failing_host_by_default() {
    let (_mock, mut mm) = cluster(&["h1", "h2", "h3"]);
    let mut lab = mm.in_namespace("lab").unwrap();
    // A new namespace holds the head's peers: vm-0 and vm-2 on h3, vm-1 on
    // h2, as minimega's scheduler takes turns.
    lab.run_line("vm launch kvm 3").unwrap();
    lab.run_line("vm start vm-0,vm-1").unwrap();

    // Starting VMs that already run fails on the two hosts that have them;
    // minimega's fan-out answers in the namespace's host order.
    let error = lab.run_line("vm start vm-0,vm-1").unwrap_err();
    let Error::Command {
        command,
        failures,
        responses,
    } = &error
    else {
        panic!("{error}")
    };
    assert_eq!(command, "namespace lab vm start vm-0,vm-1");
    assert_eq!(
        failures,
        &[
            Failure {
                host: "h2".into(),
                message: "vm is already running".into()
            },
            Failure {
                host: "h3".into(),
                message: "vm is already running".into()
            },
        ]
    );
    assert_eq!(responses.len(), 2);
    assert!(error.to_string().contains("h2: vm is already running; h3:"));
    // A command failure leaves the connection usable.
    assert!(!error.closes_connection());
    assert_eq!(lab.run_line("echo still").unwrap().text().unwrap(), "still");
}

#[test]
fn failures_can_stay_in_the_responses() {
    let (_mock, mut mm) = mock_and_client();
    let answer = cmd(&mut mm, &["bogus", "command"])
        .run_with(RunOptions::new().keep_failures())
        .unwrap();
    assert_eq!(answer.len(), 1);
    assert_eq!(answer[0].host(), "mock");
    assert_eq!(answer[0].error(), Some("invalid command: `bogus command`"));
    assert_eq!(answer.failures().len(), 1);

    // Per command it errors by default…
    let error = cmd(&mut mm, &["bogus"]).run().unwrap_err();
    assert_eq!(
        error.failures(),
        [Failure {
            host: "mock".into(),
            message: "invalid command: `bogus`".into()
        }]
    );

    // …unless the client says otherwise, and a command can say otherwise again.
    mm.set_failures(Failures::Keep);
    assert!(!cmd(&mut mm, &["bogus"]).run().unwrap().is_ok());
    let strict = RunOptions::new().failures(Failures::Error);
    assert!(cmd(&mut mm, &["bogus"]).run_with(strict).is_err());
}

#[test]
fn client_wide_failure_mode_from_the_builder() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = Client::builder()
        .socket(mock.socket_path())
        .failures(Failures::Keep)
        .connect()
        .unwrap();
    let answer = mm.run_line("vm start nothing").unwrap();
    assert_eq!(answer[0].error(), Some("vm not found: nothing"));
}

#[test]
fn raw_lines_are_checked_against_the_spec_unless_asked_not_to() {
    let (mock, mut mm) = mock_and_client();
    let error = mm.raw("vm launch kvm").unwrap_err();
    assert!(matches!(error, Error::Spec { .. }), "{error}");
    assert_eq!(
        error.to_string(),
        "rejected before sending: invalid command: `vm launch kvm`"
    );
    assert!(mm.run_line("vm lunch kvm 1").is_err());
    assert!(mock.commands().is_empty(), "nothing was sent");

    // Unchecked, the line goes out and minimega (here the mock) rejects it.
    let error = mm
        .raw_unchecked("vm launch kvm")
        .unwrap()
        .run()
        .unwrap_err();
    assert_eq!(
        error.failures()[0].message,
        "invalid command: `vm launch kvm`"
    );
    assert_eq!(mock.commands(), ["vm launch kvm"]);

    // A checked line runs like any other command.
    mm.raw("vm launch kvm 1").unwrap().run().unwrap();
    let names: Vec<String> = mm
        .run_line("vm info")
        .unwrap()
        .rows()
        .map(|r| r.get("name").unwrap().to_owned())
        .collect();
    assert_eq!(names, ["vm-0"]);
}

#[test]
fn comment_and_empty_lines_answer_nothing_without_sending() {
    let (mock, mut mm) = mock_and_client();
    assert!(mm.run_line("# only a comment").unwrap().is_empty());
    assert!(mm.run_line("   ").unwrap().is_empty());
    assert!(mock.commands().is_empty());
    // A script of comments is answered with `"Resp": null`: no responses.
    let path = mock
        .write_script("empty.mm", "# nothing\n\n")
        .unwrap()
        .display()
        .to_string();
    let answer = mm.raw(&format!("read {path}")).unwrap().run().unwrap();
    assert!(answer.is_empty());
}

#[test]
fn suggestions_are_whole_lines() {
    let (mock, mut mm) = mock_and_client();
    assert_eq!(mm.suggest("vm la").unwrap(), ["vm launch "]);
    let more = mm.suggest("vm launch ").unwrap();
    assert!(more.contains(&"vm launch kvm ".to_owned()), "{more:?}");
    assert!(mm.suggest("zzz").unwrap().is_empty());
    assert!(mock.commands().is_empty(), "suggestions are not commands");
    // The connection is still in step.
    assert_eq!(mm.run_line("echo x").unwrap().text().unwrap(), "x");
}

#[test]
fn version_check_reports_mismatches_without_failing() {
    let (_mock, mut mm) = mock_and_client();
    assert_eq!(mm.server_version().unwrap(), "minimega 3.1.0 mock");
    let check = mm.check_version().unwrap();
    assert!(check.is_match(), "{check}");
    assert_eq!(check.warning(), None);

    let old = MockMinimega::builder().version("2.9.1").start().unwrap();
    let mut mm = old.client().unwrap();
    let check = mm.check_version().unwrap();
    assert!(!check.is_match());
    assert_eq!(check.server_version(), Some("2.9.1"));
    let warning = check.warning().unwrap();
    assert!(
        warning.contains("3.1.0") && warning.contains("2.9.1"),
        "{warning}"
    );
    assert!(mm.check_version_against("2.9").unwrap().is_match());
}

#[test]
fn version_check_ignores_the_default_namespace() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = Client::builder()
        .socket(mock.socket_path())
        .namespace("lab")
        .connect()
        .unwrap();
    mm.check_version().unwrap();
    assert_eq!(mock.commands(), ["version"]);
}

#[test]
fn client_types_are_send() {
    fn assert_send<T: Send>() {}
    assert_send::<Client>();
    assert_send::<Namespace<'static>>();
    assert_send::<ResponseStream<'static>>();
    assert_send::<Responses>();
    assert_send::<Error>();
}

#[test]
fn one_client_shared_by_threads_through_a_mutex() {
    let (mock, mm) = mock_and_client();
    let shared = Arc::new(Mutex::new(mm));
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || {
                let mut mm = shared.lock().unwrap();
                let word = format!("t{i}");
                let answer = mm.run_line(&format!("echo {word}")).unwrap();
                assert_eq!(answer.text().unwrap(), word);
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(mock.commands().len(), 4);
}

#[test]
fn one_client_per_thread() {
    let mock = MockMinimega::start().unwrap();
    let path = mock.socket_path().to_owned();
    let threads: Vec<_> = (0..3)
        .map(|i| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut mm = Client::connect_to(path).unwrap();
                mm.run_line(&format!("vm launch kvm t{i}")).unwrap();
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let mut mm = mock.client().unwrap();
    assert_eq!(mm.run_line("vm info").unwrap().rows().count(), 3);
}
