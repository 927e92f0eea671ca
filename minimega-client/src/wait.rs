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
//! What a wait looks for and when it gives up (`Goal`, `VmWait`, `CcWait`,
//! `Look`, `Polling`) is shared with the async client's waits (feature
//! `tokio`); only the polling and sleeping differ.
//!
//! ```no_run
//! # mod minimega { pub mod runtime { pub use minimega_client::*; } }
//! use std::time::Duration;
//! use minimega::runtime::tables::VmState;
//! use minimega::runtime::{Client, Wait};
//!
//! let mut mm = Client::connect()?;
//! mm.run_line("vm launch kvm web[1-3]")?;
//! mm.run_line("vm start all")?;
//! let vms = mm.wait_for_state("web[1-3]", VmState::Running, Duration::from_secs(60))?;
//! println!("{} VMs running", vms.len());
//! # Ok::<(), minimega::runtime::Error>(())
//! ```

use std::collections::BTreeSet;
use std::thread;
use std::time::{Duration, Instant};

use crate::cc::{self, CcClient, CcCommand, CcResponse};
use crate::client::Client;
use crate::error::Error;
use crate::line::CommandLine;
use crate::namespace::Namespace;
use crate::response::Responses;
use crate::site::Site;
use crate::tables::{VmInfo, VmState};

/// How often a wait asks minimega again.
pub const POLL_EVERY: Duration = Duration::from_millis(250);

/// Runs `line` where `target` runs its commands, for at most `left`
/// (`None`: no limit); `Ok(None)` if that ran out first.
fn poll<S: Site<Client = Client> + ?Sized>(
    target: &mut S,
    line: CommandLine,
    left: Option<Duration>,
) -> Result<Option<Responses>, Error> {
    let (client, scope) = target.site();
    client.poll_in(scope, line, left)
}

/// Waits on a [`Client`] or a [`Namespace`] handle.
pub trait Wait: Site<Client = Client> {
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
        poll_until(timeout, waiting_for, |_| Ok(Look::of(check(self)?)))
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
        let wait = CcWait::new(id);
        let mut polling = Polling::start(timeout, &wait.waiting_for);
        let chosen = loop {
            let look = match poll(self, CcWait::commands_line(), polling.left())? {
                None => Look::TimeUp,
                Some(commands) => {
                    let mine = wait.commands(commands)?;
                    match poll(self, CcWait::clients_line(), polling.left())? {
                        None => Look::TimeUp,
                        Some(clients) => wait.progress(&mine, clients)?,
                    }
                }
            };
            match polling.next(look)? {
                Ok(chosen) => break chosen,
                Err(pause) => thread::sleep(pause),
            }
        };
        let answer = poll(self, wait.responses_line(), polling.left());
        let mut answers = wait.answers(polling.answered(answer)?, chosen);
        for answer in &mut answers {
            let code = poll(self, wait.exit_code_line(answer), polling.left());
            answer.exit_code = polling.exit_code(code)?;
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
    /// ([`Look::Found`]), what is not ready yet ([`Look::NotYet`]), or
    /// [`Error::VmFailed`] for a VM that cannot get there.
    pub(crate) fn check(&self, answer: Responses) -> Result<Look<Vec<VmInfo>>, Error> {
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
            return Ok(Look::Found(picked));
        }
        let mut seen: Vec<String> = picked
            .iter()
            .filter(|vm| !ready(vm))
            .map(|vm| format!("{} is {} on {}", vm.name, vm.state, vm.host))
            .collect();
        seen.extend(missing.iter().map(|n| format!("{n} never appeared")));
        Ok(Look::NotYet(seen.join("; ")))
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
    poll_until(timeout, &wait.waiting_for, |left| {
        match poll(target, VmWait::line(), left)? {
            None => Ok(Look::TimeUp),
            Some(answer) => wait.check(answer),
        }
    })
}

/// A wait for the answers to cc command `id`: the lines it polls, and how
/// it judges what they say.
#[derive(Debug)]
pub(crate) struct CcWait {
    id: u64,
    id_text: String,
    pub(crate) waiting_for: String,
}

impl CcWait {
    pub(crate) fn new(id: u64) -> CcWait {
        CcWait {
            id,
            id_text: id.to_string(),
            waiting_for: format!("the agents' answers to cc command {id}"),
        }
    }

    /// `cc <words>`, as a wait polls it.
    fn line(words: &[&str]) -> CommandLine {
        CommandLine::from_tokens(std::iter::once("cc").chain(words.iter().copied()))
    }

    pub(crate) fn commands_line() -> CommandLine {
        CcWait::line(&["commands"])
    }

    pub(crate) fn clients_line() -> CommandLine {
        CcWait::line(&["clients"])
    }

    pub(crate) fn responses_line(&self) -> CommandLine {
        CcWait::line(&["responses", &self.id_text])
    }

    pub(crate) fn exit_code_line(&self, answer: &CcResponse) -> CommandLine {
        CcWait::line(&["exitcode", &self.id_text, &answer.uuid])
    }

    /// The command's entries in `cc commands`; [`Error::CcCommandUnknown`]
    /// once minimega no longer holds it.
    pub(crate) fn commands(&self, answer: Responses) -> Result<Vec<CcCommand>, Error> {
        let commands: Vec<CcCommand> = answer.rows_as()?;
        let mine: Vec<CcCommand> = commands.into_iter().filter(|c| c.id == self.id).collect();
        if mine.is_empty() {
            return Err(Error::CcCommandUnknown { id: self.id });
        }
        Ok(mine)
    }

