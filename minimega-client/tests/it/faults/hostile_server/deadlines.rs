//! Deadlines and caps: servers that never read, trickle, never end or
//! flood status messages; the write and read deadlines, waits, timeouts at
//! their extremes, and the caps on a line and on a gathered answer.

use std::io::{BufRead, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::hostile::{
    echo, endless_more, message, read, stall, status, Conn, Server, SLACK,
};
use minimega_client::tables::VmState;
use minimega_client::{Client, Complete, Error, Event, RunOptions, Wait, DRAIN_ON_DROP};

/// A 4 MB command, to a server that reads nothing (or a trickle).
fn big_write(mm: &mut Client, timeout: Duration) -> (Result<(), Error>, Duration) {
    let big = "x".repeat(4 << 20);
    let started = Instant::now();
    let result = echo(mm, &big)
        .run_with(RunOptions::new().timeout(timeout))
        .map(drop);
    (result, started.elapsed())
}

#[test]
fn the_write_deadline_holds_against_a_server_that_never_reads() {
    let server = Server::start(|conn| {
        std::thread::sleep(Duration::from_secs(5));
        drop(conn);
    });
    let mut mm = server.client();
    let (result, took) = big_write(&mut mm, Duration::from_millis(300));
    assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn the_write_deadline_holds_against_a_trickling_reader() {
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let server = Server::start(move |mut conn| {
        let mut byte = [0u8; 512];
        while !stopped.load(Ordering::Relaxed) && conn.reader.read(&mut byte).unwrap_or(0) > 0 {
            std::thread::sleep(Duration::from_millis(5));
        }
    });
    let mut mm = server.client();
    let (result, took) = big_write(&mut mm, Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[test]
fn dropping_a_stream_that_never_ends_returns_at_once() {
    let server = Server::start(endless_more);
    let mut mm = server.client();
    let mut stream = read(&mut mm).stream().unwrap();
    assert!(stream.next().unwrap().is_ok());
    let started = Instant::now();
    drop(stream);
    let took = started.elapsed();
    assert!(
        took < DRAIN_ON_DROP + Duration::from_secs(1),
        "took {took:?}"
    );
    // The next command cannot start while that answer goes on: within its
    // deadline it gives up, and the connection closes.
    let started = Instant::now();
    let error = echo(&mut mm, "x")
        .run_with(RunOptions::new().timeout(Duration::from_millis(300)))
        .unwrap_err();
    assert!(matches!(error, Error::Closed { .. }), "{error}");
    assert!(error.to_string().contains("still arriving"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(mm.is_closed());
}

#[test]
fn an_endless_answer_gathered_by_run_is_capped() {
    let server = Server::start(endless_more);
    let mut mm = server
        .builder()
        .max_answer_bytes(1 << 20)
        .connect()
        .unwrap();
    let error = read(&mut mm).run().unwrap_err();
    assert!(
        matches!(error, Error::TooLarge { limit, .. } if limit == 1 << 20),
        "{error}"
    );
    assert!(mm.is_closed());
}

#[test]
fn a_line_longer_than_the_cap_closes_the_connection() {
    let server = Server::start(|mut conn| {
        conn.request();
        let huge = "y".repeat(3 << 20);
        conn.answer(&huge, false);
    });
    let mut mm = server.builder().max_line_bytes(1 << 20).connect().unwrap();
    let error = echo(&mut mm, "x").run().unwrap_err();
    assert!(matches!(error, Error::Protocol { .. }), "{error}");
    assert!(error.to_string().len() < 1000, "{error}");
    assert!(mm.is_closed());
}

#[test]
fn a_line_over_the_cap_that_arrives_whole_closes_the_connection_too() {
    let server = Server::start(|mut conn| {
        conn.request();
        conn.answer(&"y".repeat(5000), false);
    });
    let mut mm = server.builder().max_line_bytes(1000).connect().unwrap();
    let error = echo(&mut mm, "x").run().unwrap_err();
    assert!(matches!(error, Error::Protocol { .. }), "{error}");
    assert!(
        error.to_string().contains("longer than 1000 bytes"),
        "{error}"
    );
    assert!(mm.is_closed());
}

#[test]
fn huge_and_zero_timeouts_behave() {
    let server = Server::start(|mut conn| {
        // The zero-timeout command is never sent: the first request is the
        // one with the huge timeout.
        let first = conn.request().unwrap();
        conn.answer(&first, false);
        conn.echo_the_rest();
    });
    let mut mm = server.builder().timeout(Duration::MAX).connect().unwrap();
    let zero = echo(&mut mm, "never")
        .run_with(RunOptions::new().timeout(Duration::ZERO))
        .unwrap_err();
    assert!(
        matches!(zero, Error::Timeout { after, .. } if after.is_zero()),
        "{zero}"
    );
    assert!(
        !zero.closes_connection() && !mm.is_closed(),
        "nothing was sent"
    );
    let answer = echo(&mut mm, "huge")
        .run_with(RunOptions::new().timeout(Duration::MAX))
        .unwrap();
    assert_eq!(answer.text().unwrap(), "echo huge");
    let mut stream = echo(&mut mm, "streamed")
        .stream_with(RunOptions::new().timeout(Duration::MAX))
        .unwrap();
    assert!(matches!(stream.next_event(), Some(Ok(Event::Response(_)))));
}

#[test]
fn a_wait_ends_at_its_deadline_when_a_poll_stalls() {
    let server = Server::start(stall);
    let mut mm = server.client();
    let timeout = Duration::from_secs(2);
    let started = Instant::now();
    let error = mm
        .wait_for_state("web1", VmState::Running, timeout)
        .unwrap_err();
    let took = started.elapsed();
    assert!(took < timeout + SLACK, "took {took:?}");
    assert!(
        matches!(&error, Error::WaitTimedOut { waiting_for, last_seen, .. }
            if waiting_for == "`web1` to be RUNNING" && last_seen == "no poll was answered in time"),
        "{error}"
    );
    // The unanswered poll is left in flight, not taken for the next answer:
    // the wait's timeout did not close the connection, the next command
    // cannot finish that answer within its deadline, and says so.
    assert!(!error.closes_connection() && !mm.is_closed(), "{error}");
    let next = echo(&mut mm, "x")
        .run_with(RunOptions::new().timeout(Duration::from_millis(200)))
        .unwrap_err();
    assert!(
        matches!(&next, Error::Closed { reason } if reason.contains("`vm info` was still arriving")),
        "{next}"
    );
}

#[test]
fn slow_polls_do_not_stretch_a_wait() {
    let server = Server::start(|mut conn| {
        while let Some(command) = conn.request() {
            std::thread::sleep(Duration::from_millis(1250));
            let last = command.rsplit(' ').next().unwrap_or_default().to_owned();
            // An empty `vm info`: the VM never appears.
            conn.answer(if command == "vm info" { "" } else { &last }, false);
        }
    });
    let mut mm = server.client();
    let timeout = Duration::from_secs(2);
    let started = Instant::now();
    let error = mm
        .wait_for_state("web1", VmState::Running, timeout)
        .unwrap_err();
    let took = started.elapsed();
    assert!(took < timeout + SLACK, "took {took:?}");
    assert!(
        matches!(&error, Error::WaitTimedOut { last_seen, .. } if last_seen == "web1 never appeared"),
        "{error}"
    );
    // The second poll's answer, which came late, is not the echo's.
    let answer = echo(&mut mm, "mine")
        .run_with(RunOptions::new().timeout(Duration::from_secs(5)))
        .unwrap();
    assert_eq!(answer.text().unwrap(), "mine");
}

/// Answers `read` with one message, a flood of status messages (already
/// sent when the client reads the first), and the last message.
fn status_flood(mut conn: Conn) {
    conn.request();
    conn.answer("one", true);
    for _ in 0..300 {
        conn.send(&status("copying"));
    }
    conn.answer("two", false);
    conn.echo_the_rest();
}

/// A client whose status handler takes 10 ms a message.
fn slow_handler(server: &Server) -> Client {
    server
        .builder()
        .on_status(|_| std::thread::sleep(Duration::from_millis(10)))
        .connect()
        .unwrap()
}

#[test]
fn a_slow_status_handler_does_not_stretch_a_deadline() {
    let server = Server::start(status_flood);
    let mut mm = slow_handler(&server);
    let timeout = Duration::from_secs(1);
    let started = Instant::now();
    let result = read(&mut mm).run_with(RunOptions::new().timeout(timeout));
    let took = started.elapsed();
    assert!(took < timeout + SLACK, "took {took:?}");
    assert!(
        matches!(result, Err(Error::Timeout { sent: true, .. })),
        "{result:?}"
    );
}

#[test]
fn dropping_a_stream_is_quick_whatever_the_status_handler_costs() {
    let server = Server::start(status_flood);
    let mut mm = slow_handler(&server);
    let mut stream = read(&mut mm).stream().unwrap();
    assert_eq!(stream.next().unwrap().unwrap().text(), "one");
    // Let the flood arrive.
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    drop(stream);
    let took = started.elapsed();
    assert!(took < DRAIN_ON_DROP + SLACK, "took {took:?}");
    mm.set_status_handler(|_| {});
    assert_eq!(echo(&mut mm, "mine").run().unwrap().text().unwrap(), "mine");
}

#[test]
fn a_zero_timeout_fails_before_a_huge_line_is_prepared() {
    let server = Server::start(|conn| conn.echo_the_rest());
    let mut mm = server.client();
    let big = "x".repeat(64 << 20);
    let line = echo(&mut mm, &big);
    let started = Instant::now();
    let error = line
        .run_with(RunOptions::new().timeout(Duration::ZERO))
        .unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_millis(100), "took {took:?}");
    assert!(
        matches!(&error, Error::Timeout { sent: false, command, .. } if command.starts_with("echo xxx")),
        "{error}"
    );
    assert!(error.to_string().len() < 1000, "{error}");
    assert!(!mm.is_closed());
    assert_eq!(echo(&mut mm, "sent").run().unwrap().text().unwrap(), "sent");
}

/// A message whose text is written as `\u00e9` escapes: slow to parse for
/// its size, quick to free.
fn escaped_message(chars: usize, more: bool) -> String {
    let text = "\\u00e9".repeat(chars);
    format!(r#"{{"Resp":null,"Rendered":"{text}","More":{more},"Status":false}}"#)
}

#[test]
fn a_deadline_is_overrun_by_at_most_one_line_parse() {
    let line = escaped_message(40_000, true);
    let parses: Vec<Duration> = (0..5)
        .map(|_| {
            let started = Instant::now();
            minimega_client::protocol::Message::parse(&line).unwrap();
            started.elapsed()
        })
        .collect();
    let (fastest, slowest) = (*parses.iter().min().unwrap(), *parses.iter().max().unwrap());
    // Enough lines that parsing them all would take three seconds at least.
    let lines = (Duration::from_secs(3).as_nanos() / fastest.as_nanos().max(1) + 2).min(5000);
    let server = Server::start(move |mut conn| {
        conn.request();
        for _ in 0..lines {
            conn.send(&line);
        }
        conn.answer("last", false);
    });
    let mut mm = server.client();
    let timeout = Duration::from_secs(1);
    let started = Instant::now();
    let result = read(&mut mm).run_with(RunOptions::new().timeout(timeout));
    let took = started.elapsed();
    assert!(
        matches!(result, Err(Error::Timeout { sent: true, .. })),
        "{:?}",
        result.map(|answer| answer.len())
    );
    assert!(
        took < timeout + slowest + SLACK,
        "took {took:?}, one line parses in {slowest:?}"
    );
}

#[test]
fn a_deadline_that_passes_before_sending_leaves_the_connection_open() {
    let (sent_bytes, received) = std::sync::mpsc::channel();
    let server = Server::start(move |conn| {
        let Conn {
            mut reader,
            mut writer,
        } = conn;
        let mut total = 0;
        let mut line = Vec::new();
        while let Ok(n @ 1..) = reader.read_until(b'\n', &mut line) {
            total += n;
            if line.ends_with(b"\n") {
                let _ = writer.write_all(format!("{}\n", message("ok", false)).as_bytes());
            }
            line.clear();
        }
        let _ = sent_bytes.send(total);
    });
    let mut mm = server.client();

    let error = echo(&mut mm, "x")
        .run_with(RunOptions::new().timeout(Duration::from_nanos(1)))
        .unwrap_err();
    assert!(
        matches!(error, Error::Timeout { sent: false, .. }),
        "{error}"
    );
    assert!(!error.closes_connection() && !mm.is_closed());
    assert!(
        error.to_string().contains("nothing was sent") && !error.to_string().contains("closed"),
        "{error}"
    );

    // Deadlines that pass somewhere between the checks and the first byte
    // written (preparing and encoding a 256 KiB line takes a while): each
    // either sends nothing and leaves the connection open, or sends it.
    let big = "x".repeat(256 << 10);
    echo(&mut mm, &big).preview().unwrap();
    let started = Instant::now();
    echo(&mut mm, &big).preview().unwrap();
    let step = started.elapsed() / 200;
    let mut timeout = step;
    let mut unsent = 0;
    let error = loop {
        let result = echo(&mut mm, &big).run_with(RunOptions::new().timeout(timeout));
        match result {
            Err(Error::Timeout { sent: false, .. }) => unsent += 1,
            Ok(_) => break None,
            Err(error) => break Some(error),
        }
        assert!(
            !mm.is_closed(),
            "closed after {timeout:?} with nothing sent"
        );
        timeout += step;
        assert!(unsent < 2000, "never sent");
    };
    assert!(unsent > 0);
    let closed = mm.is_closed();
    if let Some(error) = &error {
        assert!(
            matches!(error, Error::Timeout { sent: true, .. }),
            "{error}"
        );
        assert_eq!(error.closes_connection(), closed, "{error}");
    }
    drop(mm);
    let total = received.recv().unwrap();
    assert!(total > 0, "the connection closed with nothing sent");
}

#[test]
fn running_out_while_finishing_an_earlier_answer_names_the_waiting_deadline() {
    let server = Server::start(|mut conn| {
        conn.request();
        conn.answer("one", true);
        stall(conn);
    });
    let mut mm = server
        .builder()
        .timeout(Duration::from_secs(30))
        .connect()
        .unwrap();
    let mut stream = read(&mut mm).stream().unwrap();
    assert_eq!(stream.next().unwrap().unwrap().text(), "one");
    drop(stream);
    let error = echo(&mut mm, "x")
        .run_with(RunOptions::new().timeout(Duration::from_millis(300)))
        .unwrap_err();
    let Error::Closed { reason } = &error else {
        panic!("{error}")
    };
    assert!(
        reason.contains("`read script.mm` was still arriving when `echo x`")
            && reason.contains("within 300ms"),
        "{reason}"
    );
    // The reason the connection keeps is the same.
    let later = echo(&mut mm, "y").run().unwrap_err();
    assert!(
        matches!(&later, Error::Closed { reason: kept } if kept == reason),
        "{later}"
    );
}
