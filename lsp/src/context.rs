//! Where the cursor is, for completion, read from the text as typed: the member being written rarely parses.
//!
//! One forward pass from the start of the file keeps a stack of open brackets, skipping comments and string
//! text (but not `${...}` interpolations, which are code). The innermost brackets say what may come next.

/// What may be written at the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Context {
    /// In a comment or string text: nothing to complete.
    Text,
    /// A step name inside `after (...)`.
    StepName,
    /// Inside `CALLEE(...)`: an argument name not given yet, or a value.
    Argument { callee: String, given: Vec<String> },
    /// After `NAME =` inside `CALLEE(...)`, possibly inside a list.
    ArgumentValue { callee: String, argument: String },
    /// Inside a step's `{ ... }` options: an option not given yet.
    StepOption { given: Vec<String> },
    /// After `OPTION =` in a step's options.
    OptionValue { option: String },
    /// At the start of a line in the playbook's body: a member keyword.
    MemberStart,
    /// Anywhere else an expression may be.
    Expression,
}

#[derive(Debug)]
struct Open {
    bracket: u8,
    /// The dotted name right before the bracket (`aws.ec2.stop` for its `(`, `after` for `after (`).
    word_before: String,
    /// The last non-blank byte before the bracket.
    byte_before: Option<u8>,
    /// Where the current comma-separated element starts.
    element_start: usize,
    /// The `NAME =` of the elements already written.
    given: Vec<String>,
    /// An interpolation `${` inside a string: closing it returns to the string.
    interpolation: bool,
}

pub fn context_at(text: &str, offset: usize) -> Context {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let mut stack: Vec<Open> = Vec::new();
    let mut in_string = false;
    let mut index = 0;
    while index < offset {
        let byte = bytes[index];
        if in_string {
            match byte {
                b'\\' => index += 1,
                b'"' => in_string = false,
                b'$' if bytes.get(index + 1) == Some(&b'{') => {
                    stack.push(open(text, index + 1, b'{', true));
                    in_string = false;
                    index += 1;
                }
                _ => {}
            }
            index += 1;
            continue;
        }
        match byte {
            b'/' if bytes.get(index + 1) == Some(&b'/') => {
                let end = text[index..].find('\n').map_or(bytes.len(), |n| index + n);
                if end >= offset {
                    return Context::Text;
                }
                index = end;
                continue;
            }
            b'"' => in_string = true,
            b'(' | b'[' | b'{' => stack.push(open(text, index, byte, false)),
            b')' | b']' | b'}' => {
                if let Some(closed) = stack.pop()
                    && closed.interpolation
                {
                    in_string = true;
                }
            }
            b',' => {
                if let Some(top) = stack.last_mut() {
                    if let Some(name) = assigned_name(&text[top.element_start..index]) {
                        top.given.push(name);
                    }
                    top.element_start = index + 1;
                }
            }
            _ => {}
        }
        index += 1;
    }
    if in_string {
        return Context::Text;
    }
    classify(text, offset, &stack)
}

fn open(text: &str, at: usize, bracket: u8, interpolation: bool) -> Open {
    let before = text[..at].trim_end();
    let word_start = before.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.')).map_or(0, |i| i + 1);
    Open {
        bracket,
        word_before: before[word_start..].to_string(),
        byte_before: before.bytes().last(),
        element_start: at + 1,
        given: Vec::new(),
        interpolation,
    }
}

/// `NAME` when the element is `NAME = ...` (not `==`).
fn assigned_name(element: &str) -> Option<String> {
    let element = element.trim_start();
    let name_end = element.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    let rest = element[name_end..].trim_start();
    (name_end > 0 && rest.starts_with('=') && !rest.starts_with("==")).then(|| element[..name_end].to_string())
}

fn classify(text: &str, offset: usize, stack: &[Open]) -> Context {
    let Some(top) = stack.last() else { return Context::Expression };
    let element = &text[top.element_start..offset];
    match (top.bracket, top.byte_before) {
        (b'(', _) if top.word_before == "after" => return Context::StepName,
        (b'{', Some(b')')) => {
            return match assigned_name(element) {
                Some(option) => Context::OptionValue { option },
                None => Context::StepOption { given: top.given.clone() },
            };
        }
        (b'{', _) if stack.len() == 1 && !top.interpolation => {
            let line = &text[text[..offset].rfind('\n').map_or(0, |n| n + 1)..offset];
            if line.trim_start().chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Context::MemberStart;
            }
            return Context::Expression;
        }
        _ => {}
    }
    // The innermost call the cursor is an argument of, through any lists around the cursor.
    let lists = stack.iter().rev().take_while(|o| o.bracket == b'[').count();
    let Some(call) = stack.iter().rev().nth(lists).filter(|o| o.bracket == b'(' && !o.word_before.is_empty()) else {
        return Context::Expression;
    };
    let element = &text[call.element_start..offset];
    match assigned_name(element) {
        Some(argument) => Context::ArgumentValue { callee: call.word_before.clone(), argument },
        None if lists == 0 => Context::Argument { callee: call.word_before.clone(), given: call.given.clone() },
        None => Context::Expression,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_end(text: &str) -> Context {
        context_at(text, text.len())
    }

    const HEAD: &str = "playbook p {\n  let vms = aws.ec2.instances(regions = [\"eu-west-1\"])\n";

    #[test]
    fn after_parentheses_want_step_names() {
        assert_eq!(at_end(&format!("{HEAD}  step b after (a, ")), Context::StepName);
    }

    #[test]
    fn a_call_wants_its_arguments_and_remembers_those_given() {
        let context = at_end(&format!("{HEAD}  let x = aws.ec2.instances(state = \"running\", ta"));
        assert_eq!(context, Context::Argument { callee: "aws.ec2.instances".into(), given: vec!["state".into()] });
    }

    #[test]
    fn a_value_after_a_named_argument_is_for_that_argument_even_inside_a_list() {
        let context = at_end(&format!("{HEAD}  let x = aws.ec2.instances(regions = [\"us-east-1\", "));
        assert_eq!(context, Context::ArgumentValue { callee: "aws.ec2.instances".into(), argument: "regions".into() });
    }

    #[test]
    fn braces_after_a_call_hold_step_options() {
        let context = at_end(&format!("{HEAD}  step s = aws.ec2.stop(vms) {{ retry = 3, max"));
        assert_eq!(context, Context::StepOption { given: vec!["retry".into()] });
        let context = at_end(&format!("{HEAD}  step s = aws.ec2.stop(vms) {{ on_failure = "));
        assert_eq!(context, Context::OptionValue { option: "on_failure".into() });
    }

    #[test]
    fn a_line_of_the_body_starts_a_member() {
        assert_eq!(at_end(&format!("{HEAD}  st")), Context::MemberStart);
        assert_eq!(at_end(&format!("{HEAD}  let y = le")), Context::Expression);
    }

    #[test]
    fn comments_and_string_text_are_not_completed_but_interpolations_are() {
        assert_eq!(at_end(&format!("{HEAD}  // step s = aws.")), Context::Text);
        assert_eq!(at_end(&format!("{HEAD}  let m = \"a (b ")), Context::Text);
        let context = at_end(&format!("{HEAD}  step r = report.summary(\"n ${{len(v"));
        assert_eq!(context, Context::Argument { callee: "len".into(), given: vec![] });
    }

    #[test]
    fn a_record_in_an_argument_is_not_mistaken_for_step_options() {
        let context = at_end(&format!("{HEAD}  let x = aws.ec2.instances(tags = {{ env: "));
        assert_eq!(context, Context::Expression);
    }
}
