//! The tier's minimega: a `ScratchDaemon` (its own `-base`, mesh `-port`
//! and `-context`, stopped by its pid when dropped or when this run dies),
//! with the host name it answers with.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use minimega::prelude::*;
use minimega::runtime::Client;
use xtask::fixture::ScratchDaemon;

pub struct Daemon {
    scratch: ScratchDaemon,
    /// The host name the daemon answers with.
    pub host: String,
}

impl Daemon {
    /// Starts `bin`; fails with minimega's log when it does not come up.
    pub fn start(bin: &Path) -> Result<Daemon, String> {
        let scratch = ScratchDaemon::start(bin, &std::env::temp_dir(), &BTreeMap::new())?;
        let mut mm = Client::connect_to(scratch.socket()).map_err(|e| e.to_string())?;
        let host = mm
            .host()
            .name()
            .run()
            .map_err(|e| e.to_string())?
            .text()
            .map_err(|e| e.to_string())?
            .to_owned();
        Ok(Daemon { scratch, host })
    }

    /// The directory given as `-base`.
    pub fn base(&self) -> &Path {
        self.scratch.base()
    }

    /// The daemon's files directory.
    pub fn files_dir(&self) -> PathBuf {
        self.scratch.files_dir()
    }

    /// A new connection to the daemon.
    pub fn client(&self) -> Client {
        Client::connect_to(self.scratch.socket()).expect("the daemon's socket accepts connections")
    }

    /// How the daemon's process ended, if it did within `within`.
    pub fn exit_within(&mut self, within: std::time::Duration) -> Option<std::process::ExitStatus> {
        let started = std::time::Instant::now();
        loop {
            if let Some(status) = self.scratch.exited() {
                return Some(status);
            }
            if started.elapsed() > within {
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// The daemon's log so far.
    pub fn log(&self) -> String {
        self.scratch.log()
    }
}
