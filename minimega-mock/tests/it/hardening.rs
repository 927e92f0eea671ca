//! The mock under abuse: clients that never read, connections racing the
//! mock's stop, a script that is a FIFO, a request that never ends, huge
//! ranges, and long-lived mocks. Each test names a defect an earlier mock
//! had, and measures that it is gone; each gives up after a deadline
//! instead of hanging.

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use minimega::mock::MockClient;
use minimega::runtime::{Client, Complete};
use minimega_mock::MockMinimega;

/// Runs `f` on its own thread; how long it took, or `None` if it did not
/// finish within `limit` (the thread is then left behind).
fn within<F: FnOnce() + Send + 'static>(limit: Duration, f: F) -> Option<Duration> {
    let (done, finished) = mpsc::channel();
    let started = Instant::now();
    thread::spawn(move || {
        f();
        let _ = done.send(());
    });
    finished
        .recv_timeout(limit)
        .ok()
        .map(|()| started.elapsed())
}

fn request(line: &str) -> Vec<u8> {
    let mut bytes = serde_json::to_vec(&serde_json::json!({ "Command": line })).unwrap();
    bytes.push(b'\n');
    bytes
}

/// The old mock wrote answers while holding the connection's writer lock,
/// which `stop` needed to shut the socket down: once a client left about
/// 200 KB unread, a blocked write held the lock and dropping the mock hung.
#[test]
fn dropping_the_mock_with_unread_answers_is_prompt() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    mm.run_line("vm launch kvm 200").unwrap();
    // A client that asks for megabytes of answers and reads none of them.
    let mut greedy = UnixStream::connect(mock.socket_path()).unwrap();
    for _ in 0..20 {
        greedy.write_all(&request("vm info")).unwrap();
    }
    // Let the mock fill the socket's buffers and block writing.
    thread::sleep(Duration::from_millis(300));
    let took = within(Duration::from_secs(10), move || drop(mock));
    let took = took.expect("dropping the mock hung behind a client that does not read");
    assert!(took < Duration::from_secs(2), "dropping took {took:?}");
    drop(greedy);
}

/// The old mock's `send_status` wrote to every connection in turn, and
/// blocked forever on a client that did not read once its socket buffer
/// was full (after 200 to 300 messages).
#[test]
fn status_fan_out_skips_clients_that_do_not_read() {
    let mock = std::sync::Arc::new(MockMinimega::start().unwrap());
    let idle = UnixStream::connect(mock.socket_path()).unwrap();
    let mut mm = mock.client().unwrap();
    mm.run_line("echo ready").unwrap();
    let sender = std::sync::Arc::clone(&mock);
    let text = "progress ".repeat(100);
    let took = within(Duration::from_secs(20), move || {
        for _ in 0..5_000 {
            sender.send_status(&text);
        }
    });
    let took = took.expect("send_status blocked on a client that does not read");
    assert!(
        took < Duration::from_secs(10),
        "5000 statuses took {took:?}"
    );
    assert!(
        mock.dropped_statuses() > 0,
        "statuses for clients that do not read are dropped"
    );
    // A client that reads again gets what its queue held, then answers.
    let answer = mm.run_line("echo after").unwrap();
    assert_eq!(answer.text().unwrap(), "after");
    assert!(!answer.statuses().is_empty());
    drop(idle);
}

/// The old mock registered a connection accepted while it was stopping
/// after it had shut every connection down: that connection's thread
/// waited for its client, and dropping the mock waited with it (55 of 60
/// drops took the client's 3 seconds).
#[test]
fn stopping_closes_connections_accepted_while_stopping() {
    for round in 0..60 {
        let mock = MockMinimega::start().unwrap();
        let path = mock.socket_path().to_owned();
        // Connect as fast as possible, holding the last hundred connections
        // open for 3 seconds after the mock is gone, as clients waiting for
        // an answer would (the thread is left to finish on its own).
        thread::spawn(move || {
            let mut held = std::collections::VecDeque::new();
            while let Ok(stream) = UnixStream::connect(&path) {
                held.push_back(stream);
                if held.len() > 100 {
                    held.pop_front();
                }
            }
            thread::sleep(Duration::from_secs(3));
        });
        thread::sleep(Duration::from_millis(round % 5));
        let took = within(Duration::from_secs(10), move || drop(mock));
        let took = took.expect("dropping the mock hung");
        assert!(
            took < Duration::from_secs(1),
            "round {round}: dropping took {took:?}"
        );
    }
}

