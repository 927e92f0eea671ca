//! The wire: one socket to minimega (or the reason it closed), one request
//! in flight at a time, the messages of its answer, status delivery, and the
//! rule that a fault closes the connection.
//!
//! An answer is every message up to the first non-status one with `More:
//! false`. The connection remembers an answer that is still arriving (and
//! a request not yet wholly written), so an answer that was not read to its
//! end (a stream dropped or forgotten, a panicking handler, an async future
//! dropped part-way) is finished before the next request is written, or the
//! connection is closed: one command's answer is never read as another's. A
//! message that arrives while no request is in flight (other than a status
//! message) is an error, for the same reason.
//!
//! [`Connection`] is generic over its I/O: every rule above, the line
//! buffer and its caps, decoding and the fault that closes the connection
//! live in methods shared by the blocking I/O here ([`Blocking`]) and the
//! async one (`tokio_io`, feature `tokio`); those only wait for bytes and
//! write them.
//!
//! Lines are read by hand rather than through `BufRead::read_line` so that
//! the timeout is recomputed before every read: a slow server that trickles
//! bytes cannot stretch a deadline. Nor can lines that arrived long ago (a
//! flood of status messages, each handled slowly): a line is handed out
//! only while the deadline has not passed. What a deadline cannot cut short
//! is work already begun: parsing one line that was read in time (bounded
//! by the line cap) and one call of the status handler.

use std::io;
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::excerpt::{excerpt, EXCERPT};
use crate::options::Limits;
use crate::protocol::{Message, Request};

mod blocking;
#[cfg(feature = "tokio")]
pub(crate) mod tokio_io;

