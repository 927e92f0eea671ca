//! Values through one real daemon: any string reaches minimega as it was
//! given or is refused before it is sent, through `echo`, `vm config`, a
//! namespace's broadcast and the mesh (the strategies are shared with the
//! cluster tests), and minimega expands `file:` only when asked to.

use std::cell::RefCell;

use minimega::prelude::*;
use minimega::runtime::{ArgumentError, Error, Refusal};
use minimega::spec::input::{forwarding_problem, unwritable_char, ForwardingProblem};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde::Deserialize;

use crate::{count_refused, count_values, Case, Tier};

pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "any_value_arrives_intact_through_echo",
            run: any_value_arrives_intact_through_echo,
        },
        Case {
            name: "any_value_arrives_intact_through_vm_config",
            run: any_value_arrives_intact_through_vm_config,
        },
        Case {
            name: "forwardable_values_survive_a_namespace_broadcast",
            run: forwardable_values_survive_a_namespace_broadcast,
        },
        Case {
            name: "values_minimega_cannot_pass_on_are_refused_and_it_lives",
            run: values_minimega_cannot_pass_on_are_refused_and_it_lives,
        },
        Case {
            name: "expansion_happens_only_when_asked_for",
            run: expansion_happens_only_when_asked_for,
        },
    ]
}

/// Strings of every kind: quotes, `#`, backslashes, white space of all
/// sorts, `$`, `file:` and URL prefixes, non-ASCII.
pub fn awkward_string() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        r#"[ \t\n\r"'\\#$:{}a-zé\u{a0}\u{2028}]{0,16}"#,
        "(file|FILE|http|https|tar):[a-z$/]{0,8}",
        r"\$\{?[A-Z_]{1,8}\}?[a-z ]{0,4}",
    ]
}

/// Values minimega can pass on but that still need care: white space (so
/// they are quoted) with quotes, `#`, backslashes, `$` and non-ASCII.
pub fn quoted_string() -> impl Strategy<Value = String> {
    r#"[a-z]{1,3}[ \t][ a-z"'\\#$:{}é東🚀\n\r]{0,14}"#
}

pub fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

fn any_value_arrives_intact_through_echo(tier: &Tier) {
    // proptest wants an `Fn`; the client is used one case at a time.
    let mm = RefCell::new(tier.daemon.client());
    runner(300)
        .run(&awkward_string(), |value| {
            let sent = mm.borrow_mut().echo_args([&value]).run();
            if value.contains(char::REPLACEMENT_CHARACTER) {
                prop_assert!(
                    matches!(sent, Err(Error::Argument(ArgumentError::NotUtf8 { .. }))),
                    "{value:?} must be refused"
                );
                count_refused(1);
                return Ok(());
            }
            match sent {
                Ok(answer) => {
                    prop_assert!(unwritable_char(&value).is_none(), "{value:?} was sent");
                    prop_assert_eq!(answer.text().unwrap(), value.as_str());
                    count_values(1);
                }
                Err(Error::Refused {
                    refusal: Refusal::Unwritable { .. },
                    ..
                }) => {
                    prop_assert!(unwritable_char(&value).is_some());
                    count_refused(1);
                }
                // Only a value the preprocessor would touch is sent nested
                // (under `.preprocess false`), and only then can it be
                // refused for that.
                Err(Error::Refused {
                    refusal: Refusal::Unforwardable { .. },
                    ..
                }) => {
                    prop_assert!(forwarding_problem(&value).is_some());
                    prop_assert!(value.contains('$') || value.contains(':'), "{value:?}");
                    count_refused(1);
                }
                Err(error) => return Err(TestCaseError::fail(format!("{value:?}: {error}"))),
            }
            Ok(())
        })
        .unwrap();
}

/// Inside a namespace every command is nested, so a value either arrives
/// intact or, if minimega could not pass it on, is refused unsent.
pub fn arrives_or_is_refused<T: std::fmt::Debug>(
    value: &str,
    sent: Result<T, Error>,
) -> Result<Option<T>, TestCaseError> {
    if value.contains(char::REPLACEMENT_CHARACTER) {
        // U+FFFD marks text that was not UTF-8: the client refuses it.
        return match sent {
            Err(Error::Argument(ArgumentError::NotUtf8 { .. })) => {
                count_refused(1);
                Ok(None)
            }
            sent => Err(TestCaseError::fail(format!(
                "{value:?}: expected a refusal, got {sent:?}"
            ))),
        };
    }
    match (forwarding_problem(value), sent) {
        (None, Ok(answer)) => Ok(Some(answer)),
        // An optional argument's empty value would read, not set.
        (
            Some(ForwardingProblem::Empty),
            Err(Error::Argument(ArgumentError::EmptyOptional { .. })),
        ) => {
            count_refused(1);
            Ok(None)
        }
        (
            Some(ForwardingProblem::Escaped(_)),
            Err(Error::Refused {
                refusal: Refusal::Unwritable { .. },
                ..
            }),
        )
        | (
            Some(_),
            Err(Error::Refused {
                refusal: Refusal::Unforwardable { .. },
                ..
            }),
        ) => {
            count_refused(1);
            Ok(None)
        }
        (problem, sent) => Err(TestCaseError::fail(format!(
            "{value:?}: expected {}, got {sent:?}",
            if problem.is_some() {
                "a refusal"
            } else {
                "an answer"
            }
        ))),
    }
}

