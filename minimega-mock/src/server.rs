//! The socket side of the mock: accepting connections, reading requests,
//! and writing answers with the effects tests ask for.
//!
//! Each connection has a reading thread, which runs its commands one at a
//! time against the shared world (as each connection has its goroutine in
//! minimega), and a writing thread, which owns every write to the socket.
//! The two meet at the connection's outbox, so that:
//!
//! - no lock is held while a write waits for a slow client;
//! - status messages sent to every connection are queued without waiting,
//!   and dropped for a client whose outbox is full (they are progress, and
//!   minimega's clients cannot rely on them either);
//! - an answer waits for room in the outbox, so a client that stops
//!   reading stalls only its own connection;
//! - stopping the mock closes every outbox and socket without taking any
//!   lock a blocked thread could hold, wakes the listener through a socket
//!   pair (opening nothing, so it cannot fail), and closes a connection
//!   accepted while the mock stops at once.
//!
//! No file is read and no socket written while the world is locked: a
//! `read` script is read before the command runs.

use std::cell::Cell;
use std::collections::VecDeque;
use std::io::{self, BufReader, Read, Write};
use std::net::Shutdown;
use std::os::fd::AsRawFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use minimega_protocol::{Message, Request, WireResponse};

use crate::outbox::{Item, Outbox, Pushed};
use crate::received::{self, Answered, Received};
use crate::script::read_script;
use crate::world::{ReadScript, World};
use crate::{lock, Effect};

/// A line of the malformed-line fault: cut off in the middle of a message.
const GARBAGE: &[u8] = b"{\"Resp\":[{\"Host\":\"mock\",\"Resp\n";

/// How long stopping waits for connection threads before leaving them: a
/// backstop, as no thread of the mock waits where stopping cannot reach it
/// (`read` refuses FIFOs and devices), but a script on a hung file system
/// could still hold one in the kernel.
const STOP_WAIT: Duration = Duration::from_secs(2);

/// One connection, as the mock's handle on it.
struct Conn {
    /// A handle on the socket for shutting it down; never written.
    socket: UnixStream,
    outbox: Arc<Outbox>,
    threads: Vec<JoinHandle<()>>,
}

#[derive(Default)]
struct Registry {
    conns: Vec<Conn>,
    closed: bool,
}

/// Wakes the listener when the mock stops, without opening anything (a
/// process out of file descriptors can still stop its mock): shutting the
/// sending end makes the receiving end readable.
struct Waker {
    send: UnixStream,
    receive: UnixStream,
}

/// The mock's bounds on what it keeps.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// How many requests the received log keeps.
    pub(crate) log_capacity: usize,
    /// The longest request read, in bytes.
    pub(crate) max_request: usize,
}

/// State shared by the listener, the connections and the test's handle.
pub(crate) struct Shared {
    pub(crate) world: Mutex<World>,
    pub(crate) effects: Mutex<VecDeque<Vec<Effect>>>,
    pub(crate) log: Mutex<received::Log>,
    pub(crate) dropped_statuses: AtomicU64,
    registry: Mutex<Registry>,
    stopping: Mutex<bool>,
    wake: Condvar,
    waker: Waker,
    mesh_status: bool,
    max_request: usize,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("connections", &lock(&self.registry).conns.len())
            .field("stopping", &*lock(&self.stopping))
            .finish_non_exhaustive()
    }
}

impl Shared {
    pub(crate) fn new(world: World, mesh_status: bool, limits: Limits) -> io::Result<Shared> {
        let (send, receive) = UnixStream::pair()?;
        Ok(Shared {
            world: Mutex::new(world),
            effects: Mutex::new(VecDeque::new()),
            log: Mutex::new(received::Log::new(limits.log_capacity)),
            dropped_statuses: AtomicU64::new(0),
            registry: Mutex::new(Registry::default()),
            stopping: Mutex::new(false),
            wake: Condvar::new(),
            waker: Waker { send, receive },
            mesh_status,
            max_request: limits.max_request,
        })
    }

    fn is_stopping(&self) -> bool {
        *lock(&self.stopping)
    }

    /// Sleeps for `duration` or until the mock stops; whether it may go on.
    fn sleep(&self, duration: Duration) -> bool {
        let guard = lock(&self.stopping);
        let (guard, _) = self
            .wake
            .wait_timeout_while(guard, duration, |stopping| !*stopping)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        !*guard
    }

