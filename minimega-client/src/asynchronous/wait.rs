//! Waits on an async client or namespace handle: the blocking waits'
//! checks ([`crate::wait`]), polled with tokio's timers instead of sleeping
//! a thread.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::{AsyncClient, AsyncNamespace};
use crate::cc::CcResponse;
use crate::command::CommandLine;
use crate::error::Error;
use crate::outgoing::Scope;
use crate::response::Responses;
use crate::tables::{VmInfo, VmState};
use crate::wait::{CcWait, Goal, Look, Polling, VmWait};

/// What an [`AsyncWait::wait_until`] check returns: a boxed future of
/// `Some` once the wait is over.
pub type Check<'s, T> = Pin<Box<dyn Future<Output = Result<Option<T>, Error>> + Send + 's>>;

mod sealed {
    use super::*;

    /// What a wait needs of its target: to run a line in its scope.
    pub trait AsyncPoll: Send {
        /// Runs `line`, for at most `left` (`None`: no limit); `Ok(None)`
        /// if that ran out first.
        fn poll_line(
            &mut self,
            line: CommandLine,
            left: Option<Duration>,
        ) -> impl Future<Output = Result<Option<Responses>, Error>> + Send;
    }

    impl AsyncPoll for AsyncClient {
        fn poll_line(
            &mut self,
            line: CommandLine,
            left: Option<Duration>,
        ) -> impl Future<Output = Result<Option<Responses>, Error>> + Send {
            self.poll_in(Scope::Client, line, left)
        }
    }

    impl AsyncPoll for AsyncNamespace<'_> {
        fn poll_line(
            &mut self,
            line: CommandLine,
            left: Option<Duration>,
        ) -> impl Future<Output = Result<Option<Responses>, Error>> + Send {
            let (client, scope) = self.parts();
            client.poll_in(scope, line, left)
        }
    }
}

/// Waits on an [`AsyncClient`] or an [`AsyncNamespace`], as
/// [`Wait`](crate::Wait) does on blocking ones: the same checks, early
/// failures and timeout reports, every
/// [`POLL_EVERY`](crate::wait::POLL_EVERY), with tokio's timers. A wait's
/// future can be dropped at any point (see the
/// [module docs](crate::asynchronous) for what that costs).
pub trait AsyncWait: sealed::AsyncPoll {
    /// Calls `check` every [`POLL_EVERY`](crate::wait::POLL_EVERY) until
    /// it returns `Some`, for at most `timeout`; `waiting_for` says what
    /// for, in the timeout error. `check` returns its future boxed, as a
    /// closure cannot yet return one that borrows its argument:
    ///
    /// ```no_run
    /// # async fn f(mm: &mut minimega_client::AsyncClient) -> Result<(), minimega_client::Error> {
    /// use std::time::Duration;
    /// use minimega_client::AsyncWait;
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
        F: for<'s> FnMut(&'s mut Self) -> Check<'s, T> + Send,
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
                let look = match self
                    .poll_line(CcWait::commands_line(), polling.left())
                    .await?
                {
                    None => Look::TimeUp,
                    Some(commands) => {
                        let mine = wait.commands(commands)?;
                        match self
                            .poll_line(CcWait::clients_line(), polling.left())
                            .await?
                        {
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
            let answer = self.poll_line(wait.responses_line(), polling.left()).await;
            let mut answers = wait.answers(polling.answered(answer)?, chosen);
            for answer in &mut answers {
                let line = wait.exit_code_line(answer);
                let code = self.poll_line(line, polling.left()).await;
                answer.exit_code = polling.exit_code(code)?;
            }
            Ok(answers)
        }
    }
}

impl AsyncWait for AsyncClient {}
impl AsyncWait for AsyncNamespace<'_> {}

/// The loop of every VM wait: poll `vm info`, judge it, sleep or return.
async fn wait_for_vms<W: sealed::AsyncPoll>(
    target: &mut W,
    vms: &str,
    goal: Goal,
    timeout: Duration,
) -> Result<Vec<VmInfo>, Error> {
    let wait = VmWait::new(vms, goal)?;
    let mut polling = Polling::start(timeout, &wait.waiting_for);
    loop {
        let look = match target.poll_line(VmWait::line(), polling.left()).await? {
            None => Look::TimeUp,
            Some(answer) => wait.check(answer)?,
        };
        match polling.next(look)? {
            Ok(found) => return Ok(found),
            Err(pause) => tokio::time::sleep(pause).await,
        }
    }
}
