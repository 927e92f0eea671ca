//! Answers in step: a stream left unread, a status handler that panics,
//! messages nobody asked for, malformed or cut-off answers; and what is
//! refused before it is sent (a line with a line break, a path that is not
//! UTF-8 or not a socket, a namespace switch).

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use crate::common::hostile::{echo, read, status, three_message_read, Server};
use crate::common::Line;
use minimega_client::{Builder, Client, Complete, Error, Refusal, RunOptions};

#[test]
fn a_forgotten_stream_never_gives_its_answer_to_the_next_command() {
    let server = Server::start(three_message_read);
    let mut mm = server.client();
    let mut stream = read(&mut mm).stream().unwrap();
    assert_eq!(stream.next().unwrap().unwrap().text(), "one");
    std::mem::forget(stream);
    let answer = echo(&mut mm, "mine1").run().unwrap();
    assert_eq!(answer.text().unwrap(), "mine1");
    assert_eq!(
        echo(&mut mm, "mine2").run().unwrap().text().unwrap(),
        "mine2"
    );
}

#[test]
fn a_panicking_status_handler_leaves_the_answers_in_step() {
    let server = Server::start(|mut conn| {
        conn.request();
        conn.answer("one", true);
        conn.send(&status("copying"));
        conn.answer("two", true);
        conn.answer("three", false);
        conn.echo_the_rest();
    });
    let mut mm = server.client();
    mm.set_status_handler(|_| panic!("the handler fails"));
    let panicked = catch_unwind(AssertUnwindSafe(|| read(&mut mm).run()));
    assert!(panicked.is_err(), "the handler's panic reaches the caller");
    assert!(!mm.is_closed());
    mm.set_status_handler(|_| {});
    assert_eq!(echo(&mut mm, "mine").run().unwrap().text().unwrap(), "mine");
}

#[test]
fn a_suggestion_answered_in_several_messages_is_read_to_its_end() {
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
    let mut mm = server.client();
    assert_eq!(mm.suggest("vm la").unwrap(), ["vm launch ", "vm last "]);
    assert_eq!(echo(&mut mm, "mine").run().unwrap().text().unwrap(), "mine");
}

#[test]
fn an_unsolicited_message_is_an_error_never_an_answer() {
    let server = Server::start(|mut conn| {
        conn.request();
        conn.answer("first", false);
        conn.answer("nobody asked", false);
        conn.echo_the_rest();
    });
    let mut mm = server.client();
    assert_eq!(
        echo(&mut mm, "first").run().unwrap().text().unwrap(),
        "first"
    );
    // Let the extra message arrive before the next command is sent.
    std::thread::sleep(Duration::from_millis(100));
    let error = echo(&mut mm, "second").run().unwrap_err();
    assert!(matches!(error, Error::Unsolicited { .. }), "{error}");
    assert!(error.to_string().contains("nobody asked"), "{error}");
    assert!(mm.is_closed());
}

#[test]
fn unsolicited_bytes_without_a_line_break_are_capped_too() {
    let server = Server::start(|mut conn| {
        conn.request();
        conn.answer("first", false);
        // Bytes that never make a line, until the client hangs up.
        while conn.writer.write_all(&[b'x'; 4096]).is_ok() {}
    });
    let mut mm = server.builder().max_line_bytes(1024).connect().unwrap();
    assert_eq!(
        echo(&mut mm, "first").run().unwrap().text().unwrap(),
        "first"
    );
    std::thread::sleep(Duration::from_millis(100));
    let error = echo(&mut mm, "second").run().unwrap_err();
    assert!(
        matches!(&error, Error::Protocol { reason, .. } if reason.contains("1024")),
        "{error}"
    );
    assert!(mm.is_closed());
}

#[test]
fn an_empty_object_is_not_an_answer() {
    let server = Server::start(|mut conn| {
        conn.request();
        conn.send("{}");
    });
    let error = echo(&mut server.client(), "x").run().unwrap_err();
    assert!(matches!(error, Error::Protocol { .. }), "{error}");
}

