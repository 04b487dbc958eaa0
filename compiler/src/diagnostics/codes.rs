//! The table of every diagnostic code: its one-line title and its long explanation for `escher explain`.
//!
//! Each explanation says what the code means, shows a small example that causes it and the corrected example,
//! and says why the rule exists. `docs/diagnostics.md` holds the table of titles; a test keeps the two in step
//! and checks that every code the compiler can report is here.

use super::Severity;

/// One diagnostic code.
#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    pub code: &'static str,
    pub title: &'static str,
    pub explanation: &'static str,
}

impl CodeInfo {
    /// `W` codes are warnings; every other code is an error.
    pub fn level(&self) -> Severity {
        if self.code.starts_with('W') { Severity::Warning } else { Severity::Error }
    }
}

/// The long explanation of a code, if it exists.
pub fn explain(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|info| info.code.eq_ignore_ascii_case(code))
}

pub static CODES: &[CodeInfo] = &[
    // ---- E01xx: syntax ------------------------------------------------------------------------------------
    CodeInfo {
        code: "E0101",
        title: "unexpected token",
        explanation: r##"The parser found something other than what the grammar allows at this point. The message says
what it expected, such as an expression after `=`.

```escher
step stop = aws.ec2.stop(ec2) { retry = }
```

Complete or remove the broken part:

```escher
step stop = aws.ec2.stop(ec2) { retry = 3 }
```

The parser skips to the next member after such an error, so the other mistakes in the file are reported in
the same run."##,
    },
    CodeInfo {
        code: "E0102",
        title: "unterminated string",
        explanation: r##"A string literal has no closing `"` on its line. Strings cannot span lines.

```escher
step hello = report.summary("Stopped the dev machines)
```

Close the string on the line it starts on; write `\n` for a line break inside it:

```escher
step hello = report.summary("Stopped the dev machines")
```

Keeping strings on one line means a missing quote is found where it happened, not at the next quote far below."##,
    },
    CodeInfo {
        code: "E0103",
        title: "unknown escape in a string",
        explanation: r##"A backslash in a string starts an escape, and this one is not among `\"`, `\\`, `\n`, `\t`,
`\r` and `\$`.

```escher
step hello = report.summary("C:\qa is clean")
```

Double the backslash to write one:

```escher
step hello = report.summary("C:\\qa is clean")
```

Unknown escapes are refused rather than kept as written, so text always means the same to every reader."##,
    },
    CodeInfo {
        code: "E0104",
        title: "integer out of range",
        explanation: r##"An integer literal does not fit in a signed 64-bit integer (from -9223372036854775808 to
9223372036854775807).

```escher
param max_vms: int = 99999999999999999999
```

Use a number in range:

```escher
param max_vms: int = 200
```

Plans store numbers exactly; a value that cannot be stored is refused instead of being silently rounded."##,
    },
    CodeInfo {
        code: "E0105",
        title: "step is not a call",
        explanation: r##"The body of a step must call an action, an imported playbook, a fan-out `for x in xs: ...` or a
`script(...)`. A plain value does nothing.

```escher
step stop = ec2
```

Call the action that should run:

```escher
step stop = aws.ec2.stop(ec2) { max_targets = 5 }
```

Steps are the only place where the world changes, so each one must say which action it runs."##,
    },
    CodeInfo {
        code: "E0106",
        title: "unclosed bracket",
        explanation: r##"A `{`, `(` or `[` is opened and never closed before the end of the file.

```escher
playbook stop_dev {
  step stop = aws.ec2.stop(ec2) { max_targets = 5 }
```

Add the matching closing bracket:

```escher
playbook stop_dev {
  step stop = aws.ec2.stop(ec2) { max_targets = 5 }
}
```

Pointing at the opening bracket says where the unclosed construct starts, which the end of the file cannot."##,
    },
    CodeInfo {
        code: "E0107",
        title: "brackets nested too deep",
        explanation: r##"Brackets nest more than 64 levels deep.

```escher
let nested = [[[[[[ ... 65 levels ... ]]]]]]
```

Split the value into `let` bindings:

```escher
let inner = [[1, 2], [3, 4]]
let outer = [inner, inner]
```

The limit keeps the compiler's memory and stack bounded whatever text it is given, including text from a model."##,
    },
    CodeInfo {
        code: "E0108",
        title: "duration out of range",
        explanation: r##"A duration literal is longer than a 64-bit count of milliseconds can hold (about 584 million
years).

```escher
step nap = wait(99999999999999999w)
```

Use a realistic duration:

```escher
step nap = wait(2w)
```

Durations are stored exactly in the plan; one that overflows is refused instead of wrapping around."##,
    },
    CodeInfo {
        code: "E0109",
        title: "only a dotted name can be called",
        explanation: r##"Something other than a name is followed by `(...)`. Only queries, actions, functions and
imported playbooks, named by a plain or dotted name, can be called.

```escher
let greeting = "hello"("world")
```

Call a function by its name, or write the value itself:

```escher
let greeting = "hello world"
```

Playbooks have no values that are functions, so a call of anything but a name is always a mistake."##,
    },
    CodeInfo {
        code: "E0110",
        title: "expression too large",
        explanation: r##"One expression holds more than 200 operators, field accesses or nested expressions, counted
along any path from its top to its deepest part.

```escher
let all = a ++ b ++ c ++ ... // hundreds more
```

Split it into named parts:

```escher
let first = a ++ b ++ c
let all = first ++ rest
```

Every pass of the compiler walks expressions recursively; the limit keeps any input, however it was produced,
from exhausting the stack, and no playbook a person writes comes near it."##,
    },
    // ---- E02xx: names -------------------------------------------------------------------------------------
    CodeInfo {
        code: "E0201",
        title: "unknown name",
        explanation: r##"A name in an expression is not a parameter, `let` or step of the playbook, nor a variable bound
by an enclosing `for`.

```escher
param regions: list<aws.region> = ["us-east-1"]
let ec2 = aws.ec2.instances(regions = regoins)
```

Use a declared name; the help suggests the closest one:

```escher
let ec2 = aws.ec2.instances(regions = regions)
```

The world of a playbook is closed: a misspelt name is found when checking, never during a run."##,
    },
    CodeInfo {
        code: "E0202",
        title: "unknown query, action or function",
        explanation: r##"A called name is not a query or action of the stdlib, a built-in function (`len`, `secret`,
`datetime`) or an imported playbook.

