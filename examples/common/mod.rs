//! Shared by the examples: connect to a real minimega when told where it is,
//! else start the embedded mock.
//!
//! `--socket PATH` (or `MINIMEGA_SOCKET`) names a command socket;
//! `--base DIR` (or `MINIMEGA_BASE`) names minimega's `-base` directory.

use std::error::Error;

use minimega::mock::MockBuilder;
use minimega::runtime::Client;

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

/// Connects as the command line says; `mock` is the mock to start when no
/// real minimega is named.
pub fn connect(mock: MockBuilder) -> Result<Minimega, Box<dyn Error>> {
    if let Some(socket) = setting("--socket", "MINIMEGA_SOCKET") {
        println!("using minimega at {socket}");
        let client = Client::connect_to(socket)?;
        return Ok(Minimega {
            client,
            _mock: None,
        });
    }
    if let Some(base) = setting("--base", "MINIMEGA_BASE") {
        println!("using minimega with -base {base}");
        let client = Client::connect_base(base)?;
        return Ok(Minimega {
            client,
            _mock: None,
        });
    }
    let mock = mock.start()?;
    println!(
        "using the embedded mock minimega at {}",
        mock.socket_path().display()
    );
    let client = mock.client()?;
    Ok(Minimega {
        client,
        _mock: Some(mock),
    })
}
