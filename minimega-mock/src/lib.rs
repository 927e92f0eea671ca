//! An embedded mock minimega: a real UNIX-socket server, on plain threads,
//! that speaks minimega 3.1.0's command-socket protocol, for tests and
//! examples that cannot run the real thing.
//!
//! Its clients come from the facade, `minimega::mock` (feature `mock`),
//! whose `MockClient` gives the mock a `client()` that checks lines against
//! the mock's spec; the mock itself speaks only the wire protocol.
//!
//! ```
//! use minimega::mock::{MockClient, MockMinimega};
//!
//! let mock = MockMinimega::start()?;
//! let mut mm = mock.client()?;
//! mm.run_line("vm config memory 512")?;
//! mm.run_line("vm launch kvm web[1-2]")?;
//! mm.run_line("vm start all")?;
//! let answer = mm.run_line(".columns name,state,memory vm info")?;
//! let rows: Vec<_> = answer.rows().map(|r| r.to_map()).collect();
//! assert_eq!(rows[0]["name"], "web1");
//! assert_eq!(rows[1]["state"], "RUNNING");
//! assert_eq!(rows[1]["memory"], "512");
//! mock.assert_all_simulated();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What it simulates
//!
//! Every line is matched against the spec (the shipped one, or the
//! builder's), and a line it rejects gets minimega's ``invalid command: `…` ``.
//! The commands below are simulated as minimega 3.1.0 runs them, answers
//! and error texts included; the recordings in `fixtures/` are replayed
//! against the mock by the repository's conformance test (in its `xtask`
//! crate), which compares every line the mock simulates.
//!
//! - `vm config` and every field it keeps (numbers with Go's parse errors,
//!   flags, paths relative to the files directory, lists shown `[a b]`,
//!   `tags` and `volume` as `k -> v`, `networks` specs with bridges, MACs
//!   and drivers shown as minimega writes them back, `disks` specs with
//!   interface and cache), `vm config save|restore`, `clear vm config
//!   [field]`, `vm config clone`, `vm config qemu-override` (the
//!   overrides, and QEMU's command line before and after them), and the
//!   whole configuration as `vm config` shows it;
//! - `vm launch kvm|container|android <name or count> [config]`, with
//!   minimega's checks (names, UUIDs); counted VMs are named `vm-N` from a
//!   per-namespace counter, ids come from a per-host counter; VMs are
//!   placed by `vm config schedule`, `vm config colocate`, or minimega's
//!   scheduler (the least CPU-committed host, equal hosts taking turns);
//!   with `ns queueing true` launches wait for `vm launch` or `ns
//!   schedule` (`ns schedule dry-run` shows where they would go, `ns
//!   flush` drops them);
//! - `vm info [summary]` with minimega's columns and `Data`;
//!   `vm start|stop|kill|flush` on names, ids, ranges and `all`, with
//!   minimega's rules for which states each applies to and its errors (one
//!   named VM that is missing or in the wrong state is an error; several
//!   are not);
//! - `vm tag` and `clear vm tag`; `vm net add|connect|disconnect`; `vm
//!   hotplug` (add, remove, list) and `vm cdrom` (change, eject) on KVM VMs;
//!   `vm qmp` (its JSON checked; `query-status` answered);
//! - VLANs as minimega's `vlans` package keeps them: `vlans`, `vlans add`,
//!   `vlans range`, `vlans blacklist`, `clear vlans [prefix|all]`; a number
//!   given by hand is blacklisted, an alias takes the next number of its
//!   namespace's range; launched VMs get an interface per `networks` spec,
//!   a tap numbered per host and a random MAC (or the spec's);
//! - `tap` (create, list and delete host taps per namespace, mirror two
//!   VMs' interfaces, `clear tap`) and `qos add`/`clear qos` (shown in `vm
//!   info`'s `qos` column);
//! - `router` and `clear router` in every form: minirouter's configuration
//!   per router VM and its rendering; a commit writes `minirouter-<vm>` into
//!   the files directory;
//! - `cc` (filter, prefix, exec, exec-once, background, send, recv,
//!   process kill, log, commands, responses, delete, `clear cc`) with
//!   simulated agents: every running VM has one, which takes a matching
//!   command as soon as it is made and answers `hostname` with the VM's
//!   hostname, `echo` with its arguments, anything else with no output and
//!   exit code 0, unless a test programs them ([`MockBuilder::cc_agent`]);
//! - `plumb` and `pipe` (modes, counts, the last message) and their
//!   `clear`s, one plumber per host;
//! - `file list|get|delete|status` on the files directory (globs too);
//! - `namespace` (columns `namespace, vlans, active`), `namespace <name>`
//!   (switches the head node's active namespace: see
//!   [`MockMinimega::active_namespace`]), `namespace <name> (command)`,
//!   `clear namespace [name|all]` (on every host; it frees the namespace's
//!   VLAN aliases and taps), `ns hosts|add-hosts|del-hosts`, `ns run`;
//! - `clear all` (every namespace, VLAN, pipe and the history),
//!   `history` and `clear history` (what minimega records: not `read`,
//!   nor what `.record false` leaves out);
//! - `echo`, `version` (`minimega <version> mock`), `host` and
//!   `host <field>`; `.alias` and `.unalias` (aliases expanded in every
//!   line received); `capture` (pcap of a VM's interface or a bridge,
//!   netflow of a bridge, listed; nothing captured); `debug memory|
//!   goroutine <file>` and `debug cpu start|stop` (empty files, where
//!   `shell` below may make files); `vnc` (record and stop keyboard and
//!   framebuffer recordings, play, pause, continue and stop keyboard
//!   playbacks, list them; `clear vnc`) per namespace, connecting to
//!   nothing and writing no file; `vm save` and `ns save` (empty `.hdd`
//!   and `.state` files and a `launch.mm` in the files directory, the VMs
//!   paused, every save completed at once); `bridge` (the host's bridges,
//!   their VLANs and trunks) and `bridge trunk|notrunk`;
//! - `shell` and `background`, without ever starting a process: a program
//!   not on the `PATH` gets minimega's error; `echo`, `true`, `false` and
//!   `sleep` (answered at once) are simulated, and `cat`, `sort`, `mkdir`,
//!   `touch` and `rm` on paths inside the mock's base directory, or on
//!   paths the mock made itself in the system's temporary directory
//!   (`touch` and `mkdir` make only new ones there, `rm` removes only
//!   those); any other program or path is not simulated;
//! - `mesh send <hosts|all> (command)`: one message with one response per
//!   host that ran it; the head never runs it, unknown hosts are skipped;
//! - `read <file> [check]`: one message per command, `More` until the last;
//!   a line that is not a command ends it with an error naming `file:line`
//!   (a script that is not a regular file is refused: see below);
//! - `.columns`, `.filter`, `.json`, `.csv`, `.headers`, `.annotate`,
//!   `.sort`, `.compress`, `.record` and `.preprocess`, with a command (for
//!   that command) or alone (daemon-wide), and minimega's `Rendered` text;
//! - preprocessing of every argument unless `.preprocess false`: `$VAR`
//!   and `${VAR}` from [`MockBuilder::env`] or the process's environment,
//!   `file:NAME` as `NAME` in [`MockMinimega::files_dir`] (with several
//!   hosts, a file that is not there is minimega's error, answered by no
//!   host, as the mesh has no node to fetch it from);
//! - comments (an answer of no responses), `Suggest` requests (the last
//!   word completed against the spec's words).
//!
//! How far this goes is measured against minimega's own test suite by the
//! crate's `suite` binary (see `minimega-mock/README.md`).
//!
//! # What it does not simulate
//!
//! Any other valid command answers one empty success, and is marked
//! [`Answered::NotSimulated`] in [`MockMinimega::received`]; a test can
//! insist that nothing went unsimulated with
//! [`MockMinimega::assert_all_simulated`], or stub what it needs. Among
//! those: `disk` (no qemu-img), `capture`'s settings, bare `debug`,
//! `vnc type|step|getstep|inject`, `vm screenshot`, `bridge
//! config|tunnel|notunnel|destroy`, `cc tunnel|mount|test-conn`, `ns
//! queue|load|bridge`, `.env`, `file stream`. Known differences from
//! minimega within what is simulated:
//!
//! - `launch.mm` of `ns save` leaves out the VMs' own `vm config` settings,
//!   and `ns save` saves the VMs of the head only; a save to a path
//!   outside the mock's base is not simulated;
//! - a keyboard playback lasts until it is stopped (minimega's ends with
//!   its file, or when a `WaitForIt` times out); its time left counts down
//!   what its file's delays add up to, if the mock can read the file;
//! - VMs never fail to launch (but a container whose filesystem does not
//!   exist, which fails as in minimega, keeping its interfaces' VLANs but
//!   no taps, unless [`MockBuilder::images_exist`] says the machine has
//!   the images; and a KVM sharing a disk with another KVM of its host
//!   where either is not in snapshot mode is, as in minimega, not
//!   launched, with no error): the mock needs neither KVM nor Open vSwitch; its
//!   interfaces carry no traffic, no addresses and no rates, and nothing
//!   (taps, bridges, qos) is made on the host;
//! - `vm config bonds` is not simulated; `vm config qemu-override` shows
//!   the QEMU command line minimega 3.1.0 would build, but its overrides
//!   are kept beside the configuration (`save`, `restore` and `clone` do
//!   not carry them); `vm config cpu` and `machine` accept any value, and a
//!   netspec's driver is checked against a fixed list of qemu's cards;
//! - the machine a host runs on is made up (4 CPUs, 16 GiB, no load);
//!   `vm config coschedule` is kept but not applied when placing VMs;
//! - the mock keeps one VLAN state for the whole cluster (minimega keeps
//!   one per node and tells the others of new aliases);
//! - cc agents run nothing: output other than `hostname`, `echo` and what
//!   [`MockBuilder::cc_agent`] programs is empty, files sent are not kept,
//!   files asked for are not there, and
//!   no process is listed; `cc responses` shows what they answered (for a
//!   prefix, the commands in id order, where minimega goes through them in
//!   no set order);
//! - the plumber runs no programs: an element of a pipeline that is a
//!   program (and a pipe's `via`) passes nothing on; `round-robin` and
//!   `random` pick readers in turn (minimega's round-robin starts at a
//!   random reader);
//! - `file get` succeeds on a single host (as minimega's does) and fails
//!   on a cluster for a file that is not local; `file list` shows the
//!   files directory's own modification times;
//! - `history` records `clear all` (as a recorded minimega 3.1.0 does;
//!   minimega's own test suite, run by `minitest`, shows it without);
//! - `vm qmp` answers `query-status` only (other QMP commands are not
//!   simulated); a router's commit is written, never run;
//! - `http://`, `https://` and `tar:` arguments are not fetched (a command
//!   with one is marked not simulated);
//! - status messages come only from [`Effect`]s, [`MockBuilder::mesh_status`]
//!   and [`MockMinimega::send_status`] (minimega sends them during file
//!   transfers between nodes);
//! - a script `read` runs is read whole before it runs (at most 16 MiB);
//! - `read` runs only regular files: a FIFO, socket or device is refused at
//!   once with an error (``read <file>: the mock reads scripts only from
//!   regular files, and this is a FIFO``), where minimega would open a FIFO
//!   and wait for a writer, or read a device for as long as it gives; a
//!   thread of the mock waiting there could not be ended by stopping it;
//! - a request longer than [`MockBuilder::max_request_bytes`] (default
//!   [`DEFAULT_MAX_REQUEST_BYTES`], 8 MiB) closes its connection without an
//!   answer, as minimega closes a connection whose request it cannot
//!   decode; minimega itself reads a request of any length, but a mock
//!   that did would grow with a client that never ends its request, and
//!   the mock's other connections are served on.
//!
//! # Hosts
//!
//! With [`MockBuilder::hosts`] the mock stands for a cluster; the first
//! host is the head node the socket belongs to. Each host keeps its own
//! namespaces, `vm config` and VMs. The default namespace `minimega` holds
//! the head node only; a new namespace holds every host but the head (or
//! the head alone, with no other host), as in minimega. Commands that run
//! on every host of a namespace (`vm info`, `vm start` …, `host`) answer
//! once per host, in one message.
//!
//! # From async tests
//!
//! The mock serves on threads of its own, so a `#[tokio::test]`, even on
//! the current-thread runtime, drives an async client against it without
//! any request waiting on the test's runtime. Starting it binds the socket
//! and spawns one listening thread; dropping it shuts every connection down
//! and joins its threads, which end at once (a thread stuck in the kernel is
//! waited for two seconds at most); its other methods hold a lock for a
//! moment. Those are short blocking calls, as a `std::fs` call is; the
//! client's `async_client` tests measure them. With feature `tokio`,
//! `MockMinimega::async_client` connects an async client.
//!
//! # Stubs and what the mock received
//!
//! [`MockMinimega::stub_pattern`] and [`MockMinimega::stub_line`] set the
//! answer of a pattern or an exact line (see [`Answer`]);
//! [`MockMinimega::received`] lists the requests received, in order, each
//! with how it was answered, keeping the most recent
//! ([`MockBuilder::received_capacity`]).
//!
//! # Faults and status messages
//!
//! [`MockMinimega::on_next_command`] queues [`Effect`]s for the next request
//! received: status messages around the answer, a delay, a stall, a
//! disconnect or a malformed line part-way through, an endless answer, an
//! overlong line, a message nobody asked for. [`MockMinimega::send_status`]
//! writes a status message to every connection at once (skipping a client
//! that reads too slowly), and [`MockBuilder::mesh_status`] makes every
//! `mesh send` surround its answer with status messages.
//!
//! # Another minimega version
//!
//! The mock's commands are keyed by their patterns in minimega 3.1.0, and
//! checked against the mock's spec when it starts: with a spec that lacks
//! some of them, [`MockBuilder::start`] fails with
//! [`MockError::MissingPatterns`] naming them, unless
//! [`MockBuilder::allow_missing_patterns`] says those commands may go
//! unsimulated (they then answer as any command the mock does not know).

