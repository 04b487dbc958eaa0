//! Reading AI output: a playbook in a `.esc` file, a Markdown fenced block or a JSON response envelope.
