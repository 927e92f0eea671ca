//! Values minimega does not check, each shown to harm a daemon of its own
//! when sent unguarded (it exits, or makes a directory outside its base),
//! then refused by the client on every route it has: typed, inside a
//! namespace handle, nested under a modifier or `ns run`, and hand-written.

use std::path::PathBuf;
use std::time::Duration;

use minimega::prelude::*;
use minimega::runtime::{Client, Error, Refusal, Responses};
use xtask::fixture::RawConnection;

use crate::daemon::Daemon;
use crate::{count_refused, Case, Tier};

pub fn cases() -> Vec<Case> {
    vec![Case {
        name: "values_minimega_does_not_check_harm_it_and_are_refused",
        run: values_minimega_does_not_check_harm_it_and_are_refused,
    }]
}

/// What an unguarded daemon suffers.
enum Harm {
    /// It exits.
    Exits,
    /// It makes this directory (`base` stands for its base directory).
    Makes(fn(&std::path::Path) -> PathBuf),
}

/// One way the client could send a harmful value.
type Route = fn(&mut Client) -> Result<Responses, Error>;

/// One value minimega does not check.
struct Killer {
    what: &'static str,
    /// Lines that harm an unguarded daemon, sent as they are.
    lines: Vec<String>,
    harm: Harm,
    /// The client's routes to the same value, each to be refused.
    routes: Vec<Route>,
}

fn long_name() -> String {
    "n".repeat(300)
}

/// Outside the daemon's base: `files/../../NAME` is its scratch parent.
const ESCAPE: &str = "rs-escaped-namespace";

fn killers() -> Vec<Killer> {
    vec![
        Killer {
            what: "a namespace name over 255 bytes",
            lines: vec![format!("namespace {} echo x", long_name())],
            harm: Harm::Exits,
            routes: vec![
                |mm| mm.namespace(long_name(), Cmd.echo_args(["x"])).run(),
                |mm| mm.clear().namespace(long_name()).run(),
                |mm| {
                    mm.columns("name", Cmd.namespace(long_name(), Cmd.vm().info()))
                        .run()
                },
                |mm| {
                    mm.ns()
                        .run_command(Cmd.namespace(long_name(), Cmd.echo_args(["x"])))
                        .run()
                },
                |mm| {
                    let mut lab = mm.in_namespace("rs-killers")?;
                    lab.namespace(long_name(), Cmd.echo_args(["x"])).run()
                },
                |mm| mm.run_line(&format!("namespace {} echo x", long_name())),
            ],
        },
        Killer {
            what: "a namespace name that is a path through a file",
            lines: vec!["clear namespace ../minimega.pid/x".into()],
            harm: Harm::Exits,
            routes: vec![
                |mm| mm.clear().namespace("../minimega.pid/x").run(),
                |mm| mm.run_line("clear namespace ../minimega.pid/x"),
                |mm| mm.run_line("mesh send all clear namespace ../minimega.pid/x"),
            ],
        },
        Killer {
            what: "a namespace name that climbs out of the base directory",
            lines: vec![format!("clear namespace ../../{ESCAPE}")],
            harm: Harm::Makes(|base| base.parent().unwrap().join(ESCAPE)),
            routes: vec![
                |mm| mm.clear().namespace(format!("../../{ESCAPE}")).run(),
                |mm| mm.run_line(&format!("clear namespace ../../{ESCAPE}")),
            ],
        },
        Killer {
            what: "the namespace `..`",
            lines: vec!["namespace .. echo x".into()],
            harm: Harm::Makes(|base| base.join("miniccc_responses")),
            routes: vec![
                |mm| mm.namespace("..", Cmd.echo_args(["x"])).run(),
                |mm| mm.clear().namespace("..").run(),
                |mm| mm.in_namespace("..")?.echo_args(["x"]).run(),
                |mm| mm.run_line("namespace .. echo x"),
            ],
        },
        Killer {
            what: "a log ring of no size",
            lines: vec!["log ring 0".into(), "log ring".into()],
            harm: Harm::Exits,
            routes: vec![
                |mm| mm.log().ring(0).run(),
                |mm| mm.log().ring(-1).run(),
                |mm| mm.run_line("log ring 0"),
                |mm| mm.columns("x", Cmd.log().ring(0)).run(),
            ],
        },
    ]
}

fn values_minimega_does_not_check_harm_it_and_are_refused(tier: &Tier) {
    for killer in killers() {
        let mut victim = Daemon::start(&tier.bin).expect("a daemon of its own starts");
        let mut raw = RawConnection::open(&victim.base().join("minimega"), Duration::from_secs(5))
            .expect("the victim's socket");
        for line in &killer.lines {
            let request = serde_json::json!({ "Command": line }).to_string();
            // A daemon that exits answers nothing.
            let _ = raw.exchange(&request);
        }
        match killer.harm {
            Harm::Exits => {
                let status = victim.exit_within(Duration::from_secs(5));
                assert!(
                    status.is_some(),
                    "{}: the unguarded daemon lived on",
                    killer.what
                );
                println!(
                    "  {}: an unguarded minimega exited ({})",
                    killer.what,
                    status.unwrap()
                );
            }
            Harm::Makes(path) => {
                let made = path(victim.base());
                assert!(made.is_dir(), "{}: no {}", killer.what, made.display());
                println!(
                    "  {}: an unguarded minimega made {}",
                    killer.what,
                    made.display()
                );
                let _ = std::fs::remove_dir_all(&made);
            }
        }
        drop(victim);

        let mut mm = tier.daemon.client();
        for (n, route) in killer.routes.iter().enumerate() {
            let error = route(&mut mm).unwrap_err();
            assert!(
                matches!(
                    &error,
                    Error::Refused {
                        refusal: Refusal::BadValue { .. },
                        ..
                    } | Error::InvalidNamespace { .. }
                ),
                "{} (route {n}): {error}",
                killer.what
            );
            count_refused(1);
        }
        let alive = mm.echo_args(["alive"]).run().unwrap();
        assert_eq!(alive.text().unwrap(), "alive", "{}", killer.what);
    }
}