#![warn(missing_docs)]

mod agent;
mod builder;
mod names;
mod outbox;
mod preprocess;
mod received;
mod render;
mod script;
mod server;
mod stub;
mod suggest;
mod world;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use minimega_spec::Spec;

pub use agent::{AgentCommand, AgentReply};
pub use builder::MockBuilder;
pub use received::{Answered, Received};
pub use stub::{Answer, Reply};

use server::Shared;

/// How many requests [`MockMinimega::received`] keeps by default.
pub const DEFAULT_RECEIVED_CAPACITY: usize = 10_000;

/// The default cap on one request, in bytes: 8 MiB, twice the 4 MiB
/// commands the client's own tests write, and thousands of times any
/// command a script sends.
pub const DEFAULT_MAX_REQUEST_BYTES: usize = 8 << 20;

/// Something the mock does to the answer of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// A status message before the answer's first message.
    StatusBefore(String),
    /// A status message between each two messages of the answer.
    StatusBetween(String),
    /// A status message after the answer's last message.
    StatusAfter(String),
    /// Waits this long before answering.
    Delay(Duration),
    /// Never answers (the connection stays open until the mock stops).
    Stall,
    /// Sends this many messages of the answer, then closes the connection.
    Disconnect {
        /// Messages of the answer sent before closing.
        after: usize,
    },
    /// Sends this many messages of the answer, then a line that is not
    /// JSON, and nothing more of this answer.
    Malformed {
        /// Messages of the answer sent before the bad line.
        after: usize,
    },
    /// Marks every message `More: true` and, after the answer, repeats its
    /// last message for as long as the client reads.
    EndlessMore,
    /// Pads the answer's first message to at least this many bytes.
    LongLine {
        /// The length of the line, newline included.
        bytes: usize,
    },
    /// After the answer, one more answer message that no request asked for.
    Unsolicited,
    /// Marks the answer's last message `More: true` (a suggestion's too),
    /// though nothing follows.
    MoreOnLast,
}

