//! Scripted servers that misbehave on purpose, for the blocking and async
//! hostile-server tests: each runs a script on the first connection it
//! accepts, on a thread of its own.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::Duration;

use minimega_client::{Builder, Client};

use super::Line;

/// A server that runs `script` on the first connection it accepts.
pub struct Server {
    pub dir: PathBuf,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start(script: impl FnOnce(Conn) + Send + 'static) -> Server {
        static COUNT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "minimega-hostile-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let listener = UnixListener::bind(dir.join("minimega")).unwrap();
        let thread = std::thread::spawn(move || {
            if let Ok((stream, _)) = listener.accept() {
                script(Conn::new(stream));
            }
        });
        Server {
            dir,
            thread: Some(thread),
        }
    }

    pub fn client(&self) -> Client {
        Client::connect_base(&self.dir).unwrap()
    }

    pub fn builder(&self) -> minimega_client::ClientBuilder {
        Client::builder().base(&self.dir)
    }

    #[cfg(feature = "tokio")]
    pub async fn async_client(&self) -> minimega_client::AsyncClient {
        minimega_client::AsyncClient::connect_base(&self.dir)
            .await
            .unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A script may still wait on its client; closing the socket file is
        // enough for tests that already got their answer.
        if let Some(thread) = self.thread.take() {
            if thread.is_finished() {
                let _ = thread.join();
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The server's side of one connection.
pub struct Conn {
    pub reader: BufReader<UnixStream>,
    pub writer: UnixStream,
}

impl Conn {
    pub fn new(stream: UnixStream) -> Conn {
        Conn {
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
        }
    }

    /// The next request's command (or suggestion) text; `None` at EOF.
    pub fn request(&mut self) -> Option<String> {
        let mut line = String::new();
        if self.reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let request: serde_json::Value = serde_json::from_str(&line).ok()?;
        Some(
            request["Command"]
                .as_str()
                .or_else(|| request["Suggest"].as_str())
                .unwrap_or_default()
                .to_owned(),
        )
    }

    pub fn send(&mut self, line: &str) {
        let _ = self.writer.write_all(format!("{line}\n").as_bytes());
    }

    /// One message answering `text` on host `h`.
    pub fn answer(&mut self, text: &str, more: bool) {
        self.send(&message(text, more));
    }

    /// Answers every further request by echoing its last word.
    pub fn echo_the_rest(mut self) {
        while let Some(command) = self.request() {
            let last = command.rsplit(' ').next().unwrap_or_default().to_owned();
            self.answer(&last, false);
        }
    }
}

pub fn message(text: &str, more: bool) -> String {
    serde_json::json!({
        "Resp": [{"Host": "h", "Response": text, "Header": null, "Tabular": null, "Error": "", "Data": null}],
        "Rendered": format!("h: {text}"),
        "More": more,
        "Status": false,
    })
    .to_string()
}

pub fn status(text: &str) -> String {
    serde_json::json!({"Resp": null, "Rendered": text, "More": false, "Status": true}).to_string()
}

pub fn echo<T>(target: T, word: &str) -> Line<T> {
    Line(Builder::new(target).word("echo").arg("args", word))
}

pub fn read<T>(target: T) -> Line<T> {
    Line(Builder::new(target).word("read").arg("file", "script.mm"))
}

/// Slack allowed past a deadline in these tests: far more than the checks
/// need, far less than what they catch.
pub const SLACK: Duration = Duration::from_millis(300);

/// Reads requests and answers none, until the client hangs up.
pub fn stall(mut conn: Conn) {
    while conn.request().is_some() {}
}

/// Answers `read` with three messages, then echoes.
pub fn three_message_read(mut conn: Conn) {
    conn.request();
    conn.answer("one", true);
    conn.answer("two", true);
    conn.answer("three", false);
    conn.echo_the_rest();
}

/// Answers the first request with `More` forever, until the client leaves.
pub fn endless_more(mut conn: Conn) {
    conn.request();
    let line = message("again", true) + "\n";
    while conn.writer.write_all(line.as_bytes()).is_ok() {}
}
