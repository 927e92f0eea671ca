//! The socket side of the mock: accepting connections, reading requests,
//! and writing answers with the effects tests ask for.
//!
//! Each connection has its own thread, as each has its own goroutine in
//! minimega; commands run one at a time against the shared world. Status
//! messages are written from whichever thread produces them, so they can
//! land between an answer's messages, as minimega's can.

use std::collections::VecDeque;
use std::io::{self, BufReader, Write};
use std::net::Shutdown;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::render::render;
use crate::world::World;
use crate::{lock, Effect};
use minimega_client::protocol::{Message, Request, WireResponse};

/// A line of the malformed-line fault: cut off in the middle of a message.
const GARBAGE: &[u8] = b"{\"Resp\":[{\"Host\":\"mock\",\"Resp\n";

type Writer = Arc<Mutex<UnixStream>>;

/// State shared by the listener, the connections and the test's handle.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) world: Mutex<World>,
    pub(crate) effects: Mutex<VecDeque<Vec<Effect>>>,
    pub(crate) log: Mutex<Vec<String>>,
    connections: Mutex<Vec<(Writer, Option<JoinHandle<()>>)>>,
    stopping: Mutex<bool>,
    wake: Condvar,
    mesh_status: bool,
}

impl Shared {
    pub(crate) fn new(world: World, mesh_status: bool) -> Shared {
        Shared {
            world: Mutex::new(world),
            effects: Mutex::new(VecDeque::new()),
            log: Mutex::new(Vec::new()),
            connections: Mutex::new(Vec::new()),
            stopping: Mutex::new(false),
            wake: Condvar::new(),
            mesh_status,
        }
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

    pub(crate) fn broadcast_status(&self, text: &str) {
        let writers: Vec<Writer> = lock(&self.connections)
            .iter()
            .map(|(writer, _)| Arc::clone(writer))
            .collect();
        for writer in writers {
            write_message(&writer, &Message::status(text));
        }
    }

    /// Stops accepting, wakes sleeping connections and closes every socket,
    /// which ends their threads' blocking reads and writes.
    pub(crate) fn stop(&self, socket: &Path) {
        *lock(&self.stopping) = true;
        self.wake.notify_all();
        // The listener is blocked in accept: a connection wakes it up.
        let _ = UnixStream::connect(socket);
        for (writer, _) in lock(&self.connections).iter() {
            let _ = lock(writer).shutdown(Shutdown::Both);
        }
    }

    pub(crate) fn join_connections(&self) {
        let threads: Vec<JoinHandle<()>> = lock(&self.connections)
            .iter_mut()
            .filter_map(|(_, thread)| thread.take())
            .collect();
        for thread in threads {
            let _ = thread.join();
        }
    }
}

pub(crate) fn listen(listener: UnixListener, shared: Arc<Shared>) -> io::Result<JoinHandle<()>> {
    thread::Builder::new()
        .name("mock-minimega-listener".into())
        .spawn(move || {
            for stream in listener.incoming() {
                if shared.is_stopping() {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let Ok(writer) = stream.try_clone() else {
                    continue;
                };
                let writer: Writer = Arc::new(Mutex::new(writer));
                let conn_shared = Arc::clone(&shared);
                let conn_writer = Arc::clone(&writer);
                let thread = thread::Builder::new()
                    .name("mock-minimega-connection".into())
                    .spawn(move || serve(stream, &conn_writer, &conn_shared));
                if let Ok(thread) = thread {
                    let mut connections = lock(&shared.connections);
                    // Forget connections that have ended, so that a
                    // long-lived mock does not pile them up.
                    connections.retain_mut(|(_, thread)| match thread.take() {
                        Some(done) if done.is_finished() => {
                            let _ = done.join();
                            false
                        }
                        running => {
                            *thread = running;
                            true
                        }
                    });
                    connections.push((writer, Some(thread)));
                }
            }
        })
}

fn serve(stream: UnixStream, writer: &Writer, shared: &Shared) {
    let requests =
        serde_json::Deserializer::from_reader(BufReader::new(stream)).into_iter::<Request>();
    for request in requests {
        // A request that is not JSON ends the connection, as in minimega.
        let Ok(request) = request else { break };
        if shared.is_stopping() || !handle(request, writer, shared) {
            break;
        }
    }
    let _ = lock(writer).shutdown(Shutdown::Both);
}

/// Answers one request; `false` when the connection must end.
fn handle(request: Request, writer: &Writer, shared: &Shared) -> bool {
    if !request.plumb_pipe.is_empty() {
        return write_error(writer, shared, "the mock does not support plumbing");
    }
    if request.command.is_empty() == request.suggest.is_empty() {
        return write_error(writer, shared, "must specify either command or suggest");
    }
    if !request.suggest.is_empty() {
        let suggestions = lock(&shared.world).suggest(&request.suggest);
        let message = Message {
            suggest: Some(suggestions),
            ..Message::default()
        };
        return write_message(writer, &message);
    }
    run_command(request.command, writer, shared)
}

fn write_error(writer: &Writer, shared: &Shared, error: &str) -> bool {
    let host = lock(&shared.world).head().to_owned();
    let message = Message {
        resp: Some(vec![WireResponse {
            host,
            error: error.to_owned(),
            ..WireResponse::default()
        }]),
        ..Message::default()
    };
    write_message(writer, &message)
}

enum Out {
    Status(String),
    Answer(Message),
}

fn run_command(command: String, writer: &Writer, shared: &Shared) -> bool {
    lock(&shared.log).push(command.clone());
    let effects = lock(&shared.effects).pop_front().unwrap_or_default();
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
    let outcome = lock(&shared.world).run_command(&command);

    let statuses = |pick: fn(&Effect) -> Option<&String>| -> Vec<Out> {
        effects
            .iter()
            .filter_map(pick)
            .map(|s| Out::Status(s.clone()))
            .collect()
    };
    let mesh = shared.mesh_status && outcome.mesh_hosts > 0;
    let total = outcome.frames.len();
    let mut out = statuses(|e| match e {
        Effect::StatusBefore(s) => Some(s),
        _ => None,
    });
    if mesh {
        out.push(Out::Status(format!(
            "mesh send: waiting for {} hosts",
            outcome.mesh_hosts
        )));
    }
    for (index, frame) in outcome.frames.into_iter().enumerate() {
        if index > 0 {
            out.extend(statuses(|e| match e {
                Effect::StatusBetween(s) => Some(s),
                _ => None,
            }));
            if mesh {
                out.push(Out::Status(format!(
                    "mesh send: {index} of {} hosts answered",
                    outcome.mesh_hosts
                )));
            }
        }
        let rendered = frame.as_deref().map(render).unwrap_or_default();
        out.push(Out::Answer(Message {
            resp: frame,
            rendered,
            more: index + 1 < total,
            ..Message::default()
        }));
    }
    if mesh {
        out.push(Out::Status(format!(
            "mesh send: all {} hosts answered",
            outcome.mesh_hosts
        )));
    }
    out.extend(statuses(|e| match e {
        Effect::StatusAfter(s) => Some(s),
        _ => None,
    }));

    let cut = effects.iter().find_map(|e| match e {
        Effect::Disconnect { after } => Some((*after, true)),
        Effect::Malformed { after } => Some((*after, false)),
        _ => None,
    });
    let mut answers = 0;
    for item in out {
        match item {
            Out::Status(text) => {
                write_message(writer, &Message::status(text));
            }
            Out::Answer(message) => {
                if let Some((after, disconnect)) = cut {
                    if answers == after {
                        return cut_off(writer, disconnect);
                    }
                }
                if !write_message(writer, &message) {
                    return false;
                }
                answers += 1;
            }
        }
    }
    match cut {
        Some((_, disconnect)) => cut_off(writer, disconnect),
        None => true,
    }
}

/// Ends the answer early: closes the connection, or writes a broken line.
fn cut_off(writer: &Writer, disconnect: bool) -> bool {
    let mut stream = lock(writer);
    if disconnect {
        let _ = stream.shutdown(Shutdown::Both);
        false
    } else {
        stream.write_all(GARBAGE).is_ok()
    }
}

fn write_message(writer: &Writer, message: &Message) -> bool {
    let Ok(mut bytes) = serde_json::to_vec(message) else {
        return false;
    };
    bytes.push(b'\n');
    lock(writer).write_all(&bytes).is_ok()
}