/// Why a mock did not start, or a stub was refused.
#[derive(Debug)]
#[non_exhaustive]
pub enum MockError {
    /// The socket or its directory could not be made.
    Io(std::io::Error),
    /// Commands the mock simulates whose patterns the spec lacks (a spec of
    /// another minimega version); see
    /// [`MockBuilder::allow_missing_patterns`].
    MissingPatterns {
        /// The patterns, as the mock knows them.
        patterns: Vec<String>,
    },
    /// A stub for a pattern the spec does not have.
    UnknownPattern {
        /// The pattern as given.
        pattern: String,
    },
}

impl fmt::Display for MockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MockError::Io(error) => write!(f, "the mock could not start: {error}"),
            MockError::MissingPatterns { patterns } => write!(
                f,
                "the spec has no pattern for {} command(s) the mock simulates ({}); \
                 use MockBuilder::allow_missing_patterns(true) to leave them unsimulated",
                patterns.len(),
                patterns.join("; ")
            ),
            MockError::UnknownPattern { pattern } => {
                write!(f, "the mock's spec has no pattern `{pattern}` to stub")
            }
        }
    }
}

impl std::error::Error for MockError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MockError::Io(error) => Some(error),
            _ => None,
        }
    }
}

impl From<std::io::Error> for MockError {
    fn from(error: std::io::Error) -> MockError {
        MockError::Io(error)
    }
}

