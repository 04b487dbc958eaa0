//! Completion: stdlib actions and queries by dotted prefix, a call's named arguments with their types, enum
//! values, step options and their values, step names in `after (...)`, and the playbook's own names.

use escher_compiler::resolve::{BUILTIN_FUNCTIONS, NameKind, defined_names};
use escher_compiler::stdlib::{Callable, CallableKind, catalog};
use escher_compiler::typecheck::{ON_FAILURE_VALUES, STEP_OPTIONS};
use escher_compiler::types::Type;
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse, CompletionTextEdit, Documentation,
    InsertTextFormat, MarkupContent, MarkupKind, TextEdit,
};

use crate::analysis::Analysis;
use crate::context::{Context, context_at};
use crate::words::dotted_prefix_before;
use crate::world::{NotOpen, World};

const MEMBER_KEYWORDS: &[&str] = &["step", "let", "param", "schedule"];

pub fn completion(world: &mut World, params: CompletionParams) -> Result<Option<CompletionResponse>, NotOpen> {
    let position = params.text_document_position;
    let (document, analysis) = world.analyzed(&position.text_document.uri)?;
    let text = &document.text;
    let offset = document.lines.offset(text, position.position);
    let prefix_span = dotted_prefix_before(text, offset);
    let prefix = &text[prefix_span.range()];
    let replace = document.lines.range(text, prefix_span);
    let candidates = candidates(text, offset, prefix, analysis);
    let items = candidates
        .into_iter()
        .filter(|candidate| candidate.label.starts_with(prefix))
        .map(|candidate| CompletionItem {
            text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                range: replace,
                new_text: candidate.insert.clone().unwrap_or_else(|| candidate.label.clone()),
            })),
            filter_text: Some(candidate.label.clone()),
            label: candidate.label,
            kind: Some(candidate.kind),
            detail: candidate.detail,
            documentation: candidate
                .docs
                .map(|value| Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value })),
            insert_text_format: Some(InsertTextFormat::PLAIN_TEXT),
            ..CompletionItem::default()
        })
        .collect();
    Ok(Some(CompletionResponse::Array(items)))
}

struct Candidate {
    label: String,
    insert: Option<String>,
    kind: CompletionItemKind,
    detail: Option<String>,
    docs: Option<String>,
}

impl Candidate {
    fn new(label: impl Into<String>, kind: CompletionItemKind) -> Self {
        Candidate { label: label.into(), insert: None, kind, detail: None, docs: None }
    }

    fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

fn candidates(text: &str, offset: usize, prefix: &str, analysis: &Analysis) -> Vec<Candidate> {
    let context = context_at(text, offset);
    if context == Context::Text {
        return Vec::new();
    }
    if prefix.contains('.') {
        return callables(prefix);
    }
    match context {
        Context::Text => Vec::new(),
        Context::StepName => names(analysis, |kind| kind == NameKind::Step),
        Context::Argument { callee, given } => {
            let mut found = arguments(&callee, &given);
            found.extend(expression_starts(analysis));
            found
        }
        Context::ArgumentValue { callee, argument } => {
            let ty = catalog().callables.get(&callee).and_then(|c| c.param(&argument)).map(|p| p.ty.clone());
            let mut found = ty.map(|ty| values_of(&ty)).unwrap_or_default();
            found.extend(expression_starts(analysis));
            found
        }
        Context::StepOption { given } => STEP_OPTIONS
            .iter()
            .filter(|option| !given.iter().any(|g| g == *option))
            .map(|option| {
                let mut candidate = Candidate::new(*option, CompletionItemKind::PROPERTY).detail("step option");
                candidate.insert = Some(format!("{option} = "));
                candidate
            })
            .collect(),
        Context::OptionValue { option } => match option.as_str() {
            "on_failure" => {
                ON_FAILURE_VALUES.iter().map(|v| Candidate::new(*v, CompletionItemKind::ENUM_MEMBER)).collect()
            }
            "irreversible" => values_of(&Type::Bool),
            "after" => names(analysis, |kind| kind == NameKind::Step),
            _ => expression_starts(analysis),
        },
        Context::MemberStart => {
            MEMBER_KEYWORDS.iter().map(|k| Candidate::new(*k, CompletionItemKind::KEYWORD)).collect()
        }
        Context::Expression => expression_starts(analysis),
    }
}

/// Every stdlib action and query whose name starts with the dotted prefix.
fn callables(prefix: &str) -> Vec<Candidate> {
    catalog()
        .callables
        .range(prefix.to_string()..)
        .take_while(|(name, _)| name.starts_with(prefix))
        .map(|(_, c)| callable(c))
        .collect()
}

fn callable(callable: &Callable) -> Candidate {
    let kind = match callable.kind {
        CallableKind::Action => CompletionItemKind::METHOD,
        CallableKind::Query => CompletionItemKind::FUNCTION,
    };
    let mut candidate = Candidate::new(callable.name.clone(), kind).detail(callable.signature());
    candidate.docs = (!callable.docs.is_empty()).then(|| callable.docs.clone());
    candidate
}

fn arguments(callee: &str, given: &[String]) -> Vec<Candidate> {
    let Some(callable) = catalog().callables.get(callee) else { return Vec::new() };
    callable
        .params
        .iter()
        .filter(|param| !given.contains(&param.name))
        .map(|param| {
            let mut candidate =
                Candidate::new(param.name.clone(), CompletionItemKind::FIELD).detail(param.ty.to_string());
            candidate.insert = Some(format!("{} = ", param.name));
            candidate.docs = (!param.docs.is_empty()).then(|| param.docs.clone());
            candidate
        })
        .collect()
}

/// The values a type has a closed set of: an enum's (also in a list or optional), `true` and `false`.
fn values_of(ty: &Type) -> Vec<Candidate> {
    match ty {
        Type::List(inner) | Type::Optional(inner) => values_of(inner),
        Type::Bool => ["true", "false"].iter().map(|v| Candidate::new(*v, CompletionItemKind::VALUE)).collect(),
        Type::Enum(name) => catalog()
            .enums
            .get(name)
            .map(|decl| {
                decl.values
                    .iter()
                    .map(|value| {
                        Candidate::new(format!("\"{value}\""), CompletionItemKind::ENUM_MEMBER).detail(name.clone())
                    })
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// What an expression may start with: the playbook's names, the built-in functions and the stdlib's namespaces.
fn expression_starts(analysis: &Analysis) -> Vec<Candidate> {
    let mut found = names(analysis, |kind| kind != NameKind::Import);
    found.extend(BUILTIN_FUNCTIONS.iter().map(|f| Candidate::new(*f, CompletionItemKind::FUNCTION).detail("built-in")));
    let mut roots: Vec<&str> = catalog().callables.keys().filter_map(|name| name.split('.').next()).collect();
    roots.dedup();
    found.extend(
        roots
            .into_iter()
            .filter(|root| !BUILTIN_FUNCTIONS.contains(root))
            .map(|root| Candidate::new(root, CompletionItemKind::MODULE)),
    );
    found
}

fn names(analysis: &Analysis, wanted: impl Fn(NameKind) -> bool) -> Vec<Candidate> {
    let Some(tree) = &analysis.tree else { return Vec::new() };
    defined_names(tree)
        .into_iter()
        .filter(|(_, kind)| wanted(*kind))
        .map(|(name, kind)| {
            let (item_kind, detail) = match kind {
                NameKind::Param => (CompletionItemKind::VARIABLE, "param"),
                NameKind::Let => (CompletionItemKind::VARIABLE, "let"),
                NameKind::Step => (CompletionItemKind::EVENT, "step"),
                NameKind::Import => (CompletionItemKind::MODULE, "imported playbook"),
            };
            Candidate::new(name, item_kind).detail(detail)
        })
        .collect()
}
