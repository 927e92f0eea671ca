//! Every command shows up in `tracing` at debug level: a `command` span with
//! its line and namespace, `sent`, then `answered` with the time it took,
//! the hosts and the failures, or `failed`/`not sent` with the error.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use minimega::mock::MockMinimega;
use minimega::prelude::*;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Writes every span and event as one line of `name key=value …`.
#[derive(Default, Clone)]
struct Capture {
    lines: Arc<Mutex<Vec<String>>>,
    next: Arc<AtomicU64>,
}

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.target().starts_with("minimega")
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let mut fields = Fields(format!("span {}", attributes.metadata().name()));
        attributes.record(&mut fields);
        self.lines.lock().unwrap().push(fields.0);
        Id::from_u64(self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields(format!("{}", event.metadata().level()));
        event.record(&mut fields);
        self.lines.lock().unwrap().push(fields.0);
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

/// What tracing shows of a namespace's `vm info` on three hosts, a failing
/// `vm start` and a refused one, blocking or async alike.
const COMMAND_EVENTS: [&str; 7] = [
    "span command line=namespace lab vm info namespace=\"lab\"",
    "DEBUG message=sent",
    "DEBUG message=answered elapsed=",
    "\"n1\", \"n2\"} failed=0 missing=[]",
    "span command line=vm start nosuch\n",
    "failed=1",
    "DEBUG message=not sent error=refused before sending `namespace lab vm start",
];

#[test]
fn commands_are_traced_with_their_line_hosts_and_errors() {
    let mock = MockMinimega::builder()
        .hosts(["head", "n1", "n2"])
        .start()
        .unwrap();
    let mut mm = mock.client().unwrap();
    let capture = Capture::default();
    tracing::subscriber::with_default(capture.clone(), || {
        mm.in_namespace("lab").unwrap().vm().info().run().unwrap();
        let _ = mm.vm().start("nosuch").run();
        let refused = mm.in_namespace("lab").unwrap().vm().start("a'b").run();
        assert!(refused.is_err());
    });
    let lines = capture.lines.lock().unwrap().join("\n");
    for expected in COMMAND_EVENTS {
        assert!(lines.contains(expected), "{expected:?} in\n{lines}");
    }
}

#[test]
fn a_scripts_lines_are_traced_with_their_file_and_number() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    let capture = Capture::default();
    tracing::subscriber::with_default(capture.clone(), || {
        minimega::script!("tests/scripts/web.mm")
            .run(&mut mm)
            .unwrap();
    });
    let lines = capture.lines.lock().unwrap().join("\n");
    let expected = "DEBUG message=script line script=\"tests/scripts/web.mm\" line=4 command=\"vm launch kvm web[1-2]\"";
    assert!(lines.contains(expected), "{expected:?} in\n{lines}");
}

#[test]
fn async_commands_are_traced_the_same_way() {
    let mock = MockMinimega::builder()
        .hosts(["head", "n1", "n2"])
        .start()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let capture = Capture::default();
    // The subscriber is the thread's default while the runtime polls the
    // futures on it.
    tracing::subscriber::with_default(capture.clone(), || {
        runtime.block_on(async {
            let mut mm = mock.async_client().await.unwrap();
            let mut lab = mm.in_namespace("lab").unwrap();
            lab.vm().info().run().await.unwrap();
            let _ = mm.vm().start("nosuch").run().await;
            let refused = mm
                .in_namespace("lab")
                .unwrap()
                .vm()
                .start("a'b")
                .run()
                .await;
            assert!(refused.is_err());
        });
    });
    let lines = capture.lines.lock().unwrap().join("\n");
    for expected in COMMAND_EVENTS {
        assert!(lines.contains(expected), "{expected:?} in\n{lines}");
    }
}
