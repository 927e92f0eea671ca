//! Async I/O for the connection, on tokio.
