use std::collections::BTreeSet;

use super::walk::names_read;
use super::{Context, Finding, declare_rule};
use crate::span::Span;
use crate::syntax::ast::*;

/// Words in a name that say it holds a credential.
const CREDENTIAL_WORDS: &[&str] =
    &["password", "passwd", "secret", "token", "api_key", "apikey", "credential", "private_key", "access_key"];

declare_rule! {
    /// ## What it does
    /// Finds `notify` messages that carry something that looks like a credential but is not typed as a secret:
    /// a parameter or `let` whose name says password, token, secret, API key, credential, private or access
    /// key (read directly, or through `let`s), or text that has the shape of an AWS access key id (`AKIA...`)
    /// or a Slack token (`xoxb-...`).
    ///
    /// ## Why is this bad?
    /// A value of type `secret<T>` can never reach a message: the type checker refuses it (E0309). A credential
    /// held in a plain `string` parameter has no such guard, and a message is posted to a channel, kept in the
    /// run's records and shown by dry runs. Read credentials with `secret("name")` and pass them only where an
    /// action takes a secret (`notify`'s `webhook`, `endpoint`, `signing_key`, `smtp`).
    ///
    /// ## Example
    /// ```escher
    /// playbook rotate {
    ///   param api_token: string = "dev-token"
    ///   step tell = notify("#ops", "rotated the key; the new token is ${api_token}")
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```escher
    /// playbook rotate {
    ///   step tell = notify("#ops", "rotated the key; the new token is in the vault")
    /// }
    /// ```
    pub static RULE = {
        id: "L0105",
        name: "credential-in-notify",
        title: "credential in a notify message",
        level: Error,
        check: check,
    };
}

fn check(context: &Context<'_>) -> Vec<Finding> {
    let mut found = Vec::new();
    for step in context.steps() {
        let Some((call, action)) = context.action(step) else { continue };
        if action.name != "notify" {
            continue;
        }
        let Some(message) = context.argument(call, action, "message") else { continue };
        if let Some((span, what)) = credential_in(context, message, &mut BTreeSet::new()) {
            let mut finding = Finding::new(
                span,
                format!("the message of `{}` carries {what}", step.name.name),
                "looks like a credential, and is sent to the channel and kept in the run's records",
                "never put a credential in a message: read it with `secret(\"name\")` and pass it only where an \
                 action takes a secret",
            );
            if message.span != span {
                finding = finding.also(message.span, "the message");
            }
            found.push(finding);
        }
    }
    found
}

/// Where an expression reads a credential-looking name or holds credential-shaped text, and what it is.
fn credential_in<'a>(context: &Context<'a>, expr: &'a Expr, seen: &mut BTreeSet<&'a str>) -> Option<(Span, String)> {
    if let Some(span) = credential_text(expr) {
        return Some((span, "text shaped like an access key or token".to_string()));
    }
    let mut names = Vec::new();
    names_read(expr, &mut names);
    for ident in names {
        if !seen.insert(&ident.name) {
            continue;
        }
        if looks_like_credential(&ident.name) {
            return Some((ident.span, format!("`{}`", ident.name)));
        }
        let Some(member) = context.member(&ident.name) else { continue };
        let value = match member {
            Member::Let(binding) => Some(&binding.value),
            Member::Param(param) => param.default.as_ref(),
            _ => None,
        };
        if let Some((_, what)) = value.and_then(|value| credential_in(context, value, seen)) {
            return Some((ident.span, format!("`{}`, which holds {what}", ident.name)));
        }
    }
    None
}

fn looks_like_credential(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    CREDENTIAL_WORDS.iter().any(|word| name.contains(word))
}

/// The span of a string literal whose text has the shape of an AWS access key id or a Slack token.
fn credential_text(expr: &Expr) -> Option<Span> {
    let ExprKind::Str(parts) = &expr.kind else { return None };
    let shaped = parts.iter().any(|part| match part {
        StrPart::Text(text) => text.split(|c: char| !c.is_ascii_alphanumeric() && c != '-').any(is_key_shaped),
        StrPart::Interp(_) => false,
    });
    shaped.then_some(expr.span)
}

fn is_key_shaped(word: &str) -> bool {
    let aws = (word.starts_with("AKIA") || word.starts_with("ASIA"))
        && word.len() == 20
        && word.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    let slack = ["xoxb-", "xoxp-", "xoxa-", "xoxs-"].iter().any(|prefix| word.starts_with(prefix)) && word.len() > 15;
    aws || slack
}

#[cfg(test)]
mod tests {
    use super::super::tests::findings;
    use super::RULE;

    fn playbook(members: &str, message: &str) -> String {
        format!("playbook p {{\n  {members}\n  step tell = notify(\"#ops\", {message})\n}}\n")
    }

    #[test]
    fn a_credential_named_parameter_in_a_message_is_found_directly_or_through_a_let() {
        let found = findings(&RULE, &playbook("param db_password: string = \"x\"", "\"pw: ${db_password}\""));
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`db_password`"), "{}", found[0].message);
        let through = playbook("param api_token: string = \"x\"\n  let text = \"t=${api_token}\"", "text");
        let found = findings(&RULE, &through);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("`text`, which holds `api_token`"), "{}", found[0].message);
    }

    #[test]
    fn key_shaped_text_is_found() {
        assert_eq!(findings(&RULE, &playbook("", "\"key AKIAIOSFODNN7EXAMPLE leaked\"")).len(), 1);
        assert_eq!(findings(&RULE, &playbook("", "\"xoxb-123456789012-abcdef\"")).len(), 1);
    }

    #[test]
    fn ordinary_messages_and_secrets_passed_as_webhook_are_fine() {
        assert!(findings(&RULE, &playbook("param env: string = \"dev\"", "\"stopped ${env}\"")).is_empty());
        let webhook = "playbook p {\n  step tell = notify(\"#ops\", \"done\", webhook = secret(\"slack_token\"))\n}\n";
        assert!(findings(&RULE, webhook).is_empty());
    }
}
