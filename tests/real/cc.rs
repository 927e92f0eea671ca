//! cc end to end, on real agents: two VMs booted from a guest image whose
//! init runs minimega's agent, `miniccc`, given by `MINIMEGA_CC_IMAGE` (the
//! folder holding `cc.kernel` and `cc.initrd`). Without it the test says
//! that it skipped.
//!
//! What it shows: a list's single value runs as it would at minimega's
//! prompt (`cc exec "uname -a"` runs `uname`), items given whole keep their
//! spaces, quotes, `#` and `$`; the id of a new command, and the wait for
//! its answers typed (stdout, stderr, exit code, received files); `cc send`,
//! `cc recv`, `cc background` and a filter.

use std::path::PathBuf;
use std::time::Duration;

use minimega::prelude::*;
use minimega::runtime::cc::{self, CcResponse};
use minimega::runtime::{Error, Namespace};

use crate::{count_values, Case, Tier};

pub fn cases() -> Vec<Case> {
    vec![Case {
        name: "cc_runs_commands_on_real_agents_as_written",
        run: cc_runs_commands_on_real_agents_as_written,
    }]
}

const AGENTS: [&str; 2] = ["cc1", "cc2"];
const ANSWER: Duration = Duration::from_secs(90);

/// Runs a cc command and waits for every chosen agent's answer, sorted by
/// the agent's host name.
fn answers(
    lab: &mut Namespace<'_>,
    queued: Result<minimega::runtime::Responses, Error>,
) -> Vec<CcResponse> {
    let id = cc::command_id(&queued.unwrap()).unwrap();
    let mut answers = lab.wait_for_cc_responses(id, ANSWER).unwrap();
    let clients: Vec<cc::CcClient> = lab.cc().clients().run().unwrap().rows_as().unwrap();
    let name = |uuid: &str| {
        clients
            .iter()
            .find(|c| c.uuid == uuid)
            .map(|c| c.hostname.clone())
    };
    answers.sort_by_key(|a| name(&a.uuid));
    answers
}

fn cc_runs_commands_on_real_agents_as_written(tier: &Tier) {
    let Some(image) = std::env::var_os("MINIMEGA_CC_IMAGE").map(PathBuf::from) else {
        println!("  skipped: set MINIMEGA_CC_IMAGE to the folder cc-image.sh wrote");
        return;
    };
    let mut mm = tier.daemon.client();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut lab = mm.in_namespace("rs-cc").unwrap();
        boot_agents(&mut lab, &image);
        check_commands(&mut lab, tier);
    }));
    // Leave the daemon as it was, whatever happened above.
    let mut lab = mm.in_namespace("rs-cc").unwrap();
    let _ = lab.vm().kill("all").run();
    let _ = lab.vm().flush().run();
    drop(lab);
    let _ = mm.clear().namespace("rs-cc").run();
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

fn boot_agents(lab: &mut Namespace<'_>, image: &std::path::Path) {
    let path = |file: &str| image.join(file).to_str().unwrap().to_owned();
    lab.vm().config().cpu("qemu64").run().unwrap();
    lab.vm().config().qemu_append("-accel tcg").run().unwrap();
    lab.vm().config().memory(128).run().unwrap();
    lab.vm().config().kernel(path("cc.kernel")).run().unwrap();
    lab.vm().config().initrd(path("cc.initrd")).run().unwrap();
    for name in AGENTS {
        let append = format!("console=ttyS0 quiet hostname={name}");
        lab.vm().config().append(append.as_str()).run().unwrap();
        lab.vm().launch().kvm(name).run().unwrap();
    }
    lab.vm().start("all").run().unwrap();
    lab.wait_for_cc("all", Duration::from_secs(240)).unwrap();
}

fn check_commands(lab: &mut Namespace<'_>, tier: &Tier) {
    // The headline: one value, as typed at the prompt.
    let queued = lab.cc().exec("uname -a").run();
    let uname = answers(lab, queued);
    assert_eq!(uname.len(), 2, "{uname:?}");
    for answer in &uname {
        assert!(answer.stdout.starts_with("Linux "), "{answer:?}");
        assert_eq!(answer.exit_code, Some(0), "{answer:?}");
    }
    println!("  cc exec \"uname -a\": {}", uname[0].stdout.trim_end());

    // Items given whole keep what is in them.
    let script = r#"printf '%s|' "a  b" '$x' c#d "it's""#;
    let queued = lab.cc().exec(["sh", "-c", script]).run();
    for answer in answers(lab, queued) {
        assert_eq!(answer.stdout, "a  b|$x|c#d|it's|", "{answer:?}");
    }
    // One value with quotes groups as at the prompt.
    let queued = lab.cc().exec(r#"sh -c "echo 'hi there'; exit 3""#).run();
    for answer in answers(lab, queued) {
        assert_eq!(answer.stdout, "hi there\n", "{answer:?}");
        assert_eq!(answer.exit_code, Some(3), "{answer:?}");
    }
    let queued = lab.cc().exec(["sh", "-c", "echo oops >&2; exit 1"]).run();
    for answer in answers(lab, queued) {
        assert_eq!(
            (answer.stderr.as_str(), answer.exit_code),
            ("oops\n", Some(1))
        );
    }

    // A file there and back.
    let files = tier.daemon.files_dir();
    std::fs::create_dir_all(&files).unwrap();
    std::fs::write(files.join("rs-cc-file"), "hello from the host\n").unwrap();
    let queued = lab.cc().send("rs-cc-file").run();
    answers(lab, queued);
    let queued = lab.cc().exec("cat /tmp/miniccc/files/rs-cc-file").run();
    for answer in answers(lab, queued) {
        assert_eq!(answer.stdout, "hello from the host\n", "{answer:?}");
    }
    let queued = lab.cc().recv("/etc/hostname").run();
    let received = answers(lab, queued);
    for (answer, name) in received.iter().zip(AGENTS) {
        assert_eq!(answer.files["/etc/hostname"].trim(), name, "{answer:?}");
    }

    // A filter chooses one agent; background commands answer too.
    lab.cc().filter("hostname=cc1").run().unwrap();
    let queued = lab.cc().exec("hostname").run();
    let one = answers(lab, queued);
    assert_eq!(one.len(), 1, "{one:?}");
    assert_eq!(one[0].stdout.trim(), "cc1");
    lab.clear().cc().filter().run().unwrap();
    // A background command is answered as it starts, with no output kept:
    // the wait ends once both agents have started it.
    let queued = lab
        .cc()
        .background(["sh", "-c", "sleep 1; echo done"])
        .run();
    let background = answers(lab, queued);
    assert!(
        background.iter().all(|a| a.stdout.is_empty()),
        "{background:?}"
    );
    count_values(12);
}
