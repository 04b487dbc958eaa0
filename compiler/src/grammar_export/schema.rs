//! The JSON schema of the AI response envelope, for servers that constrain JSON output by a schema (OpenAI's
//! `response_format`, llama.cpp's `json_schema`). The compiler reads an envelope more leniently than this
//! (any letter case, extra fields); the schema asks for the canonical form.

use serde_json::{Value, json};

/// The schema of `{"response_type": "execution", "risk_level": .., "requires_approval": .., "playbook": ..}`.
pub fn envelope_schema() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Escher AI response",
        "type": "object",
        "properties": {
            "response_type": {
                "description": "execution: the playbook does what was asked.",
                "enum": ["execution"]
            },
            "risk_level": {
                "description": "The model's own estimate; Escher recomputes risk and never uses this.",
                "enum": ["low", "medium", "high", "critical"]
            },
            "requires_approval": {
                "description": "The model's own estimate; Escher recomputes approvals and never uses this.",
                "type": "boolean"
            },
            "explanation": {
                "description": "One or two sentences on what the playbook does, for the person who asked.",
                "type": "string"
            },
            "playbook": {
                "description": "The playbook, in the Escher language (see `escher grammar`).",
                "type": "string"
            }
        },
        "required": ["response_type", "playbook"],
        "additionalProperties": false
    })
}