fn any_value_arrives_intact_through_vm_config(tier: &Tier) {
    let mut client = tier.daemon.client();
    let mm = RefCell::new(client.in_namespace("rs-values").unwrap());
    runner(200)
        .run(&awkward_string(), |value| {
            let mut mm = mm.borrow_mut();
            let set = mm.vm().config().hostname(&value).run();
            if arrives_or_is_refused(&value, set)?.is_some() {
                let read = mm.vm().config().hostname_current().run().unwrap();
                prop_assert_eq!(read.text().unwrap(), value.as_str());
                count_values(1);
            }
            Ok(())
        })
        .unwrap();
    drop(mm);
    client.clear().namespace("rs-values").run().unwrap();
}

#[derive(Debug, Deserialize)]
struct Tagged {
    tags: String,
}

/// `vm tag` in a namespace is parsed a second time by minimega, from a
/// text it writes itself; a value the client lets through must survive it.
fn forwardable_values_survive_a_namespace_broadcast(tier: &Tier) {
    let mut client = tier.daemon.client();
    {
        let mut mm = client.in_namespace("rs-broadcast").unwrap();
        mm.vm().config().cpu("qemu64").run().unwrap();
        mm.vm().config().memory(128).run().unwrap();
        mm.vm().launch().kvm("rs-tagged").run().unwrap();
        let mm = RefCell::new(mm);
        runner(200)
            .run(&prop_oneof![awkward_string(), quoted_string()], |value| {
                let mut mm = mm.borrow_mut();
                let tagged = mm.vm().tag("all", "k", &value).run();
                if arrives_or_is_refused(&value, tagged)?.is_some() {
                    let rows: Vec<Tagged> = mm
                        .columns("tags", Cmd.vm().info())
                        .run()
                        .unwrap()
                        .rows_as()
                        .unwrap();
                    let tags: serde_json::Value = serde_json::from_str(&rows[0].tags).unwrap();
                    prop_assert_eq!(tags["k"].as_str(), Some(value.as_str()));
                    count_values(1);
                }
                Ok(())
            })
            .unwrap();
        let mut mm = mm.into_inner();
        mm.vm().kill("all").run().unwrap();
        mm.vm().flush().run().unwrap();
    }
    client.clear().namespace("rs-broadcast").run().unwrap();
}

/// Each of these, sent as is, makes minimega exit or changes the command.
fn values_minimega_cannot_pass_on_are_refused_and_it_lives(tier: &Tier) {
    let mut client = tier.daemon.client();
    {
        let mut mm = client.in_namespace("rs-hostile").unwrap();
        for value in ["a'b", "\"", "c#d", "x\\y", "", "nb\u{a0}sp", "a b\u{b}"] {
            let error = mm.vm().start(value).run().unwrap_err();
            assert!(
                matches!(
                    &error,
                    Error::Refused {
                        refusal: Refusal::Unforwardable { .. } | Refusal::Unwritable { .. },
                        ..
                    }
                ),
                "{value:?}: {error}"
            );
            count_refused(1);
        }
        let hand_written = mm.raw(r#"vm start "a'b""#).unwrap().run().unwrap_err();
        assert!(
            matches!(hand_written, Error::Refused { .. }),
            "{hand_written}"
        );
    }
    let still = client.echo_args(["alive"]).run().unwrap();
    assert_eq!(still.text().unwrap(), "alive");
    client.clear().namespace("rs-hostile").run().unwrap();
}

fn expansion_happens_only_when_asked_for(tier: &Tier) {
    use minimega::runtime::Expand;

    let mut mm = tier.daemon.client();
    let files = tier.daemon.files_dir();
    let verbatim = mm.echo_args(["file:foo"]).run().unwrap();
    assert_eq!(verbatim.text().unwrap(), "file:foo");
    let expanded = mm.echo_args([Expand("file:foo")]).run().unwrap();
    assert_eq!(
        expanded.text().unwrap(),
        files.join("foo").display().to_string()
    );
    let hand_written = mm.run_line("echo file:foo").unwrap();
    assert_eq!(
        hand_written.text().unwrap(),
        files.join("foo").display().to_string(),
        "hand-written lines keep minimega's behaviour"
    );
}