```escher
let ec2 = aws.ec2.instanses(tags = {env: "dev"})
```

Call a name the stdlib declares (see `stdlib/declarations/`):

```escher
let ec2 = aws.ec2.instances(tags = {env: "dev"})
```

Only declared actions have a known effect, undo and risk; an unknown one could not be checked."##,
    },
    CodeInfo {
        code: "E0203",
        title: "`after` names an unknown step",
        explanation: r##"A name in a step's `after (...)` list is not a step, query or imported playbook call of this
playbook.

```escher
step stop = aws.ec2.stop(ec2) { max_targets = 5 }
step report after (stpo) = report.table("Stopped", stop.changed)
```

Name an existing step:

```escher
step report after (stop) = report.table("Stopped", stop.changed)
```

An ordering that names nothing would silently order nothing."##,
    },
    CodeInfo {
        code: "E0204",
        title: "name defined twice",
        explanation: r##"Two parameters, lets or steps have the same name. They share one namespace.

```escher
let ec2 = aws.ec2.instances(tags = {env: "dev"})
let ec2 = aws.ec2.instances(tags = {env: "test"})
```

Give each its own name:

```escher
let dev = aws.ec2.instances(tags = {env: "dev"})
let test = aws.ec2.instances(tags = {env: "test"})
```

Every name is visible in the whole playbook, before and after its declaration, so each must mean one thing."##,
    },
    CodeInfo {
        code: "E0205",
        title: "unknown type",
        explanation: r##"A type name is neither built in (`string`, `int`, `list`, ...) nor an enum, resource or
interface declared by the stdlib.

```escher
param regions: list<aws.regoin> = ["us-east-1"]
```

Use a declared type:

```escher
param regions: list<aws.region> = ["us-east-1"]
```

Types decide which values and actions fit together; an unknown one could check nothing."##,
    },
    CodeInfo {
        code: "E0206",
        title: "wrong number of type arguments",
        explanation: r##"A type is given more or fewer type arguments than it takes: `list`, `optional` and `secret` take
one, `map` takes two, plain types take none.

```escher
param sizes: list<string, int> = []
```

Give the arguments the type takes:

```escher
param sizes: list<string> = []
```

A type with missing or extra arguments has no single meaning to check values against."##,
    },
    CodeInfo {
        code: "E0207",
        title: "map key is not `string`",
        explanation: r##"A map type has a key type other than `string`.

```escher
param names: map<int, string> = {}
```

Map keys are always strings:

```escher
param names: map<string, string> = {}
```

Maps hold tags, labels and JSON objects, whose keys are text in every cloud."##,
    },
    CodeInfo {
        code: "E0208",
        title: "import cannot be loaded",
        explanation: r##"The file named by a `use` could not be read. The path is relative to the importing file.

```escher
use "../lib/notify_tema.esc" as notify_team
```

Name a file that exists:

```escher
use "../lib/notify_team.esc" as notify_team
```

A playbook is checked with everything it calls; a missing import would leave a step unchecked."##,
    },
    CodeInfo {
        code: "E0209",
        title: "import cycle",
        explanation: r##"A file imports itself, directly or through other files. The message shows the chain.

```escher
// a.esc
use "b.esc" as b
// b.esc
use "a.esc" as a
```

Move what both need into a third file that imports neither, and import it from both.

A call of an imported playbook expands its steps into the plan; a cycle would expand forever."##,
    },
    CodeInfo {
        code: "E0210",
        title: "a value is called",
        explanation: r##"A parameter, let or step is used as if it were a function.

```escher
param channel: string = "#ops"
step tell = notify(channel(), message = "hello")
```

Use the value without the call:

```escher
step tell = notify(channel, message = "hello")
```

Only queries, actions, functions and imported playbooks can be called; values are data."##,
    },
    CodeInfo {
        code: "E0211",
        title: "two imports share a name",
        explanation: r##"Two `use` lines give their playbooks the same local name, either with `as` or through the names
the files declare.

```escher
use "lib/notify_team.esc" as tell
use "lib/page_oncall.esc" as tell
```

Give each import its own name:

```escher
use "lib/notify_team.esc" as tell
use "lib/page_oncall.esc" as page
```

A step calls an import by its name, so each name must lead to one playbook."##,
    },
    // ---- E03xx: types -------------------------------------------------------------------------------------
    CodeInfo {
        code: "E0301",
        title: "mismatched types",
        explanation: r##"A value's type is not assignable to the type wanted where it is used: an argument, a default, an
annotated `let` or an option.

```escher
param max_vms: int = "ten"
```

Give a value of the wanted type:

```escher
param max_vms: int = 10
```

Nothing converts implicitly (a string never becomes an int, an int never a duration), so a value means what
it says. An outcome is not a list either: pass `stop.changed`, not `stop`."##,
    },
    CodeInfo {
        code: "E0302",
        title: "unknown field",
        explanation: r##"A field is read that the value's type does not have.

```escher
step report = report.table("Stopped", stop.chagned)
```

Read a field the type declares; an outcome has `targets`, `changed`, `unchanged` and `failed`:

```escher
step report = report.table("Stopped", stop.changed)
```

Fields are checked against the stdlib's declarations, so a typo cannot turn into an empty value at run time."##,
    },
    CodeInfo {
        code: "E0303",
        title: "unknown argument",
        explanation: r##"A named argument is not a parameter of the called query, action or playbook.

```escher
let ec2 = aws.ec2.instances(region = ["us-east-1"])
```

Use the parameter's declared name:

```escher
let ec2 = aws.ec2.instances(regions = ["us-east-1"])
```

An ignored argument could widen what a step touches; unknown arguments are errors, never dropped."##,
    },
    CodeInfo {
        code: "E0304",
        title: "missing argument",
        explanation: r##"A call leaves out a parameter that has no default and is not optional.

```escher
step resize = aws.ec2.resize(ec2) { max_targets = 5 }
```

Pass it:

```escher
step resize = aws.ec2.resize(ec2, instance_type = "t3.large") { max_targets = 5 }
```

Required arguments are what an action cannot guess; the plan must hold every value it runs with."##,
    },
    CodeInfo {
        code: "E0305",
        title: "argument given twice",
        explanation: r##"The same parameter is given twice: twice by name, or by position and by name.

```escher
let ec2 = aws.ec2.instances(tags = {env: "dev"}, tags = {team: "web"})
```

Give it once:

```escher
let ec2 = aws.ec2.instances(tags = {env: "dev", team: "web"})
```

With two values, which one counts would be a guess; the compiler does not guess."##,
    },
    CodeInfo {
        code: "E0306",
        title: "too many positional arguments",
        explanation: r##"A call passes more arguments by position than the callee has parameters.

```escher
step stop = aws.ec2.stop(ec2, "now")
```

Remove the extra argument, or name it if it belongs to a parameter:

```escher
step stop = aws.ec2.stop(ec2)
```

Every argument must land on a declared parameter, where its type is checked."##,
    },
    CodeInfo {
        code: "E0307",
        title: "not a value of the enum",
        explanation: r##"A string literal is used where an enum is wanted (`aws.region`, `gcp.zone`, ...) and is not
one of its values.

```escher
let ec2 = aws.ec2.instances(regions = ["us-east-7"])
```

Use one of the enum's values:

```escher
let ec2 = aws.ec2.instances(regions = ["us-east-1"])
```

A region or zone that does not exist would make a query find nothing and report success."##,
    },
    CodeInfo {
        code: "E0308",
        title: "operator on the wrong types",
        explanation: r##"An operator is applied to types it does not take: `++` joins two strings or two lists,
`and`/`or` take bools, `<` compares values of one ordered type.

```escher
step report = report.summary("Machines: " ++ len(ec2))
```

Interpolate values into strings instead:

```escher
step report = report.summary("Machines: ${len(ec2)}")
```

There is no implicit conversion, so an expression's type is always plain from its operands."##,
    },
    CodeInfo {
        code: "E0309",
        title: "secret used where it could leak",
        explanation: r##"A `secret(...)` value is interpolated, compared, concatenated, reported, given to a script or
passed where a plain value is wanted.

```escher
step tell = notify(channel = "#ops", message = "token ${secret("slack-webhook")}")
```

Pass the secret only straight to an action parameter that takes a secret, which receives the value at the
last moment:

```escher
step tell = notify(channel = "#ops", message = "deployed", webhook = secret("slack-webhook"))
```

Secrets must never appear in logs, plans, reports or anything sent to the AI server."##,
    },
    CodeInfo {
        code: "E0310",
        title: "default outside its constraint",
        explanation: r##"A parameter's default does not satisfy the parameter's own constraint.

```escher
param max_vms: int in 1..=200 = 500
```

Change the default or widen the constraint:

```escher
param max_vms: int in 1..=200 = 50
```

Scheduled runs use the defaults; a default the playbook itself forbids would fail every scheduled run."##,
    },
    CodeInfo {
        code: "E0311",
        title: "constraint does not fit the parameter's type",
        explanation: r##"A constraint is given to a type it cannot apply to: ranges apply to `int`, `float` and
`duration`, `matches` to `string`, `in [...]` lists values of the parameter's type.

```escher
param env: string in 1..=10 = "dev"
```

Use a constraint of the parameter's kind:

```escher
param env: string in ["dev", "test"] = "dev"
```

A constraint that can never be evaluated would give a false sense of a bound."##,
    },
    CodeInfo {
        code: "E0312",
        title: "invalid regular expression",
        explanation: r##"The pattern of a `matches` constraint is not a valid regular expression (Rust `regex` syntax,
as RE2: no look-around, no back-references).

