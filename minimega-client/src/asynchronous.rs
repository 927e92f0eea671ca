//! The async client, on tokio (feature `tokio`): the same generated API,
//! awaited.
//!
//! Only the I/O is this module's: the checks before sending, the
//! namespace prefix, the preprocessor rule, the connection's rules (one
//! answer in flight, caps, unsolicited messages, faults that close), the
//! deadlines (one that passes before anything is written sends nothing and
//! leaves the connection open; a line is handed out only while its
//! deadline holds; a wait's polls are bounded by the wait's deadline), the
//! failure policy, status messages and `tracing` are the blocking client's
//! own code, shared.

use std::fmt;
use std::future::{poll_fn, Future};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use minimega_spec::Spec;

use crate::client::{version_text, ClientBuilder, Reading, Settings, Suggestions};
use crate::command::Command;
use crate::connection::tokio_io::Tokio;
use crate::connection::{Connection, Deadline};
use crate::error::Error;
use crate::line::CommandLine;
use crate::options::RunOptions;
use crate::outgoing::Scope;
use crate::policy::Failures;
use crate::protocol::Request;
use crate::response::{Response, Responses};
use crate::site::{Runner, Site};
use crate::stream::{Answer, Event, Next, Timing};
use crate::version::VersionCheck;

mod namespace;
mod pool;
mod wait;

pub use namespace::{AsyncNamespace, NamespaceBlock};
pub use pool::{Pool, Pooled};
pub use wait::{AsyncCheck, AsyncWait};

type Boxed<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

/// The answer to a command run on an async target: `mm.vm().info().run()`
/// is one, and `.await` gives the answer. Nothing is sent until it is first
/// polled; see [`AsyncClient`](AsyncClient#what-a-dropped-future-costs) for what dropping it part-way costs.
#[must_use = "a command runs only when its future is awaited"]
pub struct RunFuture<'a>(Boxed<'a, Responses>);

impl Future for RunFuture<'_> {
    type Output = Result<Responses, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().0.as_mut().poll(cx)
    }
}

impl fmt::Debug for RunFuture<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunFuture").finish_non_exhaustive()
    }
}

/// A command sent on an async target, whose `.await` gives a stream over
/// its answer (`mm.raw("read x")?.stream().await?`).
#[must_use = "a command runs only when its future is awaited"]
pub struct StreamFuture<'a>(Boxed<'a, AsyncResponseStream<'a>>);

impl<'a> Future for StreamFuture<'a> {
    type Output = Result<AsyncResponseStream<'a>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().0.as_mut().poll(cx)
    }
}

impl fmt::Debug for StreamFuture<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamFuture").finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Opens an async connection (feature `tokio`), with these settings.
    pub async fn connect_async(self) -> Result<AsyncClient, Error> {
        let (settings, limits, on_status) = self.into_parts()?;
        let mut conn = crate::connect::open_async(&settings.path, limits).await?;
        conn.set_status_handler(on_status);
        Ok(AsyncClient { settings, conn })
    }

    /// A pool of at most `size` async connections with these settings
    /// (at least one), opened as they are first needed; the status handler
    /// is shared by all of them. See [`Pool`].
    pub fn pool(self, size: usize) -> Result<Pool, Error> {
        let (settings, limits, on_status) = self.into_parts()?;
        Ok(Pool::new(settings, limits, on_status, size))
    }
}

