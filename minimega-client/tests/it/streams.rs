//! Answers read as they arrive: `More` streams, status messages around and
//! inside answers, and streams dropped early.

use std::sync::{Arc, Mutex};

use crate::common::{cluster, cmd, mock_and_client, read_script};
use minimega::mock::MockClient;
use minimega_client::{Client, Complete, Error, Event, RunOptions};
use minimega_mock::{Effect, MockMinimega};

fn status(text: &str) -> String {
    text.to_owned()
}

#[test]
fn a_stream_yields_each_message_as_it_comes() {
    let (mock, mut mm) = mock_and_client();
    let read = read_script(&mock, "three.mm", "echo one\necho two\necho three\n");
    let mut stream = mm.raw(&read).unwrap().stream().unwrap();
    assert_eq!(stream.command(), read);
    let first = stream.next().unwrap().unwrap();
    assert_eq!(first.text(), "one");
    assert!(!stream.is_complete(), "two more messages are on their way");
    let rest: Vec<String> = stream.map(|r| r.unwrap().text().to_owned()).collect();
    assert_eq!(rest, ["two", "three"]);
}

#[test]
fn dropping_a_stream_early_keeps_the_connection_usable() {
    let (mock, mut mm) = mock_and_client();
    let read = read_script(&mock, "three.mm", "echo one\necho two\necho three\n");
    {
        let mut stream = mm.raw(&read).unwrap().stream().unwrap();
        assert_eq!(stream.next().unwrap().unwrap().text(), "one");
    }
    assert!(!mm.is_closed());
    assert_eq!(mm.run_line("echo next").unwrap().text().unwrap(), "next");
    // Dropped before reading anything at all, too.
    drop(mm.raw(&read).unwrap().stream().unwrap());
    assert_eq!(mm.run_line("echo again").unwrap().text().unwrap(), "again");
}

#[test]
fn status_messages_before_during_and_after_are_progress_not_answers() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mock = MockMinimega::start().unwrap();
    let handler_seen = Arc::clone(&seen);
    let mut mm = Client::builder()
        .socket(mock.socket_path())
        .on_status(move |text| handler_seen.lock().unwrap().push(text.to_owned()))
        .connect()
        .unwrap();
    let read = read_script(&mock, "three.mm", "echo one\necho two\necho three\n");
    mock.on_next_command([
        Effect::StatusBefore(status("starting")),
        Effect::StatusBetween(status("working")),
        Effect::StatusAfter(status("finished")),
    ]);
    let answer = mm.run_line(&read).unwrap();
    let texts: Vec<&str> = answer.iter().map(|r| r.text()).collect();
    assert_eq!(texts, ["one", "two", "three"]);
    assert_eq!(answer.statuses(), ["starting", "working", "working"]);

    // The status written after the last message arrives with the next
    // command, and is not taken for its answer either.
    let next = mm.run_line("echo next").unwrap();
    assert_eq!(next.text().unwrap(), "next");
    assert_eq!(next.statuses(), ["finished"]);
    assert_eq!(
        *seen.lock().unwrap(),
        ["starting", "working", "working", "finished"]
    );
}

#[test]
fn status_before_a_single_message_answer() {
    let (mock, mut mm) = mock_and_client();
    mock.on_next_command([Effect::StatusBefore(status("copying 1/2"))]);
    let answer = mm.run_line("vm config memory").unwrap();
    assert_eq!(answer.text().unwrap(), "2048");
    assert_eq!(answer.statuses(), ["copying 1/2"]);
}

#[test]
fn status_sent_between_commands_on_demand() {
    let (mock, mut mm) = mock_and_client();
    mm.run_line("echo first").unwrap();
    mock.send_status("out of the blue");
    let answer = mm.run_line("echo second").unwrap();
    assert_eq!(answer.text().unwrap(), "second");
    assert_eq!(answer.statuses(), ["out of the blue"]);
}

#[test]
fn stream_events_include_status_messages() {
    let (mock, mut mm) = mock_and_client();
    let read = read_script(&mock, "two.mm", "echo one\necho two\n");
    mock.on_next_command([
        Effect::StatusBefore(status("before")),
        Effect::StatusBetween(status("between")),
        Effect::StatusAfter(status("after")),
    ]);
    let mut stream = mm.raw(&read).unwrap().stream().unwrap();
    let mut events = Vec::new();
    while let Some(event) = stream.next_event() {
        events.push(match event.unwrap() {
            Event::Response(r) => format!("response {}", r.text()),
            Event::Status(s) => format!("status {s}"),
        });
    }
    assert_eq!(
        events,
        [
            "status before",
            "response one",
            "status between",
            "response two"
        ]
    );
    drop(stream);
    let next = mm.run_line("echo x").unwrap();
    assert_eq!(next.statuses(), ["after"]);
}

#[test]
fn mesh_wide_commands_report_progress() {
    let mock = MockMinimega::builder()
        .hosts(["head", "n1", "n2", "n3"])
        .mesh_status(true)
        .start()
        .unwrap();
    let mut mm = mock.client().unwrap();
    let answer = mm.run_line("mesh send all echo hi").unwrap();
    assert_eq!(answer.hosts().collect::<Vec<_>>(), ["n1", "n2", "n3"]);
    assert!(answer.iter().all(|r| r.text() == "hi"));
    // One message for every host, as minimega answers a `mesh send`.
    assert_eq!(answer.statuses(), ["mesh send: waiting for 3 hosts"]);
    let next = mm.run_line("echo x").unwrap();
    assert_eq!(next.statuses(), ["mesh send: all 3 hosts answered"]);
}

#[test]
fn failing_responses_in_a_stream() {
    let (_mock, mut mm) = cluster(&["h1", "h2", "h3"]);
    // One host fails, the other succeeds: the stream reports each.
    let mut lab = mm.in_namespace("lab").unwrap();
    lab.run_line("vm launch kvm a,b").unwrap(); // a on h3, b on h2
    lab.run_line("vm start b").unwrap();
    let items: Vec<Result<String, Error>> = cmd(&mut lab, &["vm", "start", "a,b"])
        .stream()
        .unwrap()
        .map(|r| r.map(|r| r.host().to_owned()))
        .collect();
    assert_eq!(items.len(), 2);
    let error = items[0].as_ref().unwrap_err();
    assert_eq!(error.failures()[0].host, "h2");
    assert_eq!(error.failures()[0].message, "vm is already running");
    assert_eq!(items[1].as_ref().unwrap(), "h3");

    // Keeping failures, they come through as responses.
    let kept: Vec<_> = cmd(&mut lab, &["vm", "start", "b"])
        .stream_with(RunOptions::new().keep_failures())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].error(), Some("vm is already running"));
}

#[test]
fn a_stream_collects_into_responses() {
    let (mock, mut mm) = mock_and_client();
    let read = read_script(&mock, "two.mm", "echo one\nbogus\n");
    let stream = mm.raw(&read).unwrap().stream().unwrap();
    let error = stream.into_responses().unwrap_err();
    assert_eq!(
        error.failures()[0].message,
        "two.mm:2 invalid command: `bogus`"
    );
    // Empty lines give an empty, finished stream.
    let mut empty = mm.raw("# nothing").unwrap().stream().unwrap();
    assert!(empty.is_complete() && empty.next().is_none());
}
