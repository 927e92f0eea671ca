//! The failure policy, in one place: whether a host's error, or a host
//! that never answered, makes a command an `Err` ([`Failures`]), for whole
//! answers, for streams response by response, and for
//! [`Responses::into_result`].

use crate::error::Error;
use crate::excerpt::excerpt;
use crate::response::{Response, Responses};

/// What a host's error in the answer does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Failures {
    /// Any failing response makes the call return
    /// [`Error::Command`] with every failing host.
    #[default]
    Error,
    /// Failing responses are returned with the others, for scripts that
    /// tolerate partial failure; check [`Response::error`](crate::Response::error).
    Keep,
}

impl Failures {
    /// Applies this policy to a whole answer: with [`Failures::Error`], a
    /// host's error makes it [`Error::Command`], and a host that was sent the
    /// command but did not answer makes it [`Error::Unanswered`].
    pub(crate) fn judge(self, responses: Responses) -> Result<Responses, Error> {
        if self == Failures::Keep {
            return Ok(responses);
        }
        let responses = responses.into_result()?;
        let missing = responses
            .missing_hosts()
            .into_iter()
            .map(str::to_owned)
            .collect();
        answered_by_all(missing, responses)
    }

    /// What a stream yields for one host's `response`: with
    /// [`Failures::Error`], a host's error is [`Error::Command`], as it is
    /// reported in a whole answer.
    pub(crate) fn judge_one(self, command: &str, response: Response) -> Result<Response, Error> {
        if self == Failures::Keep || response.is_ok() {
            return Ok(response);
        }
        let mut one = Responses::new(command.to_owned());
        one.push_response(response);
        one.into_result().map(|one| one.into_vec().remove(0))
    }

    /// What a finished stream reports of `missing`, the hosts that were sent
    /// the command and never answered: [`Error::Unanswered`] unless
    /// failures are kept.
    pub(crate) fn judge_missing(self, command: &str, missing: Vec<String>) -> Option<Error> {
        if self == Failures::Keep {
            return None;
        }
        answered_by_all(missing, Responses::new(command.to_owned())).err()
    }
}

impl Responses {
    /// These responses, or [`Error::Command`] if any host reported an error.
    pub fn into_result(self) -> Result<Responses, Error> {
        let failures = self.failures();
        if failures.is_empty() {
            Ok(self)
        } else {
            Err(Error::Command {
                command: excerpt(self.command()),
                failures,
                responses: Box::new(self),
            })
        }
    }
}

/// `responses`, or [`Error::Unanswered`] naming `missing`, the hosts that
/// were sent the command and never answered.
pub(crate) fn answered_by_all(
    missing: Vec<String>,
    responses: Responses,
) -> Result<Responses, Error> {
    if missing.is_empty() {
        return Ok(responses);
    }
    Err(Error::Unanswered {
        command: excerpt(responses.command()),
        hosts: missing,
        responses: Box::new(responses),
    })
}