/// An async connection to minimega's command socket (feature `tokio`).
///
/// The same generated builders run on it, awaited:
/// `mm.vm().info().run().await?`. It behaves as [`Client`](crate::Client)
/// does, with the same settings ([`ClientBuilder`]), checks, errors and
/// guarantees, plus what a dropped future costs (below).
///
/// [`AsyncClient`] and [`AsyncNamespace`] are targets of the generated
/// builders like their blocking twins; what running a command gives is
/// theirs to say ([`Execute::Run`](crate::Execute::Run)), so the one API runs both ways:
///
/// ```no_run
/// # mod minimega { pub mod runtime { pub use minimega_client::*; } }
/// # async fn lab() -> Result<(), minimega::runtime::Error> {
/// use minimega::runtime::{AsyncClient, Complete};
///
/// let mut mm = AsyncClient::connect().await?;
/// // With the generated API: `mm.vm().info().run().await?`.
/// let answer = mm.raw("vm info")?.run().await?;
/// let mut lab = mm.in_namespace("lab")?;
/// lab.run_line("vm launch kvm 3").await?; // `namespace lab vm launch kvm 3`
/// # Ok(()) }
/// ```
///
/// # What a dropped future costs
///
/// A command's future does nothing until it is polled; dropped before,
/// nothing was sent. Dropped part-way (a `select!` that lost, a
/// `tokio::time::timeout`), it returns at once and leaves the connection
/// remembering the request and answer in flight: the next command on that
/// connection first writes the rest of the request, if any, and reads the
/// rest of that answer (status messages go to the handler), within its own
/// deadline, or the connection closes ([`Error::Closed`], "still
/// arriving"). Whatever the drop, the next command reads its own answer.
/// The cost is that next command's wait for the rest of the dropped
/// answer; minimega itself goes on running the dropped command. A
/// [`Pool`] closes a connection returned with an answer in flight rather
/// than hand that wait to another task. An [`AsyncResponseStream`] dropped
/// early costs the same (unlike the blocking stream, it cannot read on in
/// its `Drop`).
///
/// # Several commands at once
///
/// minimega answers one connection's commands in order, so a connection
/// runs one command at a time (every command borrows the client
/// mutably). For several at once, open several connections
/// ([`AsyncClient::connect_in`], or [`ClientBuilder::connect_async`] again),
/// or share a [`Pool`] with a limit.
///
/// # Runtime
///
/// The futures must be polled inside a tokio runtime with I/O and time
/// enabled (`#[tokio::main]`, `#[tokio::test]`); they are `Send`, so
/// `tokio::spawn` takes them.
pub struct AsyncClient {
    settings: Settings,
    conn: Connection<Tokio>,
}

impl fmt::Debug for AsyncClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.settings.debug("AsyncClient", self.conn.is_open(), f)
    }
}

impl AsyncClient {
    /// Connects to [`DEFAULT_SOCKET`](crate::DEFAULT_SOCKET).
    pub async fn connect() -> Result<AsyncClient, Error> {
        AsyncClient::builder().connect_async().await
    }

    /// Connects to the socket at `path`.
    pub async fn connect_to(path: impl Into<PathBuf>) -> Result<AsyncClient, Error> {
        AsyncClient::builder().socket(path).connect_async().await
    }

    /// Connects to the minimega started with `-base dir`.
    pub async fn connect_base(dir: impl AsRef<Path>) -> Result<AsyncClient, Error> {
        AsyncClient::builder().base(dir).connect_async().await
    }

    /// Settings for a new client, the blocking client's own; finish with
    /// [`ClientBuilder::connect_async`] or [`ClientBuilder::pool`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    pub(crate) fn from_parts(settings: Settings, conn: Connection<Tokio>) -> AsyncClient {
        AsyncClient { settings, conn }
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

    /// Whether an earlier failure (or [`AsyncClient::disconnect`]) closed
    /// the connection.
    pub fn is_closed(&self) -> bool {
        !self.conn.is_open()
    }

    /// Whether a dropped future left an answer still to be read, which the
    /// next command reads first.
    pub fn answer_in_flight(&self) -> bool {
        self.conn.answer_in_flight()
    }

    /// Closes the connection; later commands fail with [`Error::Closed`]
    /// until [`AsyncClient::reconnect`].
    pub fn disconnect(&mut self) {
        self.conn.close("closed by the client".to_owned());
    }

