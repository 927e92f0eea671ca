//! The connection to minimega: connecting, running command lines, reading
//! their answers, and the client-wide settings.
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
use std::sync::Arc;
use std::time::{Duration, Instant};

use minimega_spec::{Item, Spec};

use crate::command::{CommandLine, Target};
use crate::connection::{Connection, Fault};
use crate::error::Error;
use crate::namespace::{validate_namespace, Namespace};
use crate::options::{Failures, RunOptions};
use crate::protocol::{Message, Request};
use crate::raw::Raw;
use crate::response::Responses;
use crate::stream::ResponseStream;
use crate::version::VersionCheck;

/// The directory minimega uses when started without `-base`.
pub const DEFAULT_BASE: &str = "/tmp/minimega";

/// The command socket of a minimega started without `-base`.
pub const DEFAULT_SOCKET: &str = "/tmp/minimega/minimega";

type StatusHandler = Box<dyn FnMut(&str) + Send>;

/// A command on the wire, waiting for its answer.
struct Sent {
    command: String,
    deadline: Option<Instant>,
    timeout: Option<Duration>,
}

/// Where a command runs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope<'s> {
    /// In the client's default namespace, if it has one.
    Client,
    /// In the given namespace.
    Namespace(&'s str),
    /// Without any namespace prefix.
    Bare,
}

/// Settings for a new [`Client`]; start with [`Client::builder`].
pub struct ClientBuilder {
    path: PathBuf,
    namespace: Option<String>,
    timeout: Option<Duration>,
    failures: Failures,
    spec: Option<Arc<Spec>>,
    on_status: Option<StatusHandler>,
}

impl Default for ClientBuilder {
    fn default() -> ClientBuilder {
        ClientBuilder {
            path: PathBuf::from(DEFAULT_SOCKET),
            namespace: None,
            timeout: None,
            failures: Failures::Error,
            spec: None,
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
            .field("custom_spec", &self.spec.is_some())
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
    /// unless a [`Namespace`] handle says otherwise. The name is checked
    /// when connecting.
    pub fn namespace(mut self, name: impl Into<String>) -> ClientBuilder {
        self.namespace = Some(name.into());
        self
    }

    /// Waits at most `timeout` for each command's answer (default: no
    /// limit). A command that runs out fails with
    /// [`Error::Timeout`] and closes the connection.
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

    /// Checks hand-written lines ([`Client::raw`]) against `spec` instead
    /// of the shipped minimega 3.1.0 spec.
    pub fn spec(mut self, spec: Spec) -> ClientBuilder {
        self.spec = Some(Arc::new(spec));
        self
    }

    /// Calls `handler` with the text of every status message minimega
    /// sends (progress of long mesh-wide operations).
    pub fn on_status(mut self, handler: impl FnMut(&str) + Send + 'static) -> ClientBuilder {
        self.on_status = Some(Box::new(handler));
        self
    }

    /// Opens the connection.
    pub fn connect(self) -> Result<Client, Error> {
        if let Some(name) = &self.namespace {
            validate_namespace(name)?;
        }
        let conn = open(&self.path)?;
        Ok(Client {
            path: self.path,
            conn: Some(conn),
            closed: String::new(),
            namespace: self.namespace,
            timeout: self.timeout,
            failures: self.failures,
            spec: self.spec,
            on_status: self.on_status,
        })
    }
}

fn open(path: &Path) -> Result<Connection, Error> {
    Connection::open(path).map_err(|source| Error::Connect {
        path: path.to_owned(),
        hint: connect_hint(source.kind()).to_owned(),
        source,
    })
}

pub(crate) fn connect_hint(kind: std::io::ErrorKind) -> &'static str {
    use std::io::ErrorKind::*;
    match kind {
        NotFound => {
            "no socket there: start minimega (usually as root, `sudo minimega`); if it runs with \
             `-base DIR`, connect with `Client::connect_base(DIR)`"
        }
        PermissionDenied => {
            "the socket is root-only by default: run this program as root (e.g. with sudo), or \
             give your user access to the socket"
        }
        ConnectionRefused => {
            "nothing is listening: the socket was left by a minimega that exited; start minimega \
             again"
        }
        _ => {
            "check that minimega is running and that this is its command socket (`-base DIR` puts \
             it at DIR/minimega)"
        }
    }
}

/// A connection to minimega's command socket.
///
/// # When things go wrong
///
/// - A host's error in the answer is [`Error::Command`] (or, with
///   [`Failures::Keep`], left in the responses); the connection stays usable.
/// - Problems found before sending (argument, namespace name, spec check,
///   namespace switch) send nothing; the connection stays usable.
/// - A timeout, a disconnect, a malformed line or an I/O error closes the
///   connection: the rest of that answer may still arrive, so the socket can
///   no longer be trusted to start at the next answer. Later calls fail with
///   [`Error::Closed`] until [`Client::reconnect`].
///
/// ```no_run
/// use minimega_client::Client;
///
/// let mut mm = Client::connect()?;
/// let check = mm.check_version()?;
/// if let Some(warning) = check.warning() {
///     eprintln!("{warning}");
/// }
/// println!("{}", mm.run_line("vm info")?.rendered());
/// # Ok::<(), minimega_client::Error>(())
/// ```
pub struct Client {
    path: PathBuf,
    conn: Option<Connection>,
    /// Why `conn` is `None`.
    closed: String,
    namespace: Option<String>,
    timeout: Option<Duration>,
    failures: Failures,
    spec: Option<Arc<Spec>>,
    on_status: Option<StatusHandler>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("path", &self.path)
            .field("open", &self.conn.is_some())
            .field("namespace", &self.namespace)
            .field("timeout", &self.timeout)
            .field("failures", &self.failures)
            .finish_non_exhaustive()
    }
}

