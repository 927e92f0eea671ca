//! What a client keeps besides its connection ([`Settings`]), and what it
//! does to a command before the I/O: shared by the blocking and async
//! clients.

use super::*;

/// What a client keeps besides its connection, and what it does to a
/// command before the I/O: shared by the blocking and async clients.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) path: PathBuf,
    pub(crate) namespace: Option<String>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) failures: Failures,
    pub(crate) spec: &'static Spec,
}

/// How an answer's deadline runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    /// One deadline for the whole answer, as `run` has.
    Whole,
    /// A fresh timeout for each message, as a stream has.
    PerMessage,
}

/// A command that passed every check, ready to send.
pub(crate) struct Planned {
    pub(crate) request: Request,
    timing: Timing,
    failures: Failures,
    expected_hosts: Option<Vec<String>>,
    span: tracing::Span,
}

impl Planned {
    /// The deadline for sending.
    pub(crate) fn deadline(&self) -> Deadline {
        self.timing.deadline()
    }

    /// The answer to read once sending gave `result` (traced either way).
    pub(crate) fn sent(self, result: Result<(), Error>) -> Result<Answer, Error> {
        if let Err(error) = result {
            tracing::debug!(parent: &self.span, error = %error, "failed");
            return Err(error);
        }
        tracing::debug!(parent: &self.span, "sent");
        Ok(Answer::new(
            self.request.command,
            self.timing,
            self.failures,
            self.expected_hosts,
            self.span,
        ))
    }
}

impl Settings {
    /// The `Debug` form of a client with these settings: what a reader of
    /// a log wants, not the spec or the caps.
    pub(crate) fn debug(&self, name: &str, open: bool, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(name)
            .field("path", &self.path)
            .field("open", &open)
            .field("namespace", &self.namespace)
            .field("timeout", &self.timeout)
            .field("failures", &self.failures)
            .finish_non_exhaustive()
    }

    pub(crate) fn namespace_of<'s>(&'s self, scope: Scope<'s>) -> Option<&'s str> {
        match scope {
            Scope::Client => self.namespace.as_deref(),
            Scope::Namespace(name) => Some(name),
            Scope::Bare => None,
        }
    }

    /// The line `line` becomes in `scope`, as it would be sent.
    pub(crate) fn preview(&self, scope: Scope<'_>, line: CommandLine) -> Result<String, Error> {
        let outgoing = prepare(self.spec, self.namespace_of(scope), line)?;
        Ok(outgoing.map(|o| o.line).unwrap_or_default())
    }

    /// How the answer to a command run with `options` is timed, read as
    /// `reading` says.
    pub(crate) fn timing(&self, options: &RunOptions, reading: Reading) -> Timing {
        let timeout = options.timeout.or_client(self.timeout);
        match reading {
            Reading::Whole => Timing::Whole(Deadline::after(timeout)),
            Reading::PerMessage => Timing::PerMessage(timeout),
        }
    }

    /// `line` in `scope`, checked and prepared (see [`prepare`]), with the
    /// options applied: `Ok(Err(answer))` for a line with nothing to send,
    /// whose answer is empty. A deadline already past fails first, with
    /// nothing sent, before the line is checked and rendered (which for a
    /// huge one takes long). Everything here is done before the first
    /// `.await` of an async command, so that its future holds only the
    /// plan across the I/O.
    pub(crate) fn plan<S>(
        &self,
        conn: &mut Connection<S>,
        scope: Scope<'_>,
        line: CommandLine,
        options: RunOptions,
        timing: Timing,
    ) -> Result<Result<Planned, Answer>, Error> {
        conn.check_deadline(timing.deadline(), || {
            crate::excerpt::excerpt_tokens(line.tokens())
        })?;
        let failures = options.failures.unwrap_or(self.failures);
        let namespace = self.namespace_of(scope);
        let outgoing = match prepare(self.spec, namespace, line) {
            Ok(Some(outgoing)) => outgoing,
            Ok(None) => return Ok(Err(Answer::finished(failures))),
            Err(error) => {
                tracing::debug!(target: "minimega", error = %error, "not sent");
                return Err(error);
            }
        };
        let span = tracing::debug_span!(
            target: "minimega",
            "command",
            line = %crate::excerpt::excerpt(&outgoing.line),
            namespace = namespace,
        );
        Ok(Ok(Planned {
            request: Request::command(outgoing.line),
            timing,
            failures,
            expected_hosts: outgoing.expected_hosts,
            span,
        }))
    }

    /// The settings of another connection, whose commands run in `name`.
    pub(crate) fn in_namespace(&self, name: &str) -> Result<Settings, Error> {
        validate_namespace(name)?;
        Ok(Settings {
            namespace: Some(name.to_owned()),
            ..self.clone()
        })
    }
}

/// The completions of a `suggest` request, gathered from its messages.
#[derive(Debug)]
pub(crate) struct Suggestions {
    responses: Responses,
    suggestions: Vec<String>,
}

impl Suggestions {
    /// The label `input`'s request is known by, and what gathers its
    /// answer.
    pub(crate) fn start(input: &str) -> (String, Suggestions) {
        let label = format!("suggest {input}");
        let gathered = Suggestions {
            responses: Responses::new(label.clone()),
            suggestions: Vec::new(),
        };
        (label, gathered)
    }

    /// Takes one message of the answer.
    pub(crate) fn take<S>(&mut self, conn: &mut Connection<S>, frame: Frame) {
        match frame {
            Frame::Status(text) => {
                conn.deliver_status(&text);
                self.responses.push_status(text);
            }
            Frame::Answer(message, _) => {
                self.suggestions.extend(message.suggest.unwrap_or_default());
                self.responses
                    .push_message(message.resp.unwrap_or_default(), message.rendered);
            }
        }
    }

    /// The completions, or a host's error.
    pub(crate) fn finish(self) -> Result<Vec<String>, Error> {
        self.responses.into_result()?;
        Ok(self.suggestions)
    }
}

/// The text of `version`'s first response.
pub(crate) fn version_text(responses: &Responses) -> Result<String, Error> {
    match responses.first() {
        Some(first) => Ok(first.text().to_owned()),
        None => Err(Error::NotSingle { count: 0 }),
    }
}
