//! An embedded mock minimega: a real UNIX-socket server, on plain threads,
//! that speaks minimega 3.1.0's command-socket protocol, for tests and
//! examples that cannot run the real thing.
//!
//! ```
//! use minimega_mock::MockMinimega;
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
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # What it simulates
//!
//! - Every command is matched against the spec (the shipped one, or the
//!   builder's); lines it rejects get minimega's ``invalid command: `…` ``
//!   error. Comment-only lines get an answer with no responses.
//! - `vm config <field> [value]` gets and sets any simple field
//!   (defaults as minimega: memory 2048, vcpus 1, snapshot true, …);
//!   `vm config save|restore`, `clear vm config [field]`.
//! - `vm launch kvm|container|android <name or count> [config]`: a count
//!   names VMs `vm-<id>` from a per-namespace counter that also gives the
//!   VM ids (minimega names counted VMs the same way, from its own
//!   counter); names may be lists and ranges (`a,b`, `vm[1-3]`). VMs are
//!   spread round-robin over the namespace's hosts.
//! - `vm info [summary]` with minimega's columns and `Data`;
//!   `vm start|stop|kill|flush` on `all`, names, ids and ranges, with the
//!   states BUILDING → RUNNING (start) → PAUSED (stop) → QUIT (kill) →
//!   removed (flush).
//! - `namespace <name> (command)`, with a VM set per namespace; plain
//!   `namespace <name>` switches the mock's active namespace (see
//!   [`MockMinimega::active_namespace`]).
//! - `.columns` and `.filter` (`col=value`, `col~part`, `!` to negate);
//!   other `.modifier (command)` lines run the command unchanged.
//! - `echo`, `version` (`minimega <version> mock`), `host` and `host name`,
//!   `ns hosts`, `read <file> [check]` (one message per command, `More`
//!   until the last, stopping at the first error, which carries
//!   `file:line`), `mesh send <hosts|all> (command)` (one message per host).
//! - `Suggest` requests: the last word is completed against the literal
//!   words the spec allows there, whole lines returned (`"vm launch "`).
//! - Any other valid command gets one empty, successful response.
//!
//! # Hosts
//!
//! With [`MockBuilder::hosts`] the mock stands for a cluster; the first
//! host is the head node the socket belongs to. The default namespace
//! `minimega` holds the head node only; any other namespace holds every
//! host (real minimega leaves the head node out of new namespaces when it
//! has mesh peers). Broadcast commands (`vm info`, `vm start` …, `host`)
//! answer once per host of the namespace, in one message; `mesh send`
//! answers once per target host, one message each; `all` means every host
//! but the head node.
//!
//! # Faults and status messages
//!
//! [`MockMinimega::on_next_command`] queues [`Effect`]s for the next
//! command received: status messages before, between or after the
//! answer's messages, a delay, a stall, a disconnect or a malformed line
//! part-way through. [`MockMinimega::send_status`] writes a status message
//! to every connection at once, and [`MockBuilder::mesh_status`] makes
//! every `mesh send` surround its answer with status messages, as
//! minimega does during long mesh-wide operations.

#![warn(missing_docs)]

mod render;
mod server;
mod suggest;
mod vms;
mod world;

use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use minimega_spec::Spec;

use minimega_client::{Client, Error};
use server::Shared;
use world::World;

/// Something the mock does to the answer of one command.
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
}

/// Settings for a [`MockMinimega`]; start with [`MockMinimega::builder`].
#[derive(Debug, Clone)]
pub struct MockBuilder {
    hosts: Vec<String>,
    spec: Option<Arc<Spec>>,
    version: String,
    mesh_status: bool,
    base: Option<PathBuf>,
}

impl Default for MockBuilder {
    fn default() -> MockBuilder {
        MockBuilder {
            hosts: vec!["mock".to_owned()],
            spec: None,
            version: minimega_spec::MINIMEGA_VERSION.to_owned(),
            mesh_status: false,
            base: None,
        }
    }
}

