//! What every provider's cost queries share: totals per (group, currency) as the records `cost.by_service`,
//! `cost.by_cloud` and each cloud's own cost query return, rounded to cents, most expensive first.

use std::collections::BTreeMap;

use escher_compiler::plan::Value;

/// Cost per (service or cloud, currency).
pub type Totals = BTreeMap<(String, String), f64>;

/// Records `{GROUP, amount, currency}` (and `cloud` when given), rounded to cents, groups that cost nothing
/// dropped, most expensive first, ties by name.
pub fn records(totals: Totals, group: &str, cloud: Option<&str>) -> Vec<Value> {
    let mut costs: Vec<((String, String), f64)> = totals
        .into_iter()
        .map(|(key, sum)| (key, (sum * 100.0).round() / 100.0))
        .filter(|(_, sum)| *sum != 0.0)
        .collect();
    costs.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    costs
        .into_iter()
        .map(|((name, currency), amount)| {
            let mut record = BTreeMap::from([
                (group.to_string(), Value::String(name)),
                ("amount".to_string(), Value::Float(amount)),
                ("currency".to_string(), Value::String(currency)),
            ]);
            if let Some(cloud) = cloud {
                record.insert("cloud".to_string(), Value::String(cloud.to_string()));
            }
            Value::Record(record)
        })
        .collect()
}

/// The totals per (cloud, currency) of totals per (service, currency).
pub fn by_cloud(totals: Totals, cloud: &str) -> Totals {
    let mut by_currency = Totals::new();
    for ((_, currency), amount) in totals {
        *by_currency.entry((cloud.to_string(), currency)).or_default() += amount;
    }
    by_currency
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_rounded_to_cents_and_free_groups_dropped() {
        let totals = Totals::from([
            (("Amazon S3".into(), "USD".into()), 1.234),
            (("AWS Lambda".into(), "USD".into()), 0.001),
            (("Amazon EC2".into(), "USD".into()), 10.0),
        ]);
        let listed = records(totals, "service", None);
        assert_eq!(listed.len(), 2, "Lambda's tenth of a cent rounds to nothing");
        let Value::Record(second) = &listed[1] else { panic!("a record") };
        assert_eq!(second.get("amount"), Some(&Value::Float(1.23)));
    }

    #[test]
    fn most_expensive_first_and_summed_per_cloud() {
        let totals = Totals::from([
            (("Storage".into(), "USD".into()), 1.5),
            (("Compute".into(), "USD".into()), 10.0),
            (("Compute".into(), "EUR".into()), 2.0),
        ]);
        let listed = records(totals.clone(), "service", Some("gcp"));
        let first = &listed[0];
        assert_eq!(
            first,
            &Value::Record(BTreeMap::from([
                ("service".into(), Value::String("Compute".into())),
                ("amount".into(), Value::Float(10.0)),
                ("currency".into(), Value::String("USD".into())),
                ("cloud".into(), Value::String("gcp".into())),
            ]))
        );
        assert_eq!(by_cloud(totals, "gcp").get(&("gcp".to_string(), "USD".to_string())), Some(&11.5));
    }
}
