//! The wire: one socket to minimega (or the reason it closed), one request
//! in flight at a time, the messages of its answer, status delivery, and the
//! rule that a fault closes the connection.
//!
//! An answer is every message up to the first non-status one with `More:
//! false`. The connection remembers an answer that is still arriving, so an
//! answer that was not read to its end (a stream dropped or forgotten, a
//! panicking handler) is finished before the next request is written, or
//! the connection is closed: one command's answer is never read as
//! another's. A message that arrives while no request is in flight (other
//! than a status message) is an error, for the same reason.
//!
//! Lines are read by hand rather than through `BufRead::read_line` so that
//! the timeout is recomputed before every read: a slow server that trickles
//! bytes cannot stretch a deadline. Nor can lines that arrived long ago (a
//! flood of status messages, each handled slowly): a line is handed out
//! only while the deadline has not passed. What a deadline cannot cut short
//! is work already begun: parsing one line that was read in time (bounded
//! by the line cap) and one call of the status handler.

use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{excerpt, Error, EXCERPT};
use crate::options::Limits;
use crate::protocol::{Message, Request};

/// Calls the user's handler with a status message's text.
pub(crate) type StatusHandler = Box<dyn FnMut(&str) + Send>;

/// A read buffer that grew past this is given back once it is empty, so a
/// single huge answer does not pin its memory for the client's life.
const KEEP_BUFFER: usize = 1 << 20;

/// The free space each read of the socket asks for, at least.
const READ_CHUNK: usize = 64 * 1024;

/// When an operation must end, and the timeout it came from (for messages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Deadline {
    at: Option<Instant>,
    after: Option<Duration>,
}

impl Deadline {
    /// `timeout` from now; `None`, or a timeout too large to add to the
    /// clock, means no limit.
    pub(crate) fn after(timeout: Option<Duration>) -> Deadline {
        Deadline {
            at: timeout.and_then(|t| Instant::now().checked_add(t)),
            after: timeout,
        }
    }

    /// The earlier of the two.
    pub(crate) fn min(self, other: Deadline) -> Deadline {
        match (self.at, other.at) {
            (Some(a), Some(b)) if b < a => other,
            (None, Some(_)) => other,
            _ => self,
        }
    }

    /// Whether the deadline has passed.
    pub(crate) fn expired(&self) -> bool {
        self.at.is_some_and(|at| Instant::now() >= at)
    }

    /// `Err(Fault::Timeout)` once the deadline has passed.
    fn check(&self) -> Result<(), Fault> {
        if self.expired() {
            Err(Fault::Timeout)
        } else {
            Ok(())
        }
    }

    /// The time left, as a socket timeout: `Ok(None)` for no limit.
    fn remaining(&self) -> Result<Option<Duration>, Fault> {
        match self.at {
            None => Ok(None),
            Some(at) => {
                let left = at.saturating_duration_since(Instant::now());
                // A zero socket timeout means "block forever", not "expired".
                if left.is_zero() {
                    Err(Fault::Timeout)
                } else {
                    Ok(Some(left))
                }
            }
        }
    }
}

/// Why reading or writing stopped.
#[derive(Debug)]
enum Fault {
    /// The deadline passed.
    Timeout,
    /// The deadline passed before any byte of the request was written:
    /// nothing happened, and the connection is as it was.
    NotSent,
    /// The deadline passed while the answer to the earlier request (named)
    /// was still arriving, before the new one could be sent.
    Unfinished(String),
    /// The server closed the socket.
    Eof,
    /// A line that is not a message of the protocol.
    BadLine(Vec<u8>, String),
    /// A message while no request was in flight.
    Unsolicited(Vec<u8>),
    /// Any other I/O error.
    Io(io::Error),
}

/// One message of an answer.
#[derive(Debug)]
pub(crate) enum Frame {
    /// A status message: progress, not part of the answer.
    Status(String),
    /// A message of the answer, with its size on the wire; the last has
    /// `more == false`.
    Answer(Message, usize),
}

/// The socket and the bytes read from it that no message has taken yet.
///
/// Bytes are received straight into `buf`, and a line is parsed where it
/// lies: a message is never copied between the socket and its parse.
struct Socket {
    stream: UnixStream,
    /// Bytes read; `buf[start..]` are the ones no line has taken yet.
    buf: Vec<u8>,
    start: usize,
    /// How far `buf` is known to hold no newline.
    scanned: usize,
    /// The read timeout last set on the socket, to skip setting it again.
    read_timeout: Option<Duration>,
    /// The write timeout last set on the socket, likewise.
    write_timeout: Option<Duration>,
}

