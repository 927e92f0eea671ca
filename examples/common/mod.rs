//! Shared by the examples: connect to a real minimega when told where it is,
//! else start the embedded mock.
//!
//! `--socket PATH` (or `MINIMEGA_SOCKET`) names a command socket;
//! `--base DIR` (or `MINIMEGA_BASE`) names minimega's `-base` directory.

// Each example uses part of this: the async one only `builder`.
#![allow(dead_code)]

use std::error::Error;

use minimega::mock::MockClient;
use minimega::mock::{MockBuilder, MockMinimega};
use minimega::runtime::{Client, ClientBuilder};

/// A connection, and the mock behind it if there is one (it stops when
/// dropped, so keep this value alive).
pub struct Minimega {
    pub client: Client,
    _mock: Option<minimega::mock::MockMinimega>,
}

fn setting(flag: &str, variable: &str) -> Option<String> {
    let mut args = std::env::args().skip_while(|arg| arg != flag).skip(1);
    args.next().or_else(|| std::env::var(variable).ok())
}

/// Client settings as the command line says, and the mock they point at
/// when no real minimega is named (it stops when dropped: keep it alive).
pub fn builder(mock: MockBuilder) -> Result<(ClientBuilder, Option<MockMinimega>), Box<dyn Error>> {
    if let Some(socket) = setting("--socket", "MINIMEGA_SOCKET") {
        println!("using minimega at {socket}");
        return Ok((Client::builder().socket(socket), None));
    }
    if let Some(base) = setting("--base", "MINIMEGA_BASE") {
        println!("using minimega with -base {base}");
        return Ok((Client::builder().base(base), None));
    }
    let mock = mock.start()?;
    println!(
        "using the embedded mock minimega at {}",
        mock.socket_path().display()
    );
    Ok((mock.client_builder(), Some(mock)))
}

/// Connects as the command line says; `mock` is the mock to start when no
/// real minimega is named.
pub fn connect(mock: MockBuilder) -> Result<Minimega, Box<dyn Error>> {
    let (builder, mock) = builder(mock)?;
    Ok(Minimega {
        client: builder.connect()?,
        _mock: mock,
    })
}