impl Target for &mut Client {}

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
    /// handling, status handler.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The socket path this client connects to.
    pub fn socket_path(&self) -> &Path {
        &self.path
    }

    /// The namespace commands run in when no handle says otherwise.
    pub fn default_namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// Whether an earlier failure (or [`Client::disconnect`]) closed the
    /// connection.
    pub fn is_closed(&self) -> bool {
        self.conn.is_none()
    }

    /// Closes the connection; later commands fail with [`Error::Closed`]
    /// until [`Client::reconnect`].
    pub fn disconnect(&mut self) {
        self.close("closed by the client".to_owned());
    }

    /// Opens a fresh connection to the same socket, replacing the current
    /// one whether or not it is closed.
    pub fn reconnect(&mut self) -> Result<(), Error> {
        let conn = open(&self.path)?;
        self.conn = Some(conn);
        self.closed.clear();
        Ok(())
    }

    /// Sets the default wait for each command's answer (`None`: no limit).
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }

    /// Sets what a host's error does by default.
    pub fn set_failures(&mut self, failures: Failures) {
        self.failures = failures;
    }

    /// Calls `handler` with the text of every status message from now on.
    pub fn set_status_handler(&mut self, handler: impl FnMut(&str) + Send + 'static) {
        self.on_status = Some(Box::new(handler));
    }

    /// A handle that runs every command as `namespace name <command>`,
    /// without switching minimega's active namespace. Handles nest; the
    /// innermost name wins.
    pub fn namespace(&mut self, name: &str) -> Result<Namespace<'_>, Error> {
        Namespace::new(self, name)
    }

    /// A hand-written command line, checked against the spec before
    /// anything is sent; run it with [`Complete::run`](crate::Complete::run)
    /// or [`Complete::stream`](crate::Complete::stream).
    pub fn raw(&mut self, line: &str) -> Result<Raw<&mut Client>, Error> {
        let line = crate::raw::checked(self.spec(), line)?;
        Ok(Raw::from_line(self, line))
    }

    /// A hand-written command line, sent without the spec check (it must
    /// still split into tokens). For commands of a newer minimega than the
    /// spec knows.
    pub fn raw_unchecked(&mut self, line: &str) -> Result<Raw<&mut Client>, Error> {
        let line = crate::raw::unchecked(line)?;
        Ok(Raw::from_line(self, line))
    }

    /// Checks and runs a hand-written line: `raw(line)?.run()`.
    pub fn run_line(&mut self, line: &str) -> Result<Responses, Error> {
        let line = crate::raw::checked(self.spec(), line)?;
        self.execute_in(Scope::Client, line, RunOptions::new())
    }

    /// Asks minimega how it would complete `input`; each suggestion is a
    /// whole line (`"vm la"` gives `["vm launch "]`).
    pub fn suggest(&mut self, input: &str) -> Result<Vec<String>, Error> {
        if input.is_empty() {
            return Ok(Vec::new());
        }
        let label = format!("suggest {input}");
        let (deadline, timeout) = self.deadline(self.timeout);
        self.send(&Request::suggest(input), &label, deadline, timeout)?;
        let message = self.next_answer(&label, deadline, timeout, None)?;
        let mut responses = Responses::new(label);
        let suggestions = message.suggest.unwrap_or_default();
        responses.push_message(message.resp.unwrap_or_default(), message.rendered);
        responses.into_result()?;
        Ok(suggestions)
    }

    /// The version text the server reports (`minimega 3.1.0 …`).
    pub fn server_version(&mut self) -> Result<String, Error> {
        let line = CommandLine::from_tokens(["version"]);
        let responses = self.execute_in(Scope::Bare, line, RunOptions::new())?;
        match responses.first() {
            Some(first) => Ok(first.text().to_owned()),
            None => Err(Error::NotSingle { count: 0 }),
        }
    }

    /// Compares the server's version with the one the shipped spec was
    /// taken from ([`minimega_spec::MINIMEGA_VERSION`]). A mismatch is not
    /// an error: see [`VersionCheck::warning`].
    pub fn check_version(&mut self) -> Result<VersionCheck, Error> {
        self.check_version_against(minimega_spec::MINIMEGA_VERSION)
    }

    /// Compares the server's version with `expected`.
    pub fn check_version_against(&mut self, expected: &str) -> Result<VersionCheck, Error> {
        let reported = self.server_version()?;
        Ok(VersionCheck::new(expected, reported))
    }

    pub(crate) fn spec(&self) -> &Spec {
        match &self.spec {
            Some(spec) => spec,
            None => minimega_spec::shipped(),
        }
    }

    /// Runs `line` and reads its whole answer.
    pub(crate) fn execute_in(
        &mut self,
        scope: Scope<'_>,
        line: CommandLine,
        options: RunOptions,
    ) -> Result<Responses, Error> {
        let (timeout, failures) = self.resolve(options);
        let Some(sent) = self.send_command(scope, line, timeout)? else {
            return Ok(Responses::new(String::new()));
        };
        let mut responses = Responses::new(sent.command.clone());
        loop {
            let message = self.next_answer(
                &sent.command,
                sent.deadline,
                sent.timeout,
                Some(&mut responses),
            )?;
            responses.push_message(message.resp.unwrap_or_default(), message.rendered);
            if !message.more {
                break;
            }
        }
        match failures {
            Failures::Error => responses.into_result(),
            Failures::Keep => Ok(responses),
        }
    }

    /// Sends `line` and hands back a stream over its answer.
    pub(crate) fn stream_in(
        &mut self,
        scope: Scope<'_>,
        line: CommandLine,
        options: RunOptions,
    ) -> Result<ResponseStream<'_>, Error> {
        let (timeout, failures) = self.resolve(options);
        match self.send_command(scope, line, timeout)? {
            Some(sent) => Ok(ResponseStream::new(
                self,
                sent.command,
                sent.timeout,
                failures,
            )),
            None => Ok(ResponseStream::finished(self, failures)),
        }
    }

    /// Puts `line` in its scope and sends it; `None` when there is nothing
    /// to send (a blank line), which minimega would not answer.
    fn send_command(
        &mut self,
        scope: Scope<'_>,
        line: CommandLine,
        timeout: Option<Duration>,
    ) -> Result<Option<Sent>, Error> {
        let Some(command) = self.prepare(scope, line)? else {
            return Ok(None);
        };
        let (deadline, timeout) = self.deadline(timeout);
        self.send(
            &Request::command(command.as_str()),
            &command,
            deadline,
            timeout,
        )?;
        Ok(Some(Sent {
            command,
            deadline,
            timeout,
        }))
    }

    fn resolve(&self, options: RunOptions) -> (Option<Duration>, Failures) {
        (
            options.timeout.unwrap_or(self.timeout),
            options.failures.unwrap_or(self.failures),
        )
    }

    fn deadline(&self, timeout: Option<Duration>) -> (Option<Instant>, Option<Duration>) {
        (timeout.map(|t| Instant::now() + t), timeout)
    }

    /// The rendered line to send, or `None` for a line with no tokens,
    /// which minimega would answer with nothing.
    fn prepare(&self, scope: Scope<'_>, line: CommandLine) -> Result<Option<String>, Error> {
        if let Some(problem) = line.problem() {
            return Err(problem.clone().into());
        }
        if line.tokens().is_empty() {
            return Ok(None);
        }
        if switches_namespace(self.spec(), line.tokens()) {
            return Err(Error::NamespaceSwitch {
                line: line.to_string(),
            });
        }
        let verbatim = crate::preprocess::needs_verbatim(&line)?;
        let namespace = match scope {
            Scope::Client => self.namespace.as_deref(),
            Scope::Namespace(name) => Some(name),
            Scope::Bare => None,
        };
        let line = match namespace {
            Some(name) => line.prefixed(["namespace", name]),
            None => line,
        };
        // Outermost, so that it covers the namespace's nested command too.
        let line = if verbatim {
            line.prefixed([".preprocess", "false"])
        } else {
            line
        };
        Ok(Some(line.render()?))
    }

    fn connection(&mut self) -> Result<&mut Connection, Error> {
        match &mut self.conn {
            Some(conn) => Ok(conn),
            None => Err(Error::Closed {
                reason: self.closed.clone(),
            }),
        }
    }

    fn send(
        &mut self,
        request: &Request,
        command: &str,
        deadline: Option<Instant>,
        timeout: Option<Duration>,
    ) -> Result<(), Error> {
        let result = self.connection()?.send(request, deadline);
        result.map_err(|fault| self.fail(fault, command, timeout))
    }

    /// The next message that belongs to an answer; status messages on the
    /// way go to the handler and, if given, to `responses`.
    fn next_answer(
        &mut self,
        command: &str,
        deadline: Option<Instant>,
        timeout: Option<Duration>,
        mut responses: Option<&mut Responses>,
    ) -> Result<Message, Error> {
        loop {
            let message = self.read_message(command, deadline, timeout)?;
            if !message.status {
                return Ok(message);
            }
            self.deliver_status(&message.rendered);
            if let Some(responses) = responses.as_deref_mut() {
                responses.push_status(message.rendered);
            }
        }
    }

    /// The next message, status or not; a fault closes the connection.
    pub(crate) fn read_message(
        &mut self,
        command: &str,
        deadline: Option<Instant>,
        timeout: Option<Duration>,
    ) -> Result<Message, Error> {
        let line = match self.connection()?.read_line(deadline) {
            Ok(line) => line,
            Err(fault) => return Err(self.fail(fault, command, timeout)),
        };
        Message::parse(&line)
            .map_err(|reason| self.fail(Fault::BadLine(line, reason), command, timeout))
    }

    pub(crate) fn deliver_status(&mut self, text: &str) {
        if let Some(handler) = &mut self.on_status {
            handler(text);
        }
    }

    /// Turns a fault into an error, closing the connection: the rest of
    /// the answer may still be on its way, so the socket cannot be trusted
    /// to start at the next command's answer.
    fn fail(&mut self, fault: Fault, command: &str, timeout: Option<Duration>) -> Error {
        let command = command.to_owned();
        let error = match fault {
            Fault::Timeout => Error::Timeout {
                command,
                after: timeout.unwrap_or_default(),
            },
            Fault::Eof => Error::Disconnected { command },
            Fault::BadLine(line, reason) => Error::Protocol {
                command,
                line,
                reason,
            },
            Fault::Io(source) => Error::Io { command, source },
        };
        self.close(error.to_string());
        error
    }

    fn close(&mut self, reason: String) {
        if self.conn.take().is_some() {
            self.closed = reason;
        }
    }
}