impl Socket {
    /// Writes all of `bytes` within the deadline. A deadline that passes
    /// before the first byte is written is [`Fault::NotSent`]: the socket
    /// is as it was, so the connection need not close.
    fn write_all(&mut self, bytes: &[u8], deadline: Deadline) -> Result<(), Fault> {
        let mut rest = bytes;
        while !rest.is_empty() {
            match self.write_some(rest, deadline) {
                Ok(n) => rest = &rest[n..],
                Err(Fault::Timeout) if rest.len() == bytes.len() => return Err(Fault::NotSent),
                Err(fault) => return Err(fault),
            }
        }
        Ok(())
    }

    /// One write, given only what is left of the deadline; `Ok(0)` if a
    /// signal interrupted it.
    fn write_some(&mut self, bytes: &[u8], deadline: Deadline) -> Result<usize, Fault> {
        let timeout = deadline.remaining()?;
        if timeout != self.write_timeout {
            self.stream.set_write_timeout(timeout).map_err(Fault::Io)?;
            self.write_timeout = timeout;
        }
        match self.stream.write(bytes) {
            Ok(0) => Err(Fault::Eof),
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(0),
            Err(e) => Err(io_fault(e)),
        }
    }

    /// The next non-blank line, without its newline: waiting for it until
    /// the deadline, or (`wait` is `None`) taking only what has already
    /// arrived, `Ok(None)` if that holds no whole line. It stays in the
    /// buffer until the next read; [`Socket::release`] gives a large buffer
    /// back once its lines are taken. Once the deadline has passed no line
    /// is handed out, even one that is already here: it stays for a later
    /// read.
    fn read_line(
        &mut self,
        wait: Option<Deadline>,
        limits: &Limits,
    ) -> Result<Option<&[u8]>, Fault> {
        loop {
            if let Some(line) = self.take_line() {
                if line.len() > limits.max_line {
                    return Err(self.too_long(line.start, limits));
                }
                if self.buf[line.clone()].iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                // Put back: it stays for whoever reads next.
                if let Some(Err(fault)) = wait.map(|deadline| deadline.check()) {
                    self.start = line.start;
                    self.scanned = line.start;
                    return Err(fault);
                }
                return Ok(Some(&self.buf[line]));
            }
            if self.buf.len() - self.start > limits.max_line {
                return Err(self.too_long(self.start, limits));
            }
            match wait {
                Some(deadline) => {
                    let timeout = deadline.remaining()?;
                    if timeout != self.read_timeout {
                        self.stream.set_read_timeout(timeout).map_err(Fault::Io)?;
                        self.read_timeout = timeout;
                    }
                    self.fill(false)?;
                }
                None if self.fill(true)? == 0 => return Ok(None),
                None => {}
            }
        }
    }

    /// The fault for a line over the cap that starts at `start`: the buffer
    /// is dropped, since the connection closes.
    fn too_long(&mut self, start: usize, limits: &Limits) -> Fault {
        let head = self.buf[start..][..200.min(self.buf.len() - start)].to_vec();
        self.buf = Vec::new();
        self.start = 0;
        self.scanned = 0;
        Fault::BadLine(
            head,
            format!("a line longer than {} bytes", limits.max_line),
        )
    }

    /// Where the next whole line in the buffer lies, if there is one; it
    /// counts as taken from then on.
    fn take_line(&mut self) -> Option<std::ops::Range<usize>> {
        let from = self.scanned.max(self.start);
        let Some(offset) = memchr::memchr(b'\n', &self.buf[from..]) else {
            self.scanned = self.buf.len();
            return None;
        };
        let end = from + offset;
        let line = self.start..end;
        self.start = end + 1;
        self.scanned = self.start;
        Some(line)
    }

    /// Forgets the lines already taken; a buffer that grew past
    /// [`KEEP_BUFFER`] is given back once nothing in it is left to take.
    fn release(&mut self) {
        if self.start == 0 {
            return;
        }
        if self.start == self.buf.len() && self.buf.capacity() > KEEP_BUFFER {
            self.buf = Vec::new();
        } else {
            // Usually nothing, or the start of the next line, is left.
            self.buf.drain(..self.start);
        }
        self.scanned -= self.start;
        self.start = 0;
    }

    /// Reads what the socket has into the buffer: blocking up to the read
    /// timeout, or (`nonblocking`) only what has already arrived. Returns
    /// how many bytes came.
    fn fill(&mut self, nonblocking: bool) -> Result<usize, Fault> {
        self.release();
        self.buf.reserve(READ_CHUNK);
        let flags = if nonblocking { libc::MSG_DONTWAIT } else { 0 };
        loop {
            match recv_into(&self.stream, &mut self.buf, flags) {
                Ok(0) => return Err(Fault::Eof),
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if nonblocking && e.kind() == io::ErrorKind::WouldBlock => return Ok(0),
                Err(e) => return Err(io_fault(e)),
            }
        }
    }
}

