//! Answers in step for the async client: futures and streams dropped at
//! any point, a status handler that panics, messages nobody asked for,
//! malformed or cut-off answers; and what is refused before it is sent.

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::hostile::{echo, read, status, three_message_read, Server};
use crate::common::Line;
use minimega_client::{AsyncClient, Builder, Complete, Error, Event, RunOptions};

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