    fn sleep_until_stopped(&self) {
        let guard = lock(&self.stopping);
        drop(
            self.wake
                .wait_while(guard, |stopping| !*stopping)
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
    }

    /// Queues a status message on every open connection, without waiting:
    /// a connection whose outbox is full does not get it.
    pub(crate) fn broadcast_status(&self, text: &str) {
        let Some(bytes) = encode(&Message::status(text)) else {
            return;
        };
        let outboxes: Vec<Arc<Outbox>> = lock(&self.registry)
            .conns
            .iter()
            .map(|conn| Arc::clone(&conn.outbox))
            .collect();
        for outbox in outboxes {
            if outbox.push(Item::Bytes(bytes.clone()), false) == Pushed::Dropped {
                self.dropped_statuses.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Stops accepting, wakes sleeping connections, closes every outbox and
    /// socket, and waits for every thread, which each end at once, but for
    /// [`STOP_WAIT`] at most: a thread held in the kernel (reading a script
    /// on a hung file system) is left to end on its own (it finds its
    /// connection closed).
    pub(crate) fn stop(&self, listener: Option<JoinHandle<()>>) {
        *lock(&self.stopping) = true;
        self.wake.notify_all();
        let conns = {
            let mut registry = lock(&self.registry);
            registry.closed = true;
            std::mem::take(&mut registry.conns)
        };
        for conn in &conns {
            conn.outbox.close();
            let _ = conn.socket.shutdown(Shutdown::Both);
        }
        let _ = self.waker.send.shutdown(Shutdown::Both);
        if let Some(listener) = listener {
            let _ = listener.join();
        }
        let threads = conns.into_iter().flat_map(|conn| conn.threads).collect();
        join_within(threads, STOP_WAIT);
    }
}

/// Joins the threads that finish within `wait`; the others are left to
/// finish on their own.
fn join_within(mut threads: Vec<JoinHandle<()>>, wait: Duration) {
    let deadline = std::time::Instant::now() + wait;
    while !threads.is_empty() && std::time::Instant::now() < deadline {
        let (done, running): (Vec<_>, Vec<_>) =
            threads.into_iter().partition(JoinHandle::is_finished);
        for thread in done {
            let _ = thread.join();
        }
        threads = running;
        if !threads.is_empty() {
            thread::sleep(Duration::from_millis(1));
        }
    }
}

pub(crate) fn listen(listener: UnixListener, shared: Arc<Shared>) -> io::Result<JoinHandle<()>> {
    listener.set_nonblocking(true)?;
    thread::Builder::new()
        .name("mock-minimega-listener".into())
        .spawn(move || {
            while wait_for_client(&listener, &shared.waker.receive) && !shared.is_stopping() {
                match listener.accept() {
                    Ok((stream, _)) => {
                        // Accepted sockets inherit no flags: a client's
                        // socket blocks, as its threads expect.
                        if stream.set_nonblocking(false).is_ok() {
                            accept(stream, &shared);
                        }
                    }
                    Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                    // Out of file descriptors, say: the client waits in the
                    // backlog; try again shortly rather than spin.
                    Err(_) => thread::sleep(Duration::from_millis(10)),
                }
            }
        })
}

/// Waits until a client connects (`true`) or the mock is stopping
/// (`false`).
fn wait_for_client(listener: &UnixListener, waker: &UnixStream) -> bool {
    let mut fds = [
        libc::pollfd {
            fd: listener.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        },
        libc::pollfd {
            fd: waker.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        },
    ];
    loop {
        // SAFETY: `fds` is a valid array of two pollfd for the whole call,
        // and both descriptors belong to sockets that outlive it.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
        if ready >= 0 {
            return fds[1].revents == 0;
        }
        if io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
            return false;
        }
    }
}

/// Starts a connection's threads and registers it, unless the mock is
/// stopping, in which case the connection is closed at once.
fn accept(stream: UnixStream, shared: &Arc<Shared>) {
    let mut registry = lock(&shared.registry);
    // Forget connections that have ended, so that a long-lived mock does
    // not pile them up.
    registry.conns.retain_mut(|conn| {
        if conn.threads.iter().all(JoinHandle::is_finished) {
            for thread in conn.threads.drain(..) {
                let _ = thread.join();
            }
            false
        } else {
            true
        }
    });
    if registry.closed {
        let _ = stream.shutdown(Shutdown::Both);
        return;
    }
    let (Ok(reader), Ok(writer), Ok(handle)) =
        (stream.try_clone(), stream.try_clone(), stream.try_clone())
    else {
        return;
    };
    let outbox = Arc::new(Outbox::default());
    let mut threads = Vec::new();
    let out = Arc::clone(&outbox);
    let spawned = thread::Builder::new()
        .name("mock-minimega-writer".into())
        .spawn(move || write_loop(writer, &out));
    threads.extend(spawned);
    let out = Arc::clone(&outbox);
    let conn_shared = Arc::clone(shared);
    let spawned = thread::Builder::new()
        .name("mock-minimega-connection".into())
        .spawn(move || serve(reader, &out, &conn_shared));
    threads.extend(spawned);
    drop(stream);
    registry.conns.push(Conn {
        socket: handle,
        outbox,
        threads,
    });
}

/// The writing thread: writes what the outbox holds, in order.
fn write_loop(mut stream: UnixStream, outbox: &Outbox) {
    while let Some(item) = outbox.pop() {
        let written = match item {
            Item::Bytes(bytes) => stream.write_all(&bytes).is_ok(),
            Item::Close => false,
        };
        if !written {
            break;
        }
    }
    outbox.close();
    let _ = stream.shutdown(Shutdown::Both);
}

/// The reading thread: reads requests and answers each in turn.
fn serve(stream: UnixStream, outbox: &Outbox, shared: &Shared) {
    let used = Rc::new(Cell::new(0));
    let reader = Capped {
        inner: BufReader::new(stream),
        used: Rc::clone(&used),
        cap: shared.max_request,
    };
    let requests = serde_json::Deserializer::from_reader(reader).into_iter::<Request>();
    for request in requests {
        // A request that is not JSON ends the connection, as in minimega;
        // so does one over the cap, which is an error of the reader.
        let Ok(request) = request else { break };
        // The next request's bytes count from here: a request object ends
        // at its `}`, so the reader has read nothing of the next one.
        used.set(0);
        if shared.is_stopping() || !handle(request, outbox, shared) {
            break;
        }
    }
    // What was answered is still written; then the socket closes.
    outbox.push(Item::Close, true);
}

/// A reader that fails once the request being read passes `cap` bytes,
/// so that a client that never ends its request (a string that never
/// closes, say, which the JSON reader must keep whole) cannot take more
/// than `cap` bytes of the mock's memory. `used` is shared with the loop
/// that resets it after each request.
struct Capped<R> {
    inner: R,
    used: Rc<Cell<usize>>,
    cap: usize,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.cap.saturating_sub(self.used.get());
        if left == 0 && !buf.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a request longer than {} bytes", self.cap),
            ));
        }
        let room = buf.len().min(left);
        let read = self.inner.read(&mut buf[..room])?;
        self.used.set(self.used.get() + read);
        Ok(read)
    }
}

