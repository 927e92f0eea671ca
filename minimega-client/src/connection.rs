//! The socket itself: writing requests and reading newline-terminated
//! messages, each bounded by a deadline.
//!
//! Lines are read by hand rather than through `BufRead::read_line` so that
//! the timeout is recomputed before every read: a slow server that trickles
//! bytes cannot stretch a deadline.

use std::io::{self, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Instant;

use crate::protocol::Request;

/// Longest line accepted; more is taken for a broken server rather than
/// buffered until memory runs out.
const MAX_LINE: usize = 512 << 20;

/// Why reading or writing stopped.
#[derive(Debug)]
pub(crate) enum Fault {
    /// The deadline passed.
    Timeout,
    /// The server closed the socket.
    Eof,
    /// The line is not text, or too long.
    BadLine(String, String),
    /// Any other I/O error.
    Io(io::Error),
}

pub(crate) struct Connection {
    stream: UnixStream,
    buf: Vec<u8>,
    /// How far `buf` is known to hold no newline.
    scanned: usize,
}

impl Connection {
    pub(crate) fn open(path: &Path) -> io::Result<Connection> {
        Ok(Connection {
            stream: UnixStream::connect(path)?,
            buf: Vec::new(),
            scanned: 0,
        })
    }

    pub(crate) fn send(
        &mut self,
        request: &Request,
        deadline: Option<Instant>,
    ) -> Result<(), Fault> {
        let mut bytes = serde_json::to_vec(request).map_err(|e| Fault::Io(e.into()))?;
        bytes.push(b'\n');
        self.stream
            .set_write_timeout(remaining(deadline)?)
            .map_err(Fault::Io)?;
        self.stream.write_all(&bytes).map_err(|e| match e.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Fault::Timeout,
            io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset => Fault::Eof,
            _ => Fault::Io(e),
        })
    }

    /// The next non-blank line, without its newline.
    pub(crate) fn read_line(&mut self, deadline: Option<Instant>) -> Result<String, Fault> {
        loop {
            if let Some(offset) = self.buf[self.scanned..].iter().position(|&b| b == b'\n') {
                let end = self.scanned + offset;
                let line: Vec<u8> = self.buf.drain(..=end).take(end).collect();
                self.scanned = 0;
                let line = String::from_utf8(line).map_err(|e| {
                    let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                    Fault::BadLine(text, "not UTF-8".to_owned())
                })?;
                if line.trim().is_empty() {
                    continue;
                }
                return Ok(line);
            }
            self.scanned = self.buf.len();
            if self.buf.len() > MAX_LINE {
                let start = String::from_utf8_lossy(&self.buf[..200]).into_owned();
                return Err(Fault::BadLine(
                    start,
                    format!("line longer than {MAX_LINE} bytes"),
                ));
            }
            self.stream
                .set_read_timeout(remaining(deadline)?)
                .map_err(Fault::Io)?;
            let mut chunk = [0u8; 16 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err(Fault::Eof),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) => match e.kind() {
                    io::ErrorKind::Interrupted => {}
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => {
                        return Err(Fault::Timeout)
                    }
                    io::ErrorKind::ConnectionReset => return Err(Fault::Eof),
                    _ => return Err(Fault::Io(e)),
                },
            }
        }
    }
}

/// The time left before `deadline`, as a socket timeout (`None`: no limit).
fn remaining(deadline: Option<Instant>) -> Result<Option<std::time::Duration>, Fault> {
    match deadline {
        None => Ok(None),
        Some(deadline) => {
            let left = deadline.saturating_duration_since(Instant::now());
            // A zero socket timeout is an error, not "expired".
            if left.is_zero() {
                Err(Fault::Timeout)
            } else {
                Ok(Some(left))
            }
        }
    }
}
