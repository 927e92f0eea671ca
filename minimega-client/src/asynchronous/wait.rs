//! Waits on an async client or namespace handle: the blocking waits'
//! checks ([`crate::wait`]), polled with tokio's timers instead of sleeping
//! a thread.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::{AsyncClient, AsyncNamespace};
use crate::cc::CcResponse;
use crate::error::Error;
use crate::line::CommandLine;
use crate::response::Responses;
use crate::site::Site;
use crate::tables::{VmInfo, VmState};
use crate::wait::{CcWait, Goal, Look, Polling, VmWait};

/// What an [`AsyncWait::wait_until`] check returns: a boxed future of
/// `Some` once the wait is over.
pub type AsyncCheck<'s, T> = Pin<Box<dyn Future<Output = Result<Option<T>, Error>> + Send + 's>>;

/// Runs `line` where `target` runs its commands, for at most `left`
/// (`None`: no limit); `Ok(None)` if that ran out first.
fn poll_line<S: Site<Client = AsyncClient> + ?Sized>(
    target: &mut S,
    line: CommandLine,
    left: Option<Duration>,
) -> impl Future<Output = Result<Option<Responses>, Error>> + Send + '_ {
    let (client, scope) = target.site();
    client.poll_in(scope, line, left)
}

/// Waits on an [`AsyncClient`] or an [`AsyncNamespace`], as
/// [`Wait`](crate::Wait) does on blocking ones: the same checks, early
/// failures and timeout reports, every
/// [`POLL_EVERY`](crate::wait::POLL_EVERY), with tokio's timers. A wait's
/// future can be dropped at any point (see the
/// [`AsyncClient`](crate::AsyncClient#what-a-dropped-future-costs) for what that costs).
pub trait AsyncWait: Site<Client = AsyncClient> + Send {
    /// Calls `check` every [`POLL_EVERY`](crate::wait::POLL_EVERY) until
    /// it returns `Some`, for at most `timeout`; `waiting_for` says what
    /// for, in the timeout error. `check` returns its future boxed, as a
    /// closure cannot yet return one that borrows its argument:
    ///
    /// ```no_run
    /// # mod minimega { pub mod runtime { pub use minimega_client::*; } }
    /// # async fn f(mm: &mut minimega::runtime::AsyncClient) -> Result<(), minimega::runtime::Error> {
    /// use std::time::Duration;
    /// use minimega::runtime::AsyncWait;
    ///
    /// let vms = mm
    ///     .wait_until(Duration::from_secs(30), "two VMs", |mm| {
    ///         Box::pin(async move {
    ///             let answer = mm.run_line("vm info").await?;
    ///             Ok((answer.rows().count() >= 2).then_some(answer))
    ///         })
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    fn wait_until<T, F>(
        &mut self,
        timeout: Duration,
        waiting_for: &str,
        mut check: F,
    ) -> impl Future<Output = Result<T, Error>> + Send
    where
        Self: Sized,
        T: Send,
        F: for<'s> FnMut(&'s mut Self) -> AsyncCheck<'s, T> + Send,
    {
        async move {
            let mut polling = Polling::start(timeout, waiting_for);
            loop {
                match polling.next(Look::of(check(self).await?))? {
                    Ok(found) => return Ok(found),
                    Err(pause) => tokio::time::sleep(pause).await,
                }
            }
        }
    }

    /// Waits until every VM named by `vms` is in `state`; returns their
    /// rows (see [`Wait::wait_for_state`](crate::Wait::wait_for_state)).
    fn wait_for_state(
        &mut self,
        vms: &str,
        state: VmState,
        timeout: Duration,
    ) -> impl Future<Output = Result<Vec<VmInfo>, Error>> + Send
    where
        Self: Sized,
    {
        wait_for_vms(self, vms, Goal::State(state), timeout)
    }

    /// Waits until every VM named by `vms` has an IPv4 address on each of
    /// its interfaces.
    fn wait_for_ip(
        &mut self,
        vms: &str,
        timeout: Duration,
    ) -> impl Future<Output = Result<Vec<VmInfo>, Error>> + Send
    where
        Self: Sized,
    {
        wait_for_vms(self, vms, Goal::Ip, timeout)
    }

    /// Waits until the cc agent of every VM named by `vms` has checked in.
    fn wait_for_cc(
        &mut self,
        vms: &str,
        timeout: Duration,
    ) -> impl Future<Output = Result<Vec<VmInfo>, Error>> + Send
    where
        Self: Sized,
    {
        wait_for_vms(self, vms, Goal::Cc, timeout)
    }

    /// Waits until every agent cc command `id` is for has answered it, then
    /// returns each answer with its exit code (see
    /// [`Wait::wait_for_cc_responses`](crate::Wait::wait_for_cc_responses)).
    fn wait_for_cc_responses(
        &mut self,
        id: u64,
        timeout: Duration,
    ) -> impl Future<Output = Result<Vec<CcResponse>, Error>> + Send
    where
        Self: Sized,
    {
        async move {
            let wait = CcWait::new(id);
            let mut polling = Polling::start(timeout, &wait.waiting_for);
            let chosen = loop {
                let look = match poll_line(self, CcWait::commands_line(), polling.left()).await? {
                    None => Look::TimeUp,
                    Some(commands) => {
                        let mine = wait.commands(commands)?;
                        match poll_line(self, CcWait::clients_line(), polling.left()).await? {
                            None => Look::TimeUp,
                            Some(clients) => wait.progress(&mine, clients)?,
                        }
                    }
                };
                match polling.next(look)? {
                    Ok(chosen) => break chosen,
                    Err(pause) => tokio::time::sleep(pause).await,
                }
            };
            let answer = poll_line(self, wait.responses_line(), polling.left()).await;
            let mut answers = wait.answers(polling.answered(answer)?, chosen);
            for answer in &mut answers {
                let line = wait.exit_code_line(answer);
                let code = poll_line(self, line, polling.left()).await;
                answer.exit_code = polling.exit_code(code)?;
            }
            Ok(answers)
        }
    }
}

impl AsyncWait for AsyncClient {}
impl AsyncWait for AsyncNamespace<'_> {}

/// The loop of every VM wait: poll `vm info`, judge it, sleep or return.
async fn wait_for_vms<W: Site<Client = AsyncClient> + Send>(
    target: &mut W,
    vms: &str,
    goal: Goal,
    timeout: Duration,
) -> Result<Vec<VmInfo>, Error> {
    let wait = VmWait::new(vms, goal)?;
    let mut polling = Polling::start(timeout, &wait.waiting_for);
    loop {
        let look = match poll_line(target, VmWait::line(), polling.left()).await? {
            None => Look::TimeUp,
            Some(answer) => wait.check(answer)?,
        };
        match polling.next(look)? {
            Ok(found) => return Ok(found),
            Err(pause) => tokio::time::sleep(pause).await,
        }
    }
}