/// `recv` into the free capacity of `buf`, which grows by what came: no
/// bounce buffer, and nothing zeroed first. `MSG_DONTWAIT` reads only
/// what has arrived, without switching the socket's mode; without it the
/// socket's read timeout applies, as for `read`.
fn recv_into(stream: &UnixStream, buf: &mut Vec<u8>, flags: libc::c_int) -> io::Result<usize> {
    let spare = buf.spare_capacity_mut();
    // SAFETY: `spare` is valid for writes of `spare.len()` bytes for the
    // whole call, and the descriptor belongs to `stream`, which outlives it.
    let n = unsafe {
        libc::recv(
            stream.as_raw_fd(),
            spare.as_mut_ptr().cast(),
            spare.len(),
            flags,
        )
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    let n = n.unsigned_abs();
    // SAFETY: the kernel wrote `n` (at most `spare.len()`) bytes right
    // after the initialised ones.
    unsafe { buf.set_len(buf.len() + n) };
    Ok(n)
}

/// The fault for a line that is not a message: only its start is kept, for
/// the error to quote.
fn bad_line(line: &[u8], reason: String) -> Fault {
    // Enough bytes for the characters an error quotes, however wide.
    Fault::BadLine(line[..line.len().min(4 * EXCERPT)].to_vec(), reason)
}

fn io_fault(e: io::Error) -> Fault {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Fault::Timeout,
        io::ErrorKind::BrokenPipe
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted => Fault::Eof,
        _ => Fault::Io(e),
    }
}

/// The request whose answer is still arriving.
#[derive(Debug)]
struct InFlight {
    /// The command (or suggestion) as sent, cut for messages.
    label: String,
}

/// The connection: open with at most one answer in flight, or closed.
pub(crate) struct Connection {
    socket: Result<Socket, String>,
    in_flight: Option<InFlight>,
    /// Status messages that arrived while no request was in flight: they
    /// are handed out first with the next answer, as if read during it.
    carried: std::collections::VecDeque<String>,
    on_status: Option<StatusHandler>,
    limits: Limits,
}

impl Connection {
    pub(crate) fn open(path: &Path, limits: Limits) -> io::Result<Connection> {
        Ok(Connection {
            socket: Ok(Socket::connect(path)?),
            in_flight: None,
            carried: std::collections::VecDeque::new(),
            on_status: None,
            limits,
        })
    }

    /// Replaces the socket with a fresh one to `path`, keeping the settings.
    pub(crate) fn reopen(&mut self, path: &Path) -> io::Result<()> {
        self.socket = Ok(Socket::connect(path)?);
        self.in_flight = None;
        self.carried.clear();
        Ok(())
    }

    pub(crate) fn is_open(&self) -> bool {
        self.socket.is_ok()
    }

    pub(crate) fn close(&mut self, reason: String) {
        if self.socket.is_ok() {
            self.socket = Err(reason);
        }
        self.in_flight = None;
        self.carried.clear();
    }

    pub(crate) fn set_status_handler(&mut self, handler: Option<StatusHandler>) {
        self.on_status = handler;
    }

    pub(crate) fn limits(&self) -> Limits {
        self.limits
    }

    /// Calls the status handler, if any, with `text`.
    pub(crate) fn deliver_status(&mut self, text: &str) {
        if let Some(handler) = &mut self.on_status {
            handler(text);
        }
    }

    /// Whether an answer is still arriving.
    pub(crate) fn answer_in_flight(&self) -> bool {
        self.in_flight.is_some()
    }

    /// Writes `request`. An earlier answer still arriving is read to its end
    /// first (within `deadline`; status messages on the way go to the
    /// handler), and a message nobody asked for is an error. A deadline
    /// that passes before the first byte is written sends nothing and
    /// leaves the connection as it was (an earlier answer stays in flight).
    pub(crate) fn send(
        &mut self,
        request: &Request,
        label: &str,
        deadline: Deadline,
    ) -> Result<(), Error> {
        let label = excerpt(label);
        self.check_deadline(deadline, || label.clone())?;
        self.socket_mut()?;
        self.finish_earlier_answer(&label, deadline)?;
        self.take_unsolicited(&label)?;
        let mut bytes = serde_json::to_vec(request).map_err(|e| Error::Io {
            command: label.clone(),
            source: e.into(),
        })?;
        bytes.push(b'\n');
        let result = self.socket_mut()?.write_all(&bytes, deadline);
        result.map_err(|fault| self.fail(fault, &label, deadline))?;
        self.in_flight = Some(InFlight { label });
        Ok(())
    }

