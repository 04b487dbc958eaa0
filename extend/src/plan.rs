//! What `escher extend <cloud> --plan` shows: each resource of the Extended Laptop with what would happen to it,
//! Terraform-style (`+` create, `~` change, `-` delete, nothing for unchanged), and a one-line total.

use std::fmt::Write;

/// What happens to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    /// It exists but differs from what Escher wants (drift, or a newer image): it is brought back.
    Update,
    Keep,
    Delete,
}

impl Action {
    fn sign(self) -> char {
        match self {
            Action::Create => '+',
            Action::Update => '~',
            Action::Keep => ' ',
            Action::Delete => '-',
        }
    }
}

/// One resource as the plan shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub action: Action,
    /// `s3 bucket`, `iam role`, …
    pub kind: &'static str,
    pub name: String,
    /// What it is like, in a few words: `versioned, SSE, public access blocked`.
    pub summary: String,
    /// Why it changes (`~`): each difference found.
    pub differences: Vec<String>,
    /// A policy or other document shown beneath it (IAM policies: every permission is listed in the plan).
    pub document: Option<String>,
}

impl Change {
    pub fn new(action: Action, kind: &'static str, name: impl Into<String>, summary: impl Into<String>) -> Change {
        Change { action, kind, name: name.into(), summary: summary.into(), differences: Vec::new(), document: None }
    }

    pub fn with_document(mut self, document: impl Into<String>) -> Change {
        self.document = Some(document.into());
        self
    }

    pub fn with_differences(mut self, differences: Vec<String>) -> Change {
        self.differences = differences;
        self
    }
}

/// The plan's text: one line per resource (its document and differences indented beneath), then the total.
pub fn render(changes: &[Change]) -> String {
    let mut text = String::new();
    for change in changes {
        let summary = if change.summary.is_empty() { String::new() } else { format!(" ({})", change.summary) };
        let _ = writeln!(text, "{} {} {}{summary}", change.action.sign(), change.kind, change.name);
        for difference in &change.differences {
            let _ = writeln!(text, "      {difference}");
        }
        if change.action != Action::Keep
            && let Some(document) = &change.document
        {
            for line in document.lines() {
                let _ = writeln!(text, "      {line}");
            }
        }
    }
    text.push_str(&total(changes));
    text.push('\n');
    text
}

/// `Plan: 9 to create, 1 to change, 2 unchanged, 0 to delete.`
pub fn total(changes: &[Change]) -> String {
    let count = |action| changes.iter().filter(|change| change.action == action).count();
    format!(
        "Plan: {} to create, {} to change, {} unchanged, {} to delete.",
        count(Action::Create),
        count(Action::Update),
        count(Action::Keep),
        count(Action::Delete)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_action_has_its_sign_and_the_total_counts_them() {
        let changes = [
            Change::new(Action::Create, "s3 bucket", "escher-lab-state", "versioned, SSE"),
            Change::new(Action::Update, "iam role", "escher-lab-task", "")
                .with_differences(vec!["inline policy differs".into()])
                .with_document("{\n  \"Version\": \"2012-10-17\"\n}"),
            Change::new(Action::Keep, "ecs cluster", "escher-lab", "").with_document("hidden when unchanged"),
            Change::new(Action::Delete, "scheduler schedule", "nightly", ""),
        ];
        assert_eq!(
            render(&changes),
            "+ s3 bucket escher-lab-state (versioned, SSE)
~ iam role escher-lab-task
      inline policy differs
      {
        \"Version\": \"2012-10-17\"
      }
  ecs cluster escher-lab
- scheduler schedule nightly
Plan: 1 to create, 1 to change, 1 unchanged, 1 to delete.
"
        );
    }
}
