//! The explanation of every policy diagnostic code, for `escher explain`. `docs/policy.md` lists the same codes
//! with the same titles; a test keeps the two in step and checks every code has a fixture.

use escher_compiler::diagnostics::CodeInfo;

/// The long explanation of a policy code, if it exists.
pub fn explain(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|info| info.code.eq_ignore_ascii_case(code))
}

pub static CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "P0101",
        title: "not TOML, or a field the policy does not have (the message names the expected fields)",
        explanation: r#"The policy file is TOML. Either it does not parse, or it has a field the policy does not know.
An unknown field is an error rather than ignored: a misspelt `self_aproval = true` would otherwise leave the
default in force without anyone noticing.

```toml
self_aproval = true
```

Fixed:

```toml
self_approval = true
```"#,
    },
    CodeInfo {
        code: "P0102",
        title: "a risk level that is not low, medium, high or critical (`run_without_approval`, `[approvals.LEVEL]`)",
        explanation: r#"Risk levels are low, medium, high and critical, as the compiler assesses them.

```toml
[roles.executor]
run_without_approval = "moderate"
```

Fixed:

```toml
[roles.executor]
run_without_approval = "medium"
```"#,
    },
    CodeInfo {
        code: "P0103",
        title: "a member's key is not an ed25519 public key (64 hex digits)",
        explanation: r#"A member is named by the public key `escher identity` prints on their machine: 64 hex digits.
Anything else could never match a signature, so the member could never approve.

```toml
members = [{ name = "alice", key = "alice@example.com" }]
```

Fixed: ask alice to run `escher identity` and paste the key it prints."#,
    },
    CodeInfo {
        code: "P0104",
        title: "`from` or `template_publishers` names a role the policy does not define",
        explanation: r#"Approvals and template publication come from roles the policy defines with `[roles.NAME]`.

```toml
[approvals.high]
from = ["managers"]
```

Fixed (the role is `[roles.manager]`):

```toml
[approvals.high]
from = ["manager"]
```"#,
    },
    CodeInfo {
        code: "P0105",
        title: "an approval count that can never be met: zero, or more than the members of the `from` roles",
        explanation: r#"`count` approvals must come from distinct members of the `from` roles. Zero would approve
without anyone; more than the members there are would block every such step forever.

```toml
[roles.manager]
members = [{ name = "alice", key = "..." }]

[approvals.critical]
from = ["manager"]
count = 2
```

Fixed: add a second manager, or ask for one approval."#,
    },
    CodeInfo {
        code: "P0106",
        title: "`approval_validity` is not a duration",
        explanation: r#"A duration is a number and a unit: s, m, h or d.

```toml
approval_validity = "one day"
```

Fixed:

```toml
approval_validity = "24h"
```"#,
    },
    CodeInfo {
        code: "P0107",
        title: "a cloud that is not aws, azure or gcp",
        explanation: r#"A role's scope names the clouds its members may touch: aws, azure and gcp.

```toml
[roles.executor]
clouds = ["amazon"]
```

Fixed:

```toml
[roles.executor]
clouds = ["aws"]
```"#,
    },
    CodeInfo {
        code: "P0108",
        title: "the same key listed twice in one role",
        explanation: r#"One key is one person. Listing it twice in a role, under two names, would let one person's two
signatures count as two approvals toward an M-of-N rule.

```toml
members = [{ name = "alice", key = "1bab..." }, { name = "alice-laptop", key = "1bab..." }]
```

Fixed: list each person once."#,
    },
    CodeInfo {
        code: "P0109",
        title: "`safe_retries` is not a whole number from 0 to 20",
        explanation: r#"`safe_retries` is the retries every query gets on throttling, 5xx answers and timeouts, and every
call gets on throttling, whatever its step's `retry` says (a step's larger `retry` wins). It is a whole number from
0 to 20; left out, the runtime's default (10) applies. More than 20 would keep a run retrying a failing cloud for a
long time; a string, a fraction or a negative number is a mistake.

```toml
safe_retries = "few"
```

Fixed:

```toml
safe_retries = 3
```"#,
    },
];
