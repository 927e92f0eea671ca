//! The async client against the servers of `hostile_server.rs`, and
//! against the new fault it meets: a future dropped part-way, while its
//! request is being written or its answer read. Whatever the server does
//! and wherever a future is dropped, an answer is never delivered to the
//! wrong command, deadlines hold, memory stays capped, and the client stays
//! usable or clearly closed.

use std::io::{Read, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use crate::common::hostile::{
    echo, endless_more, read, stall, status, three_message_read, Server, SLACK,
};
use crate::common::Line;
use minimega_client::tables::VmState;
use minimega_client::{AsyncClient, AsyncWait, Builder, Complete, Error, Event, RunOptions};

impl Server {
    async fn async_client(&self) -> AsyncClient {
        AsyncClient::connect_base(&self.dir).await.unwrap()
    }
}

#[tokio::test]
async fn a_dropped_stream_never_gives_its_answer_to_the_next_command() {
    let server = Server::start(three_message_read);
    let mut mm = server.async_client().await;
    let mut stream = read(&mut mm).stream().await.unwrap();
    assert_eq!(stream.next_response().await.unwrap().unwrap().text(), "one");
    let started = Instant::now();
    drop(stream);
    assert!(
        started.elapsed() < Duration::from_millis(50),
        "a drop reads nothing"
    );
    assert!(mm.answer_in_flight());
    let answer = echo(&mut mm, "mine1").run().await.unwrap();
    assert_eq!(answer.text().unwrap(), "mine1");
    let answer = echo(&mut mm, "mine2").run().await.unwrap();
    assert_eq!(answer.text().unwrap(), "mine2");
}

#[tokio::test]
async fn a_run_dropped_between_messages_leaves_the_answers_in_step() {
    let server = Server::start(|mut conn| {
        conn.request();
        conn.answer("one", true);
        std::thread::sleep(Duration::from_millis(200));
        conn.send(&status("copying"));
        conn.answer("two", true);
        conn.answer("three", false);
        conn.echo_the_rest();
    });
    let mut mm = server.async_client().await;
    let (seen, statuses) = mpsc::channel();
    mm.set_status_handler(move |text| {
        let _ = seen.send(text.to_owned());
    });
    let cut = tokio::time::timeout(Duration::from_millis(50), read(&mut mm).run()).await;
    assert!(cut.is_err(), "the answer was still arriving");
    assert!(mm.answer_in_flight() && !mm.is_closed());
    let answer = echo(&mut mm, "mine").run().await.unwrap();
    assert_eq!(answer.text().unwrap(), "mine");
    assert_eq!(
        statuses.try_iter().collect::<Vec<_>>(),
        ["copying"],
        "the dropped answer's status messages still reach the handler"
    );
}

#[tokio::test]
async fn a_request_cut_short_by_a_drop_is_written_whole_before_the_next() {
    let (lengths, received) = mpsc::channel();
    let server = Server::start(move |mut conn| {
        // Reads nothing for a while, so the 4 MB request cannot be written
        // before the future is dropped.
        std::thread::sleep(Duration::from_millis(300));
        while let Some(command) = conn.request() {
            let _ = lengths.send(command.len());
            let last = command.rsplit(' ').next().unwrap_or_default().to_owned();
            conn.answer(&last, false);
        }
    });
    let mut mm = server.async_client().await;
    let big = "x".repeat(4 << 20);
    let cut = tokio::time::timeout(Duration::from_millis(50), echo(&mut mm, &big).run()).await;
    assert!(cut.is_err(), "the write was still under way");
    assert!(mm.answer_in_flight() && !mm.is_closed());
    let answer = echo(&mut mm, "mine")
        .run_with(RunOptions::new().timeout(Duration::from_secs(20)))
        .await
        .unwrap();
    assert_eq!(answer.text().unwrap(), "mine");
    let lengths: Vec<usize> = received.try_iter().collect();
    assert_eq!(
        lengths,
        [5 + (4 << 20), "echo mine".len()],
        "two whole requests"
    );
}

#[test]
fn a_panicking_status_handler_leaves_the_answers_in_step() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = Server::start(|mut conn| {
        conn.request();
        conn.answer("one", true);
        conn.send(&status("copying"));
        conn.answer("two", true);
        conn.answer("three", false);
        conn.echo_the_rest();
    });
    let mut mm = runtime.block_on(server.async_client());
    mm.set_status_handler(|_| panic!("the handler fails"));
    let panicked = catch_unwind(AssertUnwindSafe(|| runtime.block_on(read(&mut mm).run())));
    assert!(panicked.is_err(), "the handler's panic reaches the caller");
    assert!(!mm.is_closed());
    mm.set_status_handler(|_| {});
    let answer = runtime.block_on(echo(&mut mm, "mine").run()).unwrap();
    assert_eq!(answer.text().unwrap(), "mine");
}

