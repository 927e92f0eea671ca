//! Waiting on VMs: for a state, for IP addresses, for cc agents, or for
//! anything a poll can see, with a deadline, on a client or a namespace
//! handle (so on one host or on every host of a namespace).
//!
//! Every wait polls `vm info` (every [`POLL_EVERY`]) and fails early rather
//! than time out when it can tell the wait is hopeless: a VM in `ERROR`
//! fails with the reason minimega recorded, and a VM that was killed cannot
//! start any more. A timeout names every VM that was not ready, and how
//! far it got: a VM that never appeared usually means a launch failed on a
//! host that said nothing (minimega reports some launch failures only in
//! that host's log).
//!
//! A wait ends by its deadline: each poll gets only the time left (and the
//! client's timeout, if sooner), and is never slept past it. A poll still
//! unanswered when the deadline passes is left for the next command to
//! finish, as a dropped stream's answer is, so a wait that runs out leaves
//! the connection usable. The slack is that of one command (parsing a line
//! read in time, one status handler call; see the `connection` module),
//! and for [`Wait::wait_until`] one call of its check.
//!
//! ```no_run
//! use std::time::Duration;
//! use minimega_client::tables::VmState;
//! use minimega_client::{Client, Wait};
//!
//! let mut mm = Client::connect()?;
//! mm.run_line("vm launch kvm web[1-3]")?;
//! mm.run_line("vm start all")?;
//! let vms = mm.wait_for_state("web[1-3]", VmState::Running, Duration::from_secs(60))?;
//! println!("{} VMs running", vms.len());
//! # Ok::<(), minimega_client::Error>(())
//! ```

use std::collections::BTreeSet;
use std::thread;
use std::time::{Duration, Instant};

use crate::cc::{self, CcClient, CcCommand, CcResponse};
use crate::client::Client;
use crate::command::CommandLine;
use crate::error::Error;
use crate::namespace::Namespace;
use crate::outgoing::Scope;
use crate::response::Responses;
use crate::tables::{VmInfo, VmState};

/// How often a wait asks minimega again.
pub const POLL_EVERY: Duration = Duration::from_millis(250);

mod sealed {
    use super::*;

    /// What a wait needs of its target: to run a line in its scope.
    pub trait Poll {
        /// Runs `line`, for at most `left` (`None`: no limit); `Ok(None)`
        /// if that ran out first.
        fn poll(
            &mut self,
            line: CommandLine,
            left: Option<Duration>,
        ) -> Result<Option<Responses>, Error>;
    }

    impl Poll for Client {
        fn poll(
            &mut self,
            line: CommandLine,
            left: Option<Duration>,
        ) -> Result<Option<Responses>, Error> {
            self.poll_in(Scope::Client, line, left)
        }
    }

    impl Poll for Namespace<'_> {
        fn poll(
            &mut self,
            line: CommandLine,
            left: Option<Duration>,
        ) -> Result<Option<Responses>, Error> {
            let (client, scope) = self.parts();
            client.poll_in(scope, line, left)
        }
    }
}

/// Waits on a [`Client`] or a [`Namespace`] handle.
pub trait Wait: sealed::Poll {
    /// Calls `check` every [`POLL_EVERY`] until it returns `Some`, for at
    /// most `timeout`; `waiting_for` says what for, in the timeout error.
    /// The commands `check` runs have the client's timeout, not the time
    /// left: the wait ends within `timeout` and one call of `check`.
    fn wait_until<T>(
        &mut self,
        timeout: Duration,
        waiting_for: &str,
        mut check: impl FnMut(&mut Self) -> Result<Option<T>, Error>,
    ) -> Result<T, Error>
    where
        Self: Sized,
    {
        poll_until(timeout, waiting_for, |_| {
            Ok(match check(self)? {
                Some(found) => Look::Found(found),
                None => Look::NotYet(String::new()),
            })
        })
    }

    /// Waits until every VM named by `vms` (a name, a list or range such as
    /// `web[1-3]`, or `all`) is in `state`; returns their rows. Fails at
    /// once if one is in `ERROR` ([`Error::VmFailed`], with minimega's
    /// reason) or was killed while waiting for another state.
    fn wait_for_state(
        &mut self,
        vms: &str,
        state: VmState,
        timeout: Duration,
    ) -> Result<Vec<VmInfo>, Error>
    where
        Self: Sized,
    {
        let goal = format!("to be {state}");
        let killed_is_hopeless = state != VmState::Quit;
        wait_for_vms(self, vms, timeout, &goal, killed_is_hopeless, |vm| {
            vm.state == state
        })
    }

