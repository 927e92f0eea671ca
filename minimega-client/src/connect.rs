//! Opening the socket, and saying what to do when that fails.

use std::io::ErrorKind;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

use crate::connection::{Blocking, Connection};
use crate::error::Error;
use crate::options::Limits;

/// Opens a connection to the socket at `path`.
pub(crate) fn open(path: &Path, limits: Limits) -> Result<Connection<Blocking>, Error> {
    Connection::open(path, limits).map_err(|source| failed(path, source))
}

/// Replaces `conn`'s socket with a fresh one to `path`.
pub(crate) fn reopen(conn: &mut Connection<Blocking>, path: &Path) -> Result<(), Error> {
    conn.reopen(path).map_err(|source| failed(path, source))
}

/// Opens an async connection to the socket at `path`.
#[cfg(feature = "tokio")]
pub(crate) async fn open_async(
    path: &Path,
    limits: Limits,
) -> Result<Connection<crate::connection::tokio_io::Tokio>, Error> {
    Connection::open_async(path, limits)
        .await
        .map_err(|source| failed(path, source))
}

/// Replaces an async `conn`'s socket with a fresh one to `path`.
#[cfg(feature = "tokio")]
pub(crate) async fn reopen_async(
    conn: &mut Connection<crate::connection::tokio_io::Tokio>,
    path: &Path,
) -> Result<(), Error> {
    conn.reopen_async(path)
        .await
        .map_err(|source| failed(path, source))
}

fn failed(path: &Path, source: std::io::Error) -> Error {
    Error::Connect {
        path: path.to_owned(),
        hint: hint(path, source.kind()).to_owned(),
        source,
    }
}

/// What to do about a failed connect, judged by what is at `path`.
fn hint(path: &Path, kind: ErrorKind) -> &'static str {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return "that is a directory: if it is minimega's `-base` directory, connect with \
                    `Client::connect_base(DIR)`, whose socket is DIR/minimega";
        }
        Ok(meta) if !meta.file_type().is_socket() => {
            return "that is not a socket: give the path of minimega's command socket \
                    (`-base DIR` puts it at DIR/minimega)";
        }
        _ => {}
    }
    match kind {
        ErrorKind::NotFound => {
            "no socket there: start minimega (usually as root, `sudo minimega`); if it runs with \
             `-base DIR`, connect with `Client::connect_base(DIR)`"
        }
        ErrorKind::PermissionDenied => {
            "the socket is root-only by default: run this program as root (e.g. with sudo), or \
             give your user access to the socket"
        }
        ErrorKind::ConnectionRefused => {
            "nothing is listening: the socket was left by a minimega that exited; start minimega \
             again"
        }
        _ => {
            "check that minimega is running and that this is its command socket (`-base DIR` puts \
             it at DIR/minimega)"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_say_what_to_do() {
        let nowhere = Path::new("/nonexistent/minimega");
        assert!(hint(nowhere, ErrorKind::NotFound).contains("start minimega"));
        assert!(hint(nowhere, ErrorKind::PermissionDenied).contains("root"));
        assert!(hint(nowhere, ErrorKind::ConnectionRefused).contains("exited"));
        let error = Error::Connect {
            path: "/x/minimega".into(),
            source: std::io::Error::from(ErrorKind::PermissionDenied),
            hint: hint(nowhere, ErrorKind::PermissionDenied).to_owned(),
        };
        let text = error.to_string();
        assert!(
            text.contains("`/x/minimega`") && text.contains("run this program as root"),
            "{text}"
        );
    }

    #[test]
    fn files_and_directories_are_not_taken_for_stale_sockets() {
        let dir = std::env::temp_dir();
        assert!(hint(&dir, ErrorKind::ConnectionRefused).contains("directory"));
        let file = dir.join(format!("minimega-hint-{}", std::process::id()));
        std::fs::write(&file, "").unwrap();
        let said = hint(&file, ErrorKind::ConnectionRefused);
        std::fs::remove_file(&file).unwrap();
        assert!(said.contains("not a socket"), "{said}");
    }
}