/// A running mock minimega; it stops when dropped, closing every
/// connection.
#[derive(Debug)]
pub struct MockMinimega {
    spec: &'static Spec,
    base: PathBuf,
    socket: PathBuf,
    owned: bool,
    shared: Arc<Shared>,
    listener: Option<JoinHandle<()>>,
}

impl MockMinimega {
    /// Starts a mock with one host, `mock`, in a fresh temporary directory.
    pub fn start() -> Result<MockMinimega, MockError> {
        MockMinimega::builder().start()
    }

    /// Settings for a mock.
    pub fn builder() -> MockBuilder {
        MockBuilder::default()
    }

    /// The socket path, for a client's `Client::connect_to`.
    pub fn socket_path(&self) -> &Path {
        &self.socket
    }

    /// The base directory, for a client's `Client::connect_base`: the socket is
    /// `base/minimega`.
    pub fn base_dir(&self) -> &Path {
        &self.base
    }

    /// The files directory (`base/files`), where `file:NAME` points and
    /// where relative `vm config` paths are taken from.
    pub fn files_dir(&self) -> PathBuf {
        self.base.join("files")
    }

    /// Writes `text` as the script `name` in the base directory, where a
    /// `read` line can name it, and returns its path. `name` must be a
    /// plain file name: a test's script never lands outside the mock's base.
    ///
    /// ```no_run
    /// # use minimega_mock::MockMinimega;
    /// let mock = MockMinimega::start()?;
    /// let lab = mock.write_script("lab.mm", "vm launch kvm 2\nvm start all\n")?;
    /// // then, on a client of the mock: mm.read(lab.display()).run()?
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_script(&self, name: &str, text: &str) -> std::io::Result<PathBuf> {
        let plain = !name.is_empty() && name != "." && name != ".." && !name.contains('/');
        if !plain {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("`{name}` is not a plain file name for a script in the mock's base"),
            ));
        }
        let path = self.base.join(name);
        std::fs::write(&path, text)?;
        Ok(path)
    }

    /// The spec the mock checks lines against (the shipped one, or the
    /// builder's): a client of the mock should check against the same.
    pub fn spec(&self) -> &'static Spec {
        self.spec
    }

    /// Applies `effects` to the next request the mock receives, on any
    /// connection. Calls queue up: each request takes the oldest set.
    pub fn on_next_command(&self, effects: impl IntoIterator<Item = Effect>) {
        let effects: Vec<Effect> = effects.into_iter().collect();
        lock(&self.shared.effects).push_back(effects);
    }

    /// Queues a status message on every open connection now, without
    /// waiting: a client that has stopped reading (its connection's queue
    /// is full) does not get it.
    pub fn send_status(&self, text: &str) {
        self.shared.broadcast_status(text);
    }

    /// How many status messages [`MockMinimega::send_status`] dropped for
    /// clients that did not read.
    pub fn dropped_statuses(&self) -> u64 {
        self.shared.dropped_statuses.load(Ordering::Relaxed)
    }

    /// Answers every command matching `pattern` (a pattern of the mock's
    /// spec, such as `"vm info [summary,]"`) with `answer`, wherever the
    /// command appears: alone, nested, in a script. The stub added last
    /// wins over earlier ones and over the simulation.
    pub fn stub_pattern(&self, pattern: &str, answer: impl Into<Answer>) -> Result<(), MockError> {
        let mut world = lock(&self.shared.world);
        let id = world
            .spec()
            .patterns()
            .find(|(_, p)| p.text == pattern)
            .map(|(id, _)| id)
            .ok_or_else(|| MockError::UnknownPattern {
                pattern: pattern.to_owned(),
            })?;
        world.stubs.add_pattern(id, answer.into());
        Ok(())
    }

    /// Answers the request whose command is exactly `line` (as sent,
    /// namespace prefix included) with `answer`, before anything else.
    pub fn stub_line(&self, line: &str, answer: impl Into<Answer>) {
        lock(&self.shared.world)
            .stubs
            .add_line(line.to_owned(), answer.into());
    }

    /// Removes every stub.
    pub fn clear_stubs(&self) {
        lock(&self.shared.world).stubs.clear();
    }

    /// The requests received, oldest first (at most the builder's
    /// [`MockBuilder::received_capacity`] most recent), each with how it was
    /// answered.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.shared.log).entries()
    }

    /// How many requests fell out of [`MockMinimega::received`] because
    /// more recent ones took their place.
    pub fn dropped_received(&self) -> u64 {
        lock(&self.shared.log).dropped()
    }

    /// The command lines received (suggestions left out), in order.
    pub fn commands(&self) -> Vec<String> {
        self.received()
            .into_iter()
            .filter(|r| !r.suggest)
            .map(|r| r.line)
            .collect()
    }

    /// The command lines the mock answered without simulating them.
    pub fn unsimulated(&self) -> Vec<String> {
        self.received()
            .into_iter()
            .filter(|r| r.answered == Answered::NotSimulated)
            .map(|r| r.line)
            .collect()
    }

    /// Asserts that the mock simulated (or a stub answered) every command
    /// it received.
    ///
    /// # Panics
    /// If any command was answered as [`Answered::NotSimulated`]; the
    /// message lists them.
    pub fn assert_all_simulated(&self) {
        let unsimulated = self.unsimulated();
        assert!(
            unsimulated.is_empty(),
            "the mock answered {} command(s) without simulating them (stub them, or \
             check the mock's docs for what it simulates): {unsimulated:?}",
            unsimulated.len()
        );
    }

    /// The namespace plain `namespace <name>` last switched the head node
    /// to (`minimega` by default).
    pub fn active_namespace(&self) -> String {
        lock(&self.shared.world).active_namespace().to_owned()
    }
}

impl Drop for MockMinimega {
    fn drop(&mut self) {
        self.shared.stop(self.listener.take());
        let _ = std::fs::remove_file(&self.socket);
        if self.owned {
            let _ = std::fs::remove_dir_all(&self.base);
        }
    }
}

/// Locks `mutex`, recovering from a panicked holder: the mock's state stays
/// usable for the remaining connections.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn fresh_dir() -> std::io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "minimega-mock-{}-{n}-{nanos:x}",
            std::process::id()
        ));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}
