//! Reading an answer as it arrives; [`Complete::run`](crate::Complete::run)
//! is a stream read to its end.
//!
//! What a stream does with each message (responses handed out one by one,
//! hosts counted, the answer cap, the failure policy, `tracing`) is
//! `Answer`'s, shared with the async client's stream; a stream adds only
//! the reading.
//!
//! A [`ResponseStream`] borrows its connection mutably for as long as it
//! lives. Dropping it before the end reads the rest of the answer for a
//! moment ([`DRAIN_ON_DROP`] at most); whatever is still on its way then is
//! read before the next command is sent, so the next command always reads
//! its own answer.

use std::collections::{BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use crate::connection::{Blocking, Connection, Deadline, Frame};
use crate::error::Error;
use crate::excerpt::excerpt;
use crate::options::Limits;
use crate::policy::Failures;
use crate::response::{Response, Responses};

/// The longest a dropped stream waits for the rest of its answer before
/// leaving it to the next command.
pub const DRAIN_ON_DROP: Duration = Duration::from_millis(250);

/// How far a stream has read its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Progress {
    /// More of the answer is to come.
    Reading,
    /// The last message of the answer has been read.
    Complete,
    /// A fault ended the stream before its answer did.
    CutOff,
    /// The stream's `leave_at` deadline passed: the rest of the answer is
    /// left for the next command to finish.
    Left,
}

/// One thing a stream delivers.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// One host's response, part of the answer.
    Response(Response),
    /// A status message: progress from minimega, not part of the answer.
    Status(String),
}

/// How long the stream waits.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Timing {
    /// One deadline for the whole answer, as `run` has.
    Whole(Deadline),
    /// A fresh timeout for each message.
    PerMessage(Option<Duration>),
}

impl Timing {
    /// The deadline of the next read.
    pub(crate) fn deadline(self) -> Deadline {
        match self {
            Timing::Whole(deadline) => deadline,
            Timing::PerMessage(timeout) => Deadline::after(timeout),
        }
    }
}

/// The state of reading one answer, whatever the I/O: the responses not
/// handed out yet, the hosts that answered, the failure policy, the
/// command's `tracing` span. Its methods take what a read gave and say
/// what to hand out; the blocking and async streams only read.
pub(crate) struct Answer {
    command: String,
    timing: Timing,
    failures: Failures,
    pending: VecDeque<Response>,
    expected_hosts: Option<Vec<String>>,
    answered: BTreeSet<String>,
    /// minimega's rendering of each message read since the answer began to
    /// be gathered into [`Responses`]: a stream read response by response
    /// keeps none, so that it holds one message at a time.
    rendered: Vec<String>,
    /// Whether the rest is being gathered into one [`Responses`].
    gathering: bool,
    /// A deadline at which the stream ends without a fault, leaving the
    /// rest of the answer in flight (a wait's, for its poll).
    leave_at: Option<Deadline>,
    progress: Progress,
    /// Whether hosts that did not answer have been reported.
    reported: bool,
    /// The command's `tracing` span, and when it was sent.
    span: tracing::Span,
    started: Instant,
    failed_responses: usize,
}

/// What a stream hands out next: an event with its size on the wire, an
/// error, or `None` at the end.
pub(crate) type Next = Option<Result<(Event, usize), Error>>;

/// A whole answer being gathered by `run`, and the bytes it holds.
pub(crate) struct Gathered {
    all: Responses,
    size: usize,
    limit: usize,
}

impl Answer {
    pub(crate) fn new(
        command: String,
        timing: Timing,
        failures: Failures,
        expected_hosts: Option<Vec<String>>,
        span: tracing::Span,
    ) -> Answer {
        Answer {
            span,
            started: Instant::now(),
            failed_responses: 0,
            command,
            timing,
            failures,
            pending: VecDeque::new(),
            expected_hosts,
            answered: BTreeSet::new(),
            rendered: Vec::new(),
            gathering: false,
            leave_at: None,
            progress: Progress::Reading,
            reported: false,
        }
    }

    /// An answer that has nothing in it.
    pub(crate) fn finished(failures: Failures) -> Answer {
        let mut answer = Answer::new(
            String::new(),
            Timing::PerMessage(None),
            failures,
            None,
            tracing::Span::none(),
        );
        answer.progress = Progress::Complete;
        answer
    }