    /// Waits until every VM named by `vms` has an IPv4 address on each of
    /// its interfaces (as minimega learns them, from DHCP or the cc agent).
    fn wait_for_ip(&mut self, vms: &str, timeout: Duration) -> Result<Vec<VmInfo>, Error>
    where
        Self: Sized,
    {
        wait_for_vms(self, vms, timeout, "to have IP addresses", true, |vm| {
            !vm.ip.is_empty() && vm.ip.iter().all(|ip| !ip.is_empty())
        })
    }

    /// Waits until the cc agent of every VM named by `vms` has checked in.
    fn wait_for_cc(&mut self, vms: &str, timeout: Duration) -> Result<Vec<VmInfo>, Error>
    where
        Self: Sized,
    {
        wait_for_vms(
            self,
            vms,
            timeout,
            "to have their cc agent connected",
            true,
            |vm| vm.cc_active,
        )
    }

    /// Waits until every agent cc command `id` is for (each active agent
    /// its filter chooses, or one for a `-once` command) has answered it,
    /// then returns each answer with its exit code where minimega recorded
    /// one; an agent that answered with no output has an empty answer
    /// (but which agent took a `-once` command only its output can tell).
    /// Fails at once if minimega no longer holds the command.
    fn wait_for_cc_responses(
        &mut self,
        id: u64,
        timeout: Duration,
    ) -> Result<Vec<CcResponse>, Error>
    where
        Self: Sized,
    {
        let waiting_for = format!("the agents' answers to cc command {id}");
        let deadline = Instant::now().checked_add(timeout);
        let left = || deadline.map(|at| at.saturating_duration_since(Instant::now()));
        let chosen = poll_until(timeout, &waiting_for, |_| {
            let Some(commands) = self.poll(CommandLine::from_tokens(["cc", "commands"]), left())?
            else {
                return Ok(Look::TimeUp);
            };
            let commands: Vec<CcCommand> = commands.rows_as()?;
            let mine: Vec<&CcCommand> = commands.iter().filter(|c| c.id == id).collect();
            let Some(first) = mine.first() else {
                return Err(Error::CcCommandUnknown { id });
            };
            let Some(clients) = self.poll(CommandLine::from_tokens(["cc", "clients"]), left())?
            else {
                return Ok(Look::TimeUp);
            };
            let clients: Vec<CcClient> = clients.rows_as()?;
            let chosen: Vec<CcClient> = clients
                .into_iter()
                .filter(|c| cc::chooses(&first.filter, c))
                .collect();
            let expected = if first.once { 1 } else { chosen.len() as u64 };
            let answered: u64 = mine.iter().map(|c| c.responses).sum();
            if answered < expected.max(1) {
                return Ok(Look::NotYet(format!(
                    "{answered} of {expected} agents have answered"
                )));
            }
            // Which agent took a `-once` command, only its output can say.
            Ok(Look::Found(if first.once { Vec::new() } else { chosen }))
        })?;
        let timed_out = || Error::WaitTimedOut {
            waiting_for: waiting_for.clone(),
            after: timeout,
            last_seen: "every agent had answered, but reading the answers ran out of time"
                .to_owned(),
        };
        let id_text = id.to_string();
        let line = CommandLine::from_tokens(["cc", "responses", &id_text]);
        let answer = self.poll(line, left())?.ok_or_else(timed_out)?;
        let mut answers: Vec<CcResponse> = answer
            .iter()
            .flat_map(|r| cc::parse_responses(r.host(), r.text()))
            .collect();
        // minimega keeps nothing to show of an answer without output.
        for agent in chosen {
            if !answers.iter().any(|a| a.uuid == agent.uuid) {
                answers.push(CcResponse::silent(agent.host, id, agent.uuid));
            }
        }
        for answer in &mut answers {
            let line = CommandLine::from_tokens(["cc", "exitcode", &id_text, &answer.uuid]);
            // Not recorded (a background command, a file transfer): an
            // error, and no code.
            let code = match self.poll(line, left()) {
                Ok(Some(code)) => code,
                Ok(None) => return Err(timed_out()),
                Err(error) if error.closes_connection() => return Err(error),
                Err(_) => continue,
            };
            answer.exit_code = code.text().ok().and_then(|t| t.trim().parse().ok());
        }
        Ok(answers)
    }
}

