//! Reading answers as Rust values: a response's `Data` as a serde type,
//! table rows into structs (the [`tables`](crate::tables) types or your
//! own), and the one response of a single-host answer. Each failure is an
//! [`Error`] naming the host and what did not read.

use serde::Deserialize;

use crate::error::Error;
use crate::excerpt::excerpt;
use crate::response::{Response, Responses, Row};

impl Response {
    /// Reads `Data` as `T`; use `Option<T>` when it may be `null`.
    pub fn data_as<'a, T: Deserialize<'a>>(&'a self) -> Result<T, Error> {
        T::deserialize(self.data()).map_err(|e| Error::Decode {
            host: self.host().to_owned(),
            what: "Data".to_owned(),
            message: e.to_string(),
        })
    }

    /// Reads every row into `T`, matching fields to column names (see
    /// [`Row::parse`]).
    ///
    /// ```
    /// # mod minimega { pub mod runtime { pub use minimega_client::*; } }
    /// # use minimega::runtime::Response;
    /// #[derive(serde::Deserialize)]
    /// struct Vm { host: String, name: String, memory: u64 }
    /// # let json = r#"{"Host":"h1","Response":"","Header":["name","memory"],"Tabular":[["vm1","128"]],"Error":"","Data":null}"#;
    /// # let response: Response = serde_json::from_str::<minimega::runtime::protocol::WireResponse>(json).unwrap().into();
    /// let vms: Vec<Vm> = response.rows_as()?;
    /// assert_eq!((vms[0].host.as_str(), vms[0].name.as_str(), vms[0].memory), ("h1", "vm1", 128));
    /// # Ok::<(), minimega::runtime::Error>(())
    /// ```
    pub fn rows_as<'a, T: Deserialize<'a>>(&'a self) -> Result<Vec<T>, Error> {
        self.rows().map(|row| row.parse()).collect()
    }
}

impl<'a> Row<'a> {
    /// Reads the row into `T`: fields match column names (use
    /// `#[serde(rename = "serial-ports")]` for names that are not Rust
    /// identifiers); cells parse into numbers and booleans as the field
    /// asks; an empty cell or `N/A` reads as `None` for `Option` fields;
    /// sequences read Go's `[a b]` lists and maps read JSON objects (as in
    /// `tags`). A `host` field gets the answering host unless the table has
    /// its own `host` column. Ready types for common tables are in
    /// [`crate::tables`].
    ///
    /// An error names the host, the row and the column, and so does a row
    /// with more cells than the table has columns.
    pub fn parse<T: Deserialize<'a>>(&self) -> Result<T, Error> {
        let fail = |message: String| Error::Decode {
            host: self.host.to_owned(),
            what: format!(
                "the row starting `{}`",
                excerpt(self.cells.first().map_or("", String::as_str))
            ),
            message,
        };
        if self.cells.len() > self.header.len() {
            return Err(fail(format!(
                "it has {} cells for {} columns",
                self.cells.len(),
                self.header.len()
            )));
        }
        let has_host = self.header.iter().any(|c| c == "host");
        let host = (!has_host).then_some(("host", self.host));
        crate::cells::row(host.into_iter().chain(self.columns())).map_err(fail)
    }
}

impl Responses {
    /// The only response; [`Error::NotSingle`] when there are none or
    /// several (a namespace of many hosts answers once per host).
    pub fn single(&self) -> Result<&Response, Error> {
        match &self[..] {
            [only] => Ok(only),
            all => Err(Error::NotSingle { count: all.len() }),
        }
    }

    /// The text of the only response (see [`Responses::single`]).
    pub fn text(&self) -> Result<&str, Error> {
        self.single().map(Response::text)
    }

    /// Every row of every host's table read into `T` (see [`Row::parse`]);
    /// give `T` a `host` field to tell the hosts apart.
    pub fn rows_as<'a, T: Deserialize<'a>>(&'a self) -> Result<Vec<T>, Error> {
        self.rows().map(|row| row.parse()).collect()
    }
}
