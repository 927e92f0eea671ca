//! The connection's async I/O, on tokio: waiting for bytes and for room to
//! write them, and deadlines as tokio timers. Everything else (the buffer,
//! decoding, the answer in flight, unsolicited messages, faults) is the
//! parent module's, shared with the blocking I/O.
//!
//! # Cancellation
//!
//! Every method here can be stopped at any `.await` (the future dropped)
//! without losing the connection's place: bytes are received straight into
//! the connection's buffer and a message is taken from it in one step, the
//! request in flight is set before its first byte is written and its
//! unwritten bytes are kept. So a dropped future leaves at most a request
//! half written and an answer half read, and the next request finishes both
//! first, within its own deadline, or closes the connection.

use std::future::{poll_fn, Future};
use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::unix::AsyncFd;
use tokio::io::Interest;
use tokio::time::Sleep;

use super::{io_fault, recv_into, Buffered, Connection, Deadline, Fault, Frame, LineBuf, Socket};
use crate::error::Error;
use crate::options::Limits;
use crate::protocol::Request;

/// Async I/O: the socket, registered with the runtime's reactor, and the
/// one timer every bounded wait on it uses.
pub(crate) struct Tokio {
    /// Registered for reading only. A socket registered for writing too
    /// (as tokio's `UnixStream` is) becomes writable again each time the
    /// server reads a request, and the reactor wakes for that although
    /// nobody waits to write: one more `epoll_wait` per command. Measured
    /// both ways, that wake cost the thread more CPU against a real
    /// minimega and less against the mock (see docs/design.md).
    socket: AsyncFd<UnixStream>,
    /// The same socket registered for writing (a duplicate of its
    /// descriptor), only while a request waits for room in the send buffer;
    /// dropped once the request is written.
    writer: Option<AsyncFd<UnixStream>>,
    /// Made at the first wait that must be bounded, then moved to each new
    /// deadline rather than made again: moving a tokio timer later only
    /// records the new time (the timer wheel is not touched and the reactor
    /// is not woken), so a command whose answer comes in time costs no
    /// timer work but that. An idle connection's timer goes off once, at
    /// the last deadline, waking the task that last waited for nothing.
    timer: Option<Pin<Box<Sleep>>>,
}

impl Tokio {
    async fn connect(path: &Path) -> io::Result<Tokio> {
        // tokio's connect waits without blocking; its socket, made
        // non-blocking, is then registered afresh.
        let socket = tokio::net::UnixStream::connect(path).await?.into_std()?;
        Ok(Tokio {
            socket: AsyncFd::with_interest(socket, Interest::READABLE)?,
            writer: None,
            timer: None,
        })
    }

    /// Receives what the socket has into the free space of `buf`, or waits
    /// for it.
    fn poll_receive(&self, buf: &mut LineBuf, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        loop {
            let mut ready = ready!(self.socket.poll_read_ready(cx))?;
            let room = buf.make_room().len();
            match recv_into(self.socket.as_raw_fd(), &mut buf.buf, libc::MSG_DONTWAIT) {
                Ok(n) => {
                    // A read that left room has drained the socket, so its
                    // readiness is forgotten (as tokio's own `poll_read`
                    // does, epoll being edge-triggered): the next answer's
                    // first poll waits for the reactor instead of making a
                    // `recv` that can only find nothing.
                    if n < room {
                        ready.clear_ready();
                    }
                    return Poll::Ready(Ok(n));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => ready.clear_ready(),
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    /// Writes what the socket takes of `bytes`, or waits for room.
    fn poll_send(&mut self, bytes: &[u8], cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let writer = match &mut self.writer {
            Some(writer) => writer,
            empty => match self.socket.get_ref().write(bytes) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    let copy = self.socket.get_ref().try_clone()?;
                    empty.insert(AsyncFd::with_interest(copy, Interest::WRITABLE)?)
                }
                written => return Poll::Ready(written),
            },
        };
        loop {
            let mut ready = ready!(writer.poll_write_ready(cx))?;
            if let Ok(written) = ready.try_io(|writer| writer.get_ref().write(bytes)) {
                return Poll::Ready(written);
            }
        }
    }

    /// Whether `deadline` has passed; if not, `cx` is woken when it does.
    fn poll_expired(&mut self, deadline: Deadline, cx: &mut Context<'_>) -> bool {
        let Some(at) = deadline.at() else {
            return false;
        };
        let at = tokio::time::Instant::from_std(at);
        let timer = match &mut self.timer {
            Some(timer) => {
                if timer.deadline() != at {
                    timer.as_mut().reset(at);
                }
                timer
            }
            empty => empty.insert(Box::pin(tokio::time::sleep_until(at))),
        };
        timer.as_mut().poll(cx).is_ready()
    }
}

impl Socket for Tokio {
    fn fd(&self) -> std::os::fd::RawFd {
        self.socket.as_raw_fd()
    }
}

impl Connection<Tokio> {
    pub(crate) async fn open_async(path: &Path, limits: Limits) -> io::Result<Connection<Tokio>> {
        Ok(Connection::with_io(Tokio::connect(path).await?, limits))
    }

    /// Replaces the socket with a fresh one to `path`, keeping the settings.
    pub(crate) async fn reopen_async(&mut self, path: &Path) -> io::Result<()> {
        let io = Tokio::connect(path).await?;
        self.replace_io(io);
        Ok(())
    }

    /// Writes `request`, as the blocking connection's `send` does: an
    /// earlier request or answer still in flight is finished first, within
    /// `deadline`, and a message nobody asked for is an error.
    pub(crate) async fn send(
        &mut self,
        request: &Request,
        label: &str,
        deadline: Deadline,
    ) -> Result<(), Error> {
        let label = self.begin_send(label, deadline)?;
        self.finish_earlier_answer(&label, deadline).await?;
        self.take_unsolicited(&label)?;
        self.queue(request, &label)?;
        let written = poll_fn(|cx| self.poll_flush(cx, deadline)).await;
        written.map_err(|fault| {
            let fault = self.write_fault(fault);
            self.fail(fault, &label, deadline)
        })
    }

    /// The next message of the answer in flight, `None` once it has ended;
    /// a fault closes the connection.
    pub(crate) async fn next_frame(&mut self, deadline: Deadline) -> Result<Option<Frame>, Error> {
        poll_fn(|cx| {
            self.poll_read_frame(cx, deadline)
                .map_err(|fault| self.fail_in_flight(fault, deadline))
        })
        .await
    }

    /// [`Connection::next_frame`], polled, reading until the earlier of
    /// `deadline` and `leave`: when `leave` passes first it is no fault but
    /// `None`, with the rest of the answer left for the next request to
    /// finish (a wait's deadline, which must not close the connection).
    pub(crate) fn poll_frame_or_leave(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Deadline,
        leave: Option<Deadline>,
    ) -> Poll<Result<Option<Frame>, Error>> {
        let until = leave.map_or(deadline, |leave| deadline.min(leave));
        match self.poll_read_frame(cx, until) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(Fault::Timeout)) if leave.is_some_and(|l| l.expired()) => {
                Poll::Ready(Ok(None))
            }
            Poll::Ready(read) => {
                Poll::Ready(read.map_err(|fault| self.fail_in_flight(fault, until)))
            }
        }
    }