fn encode(message: &Message) -> Option<Vec<u8>> {
    let mut bytes = serde_json::to_vec(message).ok()?;
    bytes.push(b'\n');
    Some(bytes)
}

/// An error answer from the head node.
fn error_message(shared: &Shared, error: &str) -> Message {
    let host = lock(&shared.world).head().to_owned();
    Message {
        resp: Some(vec![WireResponse {
            host,
            error: error.to_owned(),
            ..WireResponse::default()
        }]),
        ..Message::default()
    }
}

/// The messages that answer `request`, and how many hosts a `mesh send`
/// in it went to; the request is logged with how it was answered.
fn answer(request: &Request, shared: &Shared) -> (Vec<Message>, usize) {
    let log = |line: &str, suggest: bool, answered: Answered| {
        lock(&shared.log).push(Received {
            line: line.to_owned(),
            suggest,
            answered,
        });
    };
    if !request.plumb_pipe.is_empty() {
        log(&request.plumb_pipe, false, Answered::NotSimulated);
        let error = "the mock does not support plumbing";
        return (vec![error_message(shared, error)], 0);
    }
    if request.command.is_empty() == request.suggest.is_empty() {
        log(&request.command, false, Answered::Invalid);
        let error = "must specify either command or suggest";
        return (vec![error_message(shared, error)], 0);
    }
    if !request.suggest.is_empty() {
        let suggestions = lock(&shared.world).suggest(&request.suggest);
        log(&request.suggest, true, Answered::Simulated);
        let message = Message {
            suggest: (!suggestions.is_empty()).then_some(suggestions),
            ..Message::default()
        };
        return (vec![message], 0);
    }
    let path = lock(&shared.world).script_path(&request.command);
    let script = path.map(|path| ReadScript {
        text: read_script(&path),
        path,
    });
    let outcome = lock(&shared.world).run(&request.command, script.as_ref());
    log(&request.command, false, outcome.how);
    (outcome.messages, outcome.mesh_hosts)
}

