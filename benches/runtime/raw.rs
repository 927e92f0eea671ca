//! The baseline client: the least a hand-written client does. It writes
//! `{"Command":…}`, reads one line per message with a `BufReader`, parses it
//! into a `serde_json::Value` and looks for a host's error; no checks, no
//! timeouts, no status handling.

use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;

use serde_json::Value;

/// A minimal client on its own connection.
pub struct RawClient {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    request: Vec<u8>,
    line: Vec<u8>,
}

impl RawClient {
    /// Connects to the command socket at `path`.
    pub fn connect(path: &Path) -> io::Result<RawClient> {
        let writer = UnixStream::connect(path)?;
        Ok(RawClient {
            reader: BufReader::new(writer.try_clone()?),
            writer,
            request: Vec::new(),
            line: Vec::new(),
        })
    }

    fn send(&mut self, line: &str) -> Result<(), String> {
        self.request.clear();
        self.request.extend_from_slice(b"{\"Command\":");
        serde_json::to_writer(&mut self.request, line).map_err(|e| e.to_string())?;
        self.request.extend_from_slice(b"}\n");
        self.writer
            .write_all(&self.request)
            .map_err(|e| e.to_string())
    }

    /// Reads the next line into `self.line`, without its newline.
    fn read_line(&mut self) -> Result<(), String> {
        self.line.clear();
        match self.reader.read_until(b'\n', &mut self.line) {
            Ok(0) => Err("minimega closed the connection".to_owned()),
            Ok(_) => {
                if self.line.last() == Some(&b'\n') {
                    self.line.pop();
                }
                Ok(())
            }
            Err(e) => Err(e.to_string()),
        }
    }

    /// Runs a command whose answer is one message, as `echo` and `vm
    /// config` are: one line read.
    pub fn command(&mut self, line: &str) -> Result<Value, String> {
        self.send(line)?;
        self.read_line()?;
        parse(&self.line)
    }

    /// Runs a command and reads every message of its answer, handing each
    /// line and its parsed value to `each`.
    pub fn answer(&mut self, line: &str, mut each: impl FnMut(&[u8], Value)) -> Result<(), String> {
        self.send(line)?;
        loop {
            self.read_line()?;
            let message = parse(&self.line)?;
            let more = message["More"].as_bool() == Some(true);
            each(&self.line, message);
            if !more {
                return Ok(());
            }
        }
    }
}

/// Parses one message and fails on the first host's error in it.
fn parse(line: &[u8]) -> Result<Value, String> {
    let message: Value = serde_json::from_slice(line).map_err(|e| e.to_string())?;
    let error = message["Resp"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|resp| resp["Error"].as_str())
        .find(|error| !error.is_empty());
    match error {
        Some(error) => Err(error.to_owned()),
        None => Ok(message),
    }
}
