//! What the simulated cc agents answer: by default, `hostname` with the
//! VM's hostname, `echo` with its arguments and anything else with no
//! output and exit code 0; a test can program them with
//! [`MockBuilder::cc_agent`](crate::MockBuilder::cc_agent).

use std::sync::Arc;

/// One command a simulated cc agent runs, as [`MockBuilder::cc_agent`]'s
/// closure sees it.
///
/// [`MockBuilder::cc_agent`]: crate::MockBuilder::cc_agent
#[derive(Debug, Clone, Copy)]
pub struct AgentCommand<'a> {
    /// The VM the agent runs in.
    pub vm: &'a str,
    /// The hostname the agent reports (the VM's name, as minimega's images
    /// set it).
    pub hostname: &'a str,
    /// The agent's UUID (the VM's).
    pub uuid: &'a str,
    /// The command's words, as `cc exec` or `cc background` gave them
    /// (without the `stdin=`/`stdout=`/`stderr=` plumbing).
    pub command: &'a [String],
}

/// What a simulated cc agent answers for one command: minimega keeps each
/// non-empty output as a file of the response (`cc responses` shows
/// `stderr` before `stdout`, as it walks the folder) and the exit code for
/// `cc exitcode`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentReply {
    /// What the command wrote on stdout.
    pub stdout: String,
    /// What the command wrote on stderr.
    pub stderr: String,
    /// The command's exit code.
    pub exit_code: i32,
}

impl AgentReply {
    /// Output on stdout, nothing on stderr, exit code 0.
    pub fn stdout(text: impl Into<String>) -> AgentReply {
        AgentReply {
            stdout: text.into(),
            ..AgentReply::default()
        }
    }

    /// The same reply with `text` on stderr.
    pub fn with_stderr(mut self, text: impl Into<String>) -> AgentReply {
        self.stderr = text.into();
        self
    }

    /// The same reply with exit code `code`.
    pub fn with_exit_code(mut self, code: i32) -> AgentReply {
        self.exit_code = code;
        self
    }
}

/// A test's program for the agents: `None` leaves a command to the
/// default behaviour.
pub(crate) type AgentProgram = dyn Fn(&AgentCommand<'_>) -> Option<AgentReply> + Send + Sync;

/// The agents' behaviour: the default, or a test's program first.
#[derive(Clone, Default)]
pub(crate) struct Agents {
    program: Option<Arc<AgentProgram>>,
}

impl std::fmt::Debug for Agents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.program.is_some() {
            "Agents(programmed)"
        } else {
            "Agents(default)"
        })
    }
}

impl Agents {
    pub(crate) fn programmed(program: Arc<AgentProgram>) -> Agents {
        Agents {
            program: Some(program),
        }
    }

    /// What an agent answers for `command`.
    pub(crate) fn run(&self, command: &AgentCommand<'_>) -> AgentReply {
        if let Some(reply) = self.program.as_ref().and_then(|program| program(command)) {
            return reply;
        }
        match command.command.split_first() {
            Some((program, _)) if program == "hostname" => {
                AgentReply::stdout(format!("{}\n", command.hostname))
            }
            Some((program, args)) if program == "echo" => {
                AgentReply::stdout(format!("{}\n", args.join(" ")))
            }
            _ => AgentReply::default(),
        }
    }
}