    /// The deadline of the next read.
    pub(crate) fn deadline(&self) -> Deadline {
        self.timing.deadline()
    }

    pub(crate) fn command(&self) -> &str {
        &self.command
    }

    /// Whether the last message of the answer has been read.
    pub(crate) fn is_complete(&self) -> bool {
        self.progress == Progress::Complete
    }

    /// Whether a fault ended the answer before it ended.
    pub(crate) fn is_cut_off(&self) -> bool {
        self.progress == Progress::CutOff
    }

    /// Whether more of the answer is to be read.
    pub(crate) fn is_reading(&self) -> bool {
        self.progress == Progress::Reading
    }

    /// Ends the answer without a fault when `deadline` passes, leaving the
    /// rest of it for the next command to finish (within its own deadline)
    /// rather than closing the connection.
    pub(crate) fn leave_at(&mut self, deadline: Deadline) {
        self.leave_at = Some(deadline);
    }

    /// The `leave_at` deadline, if one was set.
    pub(crate) fn leaves_at(&self) -> Option<Deadline> {
        self.leave_at
    }

    pub(crate) fn missing_hosts(&self) -> Vec<&str> {
        self.expected_hosts
            .iter()
            .flatten()
            .filter(|host| !self.answered.contains(*host))
            .map(String::as_str)
            .collect()
    }

    /// What can be handed out without reading (a response of a message
    /// already read, or the end); `None` when a frame must be read.
    pub(crate) fn ready(&mut self) -> Option<Next> {
        if let Some(response) = self.pending.pop_front() {
            return Some(Some(Ok((Event::Response(response), 0))));
        }
        (!self.is_reading()).then_some(None)
    }

    /// Takes what one read gave; `None` when there is nothing to hand out
    /// yet (a message with no responses), so read again. `in_flight` says
    /// whether the connection still has the answer in flight after the
    /// read.
    pub(crate) fn on_read(
        &mut self,
        read: Result<Option<Frame>, Error>,
        in_flight: bool,
    ) -> Option<Next> {
        match read {
            Err(error) => {
                self.progress = Progress::CutOff;
                tracing::debug!(parent: &self.span, error = %error, "failed");
                Some(Some(Err(error)))
            }
            Ok(None) => {
                // The answer did not end: `leave_at` passed with the rest
                // of it in flight, or the connection closed.
                self.progress = if in_flight {
                    Progress::Left
                } else {
                    Progress::CutOff
                };
                Some(None)
            }
            Ok(Some(Frame::Status(text))) => {
                tracing::trace!(parent: &self.span, status = %text, "status");
                // Counted toward the answer cap: `run` keeps them too.
                let size = text.len();
                Some(Some(Ok((Event::Status(text), size))))
            }
            Ok(Some(Frame::Answer(message, size))) => {
                if !message.more {
                    self.progress = Progress::Complete;
                }
                if self.gathering && !message.rendered.is_empty() {
                    self.rendered.push(message.rendered);
                }
                let responses = message.resp.unwrap_or_default();
                for response in &responses {
                    self.answered.insert(response.host.clone());
                    self.failed_responses += usize::from(!response.error.is_empty());
                }
                if self.is_complete() {
                    self.trace_answer();
                }
                let mut responses = responses.into_iter();
                let first = responses.next()?;
                self.pending.extend(responses.map(Response::from));
                Some(Some(Ok((Event::Response(first.into()), size))))
            }
        }
    }

    /// The end of the answer, for `tracing`.
    fn trace_answer(&self) {
        tracing::debug!(
            parent: &self.span,
            elapsed = ?self.started.elapsed(),
            hosts = ?self.answered,
            failed = self.failed_responses,
            missing = ?self.missing_hosts(),
            "answered"
        );
    }

    /// Starts gathering the rest of the answer into one [`Responses`], held
    /// to the answer cap of `limits`.
    pub(crate) fn gather(&mut self, limits: Limits) -> Gathered {
        let mut all = Responses::new(std::mem::take(&mut self.command));
        all.expect_hosts(self.expected_hosts.take());
        self.gathering = true;
        Gathered {
            all,
            size: 0,
            limit: limits.max_answer,
        }
    }

