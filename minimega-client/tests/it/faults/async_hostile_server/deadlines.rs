//! Deadlines and caps for the async client: the rules of the blocking
//! client's `deadlines`, on the shared connection and waits.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::common::hostile::{echo, endless_more, read, stall, status, Server, SLACK};
use minimega_client::tables::VmState;
use minimega_client::{AsyncClient, AsyncWait, Complete, Error, Event, RunOptions};

/// A 4 MB command, to a server that reads nothing (or a trickle).
async fn big_write(mm: &mut AsyncClient, timeout: Duration) -> (Result<(), Error>, Duration) {
    let big = "x".repeat(4 << 20);
    let started = Instant::now();
    let result = echo(mm, &big)
        .run_with(RunOptions::new().timeout(timeout))
        .await
        .map(drop);
    (result, started.elapsed())
}

#[tokio::test]
async fn the_write_deadline_holds_against_a_server_that_never_reads() {
    let server = Server::start(|conn| {
        std::thread::sleep(Duration::from_secs(5));
        drop(conn);
    });
    let mut mm = server.async_client().await;
    let (result, took) = big_write(&mut mm, Duration::from_millis(300)).await;
    assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[tokio::test]
async fn the_write_deadline_holds_against_a_trickling_reader() {
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let server = Server::start(move |mut conn| {
        let mut byte = [0u8; 512];
        while !stopped.load(Ordering::Relaxed) && conn.reader.read(&mut byte).unwrap_or(0) > 0 {
            std::thread::sleep(Duration::from_millis(5));
        }
    });
    let mut mm = server.async_client().await;
    let (result, took) = big_write(&mut mm, Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    assert!(matches!(result, Err(Error::Timeout { .. })), "{result:?}");
    assert!(took < Duration::from_secs(3), "took {took:?}");
}

#[tokio::test]
async fn the_read_deadline_holds_against_a_trickling_answer() {
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let server = Server::start(move |mut conn| {
        conn.request();
        // A line that never ends, a byte at a time: every read finds
        // something, so only a deadline checked before each read ends it.
        while !stopped.load(Ordering::Relaxed) && conn.writer.write_all(b"x").is_ok() {
            std::thread::sleep(Duration::from_millis(2));
        }
    });
    let mut mm = server.async_client().await;
    let started = Instant::now();
    let error = echo(&mut mm, "x")
        .run_with(RunOptions::new().timeout(Duration::from_millis(300)))
        .await
        .unwrap_err();
    stop.store(true, Ordering::Relaxed);
    assert!(matches!(error, Error::Timeout { .. }), "{error}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(mm.is_closed());
}

#[tokio::test]
async fn an_answer_that_never_ends_costs_the_next_command_its_deadline_then_closes() {
    let server = Server::start(endless_more);
    let mut mm = server.async_client().await;
    let mut stream = read(&mut mm).stream().await.unwrap();
    assert!(stream.next_response().await.unwrap().is_ok());
    drop(stream);
    let started = Instant::now();
    let error = echo(&mut mm, "x")
        .run_with(RunOptions::new().timeout(Duration::from_millis(300)))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Closed { .. }), "{error}");
    assert!(error.to_string().contains("still arriving"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(mm.is_closed());
}

#[tokio::test]
async fn an_endless_answer_gathered_by_run_is_capped() {
    let server = Server::start(endless_more);
    let mut mm = server
        .builder()
        .max_answer_bytes(1 << 20)
        .connect_async()
        .await
        .unwrap();
    let error = read(&mut mm).run().await.unwrap_err();
    assert!(
        matches!(error, Error::TooLarge { limit, .. } if limit == 1 << 20),
        "{error}"
    );
    assert!(mm.is_closed());
}

#[tokio::test]
async fn a_line_longer_than_the_cap_closes_the_connection() {
    for (size, cap) in [(3 << 20, 1 << 20), (5000, 1000)] {
        let server = Server::start(move |mut conn| {
            conn.request();
            conn.answer(&"y".repeat(size), false);
        });
        let mut mm = server
            .builder()
            .max_line_bytes(cap)
            .connect_async()
            .await
            .unwrap();
        let error = echo(&mut mm, "x").run().await.unwrap_err();
        assert!(matches!(error, Error::Protocol { .. }), "{error}");
        assert!(
            error
                .to_string()
                .contains(&format!("longer than {cap} bytes")),
            "{error}"
        );
        assert!(error.to_string().len() < 1000, "{error}");
        assert!(mm.is_closed());
    }
}

#[tokio::test]
async fn huge_and_zero_timeouts_behave() {
    let server = Server::start(|mut conn| {
        let first = conn.request().unwrap();
        conn.answer(&first, false);
        conn.echo_the_rest();
    });
    let mut mm = server
        .builder()
        .timeout(Duration::MAX)
        .connect_async()
        .await
        .unwrap();
    let zero = echo(&mut mm, "never")
        .run_with(RunOptions::new().timeout(Duration::ZERO))
        .await
        .unwrap_err();
    assert!(
        matches!(zero, Error::Timeout { after, .. } if after.is_zero()),
        "{zero}"
    );
    assert!(!mm.is_closed(), "nothing was sent");
    let answer = echo(&mut mm, "huge")
        .run_with(RunOptions::new().timeout(Duration::MAX))
        .await
        .unwrap();
    assert_eq!(answer.text().unwrap(), "echo huge");
    let mut stream = echo(&mut mm, "streamed")
        .stream_with(RunOptions::new().timeout(Duration::MAX))
        .await
        .unwrap();
    assert!(matches!(
        stream.next_event().await,
        Some(Ok(Event::Response(_)))
    ));
}

#[tokio::test]
async fn a_deadline_that_passes_before_sending_leaves_the_connection_open() {
    let server = Server::start(|conn| conn.echo_the_rest());
    let mut mm = server.async_client().await;
    let error = echo(&mut mm, "x")
        .run_with(RunOptions::new().timeout(Duration::from_nanos(1)))
        .await
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
    let answer = echo(&mut mm, "sent").run().await.unwrap();
    assert_eq!(answer.text().unwrap(), "sent");
}

#[tokio::test]
async fn a_zero_timeout_fails_before_a_huge_line_is_prepared() {
    let server = Server::start(|conn| conn.echo_the_rest());
    let mut mm = server.async_client().await;
    let big = "x".repeat(64 << 20);
    let line = echo(&mut mm, &big);
    let started = Instant::now();
    let error = line
        .run_with(RunOptions::new().timeout(Duration::ZERO))
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_millis(100), "took {took:?}");
    assert!(
        matches!(&error, Error::Timeout { sent: false, command, .. } if command.starts_with("echo xxx")),
        "{error}"
    );
    assert!(!mm.is_closed());
    let answer = echo(&mut mm, "sent").run().await.unwrap();
    assert_eq!(answer.text().unwrap(), "sent");
}

#[tokio::test]
async fn a_slow_status_handler_does_not_stretch_a_deadline() {
    let server = Server::start(|mut conn| {
        conn.request();
        conn.answer("one", true);
        for _ in 0..300 {
            conn.send(&status("copying"));
        }
        conn.answer("two", false);
        conn.echo_the_rest();
    });
    let mut mm = server
        .builder()
        .on_status(|_| std::thread::sleep(Duration::from_millis(10)))
        .connect_async()
        .await
        .unwrap();
    let timeout = Duration::from_secs(1);
    let started = Instant::now();
    let result = read(&mut mm)
        .run_with(RunOptions::new().timeout(timeout))
        .await;
    let took = started.elapsed();
    assert!(took < timeout + SLACK, "took {took:?}");
    assert!(
        matches!(result, Err(Error::Timeout { sent: true, .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn running_out_while_finishing_an_earlier_answer_names_the_waiting_deadline() {
    let server = Server::start(|mut conn| {
        conn.request();
        conn.answer("one", true);
        stall(conn);
    });
    let mut mm = server
        .builder()
        .timeout(Duration::from_secs(30))
        .connect_async()
        .await
        .unwrap();
    let mut stream = read(&mut mm).stream().await.unwrap();
    let first = stream.next_response().await.unwrap().unwrap();
    assert_eq!(first.text(), "one");
    drop(stream);
    let error = echo(&mut mm, "x")
        .run_with(RunOptions::new().timeout(Duration::from_millis(300)))
        .await
        .unwrap_err();
    let Error::Closed { reason } = &error else {
        panic!("{error}")
    };
    assert!(
        reason.contains("`read script.mm` was still arriving when `echo x`")
            && reason.contains("within 300ms"),
        "{reason}"
    );
    let later = echo(&mut mm, "y").run().await.unwrap_err();
    assert!(
        matches!(&later, Error::Closed { reason: kept } if kept == reason),
        "{later}"
    );
}

#[tokio::test]
async fn a_wait_ends_at_its_deadline_when_a_poll_stalls() {
    let server = Server::start(stall);
    let mut mm = server.async_client().await;
    let timeout = Duration::from_secs(2);
    let started = Instant::now();
    let error = mm
        .wait_for_state("web1", VmState::Running, timeout)
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(took < timeout + SLACK, "took {took:?}");
    assert!(
        matches!(&error, Error::WaitTimedOut { waiting_for, last_seen, .. }
            if waiting_for == "`web1` to be RUNNING" && last_seen == "no poll was answered in time"),
        "{error}"
    );
    // The unanswered poll is left in flight, not taken for the next answer.
    assert!(!error.closes_connection() && !mm.is_closed(), "{error}");
    let next = echo(&mut mm, "x")
        .run_with(RunOptions::new().timeout(Duration::from_millis(200)))
        .await
        .unwrap_err();
    assert!(
        matches!(&next, Error::Closed { reason } if reason.contains("`vm info` was still arriving")),
        "{next}"
    );
}

#[tokio::test]
async fn slow_polls_do_not_stretch_a_wait() {
    let server = Server::start(|mut conn| {
        while let Some(command) = conn.request() {
            std::thread::sleep(Duration::from_millis(1250));
            let last = command.rsplit(' ').next().unwrap_or_default().to_owned();
            // An empty `vm info`: the VM never appears.
            conn.answer(if command == "vm info" { "" } else { &last }, false);
        }
    });
    let mut mm = server.async_client().await;
    let timeout = Duration::from_secs(2);
    let started = Instant::now();
    let error = mm
        .wait_for_state("web1", VmState::Running, timeout)
        .await
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
        .await
        .unwrap();
    assert_eq!(answer.text().unwrap(), "mine");
}
