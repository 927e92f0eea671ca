//! The async client against the real daemon: the lifecycle and typed rows
//! through the generated API awaited, futures dropped at every point of
//! real answers, and sixteen connections at once.

use std::future::{poll_fn, Future};
use std::io::Write;
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use minimega::prelude::*;
use minimega::runtime::tables::{VmInfo, VmState};
use minimega::runtime::{AsyncClient, RunOptions};
use tokio::runtime::Runtime;

use crate::{Case, Tier};

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "async_lifecycle_and_typed_rows",
            run: async_lifecycle_and_typed_rows,
        },
        Case {
            name: "async_answers_stay_in_step_when_futures_are_dropped",
            run: async_answers_stay_in_step_when_futures_are_dropped,
        },
        Case {
            name: "async_sixteen_connections_never_mix",
            run: async_sixteen_connections_never_mix,
        },
    ]
}

pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

async fn client(tier: &Tier) -> AsyncClient {
    AsyncClient::connect_base(tier.daemon.base())
        .await
        .expect("the daemon's socket accepts connections")
}

fn async_lifecycle_and_typed_rows(tier: &Tier) {
    runtime().block_on(async {
        let mut client = client(tier).await;
        let mut mm = client.in_namespace("rs-async").unwrap();
        // Without /dev/kvm, qemu only starts with an emulated CPU.
        mm.vm().config().cpu("qemu64").run().await.unwrap();
        mm.vm().config().memory(128).run().await.unwrap();
        mm.vm().launch().kvm("a[1-2]").run().await.unwrap();
        mm.vm().start("all").run().await.unwrap();
        let running = mm
            .wait_for_state("a[1-2]", VmState::Running, Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(running.len(), 2, "{running:?}");
        let rows: Vec<VmInfo> = mm.vm().info().run().await.unwrap().rows_as().unwrap();
        assert!(
            rows.iter()
                .all(|vm| vm.memory == 128 && vm.host == tier.daemon.host),
            "{rows:?}"
        );
        mm.vm().kill("all").run().await.unwrap();
        mm.vm().flush().run().await.unwrap();
        drop(mm);
        client.clear().namespace("rs-async").run().await.unwrap();
    });
}

/// `future`, dropped after `polls` polls unless it ends first.
pub async fn cut_after<F: Future>(future: F, polls: usize) -> Option<F::Output> {
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

fn async_answers_stay_in_step_when_futures_are_dropped(tier: &Tier) {
    const LINES: usize = 40;
    let script = tier.daemon.base().join("rs-async-cut.mm");
    let mut file = std::fs::File::create(&script).unwrap();
    for i in 0..LINES {
        writeln!(file, "echo line-{i}").unwrap();
    }
    drop(file);
    let path = script.display().to_string();
    runtime().block_on(async {
        let mut mm = client(tier).await;
        mm.set_timeout(Some(Duration::from_secs(30)));
        let (mut in_flight, mut whole) = (0, 0);
        // Every cut point from "never polled" to "ran to its end", for a
        // `read` answered in 40 messages and for a stream of it.
        for polls in 0..60 {
            if let Some(answer) = cut_after(mm.read(&path).run(), polls).await {
                assert_eq!(answer.unwrap().len(), LINES);
                whole += 1;
            }
            in_flight += usize::from(mm.answer_in_flight());
            let token = format!("after-run-{polls}");
            let answer = mm.echo_args(&token).run().await.unwrap();
            assert_eq!(answer.text().unwrap(), token);

            if let Some(stream) = cut_after(mm.read(&path).stream(), polls % 4).await {
                let mut stream = stream.unwrap();
                for i in 0..polls % (LINES + 3) {
                    match stream.next_response().await {
                        Some(response) => {
                            assert_eq!(response.unwrap().text(), format!("line-{i}"))
                        }
                        None => break,
                    }
                }
            }
            in_flight += usize::from(mm.answer_in_flight());
            let token = format!("after-stream-{polls}");
            let answer = mm
                .echo_args(&token)
                .run_with(RunOptions::new().timeout(Duration::from_secs(30)))
                .await
                .unwrap();
            assert_eq!(answer.text().unwrap(), token);
        }
        assert!(in_flight > 10, "{in_flight} drops left an answer in flight");
        assert!(whole > 0, "some reads ran to their end");
    });
}

fn async_sixteen_connections_never_mix(tier: &Tier) {
    runtime().block_on(async {
        let pool = AsyncClient::builder()
            .base(tier.daemon.base())
            .timeout(Duration::from_secs(30))
            .pool(16)
            .unwrap();
        let mut tasks = Vec::new();
        for task in 0..32 {
            let pool = pool.clone();
            tasks.push(tokio::spawn(async move {
                for n in 0..16 {
                    let token = format!("t{task}-{n}");
                    let answer = pool
                        .get()
                        .await
                        .unwrap()
                        .echo_args(&token)
                        .run()
                        .await
                        .unwrap();
                    assert_eq!(answer.text().unwrap(), token);
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert!(pool.idle() <= 16);
    });
}
