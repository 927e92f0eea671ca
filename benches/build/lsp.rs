//! A minimal Language Server Protocol client over a child's standard input
//! and output: enough to start rust-analyzer, wait for it to finish
//! indexing, open a file and ask for completions.

use std::io::{self, BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Writes one message with its `Content-Length` header.
pub fn frame(message: &Value) -> Vec<u8> {
    let body = message.to_string();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

/// Reads one message; `Ok(None)` at the end of the stream.
pub fn read_message(reader: &mut impl BufRead) -> io::Result<Option<Value>> {
    let mut length = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 {
            return Ok(None);
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some(value) = header.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let length = length.ok_or_else(|| io::Error::other("a message without Content-Length"))?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    serde_json::from_slice(&body)
        .map(Some)
        .map_err(io::Error::other)
}

/// A running language server.
pub struct Server {
    child: Child,
    input: ChildStdin,
    messages: Receiver<Value>,
    next_id: u64,
}

impl Server {
    /// Starts `program` in `dir`, with `env` added to its environment.
    pub fn start(
        program: &std::path::Path,
        dir: &std::path::Path,
        env: &[(&str, &str)],
    ) -> io::Result<Server> {
        let mut child = Command::new(program)
            .current_dir(dir)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let input = child
            .stdin
            .take()
            .ok_or_else(|| io::Error::other("no stdin"))?;
        let output = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no stdout"))?;
        let (send, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(output);
            while let Ok(Some(message)) = read_message(&mut reader) {
                if send.send(message).is_err() {
                    break;
                }
            }
        });
        Ok(Server {
            child,
            input,
            messages,
            next_id: 0,
        })
    }

    fn send(&mut self, message: &Value) -> io::Result<()> {
        self.input.write_all(&frame(message))?;
        self.input.flush()
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) -> io::Result<()> {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}))
    }

    /// Sends a request and waits up to `timeout` for its result, answering
    /// the server's own requests and handing its notifications to
    /// `on_note` meanwhile.
    pub fn request(
        &mut self,
        method: &str,
        params: Value,
        timeout: Duration,
        on_note: &mut dyn FnMut(&Value),
    ) -> io::Result<Value> {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        let deadline = Instant::now() + timeout;
        loop {
            let message = self.next(deadline)?;
            if message.get("method").is_none() && message["id"] == json!(id) {
                if let Some(error) = message.get("error") {
                    return Err(io::Error::other(format!("{method}: {error}")));
                }
                return Ok(message["result"].clone());
            }
            on_note(&message);
        }
    }

    /// Waits up to `timeout` until `done` holds for a notification.
    pub fn wait_for(
        &mut self,
        timeout: Duration,
        done: &mut dyn FnMut(&Value) -> bool,
    ) -> io::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if done(&self.next(deadline)?) {
                return Ok(());
            }
        }
    }

    /// The next message that is not a request of the server's (those are
    /// answered here: with `null`, or one `null` per configuration item).
    fn next(&mut self, deadline: Instant) -> io::Result<Value> {
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = match self.messages.recv_timeout(left) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) => {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "no answer in time"))
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(io::Error::other("the server exited"))
                }
            };
            match (message.get("id"), message.get("method")) {
                (Some(id), Some(method)) => {
                    let result = if method == "workspace/configuration" {
                        let items = message["params"]["items"].as_array().map_or(0, Vec::len);
                        Value::Array(vec![Value::Null; items])
                    } else {
                        Value::Null
                    };
                    self.send(&json!({"jsonrpc": "2.0", "id": id, "result": result}))?;
                }
                _ => return Ok(message),
            }
        }
    }

    /// Asks the server to shut down, then stops it.
    pub fn stop(mut self) {
        let _ = self.request(
            "shutdown",
            Value::Null,
            Duration::from_secs(10),
            &mut |_| {},
        );
        let _ = self.notify("exit", Value::Null);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
