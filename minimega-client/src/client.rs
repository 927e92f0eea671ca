//! The client: its settings and the calls a script makes on it. The wire
//! itself is the `connection` module's; what a line becomes before it is
//! sent is the `outgoing` module's.
//!
//! A client sends one command at a time and reads its whole answer before
//! the next; every method that talks to minimega takes `&mut self`, and a
//! [`ResponseStream`] borrows the client until it is dropped.
//!
//! Inherent methods here are deliberately not named like minimega commands
//! (`vm`, `version`, `host`, …): those names belong to the generated
//! `Commands` trait, and an inherent method would shadow it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use minimega_spec::Spec;

use crate::command::Command;
use crate::connection::{Blocking, Connection, Deadline, Frame};
use crate::error::Error;
use crate::line::CommandLine;
use crate::options::{Limits, RunOptions};
use crate::outgoing::validate_namespace;
use crate::outgoing::{prepare, Scope};
use crate::policy::Failures;
use crate::protocol::Request;
use crate::response::Responses;
use crate::stream::{Answer, ResponseStream, Timing};
use crate::version::VersionCheck;

mod settings;

pub(crate) use settings::{version_text, Reading, Settings, Suggestions};

/// The directory minimega uses when started without `-base`.
pub const DEFAULT_BASE: &str = "/tmp/minimega";

/// The command socket of a minimega started without `-base`.
pub const DEFAULT_SOCKET: &str = "/tmp/minimega/minimega";

/// Settings for a new [`Client`]; start with [`Client::builder`].
pub struct ClientBuilder {
    path: PathBuf,
    namespace: Option<String>,
    timeout: Option<Duration>,
    failures: Failures,
    spec: &'static Spec,
    limits: Limits,
    on_status: Option<crate::connection::StatusHandler>,
}

impl Default for ClientBuilder {
    fn default() -> ClientBuilder {
        ClientBuilder {
            path: PathBuf::from(DEFAULT_SOCKET),
            namespace: None,
            timeout: None,
            failures: Failures::Error,
            spec: minimega_spec::shipped(),
            limits: Limits::default(),
            on_status: None,
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("path", &self.path)
            .field("namespace", &self.namespace)
            .field("timeout", &self.timeout)
            .field("failures", &self.failures)
            .field("limits", &self.limits)
            .field("on_status", &self.on_status.is_some())
            .finish()
    }
}

impl ClientBuilder {
    /// Connects to the socket at `path` (default [`DEFAULT_SOCKET`]).
    pub fn socket(mut self, path: impl Into<PathBuf>) -> ClientBuilder {
        self.path = path.into();
        self
    }

    /// Connects to the minimega started with `-base dir`, whose socket is
    /// `dir/minimega`.
    pub fn base(self, dir: impl AsRef<Path>) -> ClientBuilder {
        let path = dir.as_ref().join("minimega");
        self.socket(path)
    }

    /// Runs every command in namespace `name` (as `namespace name …`),
    /// unless a [`Namespace`](crate::Namespace) handle says otherwise. The name is checked
    /// when connecting.
    pub fn namespace(mut self, name: impl Into<String>) -> ClientBuilder {
        self.namespace = Some(name.into());
        self
    }

    /// Waits at most `timeout` for each command's whole answer (default:
    /// no limit). A command that runs out fails with [`Error::Timeout`] and
    /// closes the connection, unless nothing of it was sent yet: a zero
    /// timeout fails every command at once without sending it. One too
    /// large for the clock means no limit.
    pub fn timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.timeout = Some(timeout);
        self
    }

    /// Sets what a host's error does by default (default
    /// [`Failures::Error`]).
    pub fn failures(mut self, failures: Failures) -> ClientBuilder {
        self.failures = failures;
        self
    }

    /// The spec hand-written lines are checked against and the version
    /// check expects (default: the shipped minimega 3.1.0 spec). A generated
    /// API's `client()` sets its own; a spec read at run time can be given
    /// with `Box::leak(Box::new(spec))`.
    pub fn spec(mut self, spec: &'static Spec) -> ClientBuilder {
        self.spec = spec;
        self
    }