    /// Opens a fresh connection to the same socket, replacing the current
    /// one whether or not it is closed; the settings stay.
    pub async fn reconnect(&mut self) -> Result<(), Error> {
        crate::connect::reopen_async(&mut self.conn, &self.settings.path).await
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

    /// A hand-written command line, checked against the client's spec (see
    /// [`Client::raw`](crate::Client::raw)); run it with `.run().await`.
    pub fn raw(&mut self, line: &str) -> Result<Command<&mut AsyncClient>, Error> {
        let spec = self.settings.spec;
        Command::checked(self, spec, line)
    }

    /// A hand-written command line, sent without the spec check.
    pub fn raw_unchecked(&mut self, line: &str) -> Result<Command<&mut AsyncClient>, Error> {
        Command::unchecked(self, line)
    }

    /// Checks and runs a hand-written line: `raw(line)?.run().await`.
    pub async fn run_line(&mut self, line: &str) -> Result<Responses, Error> {
        use crate::command::Complete;
        self.raw(line)?.run().await
    }

    /// Asks minimega how it would complete `input` (see
    /// [`Client::suggest`](crate::Client::suggest)).
    pub async fn suggest(&mut self, input: &str) -> Result<Vec<String>, Error> {
        if input.is_empty() {
            return Ok(Vec::new());
        }
        let (label, mut gathered) = Suggestions::start(input);
        let deadline = Deadline::after(self.settings.timeout);
        self.conn
            .send(&Request::suggest(input), &label, deadline)
            .await?;
        while let Some(frame) = self.conn.next_frame(deadline).await? {
            gathered.take(&mut self.conn, frame);
        }
        gathered.finish()
    }

    /// The version text the server reports.
    pub async fn server_version(&mut self) -> Result<String, Error> {
        let line = CommandLine::from_tokens(["version"]);
        version_text(
            &self
                .execute_in(Scope::Bare, line, RunOptions::new())
                .await?,
        )
    }

    /// Compares the server's version with the one the client's spec
    /// describes.
    pub async fn check_version(&mut self) -> Result<VersionCheck, Error> {
        let reported = self.server_version().await?;
        Ok(VersionCheck::of(self.settings.spec.version(), reported))
    }

    /// Compares the server's version with `expected`.
    pub async fn check_version_against(&mut self, expected: &str) -> Result<VersionCheck, Error> {
        let reported = self.server_version().await?;
        Ok(VersionCheck::new(expected, reported))
    }

    /// Runs `line` and reads its whole answer: a stream read to its end.
    pub(crate) async fn execute_in(
        &mut self,
        scope: Scope<'_>,
        line: CommandLine,
        options: RunOptions,
    ) -> Result<Responses, Error> {
        let timing = self.settings.timing(&options, Reading::Whole);
        // Two statements: the sending future is a temporary, and would
        // otherwise be kept (and take room in this future) to the end.
        let stream = self.open_stream(scope, line, options, timing).await?;
        stream.into_responses().await
    }

    /// Runs `line` for a wait that has `left` before its deadline, as the
    /// blocking client's `poll_in` does: `Ok(None)` if the wait's deadline
    /// passes first, with nothing sent or the rest of the answer left for
    /// the next command to finish.
    pub(crate) async fn poll_in(
        &mut self,
        scope: Scope<'_>,
        line: CommandLine,
        left: Option<Duration>,
    ) -> Result<Option<Responses>, Error> {
        let wait = Deadline::after(left);
        let timing = Timing::Whole(Deadline::after(self.settings.timeout).min(wait));
        let mut stream = match self
            .open_stream(scope, line, RunOptions::new(), timing)
            .await
        {
            Ok(stream) => stream,
            Err(Error::Timeout { sent: false, .. }) if wait.expired() => return Ok(None),
            Err(error) => return Err(error),
        };
        stream.leave_at(wait);
        stream.gather().await
    }

    /// Sends `line` and hands back a stream over its answer.
    pub(crate) async fn stream_in(
        &mut self,
        scope: Scope<'_>,
        line: CommandLine,
        options: RunOptions,
    ) -> Result<AsyncResponseStream<'_>, Error> {
        let timing = self.settings.timing(&options, Reading::PerMessage);
        self.open_stream(scope, line, options, timing).await
    }

