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
use std::io;
use std::os::fd::AsRawFd;
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::Interest;
use tokio::net::UnixStream;
use tokio::time::Sleep;

use super::{io_fault, Buffered, Connection, Deadline, Fault, Frame};
use crate::error::Error;
use crate::options::Limits;
use crate::protocol::Request;

/// Async I/O: tokio's socket, registered with the runtime's reactor.
pub(crate) struct Tokio {
    stream: UnixStream,
}

/// A deadline as a tokio timer, made the first time a wait must be bounded
/// (a read or write that finds its bytes at once needs none).
pub(crate) struct Timer {
    deadline: Deadline,
    sleep: Option<Pin<Box<Sleep>>>,
}

impl Timer {
    pub(crate) fn new(deadline: Deadline) -> Timer {
        Timer {
            deadline,
            sleep: None,
        }
    }

    pub(crate) fn deadline(&self) -> Deadline {
        self.deadline
    }

    /// Whether the deadline has passed; if not, `cx` is woken when it does.
    fn poll_expired(&mut self, cx: &mut Context<'_>) -> bool {
        let Some(at) = self.deadline.at() else {
            return false;
        };
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(at.into())));
        sleep.as_mut().poll(cx).is_ready()
    }
}

impl Connection<Tokio> {
    pub(crate) async fn open_async(path: &Path, limits: Limits) -> io::Result<Connection<Tokio>> {
        let stream = UnixStream::connect(path).await?;
        Ok(Connection::with_io(Tokio { stream }, limits))
    }

    /// Replaces the socket with a fresh one to `path`, keeping the settings.
    pub(crate) async fn reopen_async(&mut self, path: &Path) -> io::Result<()> {
        let stream = UnixStream::connect(path).await?;
        self.replace_io(Tokio { stream });
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
        let mut timer = Timer::new(deadline);
        self.finish_earlier_answer(&label, &mut timer).await?;
        self.take_unsolicited(&label)?;
        self.queue(request, &label)?;
        let written = poll_fn(|cx| self.poll_flush(cx, &mut timer)).await;
        written.map_err(|fault| {
            let fault = self.write_fault(fault);
            self.fail(fault, &label, deadline)
        })
    }

    /// The next message of the answer in flight, `None` once it has ended;
    /// a fault closes the connection.
    pub(crate) async fn next_frame(&mut self, timer: &mut Timer) -> Result<Option<Frame>, Error> {
        poll_fn(|cx| self.poll_frame(cx, timer)).await
    }

    /// [`Connection::next_frame`], polled.
    pub(crate) fn poll_frame(
        &mut self,
        cx: &mut Context<'_>,
        timer: &mut Timer,
    ) -> Poll<Result<Option<Frame>, Error>> {
        self.poll_read_frame(cx, timer)
            .map_err(|fault| self.fail_in_flight(fault, timer.deadline()))
    }

