//! What the model is told: the language (a short guide and one example that compiles), the stdlib (the
//! catalog's prompt form, narrowed to the clouds asked for) and the estate (anonymized), and how to answer.

/// How the model is to answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerForm {
    /// The playbook alone (with a grammar constraint, nothing else can be written).
    Playbook,
    /// The JSON response envelope, `{"response_type": "execution", "playbook": ...}`.
    Envelope,
}

/// One playbook in the language, shown to the model; `tests` check that it compiles.
pub const EXAMPLE: &str = r##"/// Stops the running dev VMs of one AWS region on weekday evenings.
playbook stop_dev_vms {
  schedule cron("0 20 * * MON-FRI", tz = "Europe/Dublin")

  /// The region to look in.
  param region: aws.region = "eu-west-1"

  /// Running EC2 instances tagged env=dev.
  let vms = aws.ec2.instances(regions = [region], tags = { env: "dev" }, state = "running")

  /// Stops them; they keep their disks and can be started again.
  step stop = aws.ec2.stop(vms) { max_targets = 20, timeout = 10m }

  /// Tells the team what was stopped.
  step tell after (stop) = notify(channel = "#ops", message = "stopped ${stop.changed} VMs")
}
"##;

const GUIDE: &str = "You write playbooks in Escher, a typed language for cloud operations on AWS, Azure and GCP. \
A playbook has params (typed inputs with defaults), lets (queries that find resources), steps (actions on \
what the queries found, with options such as max_targets and timeout in braces) and an optional schedule. \
Steps run in parallel unless `after (other_step)` orders them. Call only the actions and queries listed below, \
with their parameter names. Strings are in double quotes, `${expr}` interpolates, durations are written 10m, \
2h, 7d. `///` documents the item below it.";

/// The system prompt.
pub fn system_prompt(catalog: &str, context: &str, form: AnswerForm) -> String {
    let answer = match form {
        AnswerForm::Playbook => "Answer with one playbook and nothing else: no Markdown, no explanation.",
        AnswerForm::Envelope => {
            "Answer with one JSON object: {\"response_type\": \"execution\", \"risk_level\": \"low|medium|high|critical\", \
             \"requires_approval\": true|false, \"explanation\": \"one sentence\", \"playbook\": \"the playbook\"}."
        }
    };
    format!(
        "{GUIDE}\n\nAn example:\n\n{EXAMPLE}\n{catalog}\n# The estate\nIdentifiers below are pseudonyms \
         (id-..., name-..., acct-..., ip-..., tag-...): write them as they are, they are mapped back before the \
         playbook runs.\n{context}\n{answer}\n"
    )
}
