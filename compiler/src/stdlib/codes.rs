//! What each E06xx code means, for `escher explain`. These errors come from the stdlib's declaration files, so
//! they concern people who write declarations, not playbooks.

use crate::diagnostics::CodeInfo;

const fn info(code: &'static str, title: &'static str, explanation: &'static str) -> CodeInfo {
    CodeInfo { code, title, explanation }
}

/// The codes of [`StdlibError`](super::StdlibError), in order.
pub static STDLIB_CODES: &[CodeInfo] = &[
    info(
        "E0601",
        "unknown type in a declaration",
        "A declaration names a type that is neither built in (string, int, float, bool, duration, datetime, \
         any, list<T>, map<string, T>, optional<T>, secret<T>, outcome<R>) nor declared by an `enum`, \
         `interface` or `resource` in any stdlib file.",
    ),
    info(
        "E0602",
        "wrong number of type arguments",
        "`list`, `optional`, `secret` and `outcome` take one type argument, `map` takes two \
         (`map<string, T>`), and every other type takes none.",
    ),
    info("E0603", "map key that is not a string", "Map keys are always strings: write `map<string, T>`."),
    info(
        "E0604",
        "name declared twice",
        "Types, queries and actions share one namespace across all stdlib files, so that a dotted name means \
         one thing. The first declaration is kept; rename or remove the other.",
    ),
    info(
        "E0605",
        "repeated field, parameter, attribute or enum value",
        "A record type, interface, resource, parameter list, attribute list or enum lists the same name or \
         value twice.",
    ),
    info(
        "E0606",
        "unknown attribute",
        "Queries and actions take the attributes `effect`, `undo`, `batch`, `rate`, `dry_run`, `targets` and \
         `backup`; anything else is a mistake.",
    ),
    info(
        "E0607",
        "malformed attribute value",
        "`effect` is read, mutate, disrupt or destroy (only read on queries); `dry_run` is native, simulated or \
         unsupported; `undo` names an action; `targets` names a parameter; `batch` is a whole number of at \
         least 1; `rate` is a non-empty string; `backup` is true or false.",
    ),
    info(
        "E0608",
        "action attribute on a query",
        "Queries only read, so `undo`, `batch`, `dry_run`, `targets` and `backup` do not apply to them. A query \
         states its `rate` class and may state `effect = read`.",
    ),
    info(
        "E0609",
        "action without an effect",
        "Every action declares what it does to the world: `effect = read`, `mutate` (reversible configuration), \
         `disrupt` (reversible, interrupts service) or `destroy` (irreversible). Risk is computed from it.",
    ),
    info(
        "E0610",
        "changing action without a dry-run mode",
        "An action that changes the world must say how a dry run treats it: `native` (the provider checks the \
         call without acting), `simulated` (Escher predicts the result from a listing) or `unsupported` (dry \
         runs report that it cannot be simulated). Dry runs never guess.",
    ),
    info(
        "E0611",
        "cloud call without a rate-limit class",
        "Queries and actions that call a cloud declare the rate-limit class the runtime keys its token buckets \
         by, such as `rate = \"ec2.mutating\"`.",
    ),
    info(
        "E0612",
        "undo names a missing action",
        "`undo = NAME` must name a declared action; rollback calls it to reverse this one.",
    ),
    info(
        "E0613",
        "undo action takes other targets",
        "Rollback passes an action's targets to its undo action, so both must declare `targets` of the same \
         type.",
    ),
    info("E0614", "targets names a missing parameter", "`targets = NAME` must name one of the action's parameters."),
    info(
        "E0615",
        "targets parameter is not a list of resources",
        "The targets parameter holds the resources an action touches, from which its blast radius is computed: \
         it must be a `list<R>` where R is a resource or interface type.",
    ),
    info(
        "E0616",
        "destroy without targets",
        "A destructive action must declare `targets`, so that its blast radius can be bounded and checked.",
    ),
    info(
        "E0617",
        "resource implements something that is not an interface",
        "A resource lists after `:` the interfaces it implements; each must be declared with `interface`.",
    ),
    info(
        "E0618",
        "resource lacks a field of its interface",
        "A resource declares every field of each interface it implements, so that it can be used wherever the \
         interface is expected.",
    ),
    info(
        "E0619",
        "resource field differs from its interface",
        "A field that an interface declares must have exactly the same type in every resource implementing it.",
    ),
    info(
        "E0620",
        "default that does not fit its parameter",
        "A parameter's default is a literal of the parameter's type: a string (one of the values for an enum), \
         number, bool, duration, `none` for optional types, a list or a record of such literals.",
    ),
    info(
        "E0621",
        "outcome over something other than resources",
        "`outcome<R>` lists which resources an action changed, left unchanged or failed on, so R must be a \
         resource or interface type.",
    ),
];

#[cfg(test)]
mod tests {
    use super::STDLIB_CODES;

    #[test]
    fn the_codes_run_in_order_from_e0601_without_gaps() {
        // One per variant of StdlibError but `Parse`, which keeps its E01xx code.
        assert_eq!(STDLIB_CODES.len(), 21);
        for (i, info) in STDLIB_CODES.iter().enumerate() {
            assert_eq!(info.code, format!("E06{:02}", i + 1));
            assert!(!info.title.is_empty() && !info.explanation.is_empty(), "{}", info.code);
        }
    }
}