#[tokio::test]
async fn a_suggestion_answered_in_several_messages_is_read_to_its_end() {
    let server = Server::start(|mut conn| {
        conn.request();
        let part = |words: &[&str], more: bool| {
            serde_json::json!({"Resp": null, "Rendered": "", "More": more, "Status": false, "Suggest": words})
                .to_string()
        };
        conn.send(&part(&["vm launch "], true));
        conn.send(&part(&["vm last "], false));
        conn.echo_the_rest();
    });
    let mut mm = server.async_client().await;
    assert_eq!(
        mm.suggest("vm la").await.unwrap(),
        ["vm launch ", "vm last "]
    );
    let answer = echo(&mut mm, "mine").run().await.unwrap();
    assert_eq!(answer.text().unwrap(), "mine");
}

#[tokio::test]
async fn an_unsolicited_message_is_an_error_never_an_answer() {
    let server = Server::start(|mut conn| {
        conn.request();
        conn.answer("first", false);
        conn.answer("nobody asked", false);
        conn.echo_the_rest();
    });
    let mut mm = server.async_client().await;
    let answer = echo(&mut mm, "first").run().await.unwrap();
    assert_eq!(answer.text().unwrap(), "first");
    // Let the extra message arrive before the next command is sent.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let error = echo(&mut mm, "second").run().await.unwrap_err();
    assert!(matches!(error, Error::Unsolicited { .. }), "{error}");
    assert!(error.to_string().contains("nobody asked"), "{error}");
    assert!(mm.is_closed());
}

#[tokio::test]
async fn unsolicited_bytes_without_a_line_break_are_capped_too() {
    let server = Server::start(|mut conn| {
        conn.request();
        conn.answer("first", false);
        while conn.writer.write_all(&[b'x'; 4096]).is_ok() {}
    });
    let mut mm = server
        .builder()
        .max_line_bytes(1024)
        .connect_async()
        .await
        .unwrap();
    let answer = echo(&mut mm, "first").run().await.unwrap();
    assert_eq!(answer.text().unwrap(), "first");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let error = echo(&mut mm, "second").run().await.unwrap_err();
    assert!(
        matches!(&error, Error::Protocol { reason, .. } if reason.contains("1024")),
        "{error}"
    );
    assert!(mm.is_closed());
}

#[tokio::test]
async fn an_empty_object_is_not_an_answer() {
    let server = Server::start(|mut conn| {
        conn.request();
        conn.send("{}");
    });
    let mut mm = server.async_client().await;
    let error = echo(&mut mm, "x").run().await.unwrap_err();
    assert!(matches!(error, Error::Protocol { .. }), "{error}");
}

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
async fn errors_quote_a_few_hundred_bytes_of_the_command() {
    let server = Server::start(|mut conn| {
        conn.request();
    });
    let mut mm = server.async_client().await;
    let big = "z".repeat(1 << 20);
    let error = echo(&mut mm, &big)
        .run_with(RunOptions::new().timeout(Duration::from_millis(200)))
        .await
        .unwrap_err();
    let text = error.to_string();
    assert!(text.len() < 1000, "{} bytes", text.len());
    let whole = format!("({} bytes)", "echo ".len() + big.len());
    assert!(
        text.contains(&whole),
        "the cut names the command's size: {text}"
    );
}

