//! The generated API on the async client, against the mock: random
//! sequences of commands whose futures are dropped at random points (after
//! a number of polls, or by a timeout), streams read part-way then
//! dropped, slow answers, status messages and suggestions. Every answer
//! that is read belongs to its own command, and a drop never costs the
//! next command more than the rest of the dropped answer.

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;
use std::time::Duration;

use minimega::mock::{Effect, MockMinimega};
use minimega::prelude::*;
use minimega::runtime::{AsyncClient, Event};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Where a command's future is dropped.
#[derive(Debug, Clone, Copy)]
enum Cut {
    /// Never: it runs to its end.
    Never,
    /// After this many polls (none: nothing is sent).
    Polls(usize),
    /// After this many microseconds.
    After(u64),
}

#[derive(Debug, Clone)]
enum Step {
    /// `echo` of a token only this step uses.
    Echo(Cut),
    /// `echo`, answered after `delay` milliseconds.
    SlowEcho { delay: u64, cut: Cut },
    /// A `read` of `lines` echoes with a status message between them, run
    /// whole.
    Read { lines: usize, cut: Cut },
    /// A `read` streamed: `take` events are read, then the stream dropped.
    Stream { lines: usize, take: usize, cut: Cut },
    /// A completion request.
    Suggest(Cut),
    /// A status message to every connection, between commands.
    Status,
}

fn cut() -> impl Strategy<Value = Cut> {
    prop_oneof![
        2 => Just(Cut::Never),
        3 => (0..14usize).prop_map(Cut::Polls),
        2 => (0..3000u64).prop_map(Cut::After),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => cut().prop_map(Step::Echo),
        2 => (0..20u64, cut()).prop_map(|(delay, cut)| Step::SlowEcho { delay, cut }),
        2 => (1..6usize, cut()).prop_map(|(lines, cut)| Step::Read { lines, cut }),
        2 => (1..6usize, 0..8usize, cut())
            .prop_map(|(lines, take, cut)| Step::Stream { lines, take, cut }),
        1 => cut().prop_map(Step::Suggest),
        1 => Just(Step::Status),
    ]
}

/// `future`, or `None` if `cut` dropped it first.
async fn cut_short<F: Future>(future: F, cut: Cut) -> Option<F::Output> {
    match cut {
        Cut::Never => Some(future.await),
        Cut::Polls(polls) => {
            let mut future = pin!(future);
            let mut polled = 0;
            poll_fn(|cx| {
                if polled == polls {
                    return Poll::Ready(None);
                }
                polled += 1;
                future.as_mut().poll(cx).map(Some)
            })
            .await
        }
        Cut::After(micros) => tokio::time::timeout(Duration::from_micros(micros), future)
            .await
            .ok(),
    }
}

/// How many drops left an answer in flight (so the next command had to
/// finish it): the test must reach that case, not only drops before
/// sending or after the end.
static LEFT_IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// A script of `lines` echoes; returns its path.
fn script(mock: &MockMinimega, n: usize, lines: usize) -> String {
    let body: String = (0..lines).map(|i| format!("echo read-{n}-{i}\n")).collect();
    let path = mock.write_script(&format!("step-{n}.mm"), &body).unwrap();
    path.display().to_string()
}

/// Runs the steps; every answer read must be the one its command asked for.
async fn run(
    mock: &MockMinimega,
    mm: &mut AsyncClient,
    steps: &[Step],
) -> Result<(), TestCaseError> {
    for (n, step) in steps.iter().enumerate() {
        match step {
            Step::Echo(cut) | Step::SlowEcho { cut, .. } => {
                if let Step::SlowEcho { delay, .. } = step {
                    mock.on_next_command([Effect::Delay(Duration::from_millis(*delay))]);
                }
                let token = format!("echo-{n}");
                if let Some(answer) = cut_short(mm.echo_args(&token).run(), *cut).await {
                    let answer = answer.unwrap();
                    prop_assert_eq!(answer.text().unwrap(), token.as_str());
                }
            }
            Step::Read { lines, cut } => {
                let path = script(mock, n, *lines);
                mock.on_next_command([Effect::StatusBetween(format!("between-{n}"))]);
                if let Some(answer) = cut_short(mm.read(&path).run(), *cut).await {
                    let texts: Vec<String> = answer
                        .unwrap()
                        .iter()
                        .map(|r| r.text().to_owned())
                        .collect();
                    let expected: Vec<String> =
                        (0..*lines).map(|i| format!("read-{n}-{i}")).collect();
                    prop_assert_eq!(texts, expected);
                }
            }
            Step::Stream { lines, take, cut } => {
                let path = script(mock, n, *lines);
                let Some(stream) = cut_short(mm.read(&path).stream(), *cut).await else {
                    continue;
                };
                let mut stream = stream.unwrap();
                let mut seen = 0;
                while seen < *take {
                    match stream.next_event().await {
                        Some(Ok(Event::Response(response))) => {
                            prop_assert_eq!(response.text(), format!("read-{n}-{seen}"));
                            seen += 1;
                        }
                        Some(Ok(Event::Status(_))) => {}
                        Some(Err(error)) => panic!("{error}"),
                        None => break,
                    }
                }
            }
            Step::Suggest(cut) => {
                if let Some(suggestions) = cut_short(mm.suggest("vm la"), *cut).await {
                    prop_assert_eq!(suggestions.unwrap(), ["vm launch "]);
                }
            }
            Step::Status => mock.send_status(&format!("progress {n}")),
        }
        if mm.answer_in_flight() {
            LEFT_IN_FLIGHT.fetch_add(1, Ordering::Relaxed);
        }
        prop_assert!(!mm.is_closed(), "step {} closed the connection", n);
    }
    let last = mm.echo_args("last").run().await.unwrap();
    prop_assert_eq!(last.text().unwrap(), "last");
    Ok(())
}

#[test]
fn every_answer_belongs_to_its_command_wherever_futures_are_dropped() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mock = MockMinimega::start().unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&prop::collection::vec(step(), 1..30), |steps| {
            runtime.block_on(async {
                let mut mm = mock.async_client().await.unwrap();
                // A drain that never ended would fail here, not hang.
                mm.set_timeout(Some(Duration::from_secs(10)));
                run(&mock, &mut mm, &steps).await
            })
        })
        .unwrap();
    let left = LEFT_IN_FLIGHT.load(Ordering::Relaxed);
    eprintln!("{left} drops left an answer in flight");
    assert!(left > 10, "only {left} drops left an answer in flight");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pooled_connections_run_the_generated_api_at_once() {
    let mock = MockMinimega::start().unwrap();
    let pool = mock.client_builder().pool(16).unwrap();
    let mut tasks = Vec::new();
    for task in 0..32 {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            for n in 0..8 {
                let token = format!("{task}-{n}");
                let answer = pool.get().await?.echo_args(&token).run().await?;
                assert_eq!(answer.text()?, token);
                let mut ns = pool.get().await?;
                let mut lab = ns.in_namespace(&format!("lab{task}"))?;
                lab.vm().launch().kvm(format!("vm{n}")).run().await?;
            }
            Ok::<_, minimega::runtime::Error>(())
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let mut mm = pool.get().await.unwrap();
    for task in 0..32 {
        let names: Vec<String> = mm
            .in_namespace(&format!("lab{task}"))
            .unwrap()
            .vm()
            .info()
            .run()
            .await
            .unwrap()
            .rows()
            .filter_map(|row| row.get("name").map(str::to_owned))
            .collect();
        assert_eq!(names.len(), 8, "lab{task}: {names:?}");
    }
}