/// The old mock opened `read`'s script with a blocking open: a FIFO nobody
/// wrote to held its connection's thread in the kernel, where stopping the
/// mock could not reach it, so dropping the mock waited 2 s for it and left
/// it stuck there. A script that is not a regular file is now refused at
/// once, and no thread is left behind.
#[test]
fn a_fifo_script_is_refused_and_dropping_the_mock_is_prompt() {
    let mock = MockMinimega::start().unwrap();
    let fifo = mock.files_dir().join("script.fifo");
    let path = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).unwrap();
    // SAFETY: `path` is a valid NUL-terminated string for the whole call.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);

    let mut mm = Client::builder()
        .socket(mock.socket_path())
        .timeout(Duration::from_secs(2))
        .connect()
        .unwrap();
    let started = Instant::now();
    let read = mm.run_line("read file:script.fifo");
    let answered = started.elapsed();
    let after = mm.run_line("echo still here");

    let took = within(Duration::from_secs(10), move || drop(mock));
    println!("`read` of a FIFO answered in {answered:?}; dropping the mock took {took:?}");
    let took = took.expect("dropping the mock hung behind a FIFO");
    assert!(took < Duration::from_secs(1), "dropping took {took:?}");

    let error = read.expect_err("a FIFO is not read as a script");
    let message = &error.failures()[0].message;
    assert!(
        message.contains("regular file") && message.contains("FIFO"),
        "{message}"
    );
    assert!(
        answered < Duration::from_secs(1),
        "answered in {answered:?}"
    );
    assert_eq!(after.unwrap().text().unwrap(), "still here");
}

/// Resident memory of this process in bytes, from `/proc/self/status`
/// (the mock runs in the test's process); `None` where there is no `/proc`.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Held by the tests that allocate tens of MiB, so that the test that
/// measures the process's resident memory sees its own mock's only.
static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn heavy() -> std::sync::MutexGuard<'static, ()> {
    HEAVY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The old mock buffered a request until its end, however long: a client
/// that wrote 400 MB with no newline grew it by 404 MB. A request longer
/// than the mock's cap now closes its connection, the memory it took is
/// given back, and other clients are still answered.
#[test]
fn an_unterminated_request_closes_its_connection_at_the_cap() {
    const SENT: usize = 64 << 20;
    let _heavy = heavy();
    let mock = MockMinimega::start().unwrap();
    let before = resident_bytes();

    let mut hostile = UnixStream::connect(mock.socket_path()).unwrap();
    hostile
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut writer = hostile.try_clone().unwrap();
    writer
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // One string that never ends: the part of a request a JSON reader must
    // keep whole.
    let sending = thread::spawn(move || {
        let chunk = vec![b'x'; 64 << 10];
        let mut sent = 0;
        if writer.write_all(b"{\"Command\":\"").is_err() {
            return sent;
        }
        while sent < SENT {
            match writer.write(&chunk) {
                Ok(n) => sent += n,
                Err(_) => break,
            }
        }
        sent
    });
    let mut byte = [0; 1];
    let closed = match std::io::Read::read(&mut hostile, &mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(error) => error.kind() == std::io::ErrorKind::ConnectionReset,
    };
    let sent = sending.join().unwrap();
    let after = resident_bytes();
    println!("sent {sent} bytes of one request; resident before {before:?}, after {after:?}");
    assert!(
        closed,
        "the mock kept the connection open after {sent} bytes"
    );
    assert!(sent < SENT, "the mock read all {sent} bytes");
    if let (Some(before), Some(after)) = (before, after) {
        let grew = after.saturating_sub(before);
        assert!(
            grew < (SENT / 2) as u64,
            "resident memory grew by {grew} bytes"
        );
    }

    let mut mm = mock.client().unwrap();
    let answer = mm.run_line("echo still here").unwrap();
    assert_eq!(answer.text().unwrap(), "still here");
    drop(hostile);
}