    /// Fails as [`Connection::send`] would if `deadline` has already
    /// passed: nothing is sent, and the connection stays as it was. Checked
    /// before a request is prepared too, since checking and rendering a
    /// huge line takes long; `label` names the command only then.
    pub(crate) fn check_deadline(
        &mut self,
        deadline: Deadline,
        label: impl FnOnce() -> String,
    ) -> Result<(), Error> {
        if !deadline.expired() {
            return Ok(());
        }
        // A closed connection says so rather than time out.
        self.socket_mut()?;
        Err(self.fail(Fault::NotSent, &label(), deadline))
    }

    /// The next message of the answer in flight, `None` once it has ended.
    /// A fault closes the connection.
    pub(crate) fn next_frame(&mut self, deadline: Deadline) -> Result<Option<Frame>, Error> {
        self.read_frame(deadline)
            .map_err(|fault| self.fail_in_flight(fault, deadline))
    }

    /// Like [`Connection::next_frame`], but a deadline that passes is no
    /// fault: `None`, with the rest of the answer left for later.
    pub(crate) fn drain_frame(&mut self, deadline: Deadline) -> Result<Option<Frame>, Error> {
        self.next_frame_or_leave(Deadline::after(None), deadline)
    }

    /// Like [`Connection::next_frame`], but when `leave` passes before
    /// `deadline` it is no fault: `None`, with the rest of the answer left
    /// for the next request to finish, as a dropped stream leaves it (a
    /// wait's deadline, which must not close the connection).
    pub(crate) fn next_frame_or_leave(
        &mut self,
        deadline: Deadline,
        leave: Deadline,
    ) -> Result<Option<Frame>, Error> {
        match self.read_frame(deadline.min(leave)) {
            Err(Fault::Timeout) if leave.expired() => Ok(None),
            read => read.map_err(|fault| self.fail_in_flight(fault, deadline)),
        }
    }

    fn read_frame(&mut self, deadline: Deadline) -> Result<Option<Frame>, Fault> {
        if self.in_flight.is_none() {
            return Ok(None);
        }
        if !self.carried.is_empty() {
            deadline.check()?;
            return Ok(self.carried.pop_front().map(Frame::Status));
        }
        let limits = self.limits;
        let Ok(socket) = &mut self.socket else {
            return Ok(None);
        };
        let Some(line) = socket.read_line(Some(deadline), &limits)? else {
            return Ok(None);
        };
        let size = line.len();
        let bound = crate::protocol::decoded_bound(line);
        if bound > limits.max_decoded {
            let reason = format!(
                "decoding it could take {bound} bytes of memory, over the {}-byte cap",
                limits.max_decoded
            );
            return Err(bad_line(line, reason));
        }
        let message = Message::parse(line).map_err(|reason| bad_line(line, reason))?;
        socket.release();
        if message.status {
            return Ok(Some(Frame::Status(message.rendered)));
        }
        if !message.more {
            self.in_flight = None;
        }
        Ok(Some(Frame::Answer(message, size)))
    }

    fn fail_in_flight(&mut self, fault: Fault, deadline: Deadline) -> Error {
        let label = self
            .in_flight
            .as_ref()
            .map(|f| f.label.clone())
            .unwrap_or_default();
        self.fail(fault, &label, deadline)
    }

    /// Reads the rest of an earlier answer before `label` is sent. Running
    /// out of time here is the new command's failure, not the earlier
    /// one's: the reason names the deadline that passed.
    fn finish_earlier_answer(&mut self, label: &str, deadline: Deadline) -> Result<(), Error> {
        while self.in_flight.is_some() {
            match self.read_frame(deadline) {
                Ok(Some(Frame::Status(text))) => self.deliver_status(&text),
                Ok(_) => {}
                Err(Fault::Timeout) => {
                    // Still in flight; the connection closes, which forgets it.
                    let earlier = self.in_flight.take().map(|f| f.label).unwrap_or_default();
                    return Err(self.fail(Fault::Unfinished(earlier), label, deadline));
                }
                Err(fault) => return Err(self.fail_in_flight(fault, deadline)),
            }
        }
        Ok(())
    }

