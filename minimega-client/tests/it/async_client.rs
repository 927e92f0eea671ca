//! The async client against the mock, from `#[tokio::test]` (the
//! current-thread runtime unless said otherwise): commands, typed rows,
//! namespaces, refusals, values as written, status messages, streams,
//! waits, a pool, and answers that never mix across concurrent
//! connections.

use std::future::poll_fn;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use crate::common::{cmd, Line};
use futures_core::Stream;
use minimega::mock::MockClient;
use minimega_client::tables::{VmInfo, VmState};
use minimega_client::{
    AsyncClient, AsyncWait, Builder, Complete, Error, Event, Failures, Refusal, RunOptions,
};
use minimega_mock::{Effect, MockMinimega};

async fn mock_and_client() -> (MockMinimega, AsyncClient) {
    let mock = MockMinimega::start().unwrap();
    let mm = mock.async_client().await.unwrap();
    (mock, mm)
}

#[tokio::test]
async fn commands_run_and_rows_come_typed() {
    let (mock, mut mm) = mock_and_client().await;
    cmd(&mut mm, &["vm", "config", "memory", "512"])
        .run()
        .await
        .unwrap();
    cmd(&mut mm, &["vm", "launch", "kvm", "web[1-2]"])
        .run()
        .await
        .unwrap();
    cmd(&mut mm, &["vm", "start", "all"]).run().await.unwrap();
    let vms: Vec<VmInfo> = cmd(&mut mm, &["vm", "info"])
        .run()
        .await
        .unwrap()
        .rows_as()
        .unwrap();
    let names: Vec<&str> = vms.iter().map(|vm| vm.name.as_str()).collect();
    assert_eq!(names, ["web1", "web2"]);
    assert!(vms.iter().all(|vm| vm.state == VmState::Running));
    assert_eq!(
        cmd(&mut mm, &["vm", "info"]).preview().unwrap(),
        "vm info",
        "preview needs no await"
    );
    assert_eq!(mm.suggest("vm la").await.unwrap(), ["vm launch "]);
    assert!(mm.server_version().await.unwrap().starts_with("minimega"));
    mock.assert_all_simulated();
}

#[tokio::test]
async fn namespaces_prefix_every_command() {
    let (mock, mut mm) = mock_and_client().await;
    {
        let mut lab = mm.in_namespace("lab").unwrap();
        lab.run_line("vm launch kvm 2").await.unwrap();
        cmd(&mut lab, &["vm", "info"]).run().await.unwrap();
        let mut inner = lab.in_namespace("inner").unwrap();
        inner.run_line("vm info").await.unwrap();
    }
    let mut blue = mm.connect_in("blue").await.unwrap();
    assert_eq!(blue.default_namespace(), Some("blue"));
    blue.run_line("vm info").await.unwrap();
    mm.unscoped().run_line("vm info").await.unwrap();
    assert_eq!(
        mock.commands(),
        [
            "namespace lab vm launch kvm 2",
            "namespace lab vm info",
            "namespace inner vm info",
            "namespace blue vm info",
            "vm info",
        ]
    );
    assert!(matches!(
        mm.in_namespace("../x"),
        Err(Error::InvalidNamespace { .. })
    ));
}

#[tokio::test]
async fn with_namespace_runs_a_block_in_the_namespace() {
    let (mock, mut mm) = mock_and_client().await;
    let launched = mm
        .with_namespace("lab", |lab| {
            Box::pin(async move {
                lab.run_line("vm launch kvm web[1-2]").await?;
                lab.run_line("vm start all").await?;
                let up = lab
                    .wait_for_state("all", VmState::Running, Duration::from_secs(10))
                    .await?;
                let vms: Vec<VmInfo> = cmd(lab, &["vm", "info"]).run().await?.rows_as()?;
                let names =
                    |vms: &[VmInfo]| vms.iter().map(|vm| vm.name.clone()).collect::<Vec<_>>();
                assert_eq!(names(&up), names(&vms));
                Ok(vms.len())
            })
        })
        .await
        .unwrap();
    assert_eq!(launched, 2);
    let outside = mm.run_line("vm info").await.unwrap();
    assert_eq!(outside.rows().count(), 0, "the VMs are in `lab` only");
    assert_eq!(
        mock.commands(),
        [
            "namespace lab vm launch kvm web[1-2]",
            "namespace lab vm start all",
            "namespace lab vm info",
            "namespace lab vm info",
            "vm info",
        ]
    );
}

#[tokio::test]
async fn with_namespace_gives_the_blocks_error_and_refuses_a_bad_name_before_it() {
    let (mock, mut mm) = mock_and_client().await;
    let error = mm
        .with_namespace("lab", |lab| {
            Box::pin(async move {
                lab.run_line("echo first").await?;
                lab.run_line("vm lunch kvm 2").await
            })
        })
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Spec { .. }), "{error}");
    let mut called = false;
    let error = mm
        .with_namespace("../x", |_| {
            called = true;
            Box::pin(async { Ok(()) })
        })
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidNamespace { .. }), "{error}");
    assert!(!called, "the block never ran");
    assert_eq!(mock.commands(), ["namespace lab echo first"]);
    assert!(!mm.is_closed());
}

