//! Answers a test sets up in advance, for a pattern or for an exact line,
//! as wiremock and httpmock stub HTTP answers.
//!
//! ```
//! use minimega::mock::{Answer, MockClient, MockMinimega, Reply};
//!
//! let mock = MockMinimega::builder().hosts(["head", "n1", "n2"]).start()?;
//! // Every `vm info`, however written (`vm inf`, `vm info summary`, nested).
//! mock.stub_pattern(
//!     "vm info [summary,]",
//!     Answer::table(["name", "state"], [["web1", "RUNNING"]]),
//! )?;
//! // Only this line, exactly as sent; several hosts answer it.
//! mock.stub_line(
//!     "mesh send all cc log level",
//!     Answer::hosts([("n1", Reply::text("info")), ("n2", Reply::error("no cc"))]),
//! );
//! let mut mm = mock.client()?;
//! let answer = mm.run_line(".columns name vm info")?;
//! assert_eq!(answer[0].tabular(), [vec!["web1".to_owned()]]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use minimega_protocol::WireResponse;
use minimega_spec::PatternId;
use serde_json::Value;

/// One host's response in a stubbed answer: text, a table or an error,
/// with optional `Data`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    text: String,
    header: Option<Vec<String>>,
    rows: Option<Vec<Vec<String>>>,
    error: String,
    data: Value,
}

impl Reply {
    /// A successful response with no text (what most commands answer).
    pub fn empty() -> Reply {
        Reply::default()
    }

    /// A text response.
    pub fn text(text: impl Into<String>) -> Reply {
        Reply {
            text: text.into(),
            ..Reply::default()
        }
    }

    /// A table: its column names and its rows.
    pub fn table<H, R, C>(header: H, rows: R) -> Reply
    where
        H: IntoIterator,
        H::Item: Into<String>,
        R: IntoIterator<Item = C>,
        C: IntoIterator,
        C::Item: Into<String>,
    {
        Reply {
            header: Some(header.into_iter().map(Into::into).collect()),
            rows: Some(
                rows.into_iter()
                    .map(|row| row.into_iter().map(Into::into).collect())
                    .collect(),
            ),
            ..Reply::default()
        }
    }

    /// A failure with minimega's error text.
    pub fn error(message: impl Into<String>) -> Reply {
        Reply {
            error: message.into(),
            ..Reply::default()
        }
    }

    /// The same response, with `data` as its `Data`.
    pub fn with_data(mut self, data: Value) -> Reply {
        self.data = data;
        self
    }

    fn response(&self, host: &str) -> WireResponse {
        WireResponse {
            host: host.to_owned(),
            response: self.text.clone(),
            header: self.header.clone(),
            tabular: self.rows.clone(),
            error: self.error.clone(),
            data: self.data.clone(),
        }
    }
}

/// A stubbed answer: one message, with one response per host.
///
/// A [`Reply`] alone (`Answer::text("x")`, `Reply::error("e").into()`) is
/// answered by the host that runs the command: the head node for a
/// client's command, the target for a command passed on by `mesh send`.
/// [`Answer::hosts`] names the hosts itself, in the order they answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    replies: Vec<(Option<String>, Reply)>,
}

impl Answer {
    /// Several hosts' responses, in this order.
    pub fn hosts<I, S>(replies: I) -> Answer
    where
        I: IntoIterator<Item = (S, Reply)>,
        S: Into<String>,
    {
        Answer {
            replies: replies
                .into_iter()
                .map(|(host, reply)| (Some(host.into()), reply))
                .collect(),
        }
    }

    /// A text answer (see [`Reply::text`]).
    pub fn text(text: impl Into<String>) -> Answer {
        Reply::text(text).into()
    }

    /// A table (see [`Reply::table`]).
    pub fn table<H, R, C>(header: H, rows: R) -> Answer
    where
        H: IntoIterator,
        H::Item: Into<String>,
        R: IntoIterator<Item = C>,
        C: IntoIterator,
        C::Item: Into<String>,
    {
        Reply::table(header, rows).into()
    }

    /// A failure (see [`Reply::error`]).
    pub fn error(message: impl Into<String>) -> Answer {
        Reply::error(message).into()
    }

    /// A success with no text.
    pub fn empty() -> Answer {
        Reply::empty().into()
    }

    /// The responses, hosts filled in: `host` for replies that name none.
    pub(crate) fn responses(&self, host: &str) -> Vec<WireResponse> {
        self.replies
            .iter()
            .map(|(named, reply)| reply.response(named.as_deref().unwrap_or(host)))
            .collect()
    }
}

impl From<Reply> for Answer {
    fn from(reply: Reply) -> Answer {
        Answer {
            replies: vec![(None, reply)],
        }
    }
}

/// The stubs a mock holds; the one added last wins.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stubs {
    patterns: Vec<(PatternId, Answer)>,
    lines: Vec<(String, Answer)>,
}

impl Stubs {
    pub(crate) fn add_pattern(&mut self, id: PatternId, answer: Answer) {
        self.patterns.push((id, answer));
    }

    pub(crate) fn add_line(&mut self, line: String, answer: Answer) {
        self.lines.push((line, answer));
    }

    pub(crate) fn clear(&mut self) {
        self.patterns.clear();
        self.lines.clear();
    }

    pub(crate) fn for_line(&self, line: &str) -> Option<Answer> {
        self.lines
            .iter()
            .rev()
            .find(|(stubbed, _)| stubbed == line)
            .map(|(_, answer)| answer.clone())
    }

    pub(crate) fn for_pattern(&self, id: PatternId) -> Option<Answer> {
        self.patterns
            .iter()
            .rev()
            .find(|(stubbed, _)| *stubbed == id)
            .map(|(_, answer)| answer.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_fill_in_the_host_that_runs_the_command() {
        let answer = Answer::text("hi");
        assert_eq!(answer.responses("head")[0].host, "head");
        let both = Answer::hosts([("n1", Reply::text("a")), ("n2", Reply::error("b"))]);
        let responses = both.responses("head");
        assert_eq!(
            responses
                .iter()
                .map(|r| (r.host.as_str(), r.response.as_str(), r.error.as_str()))
                .collect::<Vec<_>>(),
            [("n1", "a", ""), ("n2", "", "b")]
        );
        let table = Reply::table(["name"], [["a"], ["b"]]).with_data(serde_json::json!([1]));
        let r = Answer::from(table).responses("h").remove(0);
        assert_eq!(r.tabular.unwrap().len(), 2);
        assert_eq!(r.data, serde_json::json!([1]));
    }

    #[test]
    fn the_last_stub_wins() {
        let mut stubs = Stubs::default();
        stubs.add_line("x".into(), Answer::text("old"));
        stubs.add_line("x".into(), Answer::text("new"));
        assert_eq!(stubs.for_line("x"), Some(Answer::text("new")));
        assert_eq!(stubs.for_line("y"), None);
        stubs.clear();
        assert_eq!(stubs.for_line("x"), None);
    }
}
