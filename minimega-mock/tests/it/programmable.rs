//! What a test can set up and inspect: stubbed answers, the log of what
//! the mock received and how it answered each request, specs of other
//! minimega versions, and the faults a client test needs.

use std::time::Duration;

use minimega::mock::MockClient;
use minimega::runtime::{Client, Complete, Error, RunOptions};
use minimega_mock::{
    AgentReply, Answer, Answered, Effect, MockError, MockMinimega, Received, Reply,
};
use minimega_spec::Spec;

#[test]
fn a_pattern_stub_answers_wherever_the_command_appears() {
    let mock = MockMinimega::builder()
        .hosts(["head", "n1"])
        .start()
        .unwrap();
    mock.stub_pattern(
        "vm info [summary,]",
        Answer::table(["name", "state"], [["web1", "RUNNING"], ["web2", "PAUSED"]]),
    )
    .unwrap();
    let mut mm = mock.client().unwrap();
    // Abbreviated, modified, nested: the stub's table goes through them.
    let answer = mm
        .run_line(".columns name .filter state=running vm inf")
        .unwrap();
    assert_eq!(answer[0].tabular(), [vec!["web1".to_owned()]]);
    assert_eq!(answer[0].host(), "head");
    // Passed on by mesh send, the target answers it.
    let remote = mm.run_line("mesh send n1 vm info summary").unwrap();
    assert_eq!(remote[0].host(), "n1");
    assert_eq!(remote[0].tabular().len(), 2);

    let error = mock.stub_pattern("vm info", Answer::empty()).unwrap_err();
    assert!(matches!(error, MockError::UnknownPattern { .. }), "{error}");
    assert!(error.to_string().contains("`vm info`"), "{error}");
}

#[test]
fn a_line_stub_answers_that_line_with_several_hosts() {
    let mock = MockMinimega::start().unwrap();
    mock.stub_line(
        "mesh send all vm top",
        Answer::hosts([
            ("n1", Reply::text("info")),
            ("n2", Reply::error("no cc here")),
            (
                "n3",
                Reply::empty().with_data(serde_json::json!({"Level": 1})),
            ),
        ]),
    );
    let mut mm = mock.client().unwrap();
    let answer = mm
        .raw("mesh send all vm top")
        .unwrap()
        .run_with(RunOptions::new().keep_failures())
        .unwrap();
    let hosts: Vec<(&str, &str, Option<&str>)> = answer
        .iter()
        .map(|r| (r.host(), r.text(), r.error()))
        .collect();
    assert_eq!(
        hosts,
        [
            ("n1", "info", None),
            ("n2", "", Some("no cc here")),
            ("n3", "", None)
        ]
    );
    assert_eq!(answer[2].data()["Level"], 1);
    // Written differently, the line is not the stubbed one.
    mock.clear_stubs();
    let simulated = mm.run_line("mesh send all vm top").unwrap();
    assert!(simulated.iter().all(|r| r.text().is_empty()));
}

#[test]
fn the_log_says_how_each_request_was_answered() {
    let mock = MockMinimega::start().unwrap();
    mock.stub_line("vm info", Answer::text("stubbed"));
    let mut mm = mock.client().unwrap();
    mm.run_line("echo simulated").unwrap();
    mm.run_line("vm info").unwrap();
    mm.raw_unchecked("bogus").unwrap().run().unwrap_err();
    mm.run_line("vm top").unwrap();
    mm.run_line("namespace lab vm screenshot vm-0").unwrap();
    mm.suggest("vm la").unwrap();
    let received = mock.received();
    let seen: Vec<(&str, bool, Answered)> = received
        .iter()
        .map(
            |Received {
                 line,
                 suggest,
                 answered,
             }| (line.as_str(), *suggest, *answered),
        )
        .collect();
    assert_eq!(
        seen,
        [
            ("echo simulated", false, Answered::Simulated),
            ("vm info", false, Answered::Stubbed),
            ("bogus", false, Answered::Invalid),
            ("vm top", false, Answered::NotSimulated),
            (
                "namespace lab vm screenshot vm-0",
                false,
                Answered::NotSimulated
            ),
            ("vm la", true, Answered::Simulated),
        ]
    );
    assert_eq!(
        mock.unsimulated(),
        ["vm top", "namespace lab vm screenshot vm-0"]
    );
    assert_eq!(mock.commands().len(), 5, "suggestions are not commands");
}

#[test]
#[should_panic(expected = "without simulating them")]
fn asserting_that_everything_was_simulated() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    mm.run_line("vm launch kvm a").unwrap();
    mock.assert_all_simulated();
    mm.run_line("vm screenshot a").unwrap();
    mock.assert_all_simulated();
}

