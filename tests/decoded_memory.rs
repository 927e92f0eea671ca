//! What one answer costs in memory once decoded, not only on the wire: the
//! client's heap while it reads lines shaped to decode into as much as
//! possible stays under `decoded_bound` of the line, and a line whose bound
//! is over the cap is refused before it is decoded. Its own binary, for the
//! counting allocator, which counts the client's thread only (the fake
//! server runs on another).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixListener;
use std::thread::JoinHandle;

use minimega::runtime::protocol::decoded_bound;
use minimega::runtime::{Client, Complete, Error};

#[path = "../benches/runtime/alloc.rs"]
mod alloc;

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

/// About how large each hostile line is: large enough that the decoded
/// cost dwarfs the client's fixed buffers, small enough for a debug build.
const LINE: usize = 2 << 20;

/// A server that answers its first request with `line`.
fn serve(line: String) -> (tempdir::Dir, JoinHandle<()>) {
    let dir = tempdir::Dir::new();
    let listener = UnixListener::bind(dir.path().join("minimega")).unwrap();
    let thread = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request = String::new();
        reader.read_line(&mut request).unwrap();
        let mut writer = stream;
        let _ = writer.write_all(line.as_bytes());
        let _ = writer.write_all(b"\n");
        // Holds the connection until the client is done with it.
        let _ = reader.read_line(&mut request);
    });
    (dir, thread)
}

mod tempdir {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicU32, Ordering};

    pub struct Dir(PathBuf);

    impl Dir {
        pub fn new() -> Dir {
            static COUNT: AtomicU32 = AtomicU32::new(0);
            let path = std::env::temp_dir().join(format!(
                "minimega-decoded-{}-{}",
                std::process::id(),
                COUNT.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&path).unwrap();
            Dir(path)
        }

        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// `count` copies of `item`, comma-separated, as many as fit in [`LINE`].
fn repeated(item: &str) -> String {
    vec![item; LINE / (item.len() + 1)].join(",")
}

/// Lines of every shape that decodes into much more than its bytes.
fn hostile_lines() -> Vec<(&'static str, String)> {
    let message = |resp: String| format!(r#"{{"Resp":{resp},"Rendered":"","More":false}}"#);
    let one = |fields: String| message(format!(r#"[{{"Host":"h",{fields}}}]"#));
    vec![
        ("responses", message(format!("[{}]", repeated("{}")))),
        (
            "a table",
            one(format!(
                r#""Header":["a"],"Tabular":[{}]"#,
                repeated(r#"["",""]"#)
            )),
        ),
        (
            "Data arrays",
            one(format!(r#""Data":[{}]"#, repeated("[]"))),
        ),
        (
            "Data objects",
            one(format!(r#""Data":[{}]"#, repeated(r#"{"a":0}"#))),
        ),
        (
            "a response string",
            one(format!(r#""Response":"{}""#, "x,".repeat(LINE / 2))),
        ),
    ]
}

#[test]
fn decoding_stays_within_the_bound() {
    for (shape, line) in hostile_lines() {
        let bound = decoded_bound(line.as_bytes());
        let (_dir, server) = serve(line);
        let mut mm = Client::connect_base(_dir.path()).unwrap();
        let (answer, peak) = alloc::peak_during(|| mm.raw_unchecked("x").unwrap().run());
        let answer = answer.unwrap_or_else(|e| panic!("{shape}: {e}"));
        assert_eq!(answer.len(), answer.iter().count(), "{shape}");
        println!("{shape}: peak {peak} bytes, bound {bound} bytes");
        assert!(peak <= bound, "{shape}: peak {peak} over the bound {bound}");
        drop(answer);
        drop(mm);
        server.join().unwrap();
    }
}

#[test]
fn a_line_over_the_cap_is_refused_before_decoding() {
    for (shape, line) in hostile_lines() {
        let bound = decoded_bound(line.as_bytes());
        let (_dir, server) = serve(line);
        let mut mm = Client::builder()
            .base(_dir.path())
            .max_decoded_bytes(bound - 1)
            .connect()
            .unwrap();
        let (answer, peak) = alloc::peak_during(|| mm.raw_unchecked("x").unwrap().run());
        let error = answer.unwrap_err();
        assert!(
            matches!(&error, Error::Protocol { reason, .. } if reason.contains("memory")),
            "{shape}: {error}"
        );
        assert!(error.to_string().len() < 1200, "{shape}: {error}");
        assert!(mm.is_closed(), "{shape}");
        // The line itself was read (it is within the line cap), but none of
        // it was decoded.
        assert!(peak < 2 * LINE + (1 << 20), "{shape}: peak {peak}");
        drop(mm);
        server.join().unwrap();
    }
}
