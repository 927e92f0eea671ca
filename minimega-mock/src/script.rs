//! Reading the script a `read` runs, as minimega reads it, before the
//! command runs and outside the world's lock; files that could hold a
//! thread (FIFOs, devices, sockets) are refused.

use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};

/// The longest script `read` takes: a script is read whole before it runs.
const MAX_SCRIPT_BYTES: u64 = 16 << 20;

/// A script's text, read as minimega reads it, or minimega's error for it;
/// a script that is not a regular file is refused (see [`special_kind`]).
pub(crate) fn read_script(path: &str) -> Result<String, String> {
    // Opened without blocking: opening a FIFO for reading waits for a
    // writer, in the kernel, where stopping the mock cannot reach the
    // thread. The flag changes nothing for the regular files read below.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| format!("open {path}: {}", go_error(&e)))?;
    let kind = file
        .metadata()
        .map_err(|e| format!("read {path}: {}", go_error(&e)))?
        .file_type();
    if let Some(kind) = special_kind(kind) {
        return Err(format!(
            "read {path}: the mock reads scripts only from regular files, and this is a {kind}"
        ));
    }
    let mut bytes = Vec::new();
    file.take(MAX_SCRIPT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("read {path}: {}", go_error(&e)))?;
    if bytes.len() as u64 > MAX_SCRIPT_BYTES {
        return Err(format!(
            "read {path}: the mock reads scripts of at most {MAX_SCRIPT_BYTES} bytes"
        ));
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// What a file `read` refuses is, or `None` for a regular file or a
/// directory (which minimega opens and then fails to read: `is a
/// directory`, as the read below fails too). minimega would open a FIFO
/// and wait for a writer, and read a device for as long as it gives;
/// the mock refuses them at once rather than leave a thread that stopping
/// cannot end.
fn special_kind(kind: std::fs::FileType) -> Option<&'static str> {
    if kind.is_file() || kind.is_dir() {
        None
    } else if kind.is_fifo() {
        Some("FIFO")
    } else if kind.is_socket() {
        Some("socket")
    } else if kind.is_char_device() {
        Some("character device")
    } else if kind.is_block_device() {
        Some("block device")
    } else {
        Some("special file")
    }
}

/// An I/O error as Go words it: `no such file or directory`.
fn go_error(error: &io::Error) -> String {
    let text = error.to_string();
    let text = match text.find(" (os error") {
        Some(at) => &text[..at],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_read_like_go() {
        let missing = read_script("/nonexistent/mock/script.mm").unwrap_err();
        assert_eq!(
            missing,
            "open /nonexistent/mock/script.mm: no such file or directory"
        );
        let dir = std::env::temp_dir();
        let error = read_script(&dir.to_string_lossy()).unwrap_err();
        assert!(error.ends_with("is a directory"), "{error}");
        let error = read_script("/dev/null").unwrap_err();
        assert!(error.ends_with("this is a character device"), "{error}");
    }
}
