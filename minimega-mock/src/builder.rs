//! [`MockBuilder`]: the settings a mock starts with, and starting it.

use std::collections::BTreeMap;
use std::os::unix::net::UnixListener;
use std::path::PathBuf;
use std::sync::Arc;

use minimega_spec::Spec;

use crate::agent::{AgentCommand, AgentReply, Agents};
use crate::preprocess::Preprocessor;
use crate::server::{self, Shared};
use crate::world::{self, World};
use crate::{
    fresh_dir, MockError, MockMinimega, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_RECEIVED_CAPACITY,
};

/// Settings for a [`MockMinimega`]; start with [`MockMinimega::builder`].
#[derive(Debug, Clone)]
pub struct MockBuilder {
    hosts: Vec<String>,
    spec: Option<&'static Spec>,
    /// Whether `version` was set, rather than taken from the spec.
    version_set: bool,
    version: String,
    mesh_status: bool,
    base: Option<PathBuf>,
    env: BTreeMap<String, String>,
    allow_missing: bool,
    received_capacity: usize,
    max_request_bytes: usize,
    images_exist: bool,
    agents: Agents,
}

impl Default for MockBuilder {
    fn default() -> MockBuilder {
        MockBuilder {
            hosts: vec!["mock".to_owned()],
            spec: None,
            version_set: false,
            version: minimega_spec::MINIMEGA_VERSION.to_owned(),
            mesh_status: false,
            base: None,
            env: BTreeMap::new(),
            allow_missing: false,
            received_capacity: DEFAULT_RECEIVED_CAPACITY,
            max_request_bytes: DEFAULT_MAX_REQUEST_BYTES,
            images_exist: false,
            agents: Agents::default(),
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

    /// Validates commands against `spec` instead of the shipped one, and
    /// reports its version (unless [`MockBuilder::version`] says otherwise).
    /// A generated API's `mock()` sets its own spec; a spec read at run time
    /// can be given with `Box::leak(Box::new(spec))`.
    pub fn spec(mut self, spec: &'static Spec) -> MockBuilder {
        self.spec = Some(spec);
        self
    }

    /// Starts even when the spec lacks patterns of commands the mock
    /// simulates (default: such a spec is refused, naming them). Those
    /// commands are then not commands of the spec, so lines with them are
    /// invalid as minimega of that version would find them.
    pub fn allow_missing_patterns(mut self, allow: bool) -> MockBuilder {
        self.allow_missing = allow;
        self
    }

    /// The version `version` reports (default the shipped spec's, so
    /// `minimega 3.1.0 mock`).
    pub fn version(mut self, version: impl Into<String>) -> MockBuilder {
        self.version = version.into();
        self.version_set = true;
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

    /// An environment variable for `$NAME` preprocessing, which the mock
    /// looks up here before the process's environment.
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> MockBuilder {
        self.env.insert(name.into(), value.into());
        self
    }

    /// How many of the most recent requests [`MockMinimega::received`]
    /// keeps (default [`DEFAULT_RECEIVED_CAPACITY`]); older ones are
    /// counted by [`MockMinimega::dropped_received`].
    pub fn received_capacity(mut self, capacity: usize) -> MockBuilder {
        self.received_capacity = capacity;
        self
    }

    /// The longest request the mock reads, in bytes (default
    /// [`DEFAULT_MAX_REQUEST_BYTES`]), counted from the end of the previous
    /// request: a longer one closes its connection without an answer, so
    /// that a client that never ends its request cannot take the mock's
    /// memory.
    pub fn max_request_bytes(mut self, bytes: usize) -> MockBuilder {
        self.max_request_bytes = bytes;
        self
    }

    /// Takes every container filesystem to exist, as on a machine that has
    /// the images a script names (default: the mock looks, and a container
    /// whose filesystem is not there fails to launch, as in minimega).
    pub fn images_exist(mut self, exist: bool) -> MockBuilder {
        self.images_exist = exist;
        self
    }

    /// Programs what the simulated cc agents answer: `agent` sees each
    /// command an agent runs (not background ones, whose output minimega
    /// does not keep) and returns its output and exit code, or `None` to
    /// leave it to the default (`hostname` answers the VM's hostname,
    /// `echo` its arguments, anything else no output and exit code 0).
    ///
    /// ```
    /// use minimega_mock::{AgentReply, MockMinimega};
    ///
    /// let mock = MockMinimega::builder()
    ///     .cc_agent(|run| match run.command.first().map(String::as_str) {
    ///         Some("uname") => Some(AgentReply::stdout("Linux")),
    ///         Some("false") => Some(AgentReply::default().with_exit_code(1)),
    ///         _ => None,
    ///     })
    ///     .start()?;
    /// # drop(mock);
    /// # Ok::<(), minimega_mock::MockError>(())
    /// ```
    pub fn cc_agent<F>(mut self, agent: F) -> MockBuilder
    where
        F: Fn(&AgentCommand<'_>) -> Option<AgentReply> + Send + Sync + 'static,
    {
        self.agents = Agents::programmed(Arc::new(agent));
        self
    }

    /// Starts serving.
    pub fn start(self) -> Result<MockMinimega, MockError> {
        let spec = self.spec.unwrap_or_else(minimega_spec::shipped);
        let version = match spec.version() {
            Some(version) if !self.version_set => version.to_owned(),
            _ => self.version,
        };
        let handlers = world::check(spec, self.allow_missing)
            .map_err(|patterns| MockError::MissingPatterns { patterns })?;
        let (base, owned) = match self.base {
            Some(dir) => (dir, false),
            None => (fresh_dir()?, true),
        };
        let socket = base.join("minimega");
        let files = base.join("files");
        let listener = std::fs::create_dir_all(&files).and_then(|()| UnixListener::bind(&socket));
        let listener = match listener {
            Ok(listener) => listener,
            Err(error) => {
                if owned {
                    let _ = std::fs::remove_dir_all(&base);
                }
                return Err(error.into());
            }
        };
        let preprocessor = Preprocessor {
            env: self.env,
            files,
            peers: self.hosts.len() > 1,
        };
        let mut world = World::new(spec, handlers, self.hosts, version, preprocessor);
        world.images_exist = self.images_exist;
        world.agents = self.agents;
        let limits = server::Limits {
            log_capacity: self.received_capacity,
            max_request: self.max_request_bytes,
        };
        let started = Shared::new(world, self.mesh_status, limits)
            .map(Arc::new)
            .and_then(|shared| {
                let thread = server::listen(listener, Arc::clone(&shared))?;
                Ok((shared, thread))
            });
        let (shared, listener) = match started {
            Ok(started) => started,
            Err(error) => {
                let _ = std::fs::remove_file(&socket);
                if owned {
                    let _ = std::fs::remove_dir_all(&base);
                }
                return Err(error.into());
            }
        };
        Ok(MockMinimega {
            spec,
            base,
            socket,
            owned,
            shared,
            listener: Some(listener),
        })
    }
}