/// One message for the writing thread, by kind.
enum Out {
    /// A status message, written whatever the cut.
    Status(Message),
    /// A message of the answer.
    Answer(Message),
}

/// Answers one request; `false` when the connection must end.
fn handle(request: Request, outbox: &Outbox, shared: &Shared) -> bool {
    let effects = lock(&shared.effects).pop_front().unwrap_or_default();
    let (mut messages, mesh_hosts) = answer(&request, shared);
    for effect in &effects {
        match effect {
            Effect::Delay(duration) if !shared.sleep(*duration) => return false,
            Effect::Stall => {
                shared.sleep_until_stopped();
                return false;
            }
            _ => {}
        }
    }
    let has = |wanted: fn(&Effect) -> bool| effects.iter().any(wanted);
    let endless = has(|e| matches!(e, Effect::EndlessMore));
    if endless || has(|e| matches!(e, Effect::MoreOnLast)) {
        for message in &mut messages {
            message.more = true;
        }
    }
    if let Some(bytes) = effects.iter().find_map(|e| match e {
        Effect::LongLine { bytes } => Some(*bytes),
        _ => None,
    }) {
        if let Some(first) = messages.first_mut() {
            let length = encode(first).map_or(0, |b| b.len());
            first
                .rendered
                .extend(std::iter::repeat('x').take(bytes.saturating_sub(length)));
        }
    }

    let statuses = |pick: fn(&Effect) -> Option<&String>| -> Vec<Out> {
        effects
            .iter()
            .filter_map(pick)
            .map(|s| Out::Status(Message::status(s.as_str())))
            .collect()
    };
    let mesh = shared.mesh_status && mesh_hosts > 0;
    let mut out = statuses(|e| match e {
        Effect::StatusBefore(s) => Some(s),
        _ => None,
    });
    if mesh {
        out.push(Out::Status(Message::status(format!(
            "mesh send: waiting for {mesh_hosts} hosts"
        ))));
    }
    let last = messages.last().cloned();
    for (index, message) in messages.into_iter().enumerate() {
        if index > 0 {
            out.extend(statuses(|e| match e {
                Effect::StatusBetween(s) => Some(s),
                _ => None,
            }));
            if mesh {
                out.push(Out::Status(Message::status(format!(
                    "mesh send: {index} of {mesh_hosts} hosts answered"
                ))));
            }
        }
        out.push(Out::Answer(message));
    }
    if mesh {
        out.push(Out::Status(Message::status(format!(
            "mesh send: all {mesh_hosts} hosts answered"
        ))));
    }
    out.extend(statuses(|e| match e {
        Effect::StatusAfter(s) => Some(s),
        _ => None,
    }));
    if has(|e| matches!(e, Effect::Unsolicited)) {
        out.push(Out::Answer(Message {
            rendered: "a message nobody asked for".to_owned(),
            ..Message::default()
        }));
    }

    let cut = effects.iter().find_map(|e| match e {
        Effect::Disconnect { after } => Some((*after, true)),
        Effect::Malformed { after } => Some((*after, false)),
        _ => None,
    });
    let send = |message: &Message| match encode(message) {
        Some(bytes) => outbox.push(Item::Bytes(bytes), true) == Pushed::Queued,
        None => false,
    };
    let mut answers = 0;
    for item in out {
        match item {
            Out::Status(message) => {
                if !send(&message) {
                    return false;
                }
            }
            Out::Answer(message) => {
                if let Some((after, disconnect)) = cut {
                    if answers == after {
                        return cut_off(outbox, disconnect);
                    }
                }
                if !send(&message) {
                    return false;
                }
                answers += 1;
            }
        }
    }
    if let Some((_, disconnect)) = cut {
        return cut_off(outbox, disconnect);
    }
    if endless {
        // More of the same, for as long as the client reads.
        let Some(last) = last else { return true };
        while !shared.is_stopping() && send(&last) {}
        return false;
    }
    true
}

/// Ends the answer early: closes the connection, or writes a broken line.
fn cut_off(outbox: &Outbox, disconnect: bool) -> bool {
    if disconnect {
        outbox.push(Item::Close, true);
        false
    } else {
        outbox.push(Item::Bytes(GARBAGE.to_vec()), true) == Pushed::Queued
    }
}