    /// Plans `line` at once (see `Settings::plan`; the callers are async
    /// fns, so that is at their first poll) and returns the future that
    /// sends it. The future holds the plan alone, not the line and options
    /// it came from, and holds it once (matched by reference across the
    /// send, and returned rather than wrapped in a `Result`, which the
    /// caller's future would keep beside it): a command's future is moved
    /// into its box whole, and one small enough for the allocator's
    /// per-thread cache costs less.
    fn open_stream(
        &mut self,
        scope: Scope<'_>,
        line: CommandLine,
        options: RunOptions,
        timing: Timing,
    ) -> impl Future<Output = Result<AsyncResponseStream<'_>, Error>> + Send + '_ {
        let planned = self
            .settings
            .plan(&mut self.conn, scope, line, options, timing);
        let conn = &mut self.conn;
        async move {
            let sent = match &planned {
                Ok(Ok(planned)) => {
                    let request = &planned.request;
                    conn.send(request, &request.command, planned.deadline())
                        .await
                }
                _ => Ok(()),
            };
            let answer = match planned? {
                Ok(planned) => planned.sent(sent)?,
                Err(empty) => empty,
            };
            Ok(AsyncResponseStream::new(conn, answer))
        }
    }
}

impl Site for AsyncClient {
    type Client = AsyncClient;

    fn site(&mut self) -> (&mut AsyncClient, Scope<'_>) {
        (self, Scope::Client)
    }

    fn view(&self) -> (&AsyncClient, Scope<'_>) {
        (self, Scope::Client)
    }
}

impl Runner for AsyncClient {
    type Run<'a> = RunFuture<'a>;
    type Stream<'a> = StreamFuture<'a>;

    fn run_in<'a>(
        &'a mut self,
        scope: Scope<'a>,
        line: CommandLine,
        options: RunOptions,
    ) -> RunFuture<'a> {
        RunFuture(Box::pin(self.execute_in(scope, line, options)))
    }

    fn stream_in<'a>(
        &'a mut self,
        scope: Scope<'a>,
        line: CommandLine,
        options: RunOptions,
    ) -> StreamFuture<'a> {
        StreamFuture(Box::pin(AsyncClient::stream_in(self, scope, line, options)))
    }

    fn preview_in(&self, scope: Scope<'_>, line: CommandLine) -> Result<String, Error> {
        self.settings.preview(scope, line)
    }
}

/// The answer to one command on an async client, response by response: a
/// [`futures_core::Stream`] of responses (status messages go to the
/// client's status handler), with the blocking
/// [`ResponseStream`](crate::ResponseStream)'s failure handling.
/// [`AsyncResponseStream::next_event`] gives status messages too.
///
/// Dropped before its end, it leaves the rest of the answer to the next
/// command on the connection, which reads it first (see the
/// [`AsyncClient`](AsyncClient#what-a-dropped-future-costs)).
pub struct AsyncResponseStream<'a> {
    conn: &'a mut Connection<Tokio>,
    answer: Answer,
    /// The deadline of the read under way, kept across polls.
    read_deadline: Option<Deadline>,
}

impl fmt::Debug for AsyncResponseStream<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncResponseStream")
            .field("command", &crate::excerpt::excerpt(self.answer.command()))
            .field("complete", &self.answer.is_complete())
            .finish_non_exhaustive()
    }
}

