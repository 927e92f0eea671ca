//! The embedded mock minimega (the `minimega-mock` crate), and clients of
//! it: [`MockClient`] (in the prelude) gives a [`MockMinimega`] its
//! `client()`, which checks lines against the mock's own spec.
//!
//! ```
//! use minimega::mock::MockMinimega;
//! use minimega::prelude::*;
//!
//! let mock = MockMinimega::start()?;
//! let mut mm = mock.client()?;
//! assert_eq!(mm.echo_args(["hi"]).run()?.text()?, "hi");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[doc(inline)]
pub use minimega_mock::*;

use crate::runtime::{Client, ClientBuilder, Error};

/// Clients of a mock: the mock crate speaks only the wire protocol, so the
/// client it is tested with comes from here.
pub trait MockClient {
    /// The settings of a client of this mock: its socket and its spec;
    /// connect with `connect()`, `connect_async()` (feature `tokio`) or make
    /// a `pool(n)`.
    fn client_builder(&self) -> ClientBuilder;

    /// A client connected to this mock.
    fn client(&self) -> Result<Client, Error> {
        self.client_builder().connect()
    }

    /// An async client connected to this mock (feature `tokio`).
    #[cfg(feature = "tokio")]
    fn async_client(
        &self,
    ) -> impl std::future::Future<Output = Result<crate::runtime::AsyncClient, Error>> + Send {
        let builder = self.client_builder();
        async move { builder.connect_async().await }
    }
}

impl MockClient for MockMinimega {
    fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .socket(self.socket_path())
            .spec(self.spec())
    }
}