#[tokio::test]
async fn a_with_namespace_block_dropped_part_way_leaves_the_answers_in_step() {
    let (mock, mut mm) = mock_and_client().await;
    mock.on_next_command([Effect::Delay(Duration::from_millis(300))]);
    let block = mm.with_namespace("lab", |lab| {
        Box::pin(async move { lab.run_line("echo first").await })
    });
    let cut = tokio::time::timeout(Duration::from_millis(50), block).await;
    assert!(cut.is_err(), "the timeout won");
    assert!(mm.answer_in_flight());
    let answer = mm.run_line("echo second").await.unwrap();
    assert_eq!(answer.text().unwrap(), "second");
    assert_eq!(mock.commands(), ["namespace lab echo first", "echo second"]);
}

#[tokio::test]
async fn what_the_blocking_client_refuses_the_async_one_refuses() {
    let (mock, mut mm) = mock_and_client().await;
    let error = mm.raw("namespace foo").unwrap().run().await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Refused {
                refusal: Refusal::DaemonWide(_),
                ..
            }
        ),
        "{error}"
    );
    let error = Line(
        Builder::new(&mut mm)
            .word("clear")
            .word("namespace")
            .arg("name", "../../x"),
    )
    .run()
    .await
    .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Refused {
                refusal: Refusal::BadValue { .. },
                ..
            }
        ),
        "{error}"
    );
    assert!(mm.raw("vm launch kvm").is_err(), "checked against the spec");
    assert!(mock.commands().is_empty(), "nothing was sent");
    assert!(!mm.is_closed());
}

#[tokio::test]
async fn values_arrive_as_written() {
    let (mock, mut mm) = mock_and_client().await;
    let typed = Line(Builder::new(&mut mm).word("echo").arg("args", "$HOME"));
    assert_eq!(typed.preview().unwrap(), ".preprocess false echo $HOME");
    let answer = Line(Builder::new(&mut mm).word("echo").arg("args", "$HOME"))
        .run()
        .await
        .unwrap();
    assert_eq!(answer.text().unwrap(), "$HOME");
    assert_eq!(mock.commands(), [".preprocess false echo $HOME"]);
}

#[tokio::test]
async fn host_errors_follow_the_failure_policy() {
    let (_mock, mut mm) = mock_and_client().await;
    let error = mm.run_line("vm start nosuchvm").await.unwrap_err();
    assert!(matches!(error, Error::Command { .. }), "{error}");
    let kept = mm
        .raw("vm start nosuchvm")
        .unwrap()
        .run_with(RunOptions::new().keep_failures())
        .await
        .unwrap();
    assert!(!kept.first().unwrap().is_ok());
    mm.set_failures(Failures::Keep);
    assert!(mm.run_line("vm start nosuchvm").await.is_ok());
}

#[tokio::test]
async fn status_messages_reach_the_handler_and_the_stream() {
    let (mock, mut mm) = mock_and_client().await;
    let (seen, statuses) = mpsc::channel();
    mm.set_status_handler(move |text| {
        let _ = seen.send(text.to_owned());
    });
    mock.on_next_command([Effect::StatusBefore("copying".to_owned())]);
    let answer = mm.run_line("echo done").await.unwrap();
    assert_eq!(answer.text().unwrap(), "done");
    assert_eq!(statuses.try_iter().collect::<Vec<_>>(), ["copying"]);

    mock.on_next_command([Effect::StatusBefore("progress".to_owned())]);
    let mut stream = mm.raw("echo again").unwrap().stream().await.unwrap();
    assert_eq!(
        stream.next_event().await.unwrap().unwrap(),
        Event::Status("progress".to_owned())
    );
    match stream.next_event().await {
        Some(Ok(Event::Response(response))) => assert_eq!(response.text(), "again"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_long_answer_streams_as_a_futures_stream() {
    let (mock, mut mm) = mock_and_client().await;
    let body: String = (0..5).map(|i| format!("echo line-{i}\n")).collect();
    let path = mock
        .write_script("five.mm", &body)
        .unwrap()
        .display()
        .to_string();
    let mut stream = mm
        .raw(&format!("read {path}"))
        .unwrap()
        .stream()
        .await
        .unwrap();
    let mut texts = Vec::new();
    // Through the `Stream` trait, as `StreamExt::next` would.
    while let Some(response) = poll_fn(|cx| Pin::new(&mut stream).poll_next(cx)).await {
        texts.push(response.unwrap().text().to_owned());
    }
    assert_eq!(texts, ["line-0", "line-1", "line-2", "line-3", "line-4"]);
    assert!(stream.is_complete());
    drop(stream);
    let answer = mm.run_line("echo after").await.unwrap();
    assert_eq!(answer.text().unwrap(), "after");
}

#[tokio::test]
async fn waits_poll_with_tokio_timers() {
    let (_mock, mut mm) = mock_and_client().await;
    mm.run_line("vm launch kvm web[1-3]").await.unwrap();
    let error = mm
        .wait_for_state("web[1-3]", VmState::Running, Duration::from_millis(600))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::WaitTimedOut { last_seen, .. } if last_seen.contains("web1 is BUILDING")),
        "{error}"
    );
    mm.run_line("vm start all").await.unwrap();
    let mut lab = mm.unscoped();
    let vms = lab
        .wait_for_state("web[1-3]", VmState::Running, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(vms.len(), 3);
    mm.run_line("vm kill web2").await.unwrap();
    let error = mm
        .wait_for_state("web[1-3]", VmState::Running, Duration::from_secs(10))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::VmFailed { .. }), "{error}");
}