    /// Calls `handler` with the text of every status message minimega
    /// sends (progress of long mesh-wide operations).
    pub fn on_status(mut self, handler: impl FnMut(&str) + Send + 'static) -> ClientBuilder {
        self.on_status = Some(Box::new(handler));
        self
    }

    /// The longest message line the client accepts (default
    /// [`DEFAULT_MAX_LINE_BYTES`](crate::options::DEFAULT_MAX_LINE_BYTES)); a
    /// longer one is a protocol error that closes the connection.
    pub fn max_line_bytes(mut self, bytes: usize) -> ClientBuilder {
        self.limits.max_line = bytes;
        self
    }

    /// The most bytes of messages one [`run`](crate::Complete::run) gathers
    /// (default
    /// [`DEFAULT_MAX_ANSWER_BYTES`](crate::options::DEFAULT_MAX_ANSWER_BYTES));
    /// more is [`Error::TooLarge`] and closes the connection. Streams hold
    /// one message at a time and are not capped.
    pub fn max_answer_bytes(mut self, bytes: usize) -> ClientBuilder {
        self.limits.max_answer = bytes;
        self
    }

    /// The most memory decoding one message may take (default
    /// [`DEFAULT_MAX_DECODED_BYTES`](crate::options::DEFAULT_MAX_DECODED_BYTES)),
    /// reckoned before decoding by
    /// [`decoded_bound`](crate::protocol::decoded_bound): a line within the
    /// byte caps can still decode into far more memory than its size. A
    /// message over it is a protocol error that closes the connection.
    pub fn max_decoded_bytes(mut self, bytes: usize) -> ClientBuilder {
        self.limits.max_decoded = bytes;
        self
    }

    /// Opens the connection.
    pub fn connect(self) -> Result<Client, Error> {
        let (settings, limits, on_status) = self.into_parts()?;
        let mut conn = crate::connect::open(&settings.path, limits)?;
        conn.set_status_handler(on_status);
        Ok(Client { settings, conn })
    }

    /// The settings, caps and status handler, once the namespace name is
    /// checked: what every kind of client is made of.
    pub(crate) fn into_parts(
        self,
    ) -> Result<(Settings, Limits, Option<crate::connection::StatusHandler>), Error> {
        if let Some(name) = &self.namespace {
            validate_namespace(name)?;
        }
        let settings = Settings {
            path: self.path,
            namespace: self.namespace,
            timeout: self.timeout,
            failures: self.failures,
            spec: self.spec,
        };
        Ok((settings, self.limits, self.on_status))
    }
}

/// A connection to minimega's command socket.
///
/// # When things go wrong
///
/// - A host's error in the answer is [`Error::Command`], and a host that
///   was sent a `mesh send` but did not answer is [`Error::Unanswered`] (or,
///   with [`Failures::Keep`], both are left in the responses); the
///   connection stays usable.
/// - Problems found before sending (argument, namespace name, spec check,
///   namespace switch) send nothing; the connection stays usable.
/// - A timeout, a disconnect, a malformed line or an I/O error closes the
///   connection: the rest of that answer may still arrive, so the socket can
///   no longer be trusted to start at the next answer. Later calls fail with
///   [`Error::Closed`] until [`Client::reconnect`].
///
/// ```no_run
/// # mod minimega { pub mod runtime { pub use minimega_client::*; } }
/// use minimega::runtime::Client;
///
/// let mut mm = Client::connect()?;
/// let check = mm.check_version()?;
/// if let Some(warning) = check.warning() {
///     eprintln!("{warning}");
/// }
/// println!("{}", mm.run_line("vm info")?.rendered());
/// # Ok::<(), minimega::runtime::Error>(())
/// ```
pub struct Client {
    settings: Settings,
    conn: Connection<Blocking>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.settings.debug("Client", self.conn.is_open(), f)
    }
}

impl Client {
    /// Connects to [`DEFAULT_SOCKET`], the socket of a minimega started
    /// without `-base`.
    pub fn connect() -> Result<Client, Error> {
        Client::builder().connect()
    }