impl<'a> AsyncResponseStream<'a> {
    fn new(conn: &'a mut Connection<Tokio>, answer: Answer) -> AsyncResponseStream<'a> {
        AsyncResponseStream {
            conn,
            answer,
            read_deadline: None,
        }
    }

    /// The command line as sent.
    pub fn command(&self) -> &str {
        self.answer.command()
    }

    /// Whether the whole answer has been read from the socket: false while
    /// it is still arriving, and false for good once a fault cut it off
    /// (see [`AsyncResponseStream::is_cut_off`]).
    pub fn is_complete(&self) -> bool {
        self.answer.is_complete()
    }

    /// Whether a fault (a timeout, a disconnect, a malformed line) ended
    /// the stream before its answer ended: the stream yielded that error,
    /// the connection is closed, and the answer is incomplete.
    pub fn is_cut_off(&self) -> bool {
        self.answer.is_cut_off()
    }

    /// The hosts the command was addressed to that have not answered (so
    /// far).
    pub fn missing_hosts(&self) -> Vec<&str> {
        self.answer.missing_hosts()
    }

    /// The next response or status message, `None` after the last;
    /// responses come as sent, failing or not.
    pub async fn next_event(&mut self) -> Option<Result<Event, Error>> {
        poll_fn(|cx| self.poll_event_sized(cx))
            .await
            .map(|event| event.map(|(event, _)| event))
    }

    /// The next response, as the `Stream` gives it: `None` after the last.
    pub async fn next_response(&mut self) -> Option<Result<Response, Error>> {
        poll_fn(|cx| self.poll_response(cx)).await
    }

    /// Reads the rest of the answer into one [`Responses`], as the blocking
    /// stream's `into_responses` does.
    // An async block rather than an `async fn`, which would keep `self`
    // twice in its future (as its argument, and moved into its body).
    #[allow(clippy::manual_async_fn)]
    pub fn into_responses(mut self) -> impl Future<Output = Result<Responses, Error>> + Send + 'a {
        async move {
            // `None` only comes of `leave_at`, which a wait's poll sets,
            // and it calls `gather` itself.
            self.gather().await.map(Option::unwrap_or_default)
        }
    }

    /// [`AsyncResponseStream::into_responses`], or `None` if the
    /// `leave_at` deadline passed first (the rest of the answer is left in
    /// flight).
    pub(crate) async fn gather(&mut self) -> Result<Option<Responses>, Error> {
        let mut gathered = self.answer.gather(self.conn.limits());
        while let Some(event) = poll_fn(|cx| self.poll_event_sized(cx)).await {
            let (event, bytes) = event?;
            Answer::add(&mut gathered, self.conn, event, bytes)?;
        }
        self.answer.finish(gathered)
    }

    /// Ends the stream without a fault when `deadline` passes, leaving the
    /// rest of the answer for the next command to finish (within its own
    /// deadline) rather than closing the connection.
    pub(crate) fn leave_at(&mut self, deadline: Deadline) {
        self.answer.leave_at(deadline);
    }

    fn poll_event_sized(&mut self, cx: &mut Context<'_>) -> Poll<Next> {
        loop {
            if let Some(next) = self.answer.ready() {
                return Poll::Ready(next);
            }
            // A read's deadline starts with the read, and holds across polls.
            // A wait's poll ends at the wait's deadline too, if sooner.
            let deadline = *self
                .read_deadline
                .get_or_insert_with(|| self.answer.deadline());
            let leave = self.answer.leaves_at();
            let read = match self.conn.poll_frame_or_leave(cx, deadline, leave) {
                Poll::Ready(read) => read,
                Poll::Pending => return Poll::Pending,
            };
            self.read_deadline = None;
            let in_flight = self.conn.answer_in_flight();
            if let Some(next) = self.answer.on_read(read, in_flight) {
                return Poll::Ready(next);
            }
        }
    }

    fn poll_response(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Response, Error>>> {
        loop {
            let event = match self.poll_event_sized(cx) {
                Poll::Ready(event) => event.map(|event| event.map(|(event, _)| event)),
                Poll::Pending => return Poll::Pending,
            };
            if let Some(item) = self.answer.item(self.conn, event) {
                return Poll::Ready(item);
            }
        }
    }
}

impl futures_core::Stream for AsyncResponseStream<'_> {
    type Item = Result<Response, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_response(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn futures_and_clients_are_send() {
        fn assert_send<T: Send>() {}
        assert_send::<AsyncClient>();
        assert_send::<RunFuture<'static>>();
        assert_send::<StreamFuture<'static>>();
        assert_send::<AsyncResponseStream<'static>>();
        assert_send::<Pooled>();
    }
}
