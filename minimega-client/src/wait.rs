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
//! What a wait looks for and when it gives up (`Goal`, `VmWait`,
//! `cc_progress`, `Polling`) is shared with the async client's waits
//! (feature `tokio`); only the sleeping differs.
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
use crate::options::RunOptions;
use crate::outgoing::Scope;
use crate::response::Responses;
use crate::tables::{VmInfo, VmState};

/// How often a wait asks minimega again.
pub const POLL_EVERY: Duration = Duration::from_millis(250);

mod sealed {
    use super::*;

    /// What a wait needs of its target: to run a line in its scope.
    pub trait Poll {
        fn poll(&mut self, line: CommandLine) -> Result<Responses, Error>;
    }

    impl Poll for Client {
        fn poll(&mut self, line: CommandLine) -> Result<Responses, Error> {
            self.execute_in(Scope::Client, line, RunOptions::new())
        }
    }

    impl Poll for Namespace<'_> {
        fn poll(&mut self, line: CommandLine) -> Result<Responses, Error> {
            let (client, scope) = self.parts();
            client.execute_in(scope, line, RunOptions::new())
        }
    }
}

/// Waits on a [`Client`] or a [`Namespace`] handle.
pub trait Wait: sealed::Poll {
    /// Calls `check` every [`POLL_EVERY`] until it returns `Some`, for at
    /// most `timeout`; `waiting_for` says what for, in the timeout error.
    fn wait_until<T>(
        &mut self,
        timeout: Duration,
        waiting_for: &str,
        mut check: impl FnMut(&mut Self) -> Result<Option<T>, Error>,
    ) -> Result<T, Error>
    where
        Self: Sized,
    {
        poll_until(timeout, waiting_for, || {
            Ok(check(self)?.ok_or_else(String::new))
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
        wait_for_vms(self, vms, Goal::State(state), timeout)
    }

    /// Waits until every VM named by `vms` has an IPv4 address on each of
    /// its interfaces (as minimega learns them, from DHCP or the cc agent).
    fn wait_for_ip(&mut self, vms: &str, timeout: Duration) -> Result<Vec<VmInfo>, Error>
    where
        Self: Sized,
    {
        wait_for_vms(self, vms, Goal::Ip, timeout)
    }

    /// Waits until the cc agent of every VM named by `vms` has checked in.
    fn wait_for_cc(&mut self, vms: &str, timeout: Duration) -> Result<Vec<VmInfo>, Error>
    where
        Self: Sized,
    {
        wait_for_vms(self, vms, Goal::Cc, timeout)
    }

    /// Waits until every agent cc command `id` is for (each active agent
    /// its filter chooses, or one for a `-once` command) has answered it,
    /// then returns each answer with its exit code where minimega recorded
    /// one. An agent whose answer has no output and no files is not in the
    /// list (minimega keeps nothing for it but the count). Fails at once if
    /// minimega no longer holds the command.
    fn wait_for_cc_responses(
        &mut self,
        id: u64,
        timeout: Duration,
    ) -> Result<Vec<CcResponse>, Error>
    where
        Self: Sized,
    {
        let waiting_for = cc_waiting_for(id);
        poll_until(timeout, &waiting_for, || {
            let commands = self.poll(cc_line(&["commands"]))?.rows_as()?;
            let clients = self.poll(cc_line(&["clients"]))?.rows_as()?;
            cc_progress(id, commands, clients)
        })?;
        let id_text = id.to_string();
        let answer = self.poll(cc_line(&["responses", &id_text]))?;
        let mut answers = cc_answers(&answer);
        for answer in &mut answers {
            let line = cc_line(&["exitcode", &id_text, &answer.uuid]);
            answer.exit_code = exit_code(self.poll(line));
        }
        Ok(answers)
    }
}

impl Wait for Client {}
impl Wait for Namespace<'_> {}

/// What a VM wait waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Goal {
    /// A state.
    State(VmState),
    /// An IPv4 address on every interface.
    Ip,
    /// The cc agent checked in.
    Cc,
}

impl Goal {
    fn ready(self, vm: &VmInfo) -> bool {
        match self {
            Goal::State(state) => vm.state == state,
            Goal::Ip => !vm.ip.is_empty() && vm.ip.iter().all(|ip| !ip.is_empty()),
            Goal::Cc => vm.cc_active,
        }
    }

    /// Whether a killed VM can no longer get there.
    fn killed_is_hopeless(self) -> bool {
        self != Goal::State(VmState::Quit)
    }

    fn describe(self) -> String {
        match self {
            Goal::State(state) => format!("to be {state}"),
            Goal::Ip => "to have IP addresses".to_owned(),
            Goal::Cc => "to have their cc agent connected".to_owned(),
        }
    }
}

/// A wait for VMs named by a target: what it looks for, and how it judges
/// each `vm info`.
#[derive(Debug)]
pub(crate) struct VmWait {
    goal: Goal,
    pub(crate) waiting_for: String,
    /// In minimega's order, for the report; and as a set, for the lookups.
    names: Option<(Vec<String>, BTreeSet<String>)>,
}

impl VmWait {
    /// A wait for `vms` (a name, a range, or `all`) to reach `goal`.
    pub(crate) fn new(vms: &str, goal: Goal) -> Result<VmWait, Error> {
        let waiting_for = format!("`{vms}` {}", goal.describe());
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
        Ok(VmWait {
            goal,
            waiting_for,
            names,
        })
    }

    /// The line each poll runs.
    pub(crate) fn line() -> CommandLine {
        CommandLine::from_tokens(["vm", "info"])
    }

