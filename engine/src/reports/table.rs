//! A `report.table`'s rows as columns.

use std::collections::BTreeMap;

use escher_compiler::plan::Value;

/// Rows as columns: a list of records becomes their fields (`id` and `name` first, then the rest in order);
/// anything else one `value` column.
pub(super) fn tabulate(rows: &[Value]) -> (Vec<String>, Vec<Vec<Value>>) {
    let records: Option<Vec<&BTreeMap<String, Value>>> =
        rows.iter().map(|row| if let Value::Record(fields) = row { Some(fields) } else { None }).collect();
    let Some(records) = records.filter(|records| !records.is_empty()) else {
        return (vec!["value".into()], rows.iter().map(|row| vec![row.clone()]).collect());
    };
    let mut columns: Vec<String> = ["id", "name"]
        .into_iter()
        .filter(|first| records.iter().any(|record| record.contains_key(*first)))
        .map(str::to_string)
        .collect();
    for record in &records {
        for key in record.keys() {
            if !columns.contains(key) {
                columns.push(key.clone());
            }
        }
    }
    let rows = records
        .iter()
        .map(|record| columns.iter().map(|column| record.get(column).cloned().unwrap_or(Value::Null)).collect())
        .collect();
    (columns, rows)
}