/// The cap counts each request on its own: a connection may send any
/// number of requests under it, and the one over it closes that connection.
#[test]
fn the_request_cap_counts_each_request_alone() {
    let mock = MockMinimega::builder()
        .max_request_bytes(1024)
        .start()
        .unwrap();
    let mut mm = mock.client().unwrap();
    let word = "x".repeat(600);
    for _ in 0..10 {
        let answer = mm.run_line(&format!("echo {word}")).unwrap();
        assert_eq!(answer.text().unwrap(), word);
    }
    let long = "y".repeat(2000);
    assert!(mm.run_line(&format!("echo {long}")).is_err());
    let mut fresh = mock.client().unwrap();
    assert_eq!(fresh.run_line("echo z").unwrap().text().unwrap(), "z");
}

/// A 20 KB range (`a[000…0-99999]`) once made the mock allocate for every
/// name at its padded width and abort; names are now expanded by
/// `minimega_spec::ranges::expand`, which caps them, and VMs of one launch
/// share their configuration.
#[test]
fn a_twenty_kilobyte_range_launches_without_exhausting_memory() {
    let _heavy = heavy();
    let mock = MockMinimega::start().unwrap();
    let socket = mock.socket_path().to_owned();
    let took = within(Duration::from_secs(60), move || {
        let mut mm = Client::connect_to(socket).unwrap();
        let range = format!("a[{}-99999]", "0".repeat(20_000));
        mm.raw(&format!("vm launch kvm {range}"))
            .unwrap()
            .run()
            .unwrap();
        assert_eq!(mm.run_line("host vms").unwrap().text().unwrap(), "100000");
        let wide = format!("b[{0}-{0}]", "9".repeat(30));
        let error = mm.run_line(&format!("vm launch kvm {wide}")).unwrap_err();
        assert_eq!(error.failures()[0].message, "invalid range specification");
    });
    let took = took.expect("the launch did not finish");
    println!("100000 VMs launched from a 20 KB range in {took:?}");
}

/// Selecting VMs by a range once compared every VM with every name under
/// the world's lock (`vm start a[0-49999]` took 20 s), and the launch's
/// duplicate check did the same: both are linear now.
#[test]
fn selecting_fifty_thousand_vms_by_range_is_linear() {
    let _heavy = heavy();
    let mock = MockMinimega::start().unwrap();
    let socket = mock.socket_path().to_owned();
    let took = within(Duration::from_secs(60), move || {
        let mut mm = Client::connect_to(socket).unwrap();
        let started = Instant::now();
        mm.run_line("vm launch kvm a[0-49999]").unwrap();
        let launch = started.elapsed();
        let started = Instant::now();
        mm.run_line("vm start a[0-49999]").unwrap();
        let start = started.elapsed();
        mm.run_line("vm kill a[0-49999]").unwrap();
        mm.run_line("vm flush a[0-49999]").unwrap();
        println!("launch {launch:?}, start {start:?}");
        assert_eq!(mm.run_line("host vms").unwrap().text().unwrap(), "0");
    });
    let took = took.expect("selecting 50000 VMs did not finish in a minute");
    assert!(took < Duration::from_secs(15), "took {took:?}");
}

/// The old mock logged every command line forever; the log now keeps the
/// most recent ones and counts the rest.
#[test]
fn the_received_log_is_bounded() {
    let mock = MockMinimega::builder()
        .received_capacity(100)
        .start()
        .unwrap();
    let mut mm = mock.client().unwrap();
    for i in 0..1_000 {
        mm.run_line(&format!("echo {i}")).unwrap();
    }
    let received = mock.received();
    assert_eq!(received.len(), 100);
    assert_eq!(mock.dropped_received(), 900);
    assert_eq!(received[0].line, "echo 900");
    assert_eq!(received[99].line, "echo 999");
}