    /// Judges one `vm info`: the VMs once all are there
    /// (`Ok(Ok(rows))`), what is not ready yet (`Ok(Err(last_seen))`), or
    /// [`Error::VmFailed`] for a VM that cannot get there.
    pub(crate) fn check(&self, answer: Responses) -> Result<Result<Vec<VmInfo>, String>, Error> {
        let rows: Vec<VmInfo> = answer.rows_as()?;
        let ready = |vm: &VmInfo| self.goal.ready(vm);
        let mut found = BTreeSet::new();
        let picked: Vec<VmInfo> = rows
            .into_iter()
            .filter(|vm| {
                let Some((_, wanted)) = &self.names else {
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
            let hopeless = vm.state == VmState::Error
                || (vm.state == VmState::Quit && self.goal.killed_is_hopeless());
            if hopeless && !ready(vm) {
                return Err(Error::VmFailed {
                    vm: vm.name.clone(),
                    host: vm.host.clone(),
                    state: vm.state,
                    reason: vm.error().unwrap_or("it was killed").to_owned(),
                });
            }
        }
        let missing: Vec<&String> = self
            .names
            .iter()
            .flat_map(|(order, _)| order)
            .filter(|n| !found.contains(*n))
            .collect();
        if missing.is_empty() && picked.iter().all(ready) {
            return Ok(Ok(picked));
        }
        let mut seen: Vec<String> = picked
            .iter()
            .filter(|vm| !ready(vm))
            .map(|vm| format!("{} is {} on {}", vm.name, vm.state, vm.host))
            .collect();
        seen.extend(missing.iter().map(|n| format!("{n} never appeared")));
        Ok(Err(seen.join("; ")))
    }
}

/// The common loop: poll `vm info`, pick the VMs, fail early, or wait on.
fn wait_for_vms<W: Wait>(
    target: &mut W,
    vms: &str,
    goal: Goal,
    timeout: Duration,
) -> Result<Vec<VmInfo>, Error> {
    let wait = VmWait::new(vms, goal)?;
    poll_until(timeout, &wait.waiting_for, || {
        wait.check(target.poll(VmWait::line())?)
    })
}

/// `cc <words>`, as a wait polls it.
pub(crate) fn cc_line(words: &[&str]) -> CommandLine {
    CommandLine::from_tokens(std::iter::once("cc").chain(words.iter().copied()))
}

/// What a wait for cc command `id`'s answers says it waits for.
pub(crate) fn cc_waiting_for(id: u64) -> String {
    format!("the agents' answers to cc command {id}")
}

/// Whether every agent cc command `id` is for has answered, from `cc
/// commands` and `cc clients`: `Ok(Err(last_seen))` while some have not;
/// [`Error::CcCommandUnknown`] once minimega no longer holds it.
pub(crate) fn cc_progress(
    id: u64,
    commands: Vec<CcCommand>,
    clients: Vec<CcClient>,
) -> Result<Result<(), String>, Error> {
    let mine: Vec<&CcCommand> = commands.iter().filter(|c| c.id == id).collect();
    let Some(first) = mine.first() else {
        return Err(Error::CcCommandUnknown { id });
    };
    let chosen = clients
        .iter()
        .filter(|c| cc::chooses(&first.filter, c))
        .count() as u64;
    let expected = if first.once { 1 } else { chosen };
    let answered: u64 = mine.iter().map(|c| c.responses).sum();
    if answered < expected.max(1) {
        return Ok(Err(format!(
            "{answered} of {expected} agents have answered"
        )));
    }
    Ok(Ok(()))
}

/// Every agent's answer in `cc responses <id>`.
pub(crate) fn cc_answers(answer: &Responses) -> Vec<CcResponse> {
    answer
        .iter()
        .flat_map(|r| cc::parse_responses(r.host(), r.text()))
        .collect()
}

/// The exit code `cc exitcode` answered; none where it was not recorded (a
/// background command, a file transfer).
pub(crate) fn exit_code(answer: Result<Responses, Error>) -> Option<i32> {
    answer
        .ok()
        .and_then(|r| r.text().ok().and_then(|t| t.trim().parse().ok()))
}

/// The clock of a wait: how long it has gone on, and when it gives up.
#[derive(Debug)]
pub(crate) struct Polling {
    started: Instant,
    timeout: Duration,
}

impl Polling {
    pub(crate) fn start(timeout: Duration) -> Polling {
        Polling {
            started: Instant::now(),
            timeout,
        }
    }

    /// After a check that saw `last_seen`: how long to sleep before the
    /// next, or [`Error::WaitTimedOut`] once the time is up.
    pub(crate) fn pause(&self, waiting_for: &str, last_seen: String) -> Result<Duration, Error> {
        let waited = self.started.elapsed();
        if waited >= self.timeout {
            return Err(Error::WaitTimedOut {
                waiting_for: waiting_for.to_owned(),
                after: self.timeout,
                last_seen,
            });
        }
        Ok(POLL_EVERY.min(self.timeout - waited))
    }
}

/// Calls `check` every [`POLL_EVERY`] until it finds what it waits for
/// (`Ok(Ok(found))`) or fails, for at most `timeout`; a timeout reports
/// what the last check saw (`Ok(Err(last_seen))`).
fn poll_until<T>(
    timeout: Duration,
    waiting_for: &str,
    mut check: impl FnMut() -> Result<Result<T, String>, Error>,
) -> Result<T, Error> {
    let polling = Polling::start(timeout);
    loop {
        match check()? {
            Ok(found) => return Ok(found),
            Err(last_seen) => thread::sleep(polling.pause(waiting_for, last_seen)?),
        }
    }
}
