//! A misbehaving server: timeouts, disconnects, malformed lines. Each
//! leaves the client clearly closed, never half-read; `reconnect` recovers.

use std::time::{Duration, Instant};

use crate::common::{mock_and_client, read_script};
use minimega_client::{Client, Complete, Error, RunOptions};
use minimega_mock::{Effect, MockMinimega};

const SHORT: Duration = Duration::from_millis(100);

fn assert_closed(mm: &mut Client) {
    assert!(mm.is_closed());
    let error = mm.run_line("echo x").unwrap_err();
    assert!(matches!(error, Error::Closed { .. }), "{error}");
    assert!(error.to_string().contains("reconnect"), "{error}");
}

#[test]
fn a_command_that_times_out_closes_the_connection() {
    let (mock, mut mm) = mock_and_client();
    mock.on_next_command([Effect::Stall]);
    let started = Instant::now();
    let error = mm
        .raw("vm info")
        .unwrap()
        .run_with(RunOptions::new().timeout(SHORT))
        .unwrap_err();
    assert!(
        started.elapsed() >= SHORT - Duration::from_millis(10)
            && started.elapsed() < Duration::from_secs(5)
    );
    assert!(
        matches!(&error, Error::Timeout { command, after, sent: true } if command == "vm info" && *after == SHORT),
        "{error}"
    );
    assert!(error.closes_connection());
    assert_closed(&mut mm);
    let Error::Closed { reason } = mm.run_line("echo x").unwrap_err() else {
        unreachable!()
    };
    assert!(reason.contains("no complete answer within"), "{reason}");

    mm.reconnect().unwrap();
    assert_eq!(mm.run_line("echo back").unwrap().text().unwrap(), "back");
}

#[test]
fn the_client_timeout_applies_to_every_command() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = Client::builder()
        .socket(mock.socket_path())
        .timeout(SHORT)
        .connect()
        .unwrap();
    mm.run_line("echo fast").unwrap();
    mock.on_next_command([Effect::Delay(Duration::from_millis(180))]);
    assert!(matches!(
        mm.run_line("echo slow").unwrap_err(),
        Error::Timeout { .. }
    ));
    assert_closed(&mut mm);

    // A longer wait for one command, on a fresh connection.
    mm.reconnect().unwrap();
    mock.on_next_command([Effect::Delay(Duration::from_millis(150))]);
    let answer = mm
        .raw("echo patient")
        .unwrap()
        .run_with(RunOptions::new().timeout(Duration::from_secs(5)))
        .unwrap();
    assert_eq!(answer.text().unwrap(), "patient");
}

#[test]
fn a_stream_times_out_per_message() {
    let (mock, mut mm) = mock_and_client();
    mock.on_next_command([Effect::Stall]);
    let mut stream = mm
        .raw("vm info")
        .unwrap()
        .stream_with(RunOptions::new().timeout(SHORT))
        .unwrap();
    assert!(matches!(stream.next(), Some(Err(Error::Timeout { .. }))));
    assert!(stream.next().is_none());
    drop(stream);
    assert_closed(&mut mm);
}

#[test]
fn disconnect_mid_answer() {
    let (mock, mut mm) = mock_and_client();
    let read = read_script(&mock, "three.mm", "echo one\necho two\necho three\n");
    mock.on_next_command([Effect::Disconnect { after: 1 }]);
    let error = mm.run_line(&read).unwrap_err();
    assert!(matches!(error, Error::Disconnected { .. }), "{error}");
    assert!(error.to_string().contains("closed the connection"));
    assert_closed(&mut mm);

    // Streaming, the first response still arrives before the error.
    mm.reconnect().unwrap();
    mock.on_next_command([Effect::Disconnect { after: 1 }]);
    let mut stream = mm.raw(&read).unwrap().stream().unwrap();
    assert_eq!(stream.next().unwrap().unwrap().text(), "one");
    assert!(matches!(
        stream.next(),
        Some(Err(Error::Disconnected { .. }))
    ));
    drop(stream);
    assert_closed(&mut mm);
}

#[test]
fn disconnect_before_any_answer() {
    let (mock, mut mm) = mock_and_client();
    mock.on_next_command([Effect::Disconnect { after: 0 }]);
    assert!(matches!(
        mm.run_line("vm info").unwrap_err(),
        Error::Disconnected { .. }
    ));
    assert_closed(&mut mm);
}

#[test]
fn a_malformed_line_closes_the_connection() {
    let (mock, mut mm) = mock_and_client();
    let read = read_script(&mock, "two.mm", "echo one\necho two\n");
    mock.on_next_command([Effect::Malformed { after: 1 }]);
    let error = mm.run_line(&read).unwrap_err();
    let Error::Protocol { line, reason, .. } = &error else {
        panic!("{error}")
    };
    assert!(line.starts_with("{\"Resp\":[{\"Host\""), "{line}");
    assert!(reason.starts_with("not JSON"), "{reason}");
    assert!(error.to_string().contains("malformed line"));
    assert_closed(&mut mm);
    mm.reconnect().unwrap();
    assert_eq!(mm.run_line("echo ok").unwrap().text().unwrap(), "ok");
}

#[test]
fn a_dropped_stream_that_hits_a_fault_closes_the_connection() {
    let (mock, mut mm) = mock_and_client();
    let read = read_script(&mock, "three.mm", "echo one\necho two\necho three\n");
    mock.on_next_command([Effect::Malformed { after: 2 }]);
    {
        let mut stream = mm.raw(&read).unwrap().stream().unwrap();
        assert_eq!(stream.next().unwrap().unwrap().text(), "one");
    }
    assert_closed(&mut mm);
}

#[test]
fn the_mock_stopping_disconnects_its_clients() {
    let (mock, mut mm) = mock_and_client();
    drop(mock);
    let error = mm.run_line("echo x").unwrap_err();
    assert!(error.closes_connection(), "{error}");
    assert_closed(&mut mm);
    assert!(matches!(mm.reconnect().unwrap_err(), Error::Connect { .. }));
}

#[test]
fn disconnecting_by_hand() {
    let (_mock, mut mm) = mock_and_client();
    mm.disconnect();
    assert_closed(&mut mm);
    mm.reconnect().unwrap();
    assert!(!mm.is_closed());
}