    /// The next message of the answer in flight, or the fault that stopped
    /// reading it. A message already received is handed out only while
    /// `deadline` holds.
    fn poll_read_frame(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Deadline,
    ) -> Poll<Result<Option<Frame>, Fault>> {
        loop {
            return match self.buffered_frame(deadline) {
                Ok(Buffered::Frame(frame)) => Poll::Ready(Ok(Some(frame))),
                Ok(Buffered::Ended) => Poll::Ready(Ok(None)),
                Ok(Buffered::NeedBytes) => match self.poll_fill(cx, deadline) {
                    Poll::Ready(Ok(_)) => continue,
                    Poll::Ready(Err(fault)) => Poll::Ready(Err(fault)),
                    Poll::Pending => Poll::Pending,
                },
                Err(fault) => Poll::Ready(Err(fault)),
            };
        }
    }

    /// Waits for bytes, until `deadline`, and receives them into the
    /// buffer.
    fn poll_fill(
        &mut self,
        cx: &mut Context<'_>,
        deadline: Deadline,
    ) -> Poll<Result<usize, Fault>> {
        loop {
            // Before every read, as the blocking I/O does: a server that
            // trickles bytes cannot stretch the deadline.
            if deadline.expired() {
                return Poll::Ready(Err(Fault::Timeout));
            }
            let Ok(io) = &mut self.io else {
                return Poll::Ready(Err(Fault::Eof));
            };
            return match io.poll_receive(&mut self.buf, cx) {
                Poll::Pending if io.poll_expired(deadline, cx) => Poll::Ready(Err(Fault::Timeout)),
                Poll::Pending => Poll::Pending,
                Poll::Ready(Ok(0)) => Poll::Ready(Err(Fault::Eof)),
                Poll::Ready(Ok(n)) => Poll::Ready(Ok(n)),
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => continue,
                Poll::Ready(Err(e)) => Poll::Ready(Err(io_fault(e))),
            };
        }
    }

    /// Writes what is left of the request in flight, until `deadline`.
    fn poll_flush(&mut self, cx: &mut Context<'_>, deadline: Deadline) -> Poll<Result<(), Fault>> {
        while !self.pending_write().is_empty() {
            if deadline.expired() {
                return Poll::Ready(Err(Fault::Timeout));
            }
            let Ok(io) = &mut self.io else {
                return Poll::Ready(Err(Fault::Eof));
            };
            match io.poll_send(&self.unsent[self.written..], cx) {
                Poll::Pending if io.poll_expired(deadline, cx) => {
                    return Poll::Ready(Err(Fault::Timeout))
                }
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(Fault::Eof)),
                Poll::Ready(Ok(n)) => self.wrote(n),
                Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::Interrupted => {}
                Poll::Ready(Err(e)) => return Poll::Ready(Err(io_fault(e))),
            }
        }
        if let Ok(io) = &mut self.io {
            io.writer = None;
        }
        Poll::Ready(Ok(()))
    }

    /// Finishes the request and the answer still in flight, if any (a
    /// future dropped part-way), within the new command's deadline; status
    /// messages on the way go to the handler.
    async fn finish_earlier_answer(
        &mut self,
        label: &str,
        deadline: Deadline,
    ) -> Result<(), Error> {
        let Some(earlier) = self.in_flight_label() else {
            return Ok(());
        };
        if let Err(fault) = poll_fn(|cx| self.poll_flush(cx, deadline)).await {
            return Err(match fault {
                Fault::Timeout => self.unfinished(fault, label, deadline),
                fault => self.fail(fault, &earlier, deadline),
            });
        }
        while self.answer_in_flight() {
            match poll_fn(|cx| self.poll_read_frame(cx, deadline)).await {
                Ok(Some(Frame::Status(text))) => self.deliver_status(&text),
                Ok(_) => {}
                Err(fault) => return Err(self.unfinished(fault, label, deadline)),
            }
        }
        Ok(())
    }
}
