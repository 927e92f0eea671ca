//! Helpers shared by the integration tests: a stand-in for a generated
//! command builder, and small shortcuts.
#![allow(dead_code)]

pub mod hostile;

use minimega::mock::MockClient;
use minimega_client::{Builder, Client, CommandLine, Complete};
use minimega_mock::MockMinimega;

/// A whole command, as the generated builders are: a `Builder` and nothing
/// else.
pub struct Line<T>(pub Builder<T>);

impl<T> Complete for Line<T> {
    type Target = T;

    fn into_builder(self) -> Builder<T> {
        self.0
    }

    fn as_builder(&self) -> &Builder<T> {
        &self.0
    }
}

/// The command `words` on `target`, each word one token.
pub fn cmd<T>(target: T, words: &[&str]) -> Line<T> {
    Line(words.iter().fold(Builder::new(target), |b, w| b.word(w)))
}

/// A line of hand-written tokens.
pub fn tokens(words: &[&str]) -> CommandLine {
    CommandLine::from_tokens(words.iter().copied())
}

/// A mock with one host, and a client connected to it.
/// `read` of a script of `text` that the mock holds as `name`: the line
/// that runs it, for tests of answers in several messages.
pub fn read_script(mock: &MockMinimega, name: &str, text: &str) -> String {
    let path = mock.write_script(name, text).unwrap();
    format!("read {}", path.display())
}

pub fn mock_and_client() -> (MockMinimega, Client) {
    let mock = MockMinimega::start().expect("mock starts");
    let client = mock.client().expect("client connects");
    (mock, client)
}

/// A mock standing for `hosts` (the first is the head node), and a client
/// connected to it.
pub fn cluster(hosts: &[&str]) -> (MockMinimega, Client) {
    let mock = MockMinimega::builder()
        .hosts(hosts.iter().copied())
        .start()
        .expect("mock starts");
    let client = mock.client().expect("client connects");
    (mock, client)
}