    /// [`Connection::poll_frame`] with a timer running to the earlier of
    /// the read's deadline and `leave`: when `leave` passes first it is no
    /// fault but `None`, with the rest of the answer left for the next
    /// request to finish (a wait's deadline, which must not close the
    /// connection).
    pub(crate) fn poll_frame_or_leave(
        &mut self,
        cx: &mut Context<'_>,
        timer: &mut Timer,
        leave: Option<Deadline>,
    ) -> Poll<Result<Option<Frame>, Error>> {
        match self.poll_read_frame(cx, timer) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(Fault::Timeout)) if leave.is_some_and(|l| l.expired()) => {
                Poll::Ready(Ok(None))
            }
            Poll::Ready(read) => {
                Poll::Ready(read.map_err(|fault| self.fail_in_flight(fault, timer.deadline())))
            }
        }
    }

    /// The next message of the answer in flight, or the fault that stopped
    /// reading it. A message already received is handed out only while the
    /// timer's deadline holds.
    fn poll_read_frame(
        &mut self,
        cx: &mut Context<'_>,
        timer: &mut Timer,
    ) -> Poll<Result<Option<Frame>, Fault>> {
        loop {
            return match self.buffered_frame(timer.deadline()) {
                Ok(Buffered::Frame(frame)) => Poll::Ready(Ok(Some(frame))),
                Ok(Buffered::Ended) => Poll::Ready(Ok(None)),
                Ok(Buffered::NeedBytes) => match self.poll_fill(cx, timer) {
                    Poll::Ready(Ok(_)) => continue,
                    Poll::Ready(Err(fault)) => Poll::Ready(Err(fault)),
                    Poll::Pending => Poll::Pending,
                },
                Err(fault) => Poll::Ready(Err(fault)),
            };
        }
    }

    /// Waits for bytes, until the timer's deadline, and receives them into
    /// the buffer.
    fn poll_fill(&mut self, cx: &mut Context<'_>, timer: &mut Timer) -> Poll<Result<usize, Fault>> {
        loop {
            // Before every read, as the blocking I/O does: a server that
            // trickles bytes cannot stretch the deadline.
            if timer.deadline().expired() {
                return Poll::Ready(Err(Fault::Timeout));
            }
            let Ok(io) = &self.io else {
                return Poll::Ready(Err(Fault::Eof));
            };
            match io.stream.poll_read_ready(cx) {
                Poll::Pending if timer.poll_expired(cx) => return Poll::Ready(Err(Fault::Timeout)),
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(io_fault(e))),
                Poll::Ready(Ok(())) => {}
            }
            let fd = io.stream.as_raw_fd();
            // `try_io` clears the readiness on `WouldBlock`, so the next
            // poll waits for the reactor again.
            let buf = &mut self.buf;
            match io
                .stream
                .try_io(Interest::READABLE, || buf.recv(fd, libc::MSG_DONTWAIT))
            {
                Ok(0) => return Poll::Ready(Err(Fault::Eof)),
                Ok(n) => return Poll::Ready(Ok(n)),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Poll::Ready(Err(io_fault(e))),
            }
        }
    }

    /// Writes what is left of the request in flight, until the timer's
    /// deadline.
    fn poll_flush(&mut self, cx: &mut Context<'_>, timer: &mut Timer) -> Poll<Result<(), Fault>> {
        while !self.pending_write().is_empty() {
            if timer.deadline().expired() {
                return Poll::Ready(Err(Fault::Timeout));
            }
            let Ok(io) = &self.io else {
                return Poll::Ready(Err(Fault::Eof));
            };
            match io.stream.poll_write_ready(cx) {
                Poll::Pending if timer.poll_expired(cx) => return Poll::Ready(Err(Fault::Timeout)),
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(io_fault(e))),
                Poll::Ready(Ok(())) => {}
            }
            match io.stream.try_write(&self.unsent[self.written..]) {
                Ok(0) => return Poll::Ready(Err(Fault::Eof)),
                Ok(n) => self.wrote(n),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                    ) => {}
                Err(e) => return Poll::Ready(Err(io_fault(e))),
            }
        }
        Poll::Ready(Ok(()))
    }

    /// Finishes the request and the answer still in flight, if any (a
    /// future dropped part-way), within the new command's deadline; status
    /// messages on the way go to the handler.
    async fn finish_earlier_answer(&mut self, label: &str, timer: &mut Timer) -> Result<(), Error> {
        let Some(earlier) = self.in_flight_label() else {
            return Ok(());
        };
        let deadline = timer.deadline();
        if let Err(fault) = poll_fn(|cx| self.poll_flush(cx, timer)).await {
            return Err(match fault {
                Fault::Timeout => self.unfinished(fault, label, deadline),
                fault => self.fail(fault, &earlier, deadline),
            });
        }
        while self.answer_in_flight() {
            match poll_fn(|cx| self.poll_read_frame(cx, timer)).await {
                Ok(Some(Frame::Status(text))) => self.deliver_status(&text),
                Ok(_) => {}
                Err(fault) => return Err(self.unfinished(fault, label, deadline)),
            }
        }
        Ok(())
    }

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

    /// Receives what has already arrived. One non-blocking `recv`, as the
    /// blocking I/O makes: the reactor may not have seen these bytes yet,
    /// and they must be seen before the next request is written.
    fn fill_now(&mut self) -> Result<usize, Fault> {
        let Ok(io) = &self.io else {
            return Err(Fault::Eof);
        };
        let fd = io.stream.as_raw_fd();
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