/// Whether the line, or a command nested in it, is a plain `namespace
/// <name>`, which switches the active namespace of the whole minimega.
fn switches_namespace(spec: &Spec, tokens: &[String]) -> bool {
    let Some(found) = spec.compile_tokens(tokens) else {
        return false;
    };
    let mut current = Some(&found);
    while let Some(m) = current {
        let items = &spec.pattern(m.id).items;
        let plain = matches!(
            items.as_slice(),
            [Item::Literal(word), Item::Value { key, .. }] if word == "namespace" && m.value(key).is_some()
        );
        if plain {
            return true;
        }
        current = m.subcommand.as_deref();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(line: &str) -> Vec<String> {
        minimega_spec::input::lex(line).unwrap()
    }

    #[test]
    fn spots_namespace_switches() {
        let spec = minimega_spec::shipped();
        assert!(switches_namespace(spec, &tokens("namespace foo")));
        assert!(switches_namespace(
            spec,
            &tokens(".columns name namespace foo")
        ));
        assert!(!switches_namespace(spec, &tokens("namespace")));
        assert!(!switches_namespace(spec, &tokens("namespace foo vm info")));
        assert!(!switches_namespace(spec, &tokens("clear namespace foo")));
        assert!(!switches_namespace(spec, &tokens("vm info")));
    }

    #[test]
    fn connect_hints_say_what_to_do() {
        use std::io::ErrorKind;
        assert!(connect_hint(ErrorKind::NotFound).contains("start minimega"));
        assert!(connect_hint(ErrorKind::PermissionDenied).contains("root"));
        let error = Error::Connect {
            path: "/x/minimega".into(),
            source: std::io::Error::from(ErrorKind::PermissionDenied),
            hint: connect_hint(ErrorKind::PermissionDenied).to_owned(),
        };
        let text = error.to_string();
        assert!(
            text.contains("`/x/minimega`") && text.contains("run this program as root"),
            "{text}"
        );
    }

    #[test]
    fn client_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<Client>();
    }
}