    /// Whether every agent the command is for has answered, from its
    /// entries `mine` and `cc clients`: the agents it chose once they have
    /// (none for a `-once` command: which agent took it, only its output
    /// can say).
    pub(crate) fn progress(
        &self,
        mine: &[CcCommand],
        clients: Responses,
    ) -> Result<Look<Vec<CcClient>>, Error> {
        let clients: Vec<CcClient> = clients.rows_as()?;
        let first = &mine[0];
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
        Ok(Look::Found(if first.once { Vec::new() } else { chosen }))
    }

    /// Every agent's answer in `cc responses <id>`, and an empty one for
    /// each chosen agent that answered without output (minimega keeps
    /// nothing to show of it).
    pub(crate) fn answers(&self, answer: Responses, chosen: Vec<CcClient>) -> Vec<CcResponse> {
        let mut answers: Vec<CcResponse> = answer
            .iter()
            .flat_map(|r| cc::parse_responses(r.host(), r.text()))
            .collect();
        for agent in chosen {
            if !answers.iter().any(|a| a.uuid == agent.uuid) {
                answers.push(CcResponse::silent(agent.host, self.id, agent.uuid));
            }
        }
        answers
    }
}

/// What one check of a wait found.
pub(crate) enum Look<T> {
    /// What the wait waits for.
    Found(T),
    /// Not that yet: what the check saw instead.
    NotYet(String),
    /// Nothing: the wait's deadline passed during the check.
    TimeUp,
}

impl<T> Look<T> {
    /// What a check of [`Wait::wait_until`] returned.
    pub(crate) fn of(found: Option<T>) -> Look<T> {
        match found {
            Some(found) => Look::Found(found),
            None => Look::NotYet(String::new()),
        }
    }
}

/// The clock of a wait: when it gives up, and what its checks saw.
#[derive(Debug)]
pub(crate) struct Polling {
    deadline: Option<Instant>,
    timeout: Duration,
    waiting_for: String,
    last_seen: String,
}

impl Polling {
    pub(crate) fn start(timeout: Duration, waiting_for: &str) -> Polling {
        Polling {
            deadline: Instant::now().checked_add(timeout),
            timeout,
            waiting_for: waiting_for.to_owned(),
            last_seen: String::new(),
        }
    }

    /// The time left before the deadline (`None`: no limit), which bounds
    /// each poll.
    pub(crate) fn left(&self) -> Option<Duration> {
        self.deadline
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    /// After a check that found `look`: what it waited for (`Ok(Ok(_))`),
    /// how long to sleep before the next check (`Ok(Err(pause))`, never
    /// past the deadline), or [`Error::WaitTimedOut`] once the time is up,
    /// reporting what the last check that saw anything saw.
    pub(crate) fn next<T>(&mut self, look: Look<T>) -> Result<Result<T, Duration>, Error> {
        match look {
            Look::Found(found) => return Ok(Ok(found)),
            Look::NotYet(seen) => self.last_seen = seen,
            // What an answered poll saw, if any, says more than the one
            // the deadline cut short.
            Look::TimeUp => {
                if self.last_seen.is_empty() {
                    self.last_seen = "no poll was answered in time".to_owned();
                }
                return Err(self.timed_out());
            }
        }
        match self.left() {
            Some(left) if left.is_zero() => Err(self.timed_out()),
            left => Ok(Err(left.map_or(POLL_EVERY, |left| POLL_EVERY.min(left)))),
        }
    }

    fn timed_out(&self) -> Error {
        Error::WaitTimedOut {
            waiting_for: self.waiting_for.clone(),
            after: self.timeout,
            last_seen: self.last_seen.clone(),
        }
    }

    /// A poll made once the wait had found what it waited for (reading
    /// the answers): its answer, or [`Error::WaitTimedOut`] if the
    /// deadline passed first.
    pub(crate) fn answered(
        &self,
        poll: Result<Option<Responses>, Error>,
    ) -> Result<Responses, Error> {
        poll?.ok_or_else(|| Error::WaitTimedOut {
            waiting_for: self.waiting_for.clone(),
            after: self.timeout,
            last_seen: "every agent had answered, but reading the answers ran out of time"
                .to_owned(),
        })
    }

    /// The exit code a `cc exitcode` poll answered; none where minimega
    /// recorded none (a background command, a file transfer: an error), an
    /// error if the deadline passed or the connection closed.
    pub(crate) fn exit_code(
        &self,
        poll: Result<Option<Responses>, Error>,
    ) -> Result<Option<i32>, Error> {
        match poll {
            Err(error) if error.closes_connection() => Err(error),
            Err(_) => Ok(None),
            Ok(poll) => Ok(self
                .answered(Ok(poll))?
                .text()
                .ok()
                .and_then(|t| t.trim().parse().ok())),
        }
    }
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
    let mut polling = Polling::start(timeout, waiting_for);
    loop {
        match polling.next(check(polling.left())?)? {
            Ok(found) => return Ok(found),
            Err(pause) => thread::sleep(pause),
        }
    }
}
