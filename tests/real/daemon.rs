//! A real minimega daemon for one test run: its own scratch `-base`, mesh
//! `-port` and `-context`, so that it never meets another daemon on this
//! machine; stopped (by its pid) and cleaned up when dropped.

use std::net::{TcpListener, UdpSocket};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use minimega::prelude::*;
use minimega::runtime::Client;

/// How long a fresh daemon may take to open its socket.
const START: Duration = Duration::from_secs(20);

pub struct Daemon {
    base: PathBuf,
    child: Child,
    /// The host name the daemon answers with.
    pub host: String,
}

impl Daemon {
    /// Starts `bin`; fails with minimega's log when it does not come up.
    pub fn start(bin: &Path) -> Result<Daemon, String> {
        let base = scratch_dir("daemon")?;
        let port = free_port()?;
        let log = std::fs::File::create(base.join("daemon.log")).map_err(|e| e.to_string())?;
        let mut command = Command::new(bin);
        // SAFETY: prctl is async-signal-safe and touches only the child.
        // A test run killed outright (a timeout, ^C) never drops the
        // daemon; the kernel then stops it, as `quit` would.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let child = command
            .arg("-nostdin")
            .arg("-base")
            .arg(&base)
            .args(["-port", &port.to_string()])
            .args(["-broadcast", "127.255.255.255"])
            .args([
                "-context",
                &format!("minimega-rs-test-{}-{port}", std::process::id()),
            ])
            .args(["-level", "info"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let mut daemon = Daemon {
            base,
            child,
            host: String::new(),
        };
        let started = Instant::now();
        let mut mm = loop {
            if let Ok(Some(status)) = daemon.child.try_wait() {
                return Err(format!("minimega exited ({status}): {}", daemon.log()));
            }
            if let Ok(client) = Client::connect_base(&daemon.base) {
                break client;
            }
            if started.elapsed() > START {
                return Err(format!("no socket after {START:?}: {}", daemon.log()));
            }
            std::thread::sleep(Duration::from_millis(100));
        };
        daemon.host = mm
            .host()
            .name()
            .run()
            .map_err(|e| e.to_string())?
            .text()
            .map_err(|e| e.to_string())?
            .to_owned();
        Ok(daemon)
    }

    /// The directory given as `-base`.
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// A new connection to the daemon.
    pub fn client(&self) -> Client {
        Client::connect_base(&self.base).expect("the daemon's socket accepts connections")
    }

    /// The daemon's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.base.join("daemon.log")).unwrap_or_default()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // `quit` kills the daemon's VMs; it may close the socket before
        // answering, so its result says nothing.
        if let Ok(mut mm) = Client::connect_base(&self.base) {
            let _ = mm.raw_unchecked("quit").map(|quit| quit.run());
        }
        let stop = Instant::now();
        while stop.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

/// A fresh directory under the system's temporary directory.
pub fn scratch_dir(what: &str) -> Result<PathBuf, String> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |t| t.subsec_nanos());
    let dir = std::env::temp_dir().join(format!(
        "minimega-rs-{what}-{}-{}-{nanos:x}",
        std::process::id(),
        next()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

fn next() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// A port free for both the mesh's TCP listener and its UDP broadcasts.
fn free_port() -> Result<u16, String> {
    for _ in 0..50 {
        let tcp = TcpListener::bind("0.0.0.0:0").map_err(|e| e.to_string())?;
        let port = tcp.local_addr().map_err(|e| e.to_string())?.port();
        if UdpSocket::bind(("0.0.0.0", port)).is_ok() {
            return Ok(port);
        }
    }
    Err("no free port for the mesh".to_owned())
}
