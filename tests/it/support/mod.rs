//! Helpers shared by the integration tests: values for every kind of
//! pattern argument, and a mock with a client on it.

pub mod pattern_values;

use minimega::mock::{MockClient, MockMinimega};
use minimega::runtime::Client;

/// A mock with one host, and a client connected to it.
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