    /// Adds one event of `bytes` to what is gathered; more than the answer
    /// cap is an error that closes the connection.
    pub(crate) fn add<S>(
        gathered: &mut Gathered,
        conn: &mut Connection<S>,
        event: Event,
        bytes: usize,
    ) -> Result<(), Error> {
        gathered.size = gathered.size.saturating_add(bytes);
        if gathered.size > gathered.limit {
            let command = excerpt(gathered.all.command());
            let limit = gathered.limit;
            conn.close(format!(
                "the answer to `{command}` is larger than the {limit}-byte cap"
            ));
            return Err(Error::TooLarge { command, limit });
        }
        match event {
            Event::Response(response) => gathered.all.push_response(response),
            Event::Status(text) => {
                conn.deliver_status(&text);
                gathered.all.push_status(text);
            }
        }
        Ok(())
    }

    /// The whole answer, judged by the failure policy; `None` if the
    /// `leave_at` deadline passed first (the rest of the answer is left in
    /// flight).
    pub(crate) fn finish(&mut self, mut gathered: Gathered) -> Result<Option<Responses>, Error> {
        if self.progress == Progress::Left {
            return Ok(None);
        }
        gathered
            .all
            .push_rendered(std::mem::take(&mut self.rendered));
        self.failures.judge(gathered.all).map(Some)
    }

    /// What a stream of responses yields for `event` (`None`: the end):
    /// status messages go to the handler and yield nothing (`None`, so
    /// read on); a host's error is [`Error::Command`] unless failures are
    /// kept; at the end, hosts that never answered are
    /// [`Error::Unanswered`].
    pub(crate) fn item<S>(
        &mut self,
        conn: &mut Connection<S>,
        event: Option<Result<Event, Error>>,
    ) -> Option<Option<Result<Response, Error>>> {
        let Some(event) = event else {
            return Some(self.unanswered().map(Err));
        };
        match event {
            Ok(Event::Status(text)) => {
                conn.deliver_status(&text);
                None
            }
            Ok(Event::Response(response)) => {
                Some(Some(self.failures.judge_one(&self.command, response)))
            }
            Err(error) => Some(Some(Err(error))),
        }
    }

    /// Hosts that never answered, once the answer is complete, as an error
    /// (an answer cut off says nothing of who would have answered).
    fn unanswered(&mut self) -> Option<Error> {
        if self.reported || !self.is_complete() {
            return None;
        }
        self.reported = true;
        let missing = self
            .missing_hosts()
            .into_iter()
            .map(str::to_owned)
            .collect();
        self.failures.judge_missing(&self.command, missing)
    }
}

/// The answer to one command, response by response.
///
/// As an [`Iterator`] it yields responses (status messages go to the
/// client's status handler); [`ResponseStream::next_event`] yields status
/// messages too. With [`Failures::Error`] a failing response comes out as
/// [`Error::Command`] naming its host, and the stream goes on; at the end,
/// hosts that were sent the command but did not answer come out as
/// [`Error::Unanswered`]. A fault (timeout, disconnect, malformed line) ends
/// the stream with that error and closes the connection. The timeout, if
/// any, bounds the wait for each message rather than the whole answer.
///
/// ```no_run
/// # mod minimega { pub mod runtime { pub use minimega_client::*; } }
/// use minimega::runtime::{Client, Complete};
///
/// let mut mm = Client::connect()?;
/// for response in mm.raw("read /root/setup.mm")?.stream()? {
///     let response = response?;
///     println!("{}: {}", response.host(), response.text());
/// }
/// # Ok::<(), minimega::runtime::Error>(())
/// ```
pub struct ResponseStream<'a> {
    conn: &'a mut Connection<Blocking>,
    answer: Answer,
}

impl std::fmt::Debug for ResponseStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseStream")
            .field("command", &excerpt(&self.answer.command))
            .field("pending", &self.answer.pending.len())
            .field("progress", &self.answer.progress)
            .finish_non_exhaustive()
    }
}