    /// Reads whatever has arrived while no request was in flight: status
    /// messages are kept for the next answer; anything else is an error and
    /// closes the connection, since it could only be taken for the next
    /// answer.
    fn take_unsolicited(&mut self, label: &str) -> Result<(), Error> {
        let limits = self.limits;
        let mut carried: usize = self.carried.iter().map(String::len).sum();
        loop {
            let read = self.socket_mut()?.read_line(None, &limits);
            let fault = match read {
                Ok(None) => return Ok(()),
                // Kept for the next answer, so held to the answer cap: a
                // flood of status messages between commands cannot grow
                // without bound either.
                Ok(Some(line)) if carried.saturating_add(line.len()) > limits.max_answer => {
                    let reason = format!(
                        "status messages between commands over the {}-byte answer cap",
                        limits.max_answer
                    );
                    bad_line(line, reason)
                }
                Ok(Some(line)) => match Message::parse(line) {
                    Ok(message) if message.status => {
                        carried += line.len();
                        self.carried.push_back(message.rendered);
                        continue;
                    }
                    _ => Fault::Unsolicited(line.to_vec()),
                },
                Err(fault) => fault,
            };
            return Err(self.fail(fault, label, Deadline::after(None)));
        }
    }

    fn socket_mut(&mut self) -> Result<&mut Socket, Error> {
        match &mut self.socket {
            Ok(socket) => Ok(socket),
            Err(reason) => Err(Error::Closed {
                reason: reason.clone(),
            }),
        }
    }

    /// Turns a fault into an error about `label` (the command, already
    /// cut for messages), closing the connection: the rest of the answer
    /// may still be on its way, so the socket cannot be trusted to start at
    /// the next command's answer. Only a request of which nothing was
    /// written leaves it open.
    fn fail(&mut self, fault: Fault, label: &str, deadline: Deadline) -> Error {
        let command = label.to_owned();
        let after = deadline.after.unwrap_or_default();
        let error = match fault {
            Fault::NotSent => {
                return Error::Timeout {
                    command,
                    after,
                    sent: false,
                }
            }
            Fault::Unfinished(earlier) => {
                let reason = format!(
                    "the answer to `{earlier}` was still arriving when `{command}` was to be \
                     sent, and did not end within {after:?}"
                );
                self.close(reason.clone());
                return Error::Closed { reason };
            }
            Fault::Timeout => Error::Timeout {
                command,
                after,
                sent: true,
            },
            Fault::Eof => Error::Disconnected { command },
            Fault::BadLine(line, reason) => Error::Protocol {
                command,
                line: excerpt(&String::from_utf8_lossy(&line)),
                reason,
            },
            Fault::Unsolicited(line) => Error::Unsolicited {
                command,
                line: excerpt(&String::from_utf8_lossy(&line)),
            },
            Fault::Io(source) => Error::Io { command, source },
        };
        self.close(error.to_string());
        error
    }
}

impl Socket {
    fn connect(path: &Path) -> io::Result<Socket> {
        Ok(Socket {
            stream: UnixStream::connect(path)?,
            buf: Vec::new(),
            start: 0,
            scanned: 0,
            read_timeout: None,
            write_timeout: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair() -> (Socket, UnixStream) {
        let (ours, theirs) = UnixStream::pair().unwrap();
        let socket = Socket {
            stream: ours,
            buf: Vec::new(),
            start: 0,
            scanned: 0,
            read_timeout: None,
            write_timeout: None,
        };
        (socket, theirs)
    }

    #[test]
    fn a_huge_line_does_not_pin_its_buffer() {
        let (mut socket, mut peer) = pair();
        let writer = std::thread::spawn(move || {
            let huge = vec![b'x'; 8 << 20];
            peer.write_all(&huge).unwrap();
            peer.write_all(b"\n").unwrap();
            peer
        });
        let line = socket
            .read_line(Some(Deadline::after(None)), &Limits::default())
            .unwrap();
        assert_eq!(line.map(<[u8]>::len), Some(8 << 20));
        // As `Connection::read_frame` does once the line is parsed.
        socket.release();
        let mut peer = writer.join().unwrap();
        assert!(
            socket.buf.capacity() <= KEEP_BUFFER,
            "{}",
            socket.buf.capacity()
        );
        peer.write_all(b"small\n").unwrap();
        let line = socket
            .read_line(Some(Deadline::after(None)), &Limits::default())
            .unwrap();
        assert_eq!(line, Some(&b"small"[..]));
    }

    #[test]
    fn a_deadline_too_far_away_means_no_limit() {
        let far = Deadline::after(Some(Duration::MAX));
        assert_eq!(far.at, None);
        assert!(!far.expired());
        assert!(Deadline::after(Some(Duration::ZERO)).expired());
    }
}
