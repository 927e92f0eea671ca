//! Reading an answer as it arrives.
//!
//! A [`ResponseStream`] borrows its client mutably for as long as it lives,
//! so nothing else can use the connection meanwhile; dropping it before the
//! end reads and discards the rest of the answer, leaving the connection
//! ready for the next command.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::client::Client;
use crate::error::Error;
use crate::options::Failures;
use crate::response::{Response, Responses};

/// One thing a stream delivers.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// One host's response, part of the answer.
    Response(Response),
    /// A status message: progress from minimega, not part of the answer.
    Status(String),
}

/// The answer to one command, response by response.
///
/// As an [`Iterator`] it yields responses (status messages go to the
/// client's status handler); [`ResponseStream::next_event`] yields status
/// messages too. With [`Failures::Error`] a failing response comes out as
/// [`Error::Command`] naming its host, and the stream goes on. A fault
/// (timeout, disconnect, malformed line) ends the stream with that error
/// and closes the connection. The timeout, if any, bounds the wait for each
/// message rather than the whole answer.
///
/// ```no_run
/// use minimega_client::{Client, Complete};
///
/// let mut mm = Client::connect()?;
/// for response in mm.raw("read /root/setup.mm")?.stream()? {
///     let response = response?;
///     println!("{}: {}", response.host(), response.text());
/// }
/// # Ok::<(), minimega_client::Error>(())
/// ```
pub struct ResponseStream<'a> {
    client: &'a mut Client,
    command: String,
    wait: Option<Duration>,
    failures: Failures,
    pending: VecDeque<Response>,
    /// Whether the last message of the answer has been read.
    done: bool,
}

impl std::fmt::Debug for ResponseStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseStream")
            .field("command", &self.command)
            .field("pending", &self.pending.len())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<'a> ResponseStream<'a> {
    pub(crate) fn new(
        client: &'a mut Client,
        command: String,
        wait: Option<Duration>,
        failures: Failures,
    ) -> ResponseStream<'a> {
        ResponseStream {
            client,
            command,
            wait,
            failures,
            pending: VecDeque::new(),
            done: false,
        }
    }

    /// A stream over an answer that has nothing in it.
    pub(crate) fn finished(client: &'a mut Client, failures: Failures) -> ResponseStream<'a> {
        let mut stream = ResponseStream::new(client, String::new(), None, failures);
        stream.done = true;
        stream
    }

    /// The command line as sent.
    pub fn command(&self) -> &str {
        &self.command
    }

    /// Whether the whole answer has been read from the socket (responses
    /// may still wait to be taken).
    pub fn is_complete(&self) -> bool {
        self.done
    }

    /// The next response or status message, `None` after the last.
    /// Responses come as sent, failing or not; status messages are not
    /// passed to the client's handler.
    pub fn next_event(&mut self) -> Option<Result<Event, Error>> {
        loop {
            if let Some(response) = self.pending.pop_front() {
                return Some(Ok(Event::Response(response)));
            }
            if self.done {
                return None;
            }
            let deadline = self.wait.map(|w| Instant::now() + w);
            match self.client.read_message(&self.command, deadline, self.wait) {
                Err(error) => {
                    self.done = true;
                    return Some(Err(error));
                }
                Ok(message) if message.status => return Some(Ok(Event::Status(message.rendered))),
                Ok(message) => {
                    self.done = !message.more;
                    let responses = message.resp.unwrap_or_default();
                    self.pending
                        .extend(responses.into_iter().map(Response::from));
                }
            }
        }
    }

    /// Reads the rest of the answer into one [`Responses`], applying the
    /// stream's failure handling to all of it.
    pub fn into_responses(mut self) -> Result<Responses, Error> {
        let mut all = Responses::new(self.command.clone());
        while let Some(event) = self.next_event() {
            match event? {
                Event::Response(response) => all.push_response(response),
                Event::Status(text) => {
                    self.client.deliver_status(&text);
                    all.push_status(text);
                }
            }
        }
        match self.failures {
            Failures::Error => all.into_result(),
            Failures::Keep => Ok(all),
        }
    }
}

impl Iterator for ResponseStream<'_> {
    type Item = Result<Response, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.next_event()? {
                Ok(Event::Status(text)) => self.client.deliver_status(&text),
                Ok(Event::Response(response)) if self.failures == Failures::Keep => {
                    return Some(Ok(response));
                }
                Ok(Event::Response(response)) => {
                    // One response through the same check as a whole answer.
                    let mut one = Responses::new(self.command.clone());
                    one.push_response(response);
                    return Some(one.into_result().map(|one| one.into_vec().remove(0)));
                }
                Err(error) => return Some(Err(error)),
            }
        }
    }
}

impl Drop for ResponseStream<'_> {
    /// Reads and discards the rest of the answer so that the next command
    /// reads its own; a fault while doing so closes the connection.
    fn drop(&mut self) {
        self.pending.clear();
        while let Some(event) = self.next_event() {
            match event {
                Ok(Event::Status(text)) => self.client.deliver_status(&text),
                Ok(Event::Response(_)) => self.pending.clear(),
                Err(_) => break,
            }
        }
    }
}
