//! Rows of the tables about files and disk images: `file list` and `disk
//! info`.

use serde::{Deserialize, Deserializer};

/// One row of `file list`: a file or folder in minimega's files directory.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct FileEntry {
    /// The host whose files directory it is in.
    pub host: String,
    /// Whether it is a folder (minimega writes `<dir>`).
    #[serde(deserialize_with = "is_dir")]
    pub dir: bool,
    /// Its path, under the files directory.
    pub name: String,
    /// Its size, in bytes.
    pub size: u64,
    /// When it last changed (RFC 3339, as minimega writes it).
    pub modified: String,
}

fn is_dir<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    let text = <&str>::deserialize(deserializer)?;
    Ok(text == "<dir>")
}

/// One row of `disk info`: a disk image, as `qemu-img info` reads it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct DiskInfo {
    /// The host the image is on.
    pub host: String,
    /// The image's path.
    pub image: String,
    /// Its format (`qcow2`, `raw`).
    pub format: String,
    /// Its size as the guest sees it, as `qemu-img` writes it.
    pub virtualsize: String,
    /// Its size on disk, as `qemu-img` writes it.
    pub disksize: String,
    /// The image it is backed by; `None` for none.
    pub backingfile: Option<String>,
    /// Whether a running VM uses it.
    pub inuse: bool,
}
