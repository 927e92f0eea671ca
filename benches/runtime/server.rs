//! The minimega the benchmark talks to: the embedded mock, or a real one
//! named with `--socket`. This is the one module that names the mock, so
//! that its import can follow the mock wherever it lives.

use std::io;
use std::path::{Path, PathBuf};

use minimega::mock::MockMinimega;

/// A server to measure against.
pub enum Server {
    /// The embedded mock, on threads of this process.
    Mock(MockMinimega),
    /// A minimega running elsewhere, by its socket.
    Real(PathBuf),
}

impl Server {
    /// Starts the embedded mock.
    pub fn mock() -> io::Result<Server> {
        MockMinimega::start()
            .map(Server::Mock)
            .map_err(|e| io::Error::other(e.to_string()))
    }

    /// The command socket.
    pub fn socket(&self) -> &Path {
        match self {
            Server::Mock(mock) => mock.socket_path(),
            Server::Real(path) => path,
        }
    }

    /// Whether this is a real minimega.
    pub fn is_real(&self) -> bool {
        matches!(self, Server::Real(_))
    }

    /// What the server is, for the report.
    pub fn describe(&self) -> String {
        match self {
            Server::Mock(_) => "the embedded mock minimega (in this process)".to_owned(),
            Server::Real(path) => format!("the minimega at {}", path.display()),
        }
    }
}