pub(crate) use blocking::Blocking;

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

    /// When it passes; `None` for no limit.
    #[cfg_attr(not(feature = "tokio"), allow(dead_code))]
    pub(crate) fn at(&self) -> Option<Instant> {
        self.at
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
pub(crate) enum Fault {
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

/// What the bytes already received give, without waiting for more.
#[derive(Debug)]
pub(crate) enum Buffered {
    /// The next message of the answer in flight.
    Frame(Frame),
    /// The answer has ended (or none is in flight).
    Ended,
    /// No whole line yet: the I/O must wait for bytes.
    NeedBytes,
}

/// The bytes read from the socket that no message has taken yet.
///
/// Bytes are received straight into `buf`, and a line is parsed where it
/// lies: a message is never copied between the socket and its parse.
#[derive(Debug, Default)]
struct LineBuf {
    /// Bytes read; `buf[start..]` are the ones no line has taken yet.
    buf: Vec<u8>,
    start: usize,
    /// How far `buf` is known to hold no newline.
    scanned: usize,
}

impl LineBuf {
    /// Where the next non-blank whole line lies, if one has arrived; it
    /// stays in the buffer until the next read, and [`LineBuf::release`]
    /// gives a large buffer back once its lines are taken. A line, or the
    /// start of one, over the cap is a fault.
    fn next_line(&mut self, limits: &Limits) -> Result<Option<std::ops::Range<usize>>, Fault> {
        while let Some(line) = self.take_line() {
            if line.len() > limits.max_line {
                return Err(self.too_long(line.start, limits));
            }
            if self.buf[line.clone()].iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Ok(Some(line));
        }
        if self.buf.len() - self.start > limits.max_line {
            return Err(self.too_long(self.start, limits));
        }
        Ok(None)
    }

    /// The fault for a line over the cap that starts at `start`: the buffer
    /// is dropped, since the connection closes.
    fn too_long(&mut self, start: usize, limits: &Limits) -> Fault {
        let head = self.buf[start..][..200.min(self.buf.len() - start)].to_vec();
        *self = LineBuf::default();
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

    /// Receives what `fd` has (see [`recv_into`]) after the bytes kept.
    fn recv(&mut self, fd: RawFd, flags: libc::c_int) -> io::Result<usize> {
        self.make_room();
        recv_into(fd, &mut self.buf, flags)
    }

    /// The free space after the bytes kept, at least [`READ_CHUNK`], for a
    /// read to fill (see [`recv_into`]).
    fn make_room(&mut self) -> &mut [std::mem::MaybeUninit<u8>] {
        self.release();
        self.buf.reserve(READ_CHUNK);
        self.buf.spare_capacity_mut()
    }
}

/// The socket under an I/O, for the part every I/O does alike: taking,
/// without waiting, what arrived while no request was in flight.
pub(crate) trait Socket {
    /// The socket's descriptor.
    fn fd(&self) -> RawFd;
}

impl<S: Socket> Connection<S> {
    /// Reads whatever has arrived while no request was in flight (see
    /// [`Connection::unsolicited_line`]), without waiting.
    fn take_unsolicited(&mut self, label: &str) -> Result<(), Error> {
        let mut carried = self.carried_bytes();
        loop {
            let fault = match self.unsolicited_line(&mut carried) {
                Ok(true) => continue,
                Ok(false) => match self.fill_now() {
                    Ok(0) => return Ok(()),
                    Ok(_) => continue,
                    Err(fault) => fault,
                },
                Err(fault) => fault,
            };
            return Err(self.fail(fault, label, Deadline::after(None)));
        }
    }

    /// Receives what has already arrived: one non-blocking `recv`, whatever
    /// the I/O (an async reactor may not have seen these bytes yet, and
    /// they must be seen before the next request is written).
    fn fill_now(&mut self) -> Result<usize, Fault> {
        let Ok(io) = &self.io else {
            return Err(Fault::Eof);
        };
        let fd = io.fd();
        loop {
            match self.buf.recv(fd, libc::MSG_DONTWAIT) {
                Ok(0) => return Err(Fault::Eof),
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(0),
                Err(e) => return Err(io_fault(e)),
            }
        }
    }
}

/// `recv` into the free capacity of `buf`, which grows by what came: no
/// bounce buffer, and nothing zeroed first. `MSG_DONTWAIT` reads only
/// what has arrived, without switching the socket's mode; without it the
/// socket's read timeout applies, as for `read`.
fn recv_into(fd: RawFd, buf: &mut Vec<u8>, flags: libc::c_int) -> io::Result<usize> {
    let spare = buf.spare_capacity_mut();
    // SAFETY: `spare` is valid for writes of `spare.len()` bytes for the
    // whole call; the caller's socket owns `fd` and outlives the call.
    let n = unsafe { libc::recv(fd, spare.as_mut_ptr().cast(), spare.len(), flags) };
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

pub(crate) fn io_fault(e: io::Error) -> Fault {
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

/// The connection: open with at most one answer in flight, or closed. `S`
/// is its I/O: [`Blocking`], or tokio's socket.
pub(crate) struct Connection<S> {
    io: Result<S, String>,
    buf: LineBuf,
    in_flight: Option<InFlight>,
    /// The request in flight's bytes and how many are written: a write cut
    /// short (an async future dropped part-way) is finished before anything
    /// else is read or written, since half a request would run into the
    /// next.
    unsent: Vec<u8>,
    written: usize,
    /// Status messages that arrived while no request was in flight: they
    /// are handed out first with the next answer, as if read during it.
    carried: std::collections::VecDeque<String>,
    on_status: Option<StatusHandler>,
    limits: Limits,
}

/// The parts every I/O shares: state, buffer, decoding, the rules.
impl<S> Connection<S> {
    fn with_io(io: S, limits: Limits) -> Connection<S> {
        Connection {
            io: Ok(io),
            buf: LineBuf::default(),
            in_flight: None,
            unsent: Vec::new(),
            written: 0,
            carried: std::collections::VecDeque::new(),
            on_status: None,
            limits,
        }
    }

    /// Puts a fresh socket in, keeping the settings.
    fn replace_io(&mut self, io: S) {
        self.io = Ok(io);
        self.forget_answer();
    }

    fn forget_answer(&mut self) {
        self.buf = LineBuf::default();
        self.in_flight = None;
        self.unsent = Vec::new();
        self.written = 0;
        self.carried.clear();
    }

    pub(crate) fn is_open(&self) -> bool {
        self.io.is_ok()
    }

    pub(crate) fn close(&mut self, reason: String) {
        if self.io.is_ok() {
            self.io = Err(reason);
        }
        self.forget_answer();
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

    /// The label of the request in flight, if any.
    fn in_flight_label(&self) -> Option<String> {
        self.in_flight.as_ref().map(|f| f.label.clone())
    }

    fn io_mut(&mut self) -> Result<&mut S, Error> {
        match &mut self.io {
            Ok(io) => Ok(io),
            Err(reason) => Err(Error::Closed {
                reason: reason.clone(),
            }),
        }
    }

    /// The checks before a request: the connection is open, and a deadline
    /// already past sends nothing (see [`Connection::check_deadline`]).
    /// Returns `label` cut for messages.
    fn begin_send(&mut self, label: &str, deadline: Deadline) -> Result<String, Error> {
        let label = excerpt(label);
        self.check_deadline(deadline, || label.clone())?;
        self.io_mut()?;
        Ok(label)
    }

    /// Fails as `send` would if `deadline` has already passed: nothing is
    /// sent, and the connection stays as it was (an earlier answer stays in
    /// flight). Checked before a request is prepared too, since checking
    /// and rendering a huge line takes long; `label` names the command only
    /// then.
    pub(crate) fn check_deadline(
        &mut self,
        deadline: Deadline,
        label: impl FnOnce() -> String,
    ) -> Result<(), Error> {
        if !deadline.expired() {
            return Ok(());
        }
        // A closed connection says so rather than time out.
        self.io_mut()?;
        Err(self.fail(Fault::NotSent, &label(), deadline))
    }

    /// Makes `request` the one in flight, its bytes still to be written:
    /// from here on the connection finishes it, whatever stops its writer.
    fn queue(&mut self, request: &Request, label: &str) -> Result<(), Error> {
        let mut bytes = serde_json::to_vec(request).map_err(|e| Error::Io {
            command: label.to_owned(),
            source: e.into(),
        })?;
        bytes.push(b'\n');
        self.unsent = bytes;
        self.written = 0;
        self.in_flight = Some(InFlight {
            label: label.to_owned(),
        });
        Ok(())
    }

    /// The bytes of the request in flight not written yet.
    fn pending_write(&self) -> &[u8] {
        &self.unsent[self.written..]
    }

    /// The fault for a write of the request just queued that stopped with
    /// `fault`: a deadline that passed before its first byte was written is
    /// [`Fault::NotSent`], and the request is taken back, since the socket
    /// is as it was and the connection need not close.
    fn write_fault(&mut self, fault: Fault) -> Fault {
        if matches!(fault, Fault::Timeout) && self.written == 0 && !self.unsent.is_empty() {
            self.unsent = Vec::new();
            self.in_flight = None;
            return Fault::NotSent;
        }
        fault
    }

    /// Counts `n` more bytes written; all of them gives the buffer back.
    fn wrote(&mut self, n: usize) {
        self.written += n;
        if self.written >= self.unsent.len() {
            self.unsent = Vec::new();
            self.written = 0;
        }
    }

    /// The next message of the answer in flight from the bytes already
    /// received, decoded once its cost is known to fit the cap. Once
    /// `deadline` has passed no message is handed out, even one that is
    /// already here: it stays for a later read.
    fn buffered_frame(&mut self, deadline: Deadline) -> Result<Buffered, Fault> {
        if self.in_flight.is_none() {
            return Ok(Buffered::Ended);
        }
        if !self.carried.is_empty() {
            deadline.check()?;
            let text = self.carried.pop_front().unwrap_or_default();
            return Ok(Buffered::Frame(Frame::Status(text)));
        }
        if self.io.is_err() {
            return Ok(Buffered::Ended);
        }
        let limits = self.limits;
        let Some(range) = self.buf.next_line(&limits)? else {
            return Ok(Buffered::NeedBytes);
        };
        if let Err(fault) = deadline.check() {
            // Put back: it stays for whoever reads next.
            self.buf.start = range.start;
            self.buf.scanned = range.start;
            return Err(fault);
        }
        let line = &self.buf.buf[range];
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
        self.buf.release();
        if message.status {
            return Ok(Buffered::Frame(Frame::Status(message.rendered)));
        }
        if !message.more {
            self.in_flight = None;
        }
        Ok(Buffered::Frame(Frame::Answer(message, size)))
    }

    /// Takes one line that arrived while no request was in flight, if one
    /// has (`Ok(false)`: none is whole): status messages are kept for the
    /// next answer; anything else is a fault, since it could only be taken
    /// for the next answer. `carried` counts the bytes kept.
    fn unsolicited_line(&mut self, carried: &mut usize) -> Result<bool, Fault> {
        let limits = self.limits;
        let Some(range) = self.buf.next_line(&limits)? else {
            return Ok(false);
        };
        let line = &self.buf.buf[range];
        // Kept for the next answer, so held to the answer cap: a flood of
        // status messages between commands cannot grow without bound
        // either.
        if carried.saturating_add(line.len()) > limits.max_answer {
            let reason = format!(
                "status messages between commands over the {}-byte answer cap",
                limits.max_answer
            );
            return Err(bad_line(line, reason));
        }
        match Message::parse(line) {
            Ok(message) if message.status => {
                *carried += line.len();
                self.carried.push_back(message.rendered);
                Ok(true)
            }
            _ => Err(Fault::Unsolicited(line.to_vec())),
        }
    }

    /// What the status messages kept between commands already hold.
    fn carried_bytes(&self) -> usize {
        self.carried.iter().map(String::len).sum()
    }

    /// The error for an earlier request or answer that could not be
    /// finished before `label` was sent: running out of time names the
    /// earlier command (the connection closes, which forgets it); any
    /// other fault is the earlier answer's.
    fn unfinished(&mut self, fault: Fault, label: &str, deadline: Deadline) -> Error {
        match fault {
            Fault::Timeout => {
                let earlier = self.in_flight.take().map(|f| f.label).unwrap_or_default();
                self.fail(Fault::Unfinished(earlier), label, deadline)
            }
            fault => self.fail_in_flight(fault, deadline),
        }
    }

    pub(crate) fn fail_in_flight(&mut self, fault: Fault, deadline: Deadline) -> Error {
        let label = self.in_flight_label().unwrap_or_default();
        self.fail(fault, &label, deadline)
    }

    /// Turns a fault into an error about `label` (the command, already
    /// cut for messages), closing the connection: the rest of the answer
    /// may still be on its way, so the socket cannot be trusted to start at
    /// the next command's answer. Only a request of which nothing was
    /// written leaves it open.
    pub(crate) fn fail(&mut self, fault: Fault, label: &str, deadline: Deadline) -> Error {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::net::UnixStream;

    fn pair() -> (Connection<Blocking>, UnixStream) {
        let (ours, theirs) = UnixStream::pair().unwrap();
        let mut conn = Connection::with_io(Blocking::of(ours), Limits::default());
        // As if a request were in flight, so that lines are read.
        conn.in_flight = Some(InFlight {
            label: "test".to_owned(),
        });
        (conn, theirs)
    }

    #[test]
    fn a_huge_line_does_not_pin_its_buffer() {
        let (mut conn, mut peer) = pair();
        let message = |text: &str| {
            let mut line = serde_json::to_vec(&Message {
                rendered: text.to_owned(),
                more: true,
                ..Message::default()
            })
            .unwrap();
            line.push(b'\n');
            line
        };
        let huge = message(&"x".repeat(8 << 20));
        let writer = std::thread::spawn(move || {
            peer.write_all(&huge).unwrap();
            peer
        });
        let frame = conn.next_frame(Deadline::after(None)).unwrap();
        assert!(matches!(frame, Some(Frame::Answer(_, size)) if size > 8 << 20));
        let mut peer = writer.join().unwrap();
        assert!(
            conn.buf.buf.capacity() <= KEEP_BUFFER,
            "{}",
            conn.buf.buf.capacity()
        );
        peer.write_all(&message("small")).unwrap();
        let frame = conn.next_frame(Deadline::after(None)).unwrap();
        assert!(matches!(frame, Some(Frame::Answer(m, _)) if m.rendered == "small"));
    }

    #[test]
    fn a_deadline_too_far_away_means_no_limit() {
        let far = Deadline::after(Some(Duration::MAX));
        assert_eq!(far.at, None);
        assert!(!far.expired());
        assert!(Deadline::after(Some(Duration::ZERO)).expired());
    }
}
