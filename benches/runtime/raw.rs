//! The baseline client: the least a hand-written client does. It writes
//! `{"Command":…}`, reads one line per message with a `BufReader`, parses it
//! into a `serde_json::Value` and looks for a host's error; no checks, no
//! timeouts, no status handling. It waits for an answer in a blocking
//! read, or (`connect_epoll`) in `epoll_wait` as an async runtime does.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::Path;

use serde_json::Value;

/// A minimal client on its own connection.
pub struct RawClient {
    reader: BufReader<Waiting>,
    writer: UnixStream,
    request: Vec<u8>,
    line: Vec<u8>,
}

impl RawClient {
    /// Connects to the command socket at `path`; reads block.
    pub fn connect(path: &Path) -> io::Result<RawClient> {
        RawClient::with_reader(path, |stream| {
            Ok(Waiting {
                stream,
                epoll: None,
                drained: false,
            })
        })
    }

    /// Connects to the command socket at `path`; a read waits in
    /// `epoll_wait` and then reads without blocking. The socket is
    /// registered as the async client registers it (for reading alone,
    /// edge-triggered): the least a client waiting as the async one does
    /// pays.
    pub fn connect_epoll(path: &Path) -> io::Result<RawClient> {
        RawClient::with_reader(path, |stream| {
            stream.set_nonblocking(true)?;
            // SAFETY: a plain call; the descriptor it returns is owned
            // below.
            let epoll = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
            if epoll < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: `epoll` was just created and nothing else owns it.
            let epoll = unsafe { OwnedFd::from_raw_fd(epoll) };
            let mut event = libc::epoll_event {
                events: (libc::EPOLLIN | libc::EPOLLET) as u32,
                u64: 0,
            };
            // SAFETY: both descriptors are open; `event` is valid for the call.
            let added = unsafe {
                libc::epoll_ctl(
                    epoll.as_raw_fd(),
                    libc::EPOLL_CTL_ADD,
                    stream.as_raw_fd(),
                    &mut event,
                )
            };
            if added < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(Waiting {
                stream,
                epoll: Some(epoll),
                drained: true,
            })
        })
    }

    fn with_reader(
        path: &Path,
        reader: impl FnOnce(UnixStream) -> io::Result<Waiting>,
    ) -> io::Result<RawClient> {
        let writer = UnixStream::connect(path)?;
        Ok(RawClient {
            reader: BufReader::new(reader(writer.try_clone()?)?),
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

/// The socket a [`RawClient`] reads, and how it waits for bytes.
struct Waiting {
    stream: UnixStream,
    /// An epoll set holding `stream` (non-blocking), or `None` for a
    /// blocking read.
    epoll: Option<OwnedFd>,
    /// Whether the last read emptied the socket, so that the next one
    /// waits in `epoll_wait` first instead of making a read that can only
    /// find nothing (as tokio forgets a drained socket's readiness).
    drained: bool,
}

impl Read for Waiting {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(epoll) = &self.epoll else {
            return self.stream.read(buf);
        };
        loop {
            if self.drained {
                let mut event = libc::epoll_event { events: 0, u64: 0 };
                // SAFETY: `event` is valid for one event for the whole call.
                let ready = unsafe { libc::epoll_wait(epoll.as_raw_fd(), &mut event, 1, -1) };
                if ready < 0 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                    return Err(io::Error::last_os_error());
                }
            }
            match self.stream.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.drained = true,
                Ok(n) => {
                    self.drained = n < buf.len();
                    return Ok(n);
                }
                Err(e) => return Err(e),
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
