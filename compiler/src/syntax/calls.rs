//! The calls a playbook makes, wherever they are written, for editors: which call an offset is inside.

use super::ast::*;

/// Every call of the file (step bodies, lets, defaults, options, nested arguments), outer calls before the calls
/// in their arguments.
pub fn calls(file: &PlaybookFile) -> Vec<&Call> {
    let mut found = Vec::new();
    for member in &file.playbook.members {
        match member {
            Member::Schedule(s) => s.args.iter().for_each(|a| expr_calls(&a.value, &mut found)),
            Member::Param(p) => p.default.iter().for_each(|d| expr_calls(d, &mut found)),
            Member::Let(l) => expr_calls(&l.value, &mut found),
            Member::Step(step) => {
                match &step.body {
                    StepBody::Call(call) => call_and_args(call, &mut found),
                    StepBody::ForEach { over, call, .. } => {
                        expr_calls(over, &mut found);
                        call_and_args(call, &mut found);
                    }
                    StepBody::Script(script) => script.args.iter().for_each(|a| expr_calls(&a.value, &mut found)),
                }
                step.options.iter().for_each(|o| expr_calls(&o.value, &mut found));
            }
        }
    }
    found
}

/// The innermost call whose text holds `offset`.
pub fn call_at(file: &PlaybookFile, offset: usize) -> Option<&Call> {
    calls(file).into_iter().filter(|call| call.span.range().contains(&offset)).min_by_key(|call| call.span.len())
}

fn call_and_args<'a>(call: &'a Call, found: &mut Vec<&'a Call>) {
    found.push(call);
    call.args.iter().for_each(|a| expr_calls(&a.value, found));
}

fn expr_calls<'a>(expr: &'a Expr, found: &mut Vec<&'a Call>) {
    match &expr.kind {
        ExprKind::Call(call) => call_and_args(call, found),
        ExprKind::Str(parts) => parts.iter().for_each(|part| {
            if let StrPart::Interp(e) = part {
                expr_calls(e, found);
            }
        }),
        ExprKind::List(items) => items.iter().for_each(|e| expr_calls(e, found)),
        ExprKind::Record(fields) => fields.iter().for_each(|f| expr_calls(&f.value, found)),
        ExprKind::Field(base, _) | ExprKind::Unary(_, base) => expr_calls(base, found),
        ExprKind::Binary(_, l, r) => {
            expr_calls(l, found);
            expr_calls(r, found);
        }
        ExprKind::Comprehension { elem, iter, cond, .. } => {
            expr_calls(iter, found);
            expr_calls(elem, found);
            cond.iter().for_each(|c| expr_calls(c, found));
        }
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Bool(_)
        | ExprKind::Duration(_)
        | ExprKind::None
        | ExprKind::Name(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_playbook;

    const SOURCE: &str = r#"playbook p {
  let vms = aws.ec2.instances(tags = { env: "dev" }, regions = [x for x in ["eu-west-1"]])
  step stop = aws.ec2.stop(vms) { when = len(vms) > 0 }
}
"#;

    #[test]
    fn calls_are_found_in_lets_step_bodies_and_options() {
        let file = parse_playbook(SOURCE).tree.expect("the test playbook parses");
        let names: Vec<String> = calls(&file).iter().map(|call| call.callee.dotted()).collect();
        assert_eq!(names, ["aws.ec2.instances", "aws.ec2.stop", "len"]);
    }

    #[test]
    fn the_call_at_an_offset_is_the_innermost_one() {
        let file = parse_playbook(SOURCE).tree.expect("the test playbook parses");
        let in_len = SOURCE.find("len(vms)").expect("present") + "len(v".len();
        assert_eq!(call_at(&file, in_len).map(|c| c.callee.dotted()).as_deref(), Some("len"));
        let in_tags = SOURCE.find("tags").expect("present");
        assert_eq!(call_at(&file, in_tags).map(|c| c.callee.dotted()).as_deref(), Some("aws.ec2.instances"));
        assert!(call_at(&file, 0).is_none());
    }
}
