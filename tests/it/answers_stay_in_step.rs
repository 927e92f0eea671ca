//! Random sequences of commands, streams read part-way then dropped or
//! forgotten, suggestions and status messages, against the mock: every
//! answer belongs to its own command.

use minimega::mock::MockMinimega;
use minimega::prelude::*;
use minimega::runtime::{Client, Event};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

#[derive(Debug, Clone)]
enum Step {
    /// `echo` of a token only this step uses.
    Echo,
    /// A `read` of `lines` echoes, of which `take` are read before the
    /// stream is dropped, or forgotten without running its destructor.
    Read {
        lines: usize,
        take: usize,
        forget: bool,
    },
    /// A completion request.
    Suggest,
    /// A status message to every connection, between commands.
    Status,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => Just(Step::Echo),
        3 => (1..6usize, 0..7usize, any::<bool>())
            .prop_map(|(lines, take, forget)| Step::Read { lines, take, forget }),
        1 => Just(Step::Suggest),
        1 => Just(Step::Status),
    ]
}

/// Runs the steps; every answer must be the one its command asked for.
fn run(mock: &MockMinimega, mm: &mut Client, steps: &[Step]) -> Result<(), TestCaseError> {
    for (n, step) in steps.iter().enumerate() {
        match step {
            Step::Echo => {
                let token = format!("echo-{n}");
                let answer = mm.echo_args(&token).run().unwrap();
                prop_assert_eq!(answer.text().unwrap(), token.as_str());
            }
            Step::Read {
                lines,
                take,
                forget,
            } => {
                let body: String = (0..*lines)
                    .map(|i| format!("echo read-{n}-{i}\n"))
                    .collect();
                let script = mock.write_script(&format!("step-{n}.mm"), &body).unwrap();
                let mut stream = mm.read(script.display()).stream().unwrap();
                let mut seen = 0;
                while seen < *take {
                    match stream.next_event() {
                        Some(Ok(Event::Response(response))) => {
                            prop_assert_eq!(response.text(), format!("read-{n}-{seen}"));
                            seen += 1;
                        }
                        Some(Ok(Event::Status(_))) => {}
                        Some(Err(error)) => panic!("{error}"),
                        None => break,
                    }
                }
                if *forget {
                    std::mem::forget(stream);
                } else {
                    drop(stream);
                }
            }
            Step::Suggest => {
                prop_assert_eq!(mm.suggest("vm la").unwrap(), ["vm launch "]);
            }
            Step::Status => mock.send_status(&format!("progress {n}")),
        }
    }
    let last = mm.echo_args("last").run().unwrap();
    prop_assert_eq!(last.text().unwrap(), "last");
    Ok(())
}

#[test]
fn every_answer_belongs_to_its_command() {
    let mock = MockMinimega::start().unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&prop::collection::vec(step(), 1..30), |steps| {
            let mut mm = mock.client().unwrap();
            run(&mock, &mut mm, &steps)
        })
        .unwrap();
}
