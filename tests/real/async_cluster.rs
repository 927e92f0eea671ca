//! The async client against a running cluster (`MINIMEGA_CLUSTER_SOCKET`,
//! the head node's socket): `mesh send` answered by every peer, as a whole
//! and as a stream; pooled connections that run `mesh send`s at once
//! without ever mixing their answers; and `mesh send`s dropped part-way,
//! whose answers never reach the next command. Nothing is left on the
//! cluster.

use std::collections::BTreeSet;
use std::time::Duration;

use minimega::prelude::*;
use minimega::runtime::AsyncClient;

use crate::asynchronous::{cut_after, runtime};
use crate::cluster::{cluster, hosts};
use crate::{Case, Tier};

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "cluster_async_mesh_send_all_answers_from_every_peer",
            run: mesh_send_all_answers_from_every_peer,
        },
        Case {
            name: "cluster_async_pooled_mesh_sends_never_mix",
            run: pooled_mesh_sends_never_mix,
        },
        Case {
            name: "cluster_async_dropped_mesh_sends_leave_the_answers_in_step",
            run: dropped_mesh_sends_leave_the_answers_in_step,
        },
    ]
}

fn socket(tier: &Tier) -> &std::path::Path {
    tier.cluster
        .as_deref()
        .expect("cluster tests run with a socket")
}

fn mesh_send_all_answers_from_every_peer(tier: &Tier) {
    let peers = cluster(tier).peers;
    runtime().block_on(async {
        let mut mm = AsyncClient::connect_to(socket(tier)).await.unwrap();
        let answer = mm
            .mesh()
            .send("all", Cmd.host().name())
            .run()
            .await
            .unwrap();
        assert_eq!(answer.len(), peers.len(), "one response per peer");
        assert_eq!(hosts(&answer), peers);
        // Each peer names itself: the answer came from the host it says.
        assert!(answer.iter().all(|r| r.text() == r.host()), "{answer:?}");
        assert!(answer.missing_hosts().is_empty());

        // The same as a stream: every peer once, each as it comes.
        let mut stream = mm
            .mesh()
            .send("all", Cmd.echo_args(["streamed"]))
            .stream()
            .await
            .unwrap();
        let mut seen = BTreeSet::new();
        while let Some(response) = stream.next_response().await {
            let response = response.unwrap();
            assert_eq!(response.text(), "streamed");
            assert!(seen.insert(response.host().to_owned()), "{seen:?}");
        }
        assert!(stream.is_complete());
        drop(stream);
        assert_eq!(seen, peers);
        assert!(!mm.answer_in_flight());
    });
}

fn pooled_mesh_sends_never_mix(tier: &Tier) {
    const CONNECTIONS: usize = 4;
    let peers = cluster(tier).peers;
    runtime().block_on(async {
        let pool = AsyncClient::builder()
            .socket(socket(tier))
            .timeout(Duration::from_secs(30))
            .pool(CONNECTIONS)
            .unwrap();
        let mut tasks = Vec::new();
        for task in 0..12 {
            let (pool, peers) = (pool.clone(), peers.clone());
            tasks.push(tokio::spawn(async move {
                for n in 0..8 {
                    let token = format!("t{task}-{n}");
                    let answer = pool
                        .get()
                        .await
                        .unwrap()
                        .mesh()
                        .send("all", Cmd.echo_args([token.as_str()]))
                        .run()
                        .await
                        .unwrap();
                    assert_eq!(hosts(&answer), peers, "{token}");
                    assert!(
                        answer.iter().all(|r| r.text() == token),
                        "{token}: {answer:?}"
                    );
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert!(pool.idle() <= CONNECTIONS);
    });
}

fn dropped_mesh_sends_leave_the_answers_in_step(tier: &Tier) {
    let peers = cluster(tier).peers;
    runtime().block_on(async {
        let mut mm = AsyncClient::connect_to(socket(tier)).await.unwrap();
        mm.set_timeout(Some(Duration::from_secs(30)));
        let mut in_flight = 0;
        // From "never polled" to "ran to its end": the answer comes from
        // the peers, so it arrives after a wait of its own.
        for polls in 0..8 {
            let dropped = format!("dropped-{polls}");
            let send = mm
                .mesh()
                .send("all", Cmd.echo_args([dropped.as_str()]))
                .run();
            if let Some(answer) = cut_after(send, polls).await {
                assert_eq!(hosts(&answer.unwrap()), peers);
            }
            in_flight += usize::from(mm.answer_in_flight());
            let token = format!("next-{polls}");
            let answer = mm
                .mesh()
                .send("all", Cmd.echo_args([token.as_str()]))
                .run()
                .await
                .unwrap();
            assert_eq!(hosts(&answer), peers, "{token}");
            assert!(answer.iter().all(|r| r.text() == token), "{answer:?}");
        }
        assert!(in_flight > 0, "some drops left an answer in flight");
    });
}