#[test]
fn errors_quote_a_few_hundred_bytes_of_the_command() {
    let server = Server::start(|mut conn| {
        conn.request();
    });
    let mut mm = server.client();
    let big = "z".repeat(1 << 20);
    let error = echo(&mut mm, &big)
        .run_with(RunOptions::new().timeout(Duration::from_millis(200)))
        .unwrap_err();
    let text = error.to_string();
    assert!(text.len() < 1000, "{} bytes", text.len());
    let whole = format!("({} bytes)", "echo ".len() + big.len());
    assert!(
        text.contains(&whole),
        "the cut names the command's size: {text}"
    );
    let later = echo(&mut mm, "x").run().unwrap_err();
    assert!(later.to_string().len() < 1500, "{later}");
}

#[test]
fn a_raw_line_with_a_line_break_is_refused() {
    let server = Server::start(|conn| conn.echo_the_rest());
    let mut mm = server.client();
    let error = mm.raw_unchecked("echo a\necho b").unwrap_err();
    assert!(
        matches!(
            error,
            Error::Refused {
                refusal: Refusal::LineBreak,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn connecting_to_a_file_or_directory_says_so() {
    let dir = std::env::temp_dir();
    let error = Client::connect_to(&dir).unwrap_err();
    assert!(error.to_string().contains("directory"), "{error}");
    let file = dir.join(format!("minimega-not-a-socket-{}", std::process::id()));
    std::fs::write(&file, "").unwrap();
    let error = Client::connect_to(&file).unwrap_err();
    std::fs::remove_file(&file).unwrap();
    assert!(error.to_string().contains("not a socket"), "{error}");
}

#[test]
fn a_path_that_is_not_utf8_is_refused_not_mangled() {
    use std::os::unix::ffi::OsStrExt;

    let server = Server::start(|conn| conn.echo_the_rest());
    let mut mm = server.client();
    let path = std::path::Path::new(std::ffi::OsStr::from_bytes(b"/srv/\xff.mm"));
    let error = Line(
        Builder::new(&mut mm)
            .word("read")
            .arg("file", path.display()),
    )
    .run()
    .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Argument(minimega_client::ArgumentError::NotUtf8 { key: "file", .. })
        ),
        "{error}"
    );
    assert_eq!(echo(&mut mm, "sent").run().unwrap().text().unwrap(), "sent");
}

#[test]
fn a_status_handler_that_panics_while_a_stream_unwinds_does_not_abort() {
    let server = Server::start(|mut conn| {
        conn.request();
        conn.send(&status("first"));
        conn.send(&status("second"));
        conn.answer("one", false);
        conn.echo_the_rest();
    });
    let mut mm = server.client();
    mm.set_status_handler(|text| panic!("the handler fails on {text}"));
    // The handler panics on the first status message; the stream is
    // dropped while the thread unwinds and reads on: calling the handler
    // with the second would abort the whole test binary.
    let joined = std::thread::scope(|scope| scope.spawn(|| read(&mut mm).run().map(drop)).join());
    assert!(joined.is_err(), "the handler's panic reaches the thread");
    assert!(!mm.is_closed());
    mm.set_status_handler(|_| {});
    assert_eq!(echo(&mut mm, "mine").run().unwrap().text().unwrap(), "mine");
}

#[test]
fn a_stream_cut_off_by_a_disconnect_is_not_complete() {
    let server = Server::start(|mut conn| {
        conn.request();
        conn.answer("one", true);
    });
    let mut mm = server.client();
    let mut stream = mm.raw("mesh send n1 echo x").unwrap().stream().unwrap();
    assert_eq!(stream.next().unwrap().unwrap().text(), "one");
    let error = stream.next().unwrap().unwrap_err();
    assert!(matches!(error, Error::Disconnected { .. }), "{error}");
    assert!(!stream.is_complete() && stream.is_cut_off());
    // Nor is `n1` said not to have answered: the answer was cut off.
    assert!(stream.next().is_none());
}

#[test]
fn refusing_a_namespace_switch_names_the_handle_to_use() {
    let server = Server::start(|conn| conn.echo_the_rest());
    let mut mm = server.client();
    let error = mm.run_line("namespace lab").unwrap_err();
    assert!(matches!(error, Error::Refused { .. }), "{error}");
    assert!(
        error.to_string().contains("`Client::in_namespace(name)`"),
        "{error}"
    );
}