#[test]
fn a_spec_lacking_simulated_commands_is_refused_unless_allowed() {
    let old: &'static Spec = Box::leak(Box::new(
        Spec::from_json(
            r#"[{"help_short":"","help_long":"","shared_prefix":"echo",
                 "patterns":["echo [args]..."],"parsed_patterns":[]}]"#,
        )
        .unwrap(),
    ));
    let error = MockMinimega::builder().spec(old).start().unwrap_err();
    let MockError::MissingPatterns { patterns } = &error else {
        panic!("{error}")
    };
    assert!(patterns.contains(&"vm info [summary,]".to_owned()));
    assert!(
        error.to_string().contains("allow_missing_patterns"),
        "{error}"
    );

    let mock = MockMinimega::builder()
        .spec(old)
        .allow_missing_patterns(true)
        .start()
        .unwrap();
    let mut mm = mock.client().unwrap();
    assert_eq!(mm.run_line("echo still").unwrap().text().unwrap(), "still");
    let error = mm.raw_unchecked("vm info").unwrap().run().unwrap_err();
    assert_eq!(error.failures()[0].message, "invalid command: `vm info`");
}

#[test]
fn an_endless_answer_is_cut_by_the_clients_cap() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = Client::builder()
        .socket(mock.socket_path())
        .max_answer_bytes(64 * 1024)
        .connect()
        .unwrap();
    mock.on_next_command([Effect::EndlessMore]);
    let error = mm.run_line("echo again").unwrap_err();
    assert!(matches!(error, Error::TooLarge { .. }), "{error}");
    assert!(mm.is_closed());
}

#[test]
fn a_line_longer_than_the_client_takes() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = Client::builder()
        .socket(mock.socket_path())
        .max_line_bytes(4096)
        .connect()
        .unwrap();
    // Longer than one read of the client's, so that it arrives in parts.
    mock.on_next_command([Effect::LongLine { bytes: 200_000 }]);
    let error = mm.run_line("echo long").unwrap_err();
    assert!(matches!(error, Error::Protocol { .. }), "{error}");
    assert!(error.to_string().contains("4096"), "{error}");
}

#[test]
fn a_message_nobody_asked_for() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = mock.client().unwrap();
    mock.on_next_command([Effect::Unsolicited]);
    assert_eq!(mm.run_line("echo first").unwrap().text().unwrap(), "first");
    // The extra message is found before the next command is sent.
    std::thread::sleep(Duration::from_millis(100));
    let error = mm.run_line("echo second").unwrap_err();
    assert!(matches!(error, Error::Unsolicited { .. }), "{error}");
}

#[test]
fn more_on_a_suggestion_that_never_continues() {
    let mock = MockMinimega::start().unwrap();
    let mut mm = Client::builder()
        .socket(mock.socket_path())
        .timeout(Duration::from_millis(200))
        .connect()
        .unwrap();
    mock.on_next_command([Effect::MoreOnLast]);
    let error = mm.suggest("vm la").unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error}");
}

#[test]
fn a_programmed_agent_answers_what_the_test_says() {
    let mock = MockMinimega::builder()
        .cc_agent(|run| match run.command.first().map(String::as_str) {
            Some("whoami") => Some(AgentReply::stdout(format!("root on {}", run.vm))),
            Some("ls") => Some(
                AgentReply::stdout("partial")
                    .with_stderr("ls: /nope: no such file")
                    .with_exit_code(2),
            ),
            _ => None,
        })
        .start()
        .unwrap();
    let mut mm = mock.client().unwrap();
    for line in [
        "vm config kernel guest.kernel",
        "vm launch kvm web",
        "vm start web",
        "cc exec whoami",
        "cc exec ls /nope",
        "cc exec hostname",
        "cc exec uptime",
    ] {
        mm.run_line(line).unwrap();
    }
    let text = |mm: &mut Client, line: &str| mm.run_line(line).unwrap()[0].text().to_owned();
    assert_eq!(text(&mut mm, "cc responses 1 raw"), "root on web\n");
    // stderr comes first, as minimega walks the response's folder.
    assert_eq!(
        text(&mut mm, "cc responses 2 raw"),
        "ls: /nope: no such file\npartial\n"
    );
    // Commands the program leaves alone keep the default answers.
    // (The agent ends its line; minimega ends each file shown with one too.)
    assert_eq!(text(&mut mm, "cc responses 3 raw"), "web\n\n");
    // No output: the agent's answer has no files to show.
    assert_eq!(text(&mut mm, "cc responses 4 raw"), "");
    assert_eq!(text(&mut mm, "cc exitcode 2 web"), "2");
    assert_eq!(text(&mut mm, "cc exitcode 4 web"), "0");
}

#[test]
fn a_script_is_written_in_the_base_and_only_there() {
    let mock = MockMinimega::start().unwrap();
    let path = mock.write_script("lab.mm", "echo hi\n").unwrap();
    assert_eq!(path, mock.base_dir().join("lab.mm"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "echo hi\n");
    for name in ["../lab.mm", "dir/lab.mm", "/tmp/lab.mm", "..", ".", ""] {
        let error = mock.write_script(name, "echo hi\n").unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{name}");
    }
    assert!(!mock.base_dir().parent().unwrap().join("lab.mm").exists());
}
