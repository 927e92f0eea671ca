//! The mock against every pattern of the spec, sent raw as a user's own
//! lines would be (the client would refuse some of the odd values): every
//! one is answered. Here rather than in the mock's own tests because it
//! speaks through the repository's raw connection.

use std::time::Duration;

use minimega::mock::MockClient;
use minimega_mock::MockMinimega;
use xtask::fixture::{RawConnection, SessionLine};

/// Every pattern of the spec, with every optional part left out and put
/// in, and arguments that are numbers, `all`, lists and names: each line
/// is answered, and the mock still answers after them all. A handler that
/// panicked or looped on input it did not expect would lose its answer.
#[test]
fn every_pattern_of_every_family_is_answered() {
    use minimega_spec::Item;

    let mock = MockMinimega::builder()
        .hosts(["head", "n1", "n2"])
        .start()
        .unwrap();
    let mut conn = RawConnection::open(mock.socket_path(), Duration::from_secs(10)).unwrap();
    // Some state for the values to find: a VM, a router, a queue.
    for line in [
        "vm config net 100 200",
        "vm launch kvm 1",
        "vm launch container c1",
        "router 1 interface 0 10.0.0.1/24",
    ] {
        conn.exchange(&SessionLine::Command(line.to_owned()).request_line())
            .unwrap();
    }
    let spec = minimega_spec::shipped();
    let mut sent = 0;
    for (_, pattern) in spec.patterns() {
        for value in ["1", "all", "a,b", "vm-0", "10.0.0.1/24"] {
            for with_optional in [false, true] {
                let mut words: Vec<String> = Vec::new();
                for item in &pattern.items {
                    if item.is_optional() && !with_optional {
                        continue;
                    }
                    match item {
                        Item::Literal(word) => words.push(word.clone()),
                        Item::Choice { options, .. } => words.push(options[0].clone()),
                        Item::Value { .. } | Item::List { .. } => words.push(value.to_owned()),
                        Item::Command { .. } => words.push("echo nested".to_owned()),
                    }
                }
                // Never stop the mock's own host process or wait on a program.
                if matches!(words.first().map(String::as_str), Some("quit" | "nuke")) {
                    continue;
                }
                let line = words.join(" ");
                conn.exchange(&SessionLine::Command(line.clone()).request_line())
                    .unwrap_or_else(|e| panic!("`{line}` got no answer: {e}"));
                sent += 1;
            }
        }
    }
    assert!(sent > 3000, "{sent} lines sent");
    let mut mm = mock.client().unwrap();
    assert_eq!(
        mm.run_line("echo still here").unwrap()[0].text(),
        "still here"
    );
}
