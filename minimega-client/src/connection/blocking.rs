//! Blocking I/O for a [`Connection`]: a socket whose timeouts are set
//! before each call. Only waiting for bytes and writing them is here; the
//! rules are the connection's, shared with the async I/O (`tokio_io`).

use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use super::*;

/// Blocking I/O: a socket whose timeouts are set before each call.
pub(crate) struct Blocking {
    stream: UnixStream,
    /// The read timeout last set on the socket, to skip setting it again.
    read_timeout: Option<Duration>,
    /// The write timeout last set on the socket, likewise.
    write_timeout: Option<Duration>,
}

impl Blocking {
    fn connect(path: &Path) -> io::Result<Blocking> {
        Ok(Blocking::of(UnixStream::connect(path)?))
    }

    pub(super) fn of(stream: UnixStream) -> Blocking {
        Blocking {
            stream,
            read_timeout: None,
            write_timeout: None,
        }
    }
}

impl Socket for Blocking {
    fn fd(&self) -> RawFd {
        self.stream.as_raw_fd()
    }
}

impl Connection<Blocking> {
    pub(crate) fn open(path: &Path, limits: Limits) -> io::Result<Connection<Blocking>> {
        Ok(Connection::with_io(Blocking::connect(path)?, limits))
    }

    /// Replaces the socket with a fresh one to `path`, keeping the settings.
    pub(crate) fn reopen(&mut self, path: &Path) -> io::Result<()> {
        self.replace_io(Blocking::connect(path)?);
        Ok(())
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
        let label = self.begin_send(label, deadline)?;
        self.finish_earlier_answer(&label, deadline)?;
        self.take_unsolicited(&label)?;
        self.queue(request, &label)?;
        self.flush(deadline).map_err(|fault| {
            let fault = self.write_fault(fault);
            self.fail(fault, &label, deadline)
        })
    }

    /// Writes what is left of the request in flight, each partial write
    /// given only what is left of the deadline.
    fn flush(&mut self, deadline: Deadline) -> Result<(), Fault> {
        while !self.pending_write().is_empty() {
            let timeout = deadline.remaining()?;
            let Ok(io) = &mut self.io else {
                return Err(Fault::Eof);
            };
            if timeout != io.write_timeout {
                io.stream.set_write_timeout(timeout).map_err(Fault::Io)?;
                io.write_timeout = timeout;
            }
            match io.stream.write(&self.unsent[self.written..]) {
                Ok(0) => return Err(Fault::Eof),
                Ok(n) => self.wrote(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_fault(e)),
            }
        }
        Ok(())
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
        loop {
            match self.buffered_frame(deadline)? {
                Buffered::Frame(frame) => return Ok(Some(frame)),
                Buffered::Ended => return Ok(None),
                Buffered::NeedBytes => {
                    self.fill(deadline)?;
                }
            }
        }
    }

    /// Reads what the socket has into the buffer, blocking until the
    /// deadline. Returns how many bytes came.
    fn fill(&mut self, deadline: Deadline) -> Result<usize, Fault> {
        let Ok(io) = &mut self.io else {
            return Err(Fault::Eof);
        };
        let timeout = deadline.remaining()?;
        if timeout != io.read_timeout {
            io.stream.set_read_timeout(timeout).map_err(Fault::Io)?;
            io.read_timeout = timeout;
        }
        let fd = io.stream.as_raw_fd();
        loop {
            match self.buf.recv(fd, 0) {
                Ok(0) => return Err(Fault::Eof),
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_fault(e)),
            }
        }
    }

    /// Reads the rest of an earlier answer before `label` is sent. Running
    /// out of time here is the new command's failure, not the earlier
    /// one's: the reason names the deadline that passed.
    fn finish_earlier_answer(&mut self, label: &str, deadline: Deadline) -> Result<(), Error> {
        while self.in_flight.is_some() {
            match self.read_frame(deadline) {
                Ok(Some(Frame::Status(text))) => self.deliver_status(&text),
                Ok(_) => {}
                Err(fault) => return Err(self.unfinished(fault, label, deadline)),
            }
        }
        Ok(())
    }
}