impl Wait for Client {}
impl Wait for Namespace<'_> {}

/// The common loop: poll `vm info`, pick the VMs, fail early, or wait on.
fn wait_for_vms<W: Wait>(
    target: &mut W,
    vms: &str,
    timeout: Duration,
    goal: &str,
    killed_is_hopeless: bool,
    ready: impl Fn(&VmInfo) -> bool,
) -> Result<Vec<VmInfo>, Error> {
    let waiting_for = format!("`{vms}` {goal}");
    // In minimega's order, for the report; and as a set, for the lookups.
    let names = if vms == "all" {
        None
    } else {
        let names = minimega_spec::ranges::expand(vms).map_err(|e| Error::WaitTimedOut {
            waiting_for: waiting_for.clone(),
            after: Duration::ZERO,
            last_seen: e.to_string(),
        })?;
        let set: BTreeSet<String> = names.iter().cloned().collect();
        Some((names, set))
    };
    poll_until(timeout, &waiting_for, |left| {
        let Some(answer) = target.poll(CommandLine::from_tokens(["vm", "info"]), left)? else {
            return Ok(Look::TimeUp);
        };
        let rows: Vec<VmInfo> = answer.rows_as()?;
        let mut found = BTreeSet::new();
        let picked: Vec<VmInfo> = rows
            .into_iter()
            .filter(|vm| {
                let Some((_, wanted)) = &names else {
                    return true;
                };
                let id = vm.id.to_string();
                let named = wanted.contains(&vm.name) || wanted.contains(&id);
                if named {
                    found.insert(vm.name.clone());
                    found.insert(id);
                }
                named
            })
            .collect();
        for vm in &picked {
            let hopeless =
                vm.state == VmState::Error || (vm.state == VmState::Quit && killed_is_hopeless);
            if hopeless && !ready(vm) {
                return Err(Error::VmFailed {
                    vm: vm.name.clone(),
                    host: vm.host.clone(),
                    state: vm.state,
                    reason: vm.error().unwrap_or("it was killed").to_owned(),
                });
            }
        }
        let missing: Vec<&String> = names
            .iter()
            .flat_map(|(order, _)| order)
            .filter(|n| !found.contains(*n))
            .collect();
        if missing.is_empty() && picked.iter().all(&ready) {
            return Ok(Look::Found(picked));
        }
        let mut seen: Vec<String> = picked
            .iter()
            .filter(|vm| !ready(vm))
            .map(|vm| format!("{} is {} on {}", vm.name, vm.state, vm.host))
            .collect();
        seen.extend(missing.iter().map(|n| format!("{n} never appeared")));
        Ok(Look::NotYet(seen.join("; ")))
    })
}

/// What one check of a wait found.
enum Look<T> {
    /// What the wait waits for.
    Found(T),
    /// Not that yet: what the check saw instead.
    NotYet(String),
    /// Nothing: the wait's deadline passed during the check.
    TimeUp,
}

/// Calls `check` every [`POLL_EVERY`] until it finds what it waits for or
/// fails, for at most `timeout`. Each check is given the time left (`None`:
/// no limit), and the wait never sleeps past it; a timeout reports what
/// the last check that saw anything saw.
fn poll_until<T>(
    timeout: Duration,
    waiting_for: &str,
    mut check: impl FnMut(Option<Duration>) -> Result<Look<T>, Error>,
) -> Result<T, Error> {
    let deadline = Instant::now().checked_add(timeout);
    let left = || deadline.map(|at| at.saturating_duration_since(Instant::now()));
    let mut last_seen = String::new();
    loop {
        match check(left())? {
            Look::Found(found) => return Ok(found),
            Look::NotYet(seen) => last_seen = seen,
            // What an answered poll saw, if any, says more than the one
            // the deadline cut short.
            Look::TimeUp if last_seen.is_empty() => {
                last_seen = "no poll was answered in time".to_owned();
                break;
            }
            Look::TimeUp => break,
        }
        match left() {
            Some(left) if left.is_zero() => break,
            left => thread::sleep(left.map_or(POLL_EVERY, |left| POLL_EVERY.min(left))),
        }
    }
    Err(Error::WaitTimedOut {
        waiting_for: waiting_for.to_owned(),
        after: timeout,
        last_seen,
    })
}