impl<'a> ResponseStream<'a> {
    pub(crate) fn new(conn: &'a mut Connection<Blocking>, answer: Answer) -> ResponseStream<'a> {
        ResponseStream { conn, answer }
    }

    /// The command line as sent.
    pub fn command(&self) -> &str {
        self.answer.command()
    }

    /// Ends the stream without a fault when `deadline` passes, leaving the
    /// rest of the answer for the next command to finish (within its own
    /// deadline) rather than closing the connection.
    pub(crate) fn leave_at(&mut self, deadline: Deadline) {
        self.answer.leave_at(deadline);
    }

    /// Whether the whole answer has been read from the socket (responses
    /// may still wait to be taken): false while it is still arriving, and
    /// false for good once a fault cut it off (see
    /// [`ResponseStream::is_cut_off`]).
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
    /// far; final once [`ResponseStream::is_complete`]). Empty when the
    /// command did not name its hosts (see [`Responses::missing_hosts`]).
    pub fn missing_hosts(&self) -> Vec<&str> {
        self.answer.missing_hosts()
    }

    /// The next response or status message, `None` after the last.
    /// Responses come as sent, failing or not; status messages are not
    /// passed to the client's handler.
    pub fn next_event(&mut self) -> Option<Result<Event, Error>> {
        self.next_event_sized()
            .map(|event| event.map(|(event, _)| event))
    }

    /// [`ResponseStream::next_event`] with the size on the wire of the
    /// message each response came in (counted once, on its first response),
    /// or of the status message's text.
    fn next_event_sized(&mut self) -> Next {
        loop {
            if let Some(next) = self.answer.ready() {
                return next;
            }
            let deadline = self.answer.deadline();
            let read = match self.answer.leaves_at() {
                Some(leave) => self.conn.next_frame_or_leave(deadline, leave),
                None => self.conn.next_frame(deadline),
            };
            let in_flight = self.conn.answer_in_flight();
            if let Some(next) = self.answer.on_read(read, in_flight) {
                return next;
            }
        }
    }

    /// Reads the rest of the answer into one [`Responses`], applying the
    /// stream's failure handling to all of it (its
    /// [`rendered`](Responses::rendered) text is that of the messages read
    /// from here on). More than the client's answer cap is an error that
    /// closes the connection.
    pub fn into_responses(mut self) -> Result<Responses, Error> {
        // `None` only comes of `leave_at`, which a wait's poll sets, and it
        // calls `gather` itself.
        self.gather().map(Option::unwrap_or_default)
    }

    /// [`ResponseStream::into_responses`], or `None` if the `leave_at`
    /// deadline passed first (the rest of the answer is left in flight).
    pub(crate) fn gather(&mut self) -> Result<Option<Responses>, Error> {
        let mut gathered = self.answer.gather(self.conn.limits());
        while let Some(event) = self.next_event_sized() {
            let (event, bytes) = event?;
            Answer::add(&mut gathered, self.conn, event, bytes)?;
        }
        self.answer.finish(gathered)
    }
}

impl Iterator for ResponseStream<'_> {
    type Item = Result<Response, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let event = self.next_event();
            if let Some(item) = self.answer.item(self.conn, event) {
                return item;
            }
        }
    }
}

impl Drop for ResponseStream<'_> {
    /// Reads the rest of the answer for a moment; what is left after
    /// [`DRAIN_ON_DROP`] (or the stream's own deadline, if sooner) is read
    /// before the next command is sent.
    fn drop(&mut self) {
        if !self.answer.is_reading() {
            return;
        }
        let deadline = self
            .answer
            .deadline()
            .min(Deadline::after(Some(DRAIN_ON_DROP)));
        // While the thread unwinds (a status handler may be what panicked),
        // a handler that panics again would abort the process: the status
        // messages read here are dropped instead.
        let unwinding = std::thread::panicking();
        while self.conn.answer_in_flight() {
            match self.conn.drain_frame(deadline) {
                Ok(Some(Frame::Status(text))) if unwinding => {
                    tracing::debug!(
                        parent: &self.answer.span,
                        status = %text,
                        "status dropped while unwinding"
                    );
                }
                Ok(Some(Frame::Status(text))) => self.conn.deliver_status(&text),
                Ok(Some(Frame::Answer(..))) => {}
                Ok(None) | Err(_) => break,
            }
        }
    }
}