#[tokio::test]
async fn a_path_that_is_not_utf8_is_refused_not_mangled() {
    use std::os::unix::ffi::OsStrExt;

    let server = Server::start(|conn| conn.echo_the_rest());
    let mut mm = server.async_client().await;
    let path = std::path::Path::new(std::ffi::OsStr::from_bytes(b"/srv/\xff.mm"));
    let error = Line(
        Builder::new(&mut mm)
            .word("read")
            .arg("file", path.display()),
    )
    .run()
    .await
    .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Argument(minimega_client::ArgumentError::NotUtf8 { key: "file", .. })
        ),
        "{error}"
    );
    let answer = echo(&mut mm, "sent").run().await.unwrap();
    assert_eq!(answer.text().unwrap(), "sent");
}

#[tokio::test]
async fn connecting_to_a_file_or_directory_says_so() {
    let dir = std::env::temp_dir();
    let error = AsyncClient::connect_to(&dir).await.unwrap_err();
    assert!(error.to_string().contains("directory"), "{error}");
    let file = dir.join(format!(
        "minimega-async-not-a-socket-{}",
        std::process::id()
    ));
    std::fs::write(&file, "").unwrap();
    let error = AsyncClient::connect_to(&file).await.unwrap_err();
    std::fs::remove_file(&file).unwrap();
    assert!(error.to_string().contains("not a socket"), "{error}");
}

#[tokio::test]
async fn a_status_message_between_commands_comes_with_the_next_answer() {
    let server = Server::start(|mut conn| {
        conn.request();
        conn.answer("first", false);
        conn.send(&status("between"));
        conn.echo_the_rest();
    });
    let mut mm = server.async_client().await;
    let answer = echo(&mut mm, "first").run().await.unwrap();
    assert_eq!(answer.text().unwrap(), "first");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut stream = echo(&mut mm, "second").stream().await.unwrap();
    assert_eq!(
        stream.next_event().await.unwrap().unwrap(),
        Event::Status("between".to_owned())
    );
    match stream.next_event().await {
        Some(Ok(Event::Response(response))) => assert_eq!(response.text(), "second"),
        other => panic!("{other:?}"),
    }
    assert!(stream.next_event().await.is_none());
}

#[tokio::test]
async fn a_forgotten_stream_never_gives_its_answer_to_the_next_command() {
    let server = Server::start(three_message_read);
    let mut mm = server.async_client().await;
    let mut stream = read(&mut mm).stream().await.unwrap();
    assert_eq!(stream.next_response().await.unwrap().unwrap().text(), "one");
    std::mem::forget(stream);
    let answer = echo(&mut mm, "mine1").run().await.unwrap();
    assert_eq!(answer.text().unwrap(), "mine1");
    let answer = echo(&mut mm, "mine2").run().await.unwrap();
    assert_eq!(answer.text().unwrap(), "mine2");
}

#[tokio::test]
async fn a_raw_line_with_a_line_break_is_refused() {
    let server = Server::start(|conn| conn.echo_the_rest());
    let mut mm = server.async_client().await;
    let error = mm.raw_unchecked("echo a\necho b").unwrap_err();
    assert!(
        matches!(
            error,
            Error::Refused {
                refusal: minimega_client::Refusal::LineBreak,
                ..
            }
        ),
        "{error}"
    );
    let answer = echo(&mut mm, "sent").run().await.unwrap();
    assert_eq!(answer.text().unwrap(), "sent");
}

// The deadline rules of the blocking client (`hostile_server.rs`), on the
// shared connection and waits.

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
async fn a_stream_cut_off_by_a_disconnect_is_not_complete() {
    let server = Server::start(|mut conn| {
        conn.request();
        conn.answer("one", true);
    });
    let mut mm = server.async_client().await;
    let mut stream = mm
        .raw("mesh send n1 echo x")
        .unwrap()
        .stream()
        .await
        .unwrap();
    let first = stream.next_response().await.unwrap().unwrap();
    assert_eq!(first.text(), "one");
    let error = stream.next_response().await.unwrap().unwrap_err();
    assert!(matches!(error, Error::Disconnected { .. }), "{error}");
    assert!(!stream.is_complete() && stream.is_cut_off());
    // Nor is `n1` said not to have answered: the answer was cut off.
    assert!(stream.next_response().await.is_none());
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