```escher
param env: string matches "^(dev|test$" = "dev"
```

Fix the pattern:

```escher
param env: string matches "^(dev|test)$" = "dev"
```

Patterns are checked when the playbook is written, so a value is never rejected by a broken pattern later."##,
    },
    CodeInfo {
        code: "E0313",
        title: "script does not compile",
        explanation: r##"The body of a `script` step is not valid rhai, or reads a variable that is not one of its named
inputs. The error points at the place in the playbook.

```escher
step total = script(instances = ec2) -> int {
  let n = ;
  n
}
```

Write valid rhai that reads only its inputs:

```escher
step total = script(instances = ec2) -> int { instances.len() }
```

Scripts are checked with the playbook so a broken one is found before the steps before it have run."##,
    },
    CodeInfo {
        code: "E0314",
        title: "invalid step option value",
        explanation: r##"A step option has a value it does not accept: `retry` is 0 to 10, `max_targets` and
`concurrency` at least 1, `on_failure` is `abort`, `continue` or `rollback`, `approve` a bare role name,
`irreversible` a literal `true` or `false`.

```escher
step stop = aws.ec2.stop(ec2) { retry = 11 }
```

Give a value in range:

```escher
step stop = aws.ec2.stop(ec2) { retry = 3 }
```

Options bound what a step may do, so their values must be sound before anything runs."##,
    },
    CodeInfo {
        code: "E0315",
        title: "invalid cron expression",
        explanation: r##"A schedule's cron expression does not parse. It has five fields: minute, hour, day of month,
month, day of week.

```escher
schedule cron("0 25 * * MON-FRI")
```

Keep each field in range (hours are 0 to 23):

```escher
schedule cron("0 20 * * MON-FRI")
```

A schedule that never fires, or fires at an unintended time, is found when the playbook is written."##,
    },
    CodeInfo {
        code: "E0316",
        title: "unknown time zone",
        explanation: r##"A schedule's `tz` is not an IANA time zone name.

```escher
schedule cron("0 20 * * MON-FRI", tz = "Europe/Londn")
```

Use a name from the IANA database:

```escher
schedule cron("0 20 * * MON-FRI", tz = "Europe/London")
```

Zone names carry daylight-saving rules; an abbreviation or a typo would run at the wrong hour."##,
    },
    CodeInfo {
        code: "E0317",
        title: "parameter declared as a secret",
        explanation: r##"A parameter has a `secret<...>` type.

```escher
param token: secret<string>
```

Remove the parameter and read the secret by name where an action takes it; the plan then holds only the name:

```escher
step tell = notify(channel = "#ops", message = "done", webhook = secret("webhook-token"))
```

Parameter values are stored in plans and approvals; secrets must never be."##,
    },
    CodeInfo {
        code: "E0318",
        title: "query run as a step",
        explanation: r##"A step's body calls a query. Queries only read and are bound with `let`.

```escher
step ec2 = aws.ec2.instances(tags = {env: "dev"})
```

Bind the query with `let`:

```escher
let ec2 = aws.ec2.instances(tags = {env: "dev"})
```

Keeping reads in `let`s and changes in steps makes every step in a playbook something that acts."##,
    },
    CodeInfo {
        code: "E0319",
        title: "action called in an expression",
        explanation: r##"An action is called inside a `let` or another expression. Actions run only as steps.

```escher
let stopped = aws.ec2.stop(ec2)
```

Run it as a step:

```escher
step stopped = aws.ec2.stop(ec2) { max_targets = 5 }
```

Every change to the world must be a step, with its risk computed and its options and approvals in view."##,
    },
    CodeInfo {
        code: "E0320",
        title: "invalid date and time",
        explanation: r##"The text given to `datetime(...)` is not an RFC 3339 date and time.

```escher
let cutoff = datetime("2026-13-01T00:00:00Z")
```

Write a valid instant with its offset:

```escher
let cutoff = datetime("2026-12-01T00:00:00Z")
```

An instant without an offset, or an impossible date, would be read differently on different machines."##,
    },
    CodeInfo {
        code: "E0321",
        title: "`let` depends on itself",
        explanation: r##"A `let` uses its own value, directly or through other lets.

```escher
let a = [x for x in b]
let b = [y for y in a]
```

Start the chain from a query, a parameter or a literal:

```escher
let a = aws.ec2.volumes(attached = false)
let b = [v for v in a if v.size_gb > 100]
```

A value defined by itself has no value to compute."##,
    },
    CodeInfo {
        code: "E0322",
        title: "unknown step option",
        explanation: r##"A step's options block names an option that does not exist. The options are `when`, `retry`,
`timeout`, `max_targets`, `max_errors`, `concurrency`, `on_failure`, `approve`, `irreversible` and `after`.

```escher
step stop = aws.ec2.stop(ec2) { max_target = 5 }
```

Use an existing option:

```escher
step stop = aws.ec2.stop(ec2) { max_targets = 5 }
```

A misspelt bound that was ignored would leave the step unbounded."##,
    },
    CodeInfo {
        code: "E0323",
        title: "step option given twice",
        explanation: r##"The same option appears twice in one step's options.

```escher
step stop = aws.ec2.stop(ec2) { retry = 2, retry = 3 }
```

Give it once:

```escher
step stop = aws.ec2.stop(ec2) { retry = 3 }
```

With two values, which one counts would be a guess."##,
    },
    CodeInfo {
        code: "E0324",
        title: "query inside an expression",
        explanation: r##"A query is called inside a larger expression or a step's arguments. A query can only be the
whole value of a `let`.

```escher
let count = len(aws.ec2.instances(tags = {env: "dev"}))
```

Bind the query first, then use it:

```escher
let dev = aws.ec2.instances(tags = {env: "dev"})
let count = len(dev)
```

Each query is a node of the plan that runs once and that steps depend on; a hidden query would be neither."##,
    },
    CodeInfo {
        code: "E0325",
        title: "value must be a literal",
        explanation: r##"A value that must be fixed when the playbook is written is computed: the name given to
`secret(...)`, a schedule's expression and time zone, a range bound of a parameter.

```escher
param when: string = "0 20 * * MON-FRI"
schedule cron(when)
```

Write the literal:

```escher
schedule cron("0 20 * * MON-FRI")
```

These values are checked and reviewed as written; a computed one could not be."##,
    },
    CodeInfo {
        code: "E0326",
        title: "unknown schedule kind",
        explanation: r##"A schedule uses a kind other than `cron`.

```escher
schedule every("1d")
```

Write the schedule as a cron expression:

```escher
schedule cron("0 6 * * *", tz = "UTC")
```

One kind of schedule keeps what the scheduler runs, and when, plain to read."##,
    },
    CodeInfo {
        code: "E0327",
        title: "more than one schedule",
        explanation: r##"A playbook has two `schedule` members.

```escher
schedule cron("0 20 * * MON-FRI")
schedule cron("0 8 * * SAT")
```

Keep one in the playbook and add the others with `escher schedule add`:

```escher
schedule cron("0 20 * * MON-FRI")
```

The plan records one schedule; the scheduler's own list holds the rest."##,
    },
    CodeInfo {
        code: "E0328",
        title: "imported playbook called in an expression",
        explanation: r##"An imported playbook is called inside a `let` or another expression. It runs only as a step.

```escher
let told = notify_team(channel = "#ops", message = "done")
```

Call it as a step:

```escher
step told = notify_team(channel = "#ops", message = "done")
```

An imported playbook runs actions, and every action must be a step of the plan."##,
    },
    CodeInfo {
        code: "E0329",
        title: "function used as a step",
        explanation: r##"A step's body calls a built-in function (`len`, `secret`, `datetime`). Functions compute
values; steps run actions.

```escher
step count = len(ec2)
```

Use the function in an expression, such as a `let` or an argument:

```escher
let count = len(ec2)
```

A step that only computes a value has no action to run, approve or undo."##,
    },
    CodeInfo {
        code: "E0330",
        title: "unnamed script input",
        explanation: r##"A `script(...)` input is given by position. Each input must be named; the name is the rhai
variable the script reads.

```escher
step count = script(ec2) -> int { 1 }
```

Name every input:

```escher
step count = script(instances = ec2) -> int { instances.len() }
```

Scripts see only the variables they are given, so each needs a name."##,
    },
    // ---- E04xx: risk and policy ---------------------------------------------------------------------------
    CodeInfo {
        code: "E0401",
        title: "destroy without a backup",
        explanation: r##"A step with the `destroy` effect has no backup step before it in the plan and no
`irreversible = true` acknowledgement.

```escher
step delete = aws.ec2.delete_volumes(old) { max_targets = 10 }
```

Back the targets up first and destroy what was backed up, or acknowledge the loss:

```escher
step backup = aws.ec2.create_snapshots(old) { max_targets = 10 }
step delete = aws.ec2.delete_volumes(backup.changed) { max_targets = 10 }
```

What a destroy removes cannot be brought back; either a copy exists or someone said in writing that it is lost."##,
    },
    CodeInfo {
        code: "E0402",
        title: "destroy with unbounded targets",
        explanation: r##"A destroy's targets come from a query or another step, and no `max_targets` bounds them.

```escher
step delete = aws.ec2.delete_volumes(old) { irreversible = true }
```

Bound the step, or pass a literal list of targets:

```escher
step delete = aws.ec2.delete_volumes(old) { irreversible = true, max_targets = 10 }
```

A query can return far more than expected; a bound makes the run fail before it destroys more than planned."##,
    },
    CodeInfo {
        code: "E0403",
        title: "critical step not acknowledged",
        explanation: r##"A step's computed risk is critical and it does not carry `irreversible = true`. The label lists
what made it critical.

```escher
let prod = compute.instances(tags = {env: "prod"})
step stop = compute.stop(prod) { max_targets = 50 }
```

Acknowledge it, or lower the risk by bounding the targets or splitting the step by cloud:

```escher
step stop = compute.stop(prod) { max_targets = 50, irreversible = true }
```

The policy asks the author of a critical step to say so, and shows that to the approver."##,
    },
    CodeInfo {
        code: "E0404",
        title: "unknown approver role",
        explanation: r##"`approve = ROLE` names a role the policy does not have. The default policy has `executor` and
`manager`.

```escher
step stop = aws.ec2.stop(ec2) { approve = manger, max_targets = 5 }
```

Name a role of the policy:

```escher
step stop = aws.ec2.stop(ec2) { approve = manager, max_targets = 5 }
```

An approval no one can give would block the run; an approval by a made-up role would prove nothing."##,
    },
    // ---- E05xx: the DAG -----------------------------------------------------------------------------------
    CodeInfo {
        code: "E0501",
        title: "steps wait for each other",
        explanation: r##"Steps depend on each other in a cycle, through the data they read and their `after` lists. The
message names the steps in order.

```escher
step stop after (report) = aws.ec2.stop(ec2)
step report = report.table("Stopped", stop.changed)
```

Remove one dependency of the cycle:

```escher
step stop = aws.ec2.stop(ec2)
step report = report.table("Stopped", stop.changed)
```

A step runs when everything it waits for is done; in a cycle nothing is ever done first."##,
    },
    CodeInfo {
        code: "E0502",
        title: "plan edge to an unknown node (internal)",
        explanation: r##"The compiler made a plan edge that names a node the plan does not have. No playbook should cause
this: it is a bug in the compiler.

Please report it with the playbook and the command that showed it. Until it is fixed, renaming or
reordering the steps near the one the error points at may avoid it.

The DAG pass checks every edge rather than trusting the passes before it, so such a bug stops the plan
instead of producing one that runs steps in the wrong order."##,
    },
    // ---- E06xx: stdlib declarations -----------------------------------------------------------------------
    CodeInfo {
        code: "E0601",
        title: "unknown type in a declaration",
        explanation: r##"A stdlib declaration uses a type that is neither built in nor declared by any declaration file.

```escher
query aws.ec2.instances() -> list<aws.ec2.Instanse> { rate = "ec2.describe" }
```

Use a declared type:

```escher
query aws.ec2.instances() -> list<aws.ec2.Instance> { rate = "ec2.describe" }
```

The declarations are the compiler's whole knowledge of the clouds; each name in them must resolve."##,
    },
    CodeInfo {
        code: "E0602",
        title: "wrong number of type arguments in a declaration",
        explanation: r##"A type in a declaration has too many or too few type arguments.

```escher
query aws.s3.bucket_names() -> list { rate = "s3.read" }
```

Give the arguments the type takes:

```escher
query aws.s3.bucket_names() -> list<string> { rate = "s3.read" }
```

A list of unknown elements could not check the playbooks that use it."##,
    },
    CodeInfo {
        code: "E0603",
        title: "map key is not `string` in a declaration",
        explanation: r##"A map type in a declaration has a key type other than `string`.

```escher
query security.port_counts() -> map<int, string> { rate = "dispatch" }
```

Key the map by strings:

```escher
query security.port_counts() -> map<string, int> { rate = "dispatch" }
```

Map keys are strings everywhere in the language, in playbooks and declarations alike."##,
    },
    CodeInfo {
        code: "E0604",
        title: "name declared twice in the stdlib",
        explanation: r##"Two declarations, in one file or in two, declare the same name. Types, queries and actions share
one namespace.

```escher
enum aws.region { "us-east-1", "eu-west-1" }
enum aws.region { "us-west-2" }
```

Keep one declaration:

```escher
enum aws.region { "us-east-1", "eu-west-1", "us-west-2" }
```

A name in a playbook must lead to exactly one declaration."##,
    },
    CodeInfo {
        code: "E0605",
        title: "member declared twice",
        explanation: r##"A field, parameter or enum value appears twice in one declaration.

```escher
interface compute.Disk { id: string, size_gb: int, id: string }
```

Remove the repetition:

```escher
interface compute.Disk { id: string, size_gb: int }
```

Each member must have one type, so that every use of it checks the same way."##,
    },
    CodeInfo {
        code: "E0606",
        title: "unknown declaration attribute",
        explanation: r##"A query or action has an attribute the loader does not know. The attributes are `effect`,
`undo`, `batch`, `rate`, `dry_run`, `targets` and `backup`.

```escher
action fail(message: string) -> {message: string} { effect = read, dry_rn = native }
```

Spell the attribute as declared:

```escher
action fail(message: string) -> {message: string} { effect = read, dry_run = native }
```

An ignored attribute would leave the action without the property it was meant to state."##,
    },
    CodeInfo {
        code: "E0607",
        title: "invalid declaration attribute value",
        explanation: r##"An attribute has a value it does not accept, such as an effect other than `read`, `mutate`,
`disrupt` or `destroy`, or a batch of zero.

```escher
action aws.ec2.terminate(instances: list<aws.ec2.Instance>) -> outcome<aws.ec2.Instance> {
    effect = destory, rate = "ec2.mutating", dry_run = native, targets = instances
}
```

Use an accepted value:

```escher
    effect = destroy, rate = "ec2.mutating", dry_run = native, targets = instances
```

Risk is computed from these values; a wrong one would misjudge every step that uses the action."##,
    },
    CodeInfo {
        code: "E0608",
        title: "action attribute on a query",
        explanation: r##"A query declares an attribute that only actions have, such as `undo`, `targets` or `backup`.

```escher
query aws.ec2.instances() -> list<aws.ec2.Instance> { rate = "ec2.describe", undo = aws.ec2.start }
```

Remove it:

```escher
query aws.ec2.instances() -> list<aws.ec2.Instance> { rate = "ec2.describe" }
```

Queries only read; nothing they do needs undoing or bounding."##,
    },
    CodeInfo {
        code: "E0609",
        title: "action without an effect",
        explanation: r##"An action does not declare its `effect`.

```escher
action notify(channel: string, message: string) -> {channel: string} { dry_run = simulated }
```

State what it does to the world:

```escher
action notify(channel: string, message: string) -> {channel: string} { effect = read, dry_run = simulated }
```

The effect is the base of every risk computation; it is never assumed."##,
    },
    CodeInfo {
        code: "E0610",
        title: "changing action without a dry-run mode",
        explanation: r##"An action that changes the world does not say how a dry run treats it.

```escher
action aws.ec2.tag(instances: list<aws.ec2.Instance>, tags: map<string, string>) -> outcome<aws.ec2.Instance> {
    effect = mutate, rate = "ec2.mutating", targets = instances
}
```

Add `dry_run = native`, `simulated` or `unsupported`:

```escher
    effect = mutate, rate = "ec2.mutating", dry_run = native, targets = instances
```

A dry run never calls a mutating API; where it cannot simulate an action it must say so rather than pretend."##,
    },
    CodeInfo {
        code: "E0611",
        title: "cloud call without a rate-limit class",
        explanation: r##"A query or action of a cloud (`aws.*`, `azure.*`, `gcp.*`) or a cloud-agnostic one has no
`rate` class.

```escher
query gcp.sql.instance_names(project: string) -> list<string> {}
```

Name the API class its calls are limited by:

```escher
query gcp.sql.instance_names(project: string) -> list<string> { rate = "sql.read" }
```

The runtime shares one token bucket per provider, account, region and class, so every call needs its class."##,
    },
    CodeInfo {
        code: "E0612",
        title: "undo names an unknown action",
        explanation: r##"An action's `undo` names an action that is not declared.

```escher
action aws.ec2.stop(instances: list<aws.ec2.Instance>) -> outcome<aws.ec2.Instance> {
    effect = disrupt, undo = aws.ec2.strat, rate = "ec2.mutating", dry_run = native, targets = instances
}
```

Name a declared action:

```escher
    effect = disrupt, undo = aws.ec2.start, rate = "ec2.mutating", dry_run = native, targets = instances
```

`on_failure = rollback` runs the undo actions; a missing one would be found only in the middle of a failure."##,
    },
    CodeInfo {
        code: "E0613",
        title: "undo takes other targets",
        explanation: r##"An action's `undo` takes a different kind of targets than the action itself.

```escher
action aws.ec2.detach_volumes(volumes: list<aws.ec2.Volume>) -> outcome<aws.ec2.Volume> {
    effect = disrupt, undo = aws.ec2.start, rate = "ec2.mutating", dry_run = native, targets = volumes
}
```

Name an undo action that takes volumes, or leave `undo` out when the action has none.

Rollback passes the changed targets to the undo action; they must be of the type it takes."##,
    },
    CodeInfo {
        code: "E0614",
        title: "targets names an unknown parameter",
        explanation: r##"An action's `targets` attribute names a parameter the action does not have.

```escher
action aws.ec2.stop(instances: list<aws.ec2.Instance>) -> outcome<aws.ec2.Instance> {
    effect = disrupt, rate = "ec2.mutating", dry_run = native, targets = instance
}
```

Name the parameter that holds the targets:

```escher
    effect = disrupt, rate = "ec2.mutating", dry_run = native, targets = instances
```

The targets parameter is what the blast radius and `max_targets` are measured on."##,
    },
    CodeInfo {
        code: "E0615",
        title: "targets are not a list of resources",
        explanation: r##"An action's targets parameter is not a `list<R>` of a resource or interface type.

```escher
action aws.ec2.stop_ids(ids: list<string>) -> outcome<aws.ec2.Instance> {
    effect = disrupt, rate = "ec2.mutating", dry_run = native, targets = ids
}
```

Take the resources themselves:

```escher
action aws.ec2.stop(instances: list<aws.ec2.Instance>) -> outcome<aws.ec2.Instance> { ... targets = instances }
```

Risk follows targets back to their queries (production tags, regions); plain strings carry none of that."##,
    },
    CodeInfo {
        code: "E0616",
        title: "destroy without targets",
        explanation: r##"An action with `effect = destroy` does not say which parameter holds its targets.

```escher
action aws.ec2.terminate(instances: list<aws.ec2.Instance>) -> outcome<aws.ec2.Instance> {
    effect = destroy, rate = "ec2.mutating", dry_run = native
}
```

Add `targets`:

```escher
    effect = destroy, rate = "ec2.mutating", dry_run = native, targets = instances
```

The backup and bound rules (E0401, E0402) need to know what a destroy destroys."##,
    },
    CodeInfo {
        code: "E0617",
        title: "resource implements something that is not an interface",
        explanation: r##"A resource lists, after `:`, a name that is not a declared interface.

```escher
resource azure.vm.VirtualMachine: compute.Instanse { id: string }
```

Name a declared interface:

```escher
resource azure.vm.VirtualMachine: compute.Instance { id: string }
```

Interfaces are how cloud-agnostic actions accept resources of every cloud; the link must be real."##,
    },
    CodeInfo {
        code: "E0618",
        title: "resource lacks an interface field",
        explanation: r##"A resource implements an interface but lacks one of the interface's fields.

```escher
interface compute.Instance { id: string, tags: map<string, string> }
resource azure.vm.VirtualMachine: compute.Instance { id: string }
```

Declare every field of the interface:

```escher
resource azure.vm.VirtualMachine: compute.Instance { id: string, tags: map<string, string> }
```

Playbooks read interface fields on any cloud's resources; each resource must have them."##,
    },
    CodeInfo {
        code: "E0619",
        title: "interface field with another type",
        explanation: r##"A resource declares a field of one of its interfaces with a different type.

```escher
interface compute.Instance { id: string }
resource azure.vm.VirtualMachine: compute.Instance { id: int }
```

Use the interface's type:

```escher
resource azure.vm.VirtualMachine: compute.Instance { id: string }
```

A field read through the interface must have one type whatever cloud the resource comes from."##,
    },
    CodeInfo {
        code: "E0620",
        title: "parameter default does not fit its type",
        explanation: r##"A default in a query or action declaration is not a literal of the parameter's type.

```escher
query aws.ec2.large_volumes(min_size_gb: int = "big") -> list<aws.ec2.Volume> { rate = "ec2.describe" }
```

Give a literal of the type:

```escher
query aws.ec2.large_volumes(min_size_gb: int = 500) -> list<aws.ec2.Volume> { rate = "ec2.describe" }
```

Defaults are filled into plans as constants; they must be values of the type the action takes."##,
    },
    CodeInfo {
        code: "E0621",
        title: "outcome over values that are not resources",
        explanation: r##"An action returns `outcome<T>` where `T` is not a resource or interface.

```escher
action wait(duration: duration) -> outcome<string> { effect = read, dry_run = simulated }
```

Return an outcome over resources, or a record:

```escher
action wait(duration: duration) -> {waited: duration} { effect = read, dry_run = simulated }
```

An outcome lists the resources an action touched (changed, unchanged, failed); plain values have no identity
to list."##,
    },
    // ---- E07xx, W07xx: AI output --------------------------------------------------------------------------
    CodeInfo {
        code: "E0701",
        title: "no playbook in the Markdown",
        explanation: r##"A Markdown answer has no fenced code block whose text starts with `playbook NAME {` or
`template NAME {`.

````markdown
Run this:
```bash
aws ec2 stop-instances --instance-ids i-0123456789abcdef0
```
````

Put the playbook in a fenced block labelled `escher`:

````markdown
```escher
playbook stop_dev { ... }
```
````

Only a playbook can be checked and planned; commands in prose are never run."##,
    },
    CodeInfo {
        code: "E0702",
        title: "invalid JSON",
        explanation: r##"A response envelope is not valid JSON. The label says where and why.

```json
{"response_type": "execution", "playbook": "playbook p {\n}\n",}
```

Remove the mistake (here the trailing comma):

```json
{"response_type": "execution", "playbook": "playbook p {\n}\n"}
```

The envelope is read strictly so that what is checked is exactly what was sent."##,
    },
    CodeInfo {
        code: "E0703",
        title: "envelope without a playbook",
        explanation: r##"A response envelope has no `playbook` string.

```json
{"response_type": "execution", "risk_level": "low"}
```

Send the playbook's source as a JSON string:

```json
{"response_type": "execution", "playbook": "playbook stop_dev {\n  ...\n}\n"}
```

An execution response without a playbook has nothing to check, plan or run."##,
    },
    CodeInfo {
        code: "E0704",
        title: "response type carries no playbook",
        explanation: r##"The envelope's `response_type` is one that does not hold a playbook, such as `question`.

```json
{"response_type": "question", "message": "Which environment?", "playbook": ""}
```

Only `execution` and `playbook` responses are compiled; answer questions without handing them to the
compiler, or send an `execution` response with the playbook.

Compiling a response that is not meant to run would report errors that are not there."##,
    },
    CodeInfo {
        code: "E0705",
        title: "envelope is not a JSON object",
        explanation: r##"The response envelope is valid JSON but not an object: a list, a string or a number.

```json
[{"response_type": "execution", "playbook": "playbook p {\n}\n"}]
```

Send one object:

```json
{"response_type": "execution", "playbook": "playbook p {\n}\n"}
```

One response holds one playbook, with its claims beside it."##,
    },
    CodeInfo {
        code: "W0701",
        title: "claimed risk differs from the computed risk",
        explanation: r##"The envelope's `risk_level` is not the risk the compiler computed for the playbook's riskiest
step. The help says which step and why.

```json
{"response_type": "execution", "risk_level": "low", "playbook": "... aws.ec2.stop(ec2) { max_targets = 50 } ..."}
```

Claim the computed level (`"risk_level": "high"`), or change the playbook until its risk is the one intended.

The computed risk always stands; the warning teaches the model, whose claims are never trusted."##,
    },
    CodeInfo {
        code: "W0702",
        title: "claimed approval differs from the computed one",
        explanation: r##"The envelope's `requires_approval` disagrees with the plan: a step needs approval and the claim
says none does, or the other way round.

```json
{"response_type": "execution", "requires_approval": false, "playbook": "... { max_targets = 50 } ..."}
```

Claim what the plan says (`"requires_approval": true`).

Approvals come from the computed risk and the policy; a claim never waives one."##,
    },
    CodeInfo {
        code: "W0703",
        title: "claimed risk is not a risk level",
        explanation: r##"The envelope's `risk_level` is not `low`, `medium`, `high` or `critical`.

```json
{"response_type": "execution", "risk_level": "severe", "playbook": "..."}
```

Use one of the four levels:

```json
{"response_type": "execution", "risk_level": "high", "playbook": "..."}
```

Levels are compared with the computed risk; a word outside the scale cannot be."##,
    },
    // ---- E08xx: planning with parameter values ------------------------------------------------------------
    CodeInfo {
        code: "E0801",
        title: "required parameter not given",
        explanation: r##"A parameter has no default and no value was given when planning.

```escher
param ticket: string matches "^CHG-[0-9]+$"
```

```text
escher plan change.esc
```

Give it a value, or give the parameter a default:

```text
escher plan change.esc --param ticket=CHG-42
```

A plan holds every value it runs with, so the approver sees exactly what will run."##,
    },
    CodeInfo {
        code: "E0802",
        title: "unknown parameter given",
        explanation: r##"A value was given for a parameter the playbook does not declare.

```text
escher plan limits.esc --param max_vm=5
```

Use a declared parameter's name:

```text
escher plan limits.esc --param max_vms=5
```

An ignored value would leave the parameter at its default without anyone noticing."##,
    },
    CodeInfo {
        code: "E0803",
        title: "parameter value of the wrong type",
        explanation: r##"A value given for a parameter cannot be read as the parameter's type. Lists and records may be
given as JSON, lists also as `a,b,c`.

```text
escher plan limits.esc --param max_vms=ten
```

Give a value of the type:

```text
escher plan limits.esc --param max_vms=10
```

Values given when planning are checked like values written in the playbook."##,
    },
    CodeInfo {
        code: "E0804",
        title: "parameter value outside its constraint",
        explanation: r##"A value given for a parameter breaks the parameter's range, list or pattern.

```escher
param max_vms: int in 1..=200 = 50
```

```text
escher plan limits.esc --param max_vms=500
```

Give a value within the constraint:

```text
escher plan limits.esc --param max_vms=150
```

Constraints are the bounds a manager approves a template with; no value outside them reaches a plan."##,
    },
    CodeInfo {
        code: "E0805",
        title: "step option invalid when planning",
        explanation: r##"A step option computed from parameters is out of range once their values are known, or is not
known when planning at all. Every option but `when` must be known then.

```escher
param attempts: int = 3
step stop = aws.ec2.stop(ec2) { retry = attempts }
```

```text
escher plan stop.esc --param attempts=20
```

Give a value in range (`--param attempts=5`), or constrain the parameter (`param attempts: int in 0..=10`) so
the mistake is found when the value is given.

Options bound the step, and an approval is given for those bounds."##,
    },
];