impl MockBuilder {
    /// The hosts the mock stands for, head node first (default: one host,
    /// `mock`). An empty list keeps the default.
    pub fn hosts<I, S>(mut self, hosts: I) -> MockBuilder
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let hosts: Vec<String> = hosts.into_iter().map(Into::into).collect();
        if !hosts.is_empty() {
            self.hosts = hosts;
        }
        self
    }

    /// Validates commands against `spec` instead of the shipped one.
    pub fn spec(mut self, spec: Spec) -> MockBuilder {
        self.spec = Some(Arc::new(spec));
        self
    }

    /// The version `version` reports (default the shipped spec's, so
    /// `minimega 3.1.0 mock`).
    pub fn version(mut self, version: impl Into<String>) -> MockBuilder {
        self.version = version.into();
        self
    }

    /// Surrounds every `mesh send` answer with status messages: one
    /// before, one between host messages, one after.
    pub fn mesh_status(mut self, on: bool) -> MockBuilder {
        self.mesh_status = on;
        self
    }

    /// Serves at `dir/minimega` instead of in a fresh temporary directory;
    /// `dir` must exist and is left in place when the mock stops.
    pub fn base_dir(mut self, dir: impl Into<PathBuf>) -> MockBuilder {
        self.base = Some(dir.into());
        self
    }

    /// Starts serving.
    pub fn start(self) -> std::io::Result<MockMinimega> {
        let (base, owned) = match self.base {
            Some(dir) => (dir, false),
            None => (fresh_dir()?, true),
        };
        let socket = base.join("minimega");
        let listener = match UnixListener::bind(&socket) {
            Ok(listener) => listener,
            Err(e) => {
                if owned {
                    let _ = std::fs::remove_dir_all(&base);
                }
                return Err(e);
            }
        };
        let spec = self
            .spec
            .unwrap_or_else(|| Arc::new(minimega_spec::shipped().clone()));
        let world = World::new(spec, self.hosts, self.version);
        let shared = Arc::new(Shared::new(world, self.mesh_status));
        let listener_thread = server::listen(listener, Arc::clone(&shared))?;
        Ok(MockMinimega {
            base,
            socket,
            owned,
            shared,
            listener: Some(listener_thread),
        })
    }
}

/// A running mock minimega; it stops when dropped.
#[derive(Debug)]
pub struct MockMinimega {
    base: PathBuf,
    socket: PathBuf,
    owned: bool,
    shared: Arc<Shared>,
    listener: Option<JoinHandle<()>>,
}

impl MockMinimega {
    /// Starts a mock with one host, `mock`, in a fresh temporary directory.
    pub fn start() -> std::io::Result<MockMinimega> {
        MockMinimega::builder().start()
    }

    /// Settings for a mock.
    pub fn builder() -> MockBuilder {
        MockBuilder::default()
    }

    /// The socket path, for [`Client::connect_to`].
    pub fn socket_path(&self) -> &Path {
        &self.socket
    }

    /// The base directory, for [`Client::connect_base`]: the socket is
    /// `base/minimega`.
    pub fn base_dir(&self) -> &Path {
        &self.base
    }

    /// A client connected to this mock.
    pub fn client(&self) -> Result<Client, Error> {
        Client::connect_to(&self.socket)
    }

    /// Applies `effects` to the next command the mock receives, on any
    /// connection. Calls queue up: each command takes the oldest set.
    pub fn on_next_command(&self, effects: impl IntoIterator<Item = Effect>) {
        let effects: Vec<Effect> = effects.into_iter().collect();
        lock(&self.shared.effects).push_back(effects);
    }

    /// Writes a status message to every open connection now.
    pub fn send_status(&self, text: &str) {
        self.shared.broadcast_status(text);
    }

    /// Every command line received so far, in order, as sent.
    pub fn commands(&self) -> Vec<String> {
        lock(&self.shared.log).clone()
    }

    /// The namespace plain `namespace <name>` last switched to
    /// (`minimega` by default).
    pub fn active_namespace(&self) -> String {
        lock(&self.shared.world).active_namespace().to_owned()
    }
}

impl Drop for MockMinimega {
    fn drop(&mut self) {
        self.shared.stop(&self.socket);
        if let Some(listener) = self.listener.take() {
            let _ = listener.join();
        }
        self.shared.join_connections();
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