    /// Connects to the socket at `path`.
    pub fn connect_to(path: impl Into<PathBuf>) -> Result<Client, Error> {
        Client::builder().socket(path).connect()
    }

    /// Connects to the minimega started with `-base dir`.
    pub fn connect_base(dir: impl AsRef<Path>) -> Result<Client, Error> {
        Client::builder().base(dir).connect()
    }

    /// Settings for a new client: timeout, default namespace, failure
    /// handling, status handler, spec, caps.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The socket path this client connects to.
    pub fn socket_path(&self) -> &Path {
        &self.settings.path
    }

    /// The namespace commands run in when no handle says otherwise.
    pub fn default_namespace(&self) -> Option<&str> {
        self.settings.namespace.as_deref()
    }

    /// The spec hand-written lines are checked against.
    pub fn spec(&self) -> &'static Spec {
        self.settings.spec
    }

    /// Whether an earlier failure (or [`Client::disconnect`]) closed the
    /// connection.
    pub fn is_closed(&self) -> bool {
        !self.conn.is_open()
    }

    /// Closes the connection; later commands fail with [`Error::Closed`]
    /// until [`Client::reconnect`].
    pub fn disconnect(&mut self) {
        self.conn.close("closed by the client".to_owned());
    }

    /// Opens a fresh connection to the same socket, replacing the current
    /// one whether or not it is closed; the settings stay.
    pub fn reconnect(&mut self) -> Result<(), Error> {
        crate::connect::reopen(&mut self.conn, &self.settings.path)
    }

    /// Sets the default wait for each command's answer (`None`: no limit).
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.settings.timeout = timeout;
    }

    /// Sets what a host's error does by default.
    pub fn set_failures(&mut self, failures: Failures) {
        self.settings.failures = failures;
    }

    /// Calls `handler` with the text of every status message from now on.
    pub fn set_status_handler(&mut self, handler: impl FnMut(&str) + Send + 'static) {
        self.conn.set_status_handler(Some(Box::new(handler)));
    }

    /// Another connection to the same minimega, with this client's
    /// settings (timeout, failure handling, caps, spec; not its status
    /// handler), whose every command runs in namespace `name`: an owned
    /// handle, so a script can hold several at once, each reading only its
    /// own answers.
    ///
    /// ```no_run
    /// # mod minimega { pub mod runtime { pub use minimega_client::*; } }
    /// use minimega::runtime::Client;
    ///
    /// let mm = Client::connect()?;
    /// let mut red = mm.connect_in("red")?;
    /// let mut blue = mm.connect_in("blue")?;
    /// red.run_line("vm launch kvm 2")?; // `namespace red vm launch kvm 2`
    /// blue.run_line("vm launch kvm 3")?;
    /// # Ok::<(), minimega::runtime::Error>(())
    /// ```
    pub fn connect_in(&self, name: &str) -> Result<Client, Error> {
        let settings = self.settings.in_namespace(name)?;
        let conn = crate::connect::open(&settings.path, self.conn.limits())?;
        Ok(Client { settings, conn })
    }

    /// A hand-written command line, checked against the client's spec
    /// before anything is sent; run it with
    /// [`Complete::run`](crate::Complete::run) or
    /// [`Complete::stream`](crate::Complete::stream). minimega expands
    /// `$VAR` and `file:` in it as its own CLI would.
    pub fn raw(&mut self, line: &str) -> Result<Command<&mut Client>, Error> {
        let spec = self.settings.spec;
        Command::checked(self, spec, line)
    }

    /// A hand-written command line, sent without the spec check (it must
    /// still split into tokens). For commands of a newer minimega than the
    /// spec knows.
    pub fn raw_unchecked(&mut self, line: &str) -> Result<Command<&mut Client>, Error> {
        Command::unchecked(self, line)
    }

    /// Checks and runs a hand-written line: `raw(line)?.run()`.
    pub fn run_line(&mut self, line: &str) -> Result<Responses, Error> {
        use crate::command::Complete;
        self.raw(line)?.run()
    }

    /// Asks minimega how it would complete `input`; each suggestion is a
    /// whole line (`"vm la"` gives `["vm launch "]`).
    pub fn suggest(&mut self, input: &str) -> Result<Vec<String>, Error> {
        if input.is_empty() {
            return Ok(Vec::new());
        }
        let (label, mut gathered) = Suggestions::start(input);
        let deadline = Deadline::after(self.settings.timeout);
        self.conn.send(&Request::suggest(input), &label, deadline)?;
        while let Some(frame) = self.conn.next_frame(deadline)? {
            gathered.take(&mut self.conn, frame);
        }
        gathered.finish()
    }

    /// The version text the server reports (`minimega 3.1.0 …`).
    pub fn server_version(&mut self) -> Result<String, Error> {
        let line = CommandLine::from_tokens(["version"]);
        version_text(&self.execute_in(Scope::Bare, line, RunOptions::new())?)
    }

    /// Compares the server's version with the one the client's spec
    /// describes (`Spec::version`); a mismatch, or a spec that does not say,
    /// is a warning, not an error.
    pub fn check_version(&mut self) -> Result<VersionCheck, Error> {
        let reported = self.server_version()?;
        Ok(VersionCheck::of(self.settings.spec.version(), reported))
    }

    /// Compares the server's version with `expected`.
    pub fn check_version_against(&mut self, expected: &str) -> Result<VersionCheck, Error> {
        let reported = self.server_version()?;
        Ok(VersionCheck::new(expected, reported))
    }

    /// Runs `line` and reads its whole answer: a stream read to its end.
    pub(crate) fn execute_in(
        &mut self,
        scope: Scope<'_>,
        line: CommandLine,
        options: RunOptions,
    ) -> Result<Responses, Error> {
        let timing = self.settings.timing(&options, Reading::Whole);
        self.open_stream(scope, line, options, timing)?
            .into_responses()
    }

    /// Runs `line` for a wait that has `left` before its deadline (`None`:
    /// no limit). The answer is read until then, or until the client's
    /// timeout if that comes first (which fails as usual); `Ok(None)` if the
    /// wait's deadline passes first. Then nothing was sent, or the rest of
    /// the answer is left for the next command to finish, as a dropped
    /// stream's is: a wait that runs out does not close the connection.
    pub(crate) fn poll_in(
        &mut self,
        scope: Scope<'_>,
        line: CommandLine,
        left: Option<Duration>,
    ) -> Result<Option<Responses>, Error> {
        let wait = Deadline::after(left);
        let timing = Timing::Whole(Deadline::after(self.settings.timeout).min(wait));
        let mut stream = match self.open_stream(scope, line, RunOptions::new(), timing) {
            Ok(stream) => stream,
            Err(Error::Timeout { sent: false, .. }) if wait.expired() => return Ok(None),
            Err(error) => return Err(error),
        };
        stream.leave_at(wait);
        stream.gather()
    }

    /// The line `line` becomes in `scope`, as it would be sent.
    pub(crate) fn preview_in(&self, scope: Scope<'_>, line: CommandLine) -> Result<String, Error> {
        self.settings.preview(scope, line)
    }

    /// Sends `line` and hands back a stream over its answer, each message
    /// waited for at most the timeout.
    pub(crate) fn stream_in(
        &mut self,
        scope: Scope<'_>,
        line: CommandLine,
        options: RunOptions,
    ) -> Result<ResponseStream<'_>, Error> {
        let timing = self.settings.timing(&options, Reading::PerMessage);
        self.open_stream(scope, line, options, timing)
    }

    fn open_stream(
        &mut self,
        scope: Scope<'_>,
        line: CommandLine,
        options: RunOptions,
        timing: Timing,
    ) -> Result<ResponseStream<'_>, Error> {
        let planned = match self
            .settings
            .plan(&mut self.conn, scope, line, options, timing)?
        {
            Ok(planned) => planned,
            Err(empty) => return Ok(ResponseStream::new(&mut self.conn, empty)),
        };
        let request = &planned.request;
        let sent = self
            .conn
            .send(request, &request.command, planned.deadline());
        let answer = planned.sent(sent)?;
        Ok(ResponseStream::new(&mut self.conn, answer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<Client>();
    }
}
