//! The billing export rows `jobs.query` answers with (the fake runs no SQL).

use serde_json::{Value as Json, json};

/// One stored row: `{"service", "amount", "currency"}`.
pub(crate) fn row(service: &str, amount: f64, currency: &str) -> Json {
    json!({"service": service, "amount": amount, "currency": currency})
}

/// The result schema of every query: `service` STRING, `amount` FLOAT, `currency` STRING.
pub(crate) fn schema() -> Json {
    json!({"fields": [
        {"name": "service", "type": "STRING", "mode": "NULLABLE"},
        {"name": "amount", "type": "FLOAT", "mode": "NULLABLE"},
        {"name": "currency", "type": "STRING", "mode": "NULLABLE"},
    ]})
}

/// A stored row as BigQuery's REST API prints it: every cell's `v` a string, whatever the column's type.
pub(crate) fn table_row(row: &Json) -> Json {
    let text = |key: &str| match &row[key] {
        Json::String(s) => Json::String(s.clone()),
        Json::Null => Json::Null,
        other => Json::String(other.to_string()),
    };
    json!({"f": [{"v": text("service")}, {"v": text("amount")}, {"v": text("currency")}]})
}
