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
use crate::options::RunOptions;
use crate::outgoing::Scope;
use crate::response::Responses;
use crate::tables::{VmInfo, VmState};
use crate::wait::{
    cc_answers, cc_line, cc_progress, cc_waiting_for, exit_code, Goal, Polling, VmWait,
};

/// What an [`AsyncWait::wait_until`] check returns: a boxed future of
/// `Some` once the wait is over.
pub type Check<'s, T> = Pin<Box<dyn Future<Output = Result<Option<T>, Error>> + Send + 's>>;

mod sealed {
    use super::*;

    /// What a wait needs of its target: to run a line in its scope.
    pub trait AsyncPoll: Send {
        fn poll_line(
            &mut self,
            line: CommandLine,
        ) -> impl Future<Output = Result<Responses, Error>> + Send;
    }

    impl AsyncPoll for AsyncClient {
        fn poll_line(
            &mut self,
            line: CommandLine,
        ) -> impl Future<Output = Result<Responses, Error>> + Send {
            self.execute_in(Scope::Client, line, RunOptions::new())
        }
    }

    impl AsyncPoll for AsyncNamespace<'_> {
        fn poll_line(
            &mut self,
            line: CommandLine,
        ) -> impl Future<Output = Result<Responses, Error>> + Send {
            let (client, scope) = self.parts();
            client.execute_in(scope, line, RunOptions::new())
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
            let polling = Polling::start(timeout);
            loop {
                match check(self).await? {
                    Some(found) => return Ok(found),
                    None => tokio::time::sleep(polling.pause(waiting_for, String::new())?).await,
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
            let waiting_for = cc_waiting_for(id);
            let polling = Polling::start(timeout);
            loop {
                let commands = self.poll_line(cc_line(&["commands"])).await?.rows_as()?;
                let clients = self.poll_line(cc_line(&["clients"])).await?.rows_as()?;
                match cc_progress(id, commands, clients)? {
                    Ok(()) => break,
                    Err(seen) => tokio::time::sleep(polling.pause(&waiting_for, seen)?).await,
                }
            }
            let id_text = id.to_string();
            let answer = self.poll_line(cc_line(&["responses", &id_text])).await?;
            let mut answers = cc_answers(&answer);
            for answer in &mut answers {
                let line = cc_line(&["exitcode", &id_text, &answer.uuid]);
                answer.exit_code = exit_code(self.poll_line(line).await);
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
    let polling = Polling::start(timeout);
    loop {
        match wait.check(target.poll_line(VmWait::line()).await?)? {
            Ok(found) => return Ok(found),
            Err(seen) => tokio::time::sleep(polling.pause(&wait.waiting_for, seen)?).await,
        }
    }
}