#[tokio::test]
async fn the_mock_starts_and_stops_without_holding_the_runtime() {
    // The current-thread runtime: a request that waited on it would hang.
    let started = Instant::now();
    let mock = MockMinimega::start().unwrap();
    let start = started.elapsed();
    let mut mm = mock.async_client().await.unwrap();
    mm.set_timeout(Some(Duration::from_secs(10)));
    mock.on_next_command([Effect::Delay(Duration::from_millis(100))]);
    let answer = mm.run_line("echo slow").await.unwrap();
    assert_eq!(answer.text().unwrap(), "slow");
    let stopping = Instant::now();
    drop(mock);
    let stop = stopping.elapsed();
    eprintln!("mock start {start:?}, stop with a connection open {stop:?}");
    assert!(start < Duration::from_secs(1) && stop < Duration::from_secs(1));
    let error = mm.run_line("echo gone").await.unwrap_err();
    assert!(error.closes_connection(), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_connections_at_once_never_mix_their_answers() {
    let mock = MockMinimega::start().unwrap();
    let pool = mock.client_builder().pool(16).unwrap();
    let held = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for task in 0..64 {
        let (pool, held, most) = (pool.clone(), Arc::clone(&held), Arc::clone(&most));
        tasks.push(tokio::spawn(async move {
            for n in 0..16 {
                let mut mm = pool.get().await.unwrap();
                let now = held.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                let token = format!("t{task}-{n}");
                let answer = cmd(&mut *mm, &["echo", &token]).run().await.unwrap();
                assert_eq!(answer.text().unwrap(), token);
                held.fetch_sub(1, Ordering::SeqCst);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(mock.commands().len(), 64 * 16);
    assert!(most.load(Ordering::SeqCst) <= 16);
    assert!(pool.idle() <= 16);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_holds_to_its_size_and_drops_a_connection_left_mid_answer() {
    let mock = MockMinimega::start().unwrap();
    let pool = mock.client_builder().pool(2).unwrap();
    let a = pool.get().await.unwrap();
    let _b = pool.get().await.unwrap();
    let third = tokio::time::timeout(Duration::from_millis(100), pool.get()).await;
    assert!(third.is_err(), "a third waits while two are taken");
    drop(a);
    let mut c = pool.get().await.unwrap();
    let body: String = (0..3).map(|i| format!("echo {i}\n")).collect();
    let path = mock
        .write_script("three.mm", &body)
        .unwrap()
        .display()
        .to_string();
    mock.on_next_command([Effect::Delay(Duration::from_millis(200))]);
    let cut = tokio::time::timeout(
        Duration::from_millis(20),
        c.raw(&format!("read {path}")).unwrap().run(),
    )
    .await;
    assert!(cut.is_err());
    assert!(c.answer_in_flight());
    drop(c);
    assert_eq!(pool.idle(), 0, "not handed to the next task");
    let mut d = pool.get().await.unwrap();
    assert_eq!(
        d.run_line("echo fresh").await.unwrap().text().unwrap(),
        "fresh"
    );
}

#[tokio::test]
async fn wait_until_polls_a_check_of_ones_own() {
    let (_mock, mut mm) = mock_and_client().await;
    mm.run_line("vm launch kvm 2").await.unwrap();
    let rows = mm
        .wait_until(Duration::from_secs(5), "two VMs", |mm| {
            Box::pin(async move {
                let answer = mm.run_line("vm info").await?;
                Ok((answer.rows().count() == 2).then_some(answer.rows().count()))
            })
        })
        .await
        .unwrap();
    assert_eq!(rows, 2);
    let error = mm
        .wait_until(Duration::from_millis(300), "three VMs", |mm| {
            Box::pin(async move {
                let answer = mm.run_line("vm info").await?;
                Ok((answer.rows().count() == 3).then_some(()))
            })
        })
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::WaitTimedOut { waiting_for, .. } if waiting_for == "three VMs"),
        "{error}"
    );
}
