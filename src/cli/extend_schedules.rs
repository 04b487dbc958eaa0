//! Schedules on an Extended Laptop's state bucket also live in its cloud: `schedule add|remove --state s3://...`
//! puts or deletes the EventBridge Scheduler schedule beside the bucket's, and `extend sync` reconciles the two.

use escher_engine::schedules::manage;
use escher_extend::aws::{AwsExtension, Clients, Settings};
use escher_extend::plan::{Action, render};
use escher_extend::{ExtendError, Extension, RECORD_KEY, Record, Wanted};
use escher_state::Store;
use escher_state::chrono::Utc;
use escher_state::schedule::Schedule;

use super::{CliError, EXIT_OK, Outcome};

fn refused(error: ExtendError) -> CliError {
    match error {
        ExtendError::Usage(message) => CliError::Usage(message),
        other => CliError::Refused(other.to_string()),
    }
}

/// The Extended Laptop whose state `store` is, if it is one (its `extend.json` says so and names the cloud).
pub async fn extended(store: &Store) -> Result<Option<Box<dyn Extension>>, CliError> {
    let Some(object) = store.get(RECORD_KEY).await? else {
        return Ok(None);
    };
    let record: Record = serde_json::from_slice(&object.bytes)
        .map_err(|error| CliError::Refused(format!("{RECORD_KEY} in {} does not read: {error}", store.url())))?;
    if record.cloud != "aws" {
        return Err(CliError::Refused(format!(
            "{} is an Extended Laptop on {}, which this build cannot reach",
            store.url(),
            record.cloud
        )));
    }
    let mut settings = Settings::new(&record.name);
    settings.bucket = record.state.strip_prefix("s3://").map(str::to_string);
    let clients = Clients::load(Some(&record.region)).await;
    let extension = AwsExtension::new(clients, settings, None).await.map_err(refused)?;
    Ok(Some(Box::new(extension)))
}

/// Refuses a cron the cloud's scheduler cannot say, before anything is stored.
pub fn check(extension: &dyn Extension, schedule: &Schedule) -> Result<(), CliError> {
    extension.check_cron(&schedule.cron).map_err(refused)
}

/// After the state took the schedule: the same in the cloud's scheduler.
pub async fn put(extension: &dyn Extension, schedule: &Schedule) -> Result<(), CliError> {
    let wanted = Wanted { name: schedule.name.clone(), cron: schedule.cron.clone(), tz: schedule.tz.clone() };
    let scheduled = extension.put_schedule(&wanted).await.map_err(refused)?;
    let (scheduler, place) = (extension.scheduler(), extension.schedule_place());
    outln!("{scheduler} schedule {} in {place}: {} in {}", schedule.name, scheduled.expression, schedule.tz);
    for note in scheduled.notes {
        outln!("  ({note})");
    }
    Ok(())
}

pub async fn delete(extension: &dyn Extension, name: &str) -> Result<(), CliError> {
    extension.delete_schedule(name).await.map_err(refused)?;
    outln!("{} schedule {name} deleted from {}", extension.scheduler(), extension.schedule_place());
    Ok(())
}

/// `escher extend sync`: the account's schedules against the bucket's, put right unless `--plan`.
pub fn sync(state: &str, plan_only: bool) -> Outcome {
    let store = super::state::location(Some(std::path::Path::new(state)))?.open()?;
    super::state::tokio()?.block_on(async {
        let Some(extension) = extended(&store).await? else {
            return Err(CliError::Refused(format!(
                "{state} is not an Extended Laptop's state (it has no {RECORD_KEY})"
            )));
        };
        let wanted: Vec<Wanted> = manage::list(&store, Utc::now(), 0)
            .await?
            .into_iter()
            .map(|view| Wanted { name: view.schedule.name, cron: view.schedule.cron, tz: view.schedule.tz })
            .collect();
        let changes = extension.sync_schedules(&wanted, !plan_only).await.map_err(refused)?;
        out!("{}", render(&changes));
        let drift = changes.iter().filter(|change| change.action != Action::Keep).count();
        match (drift, plan_only) {
            (0, _) => outln!("The account's schedules match the state's."),
            (_, true) => outln!("{drift} schedule(s) differ; `escher extend sync --state {state}` puts them right."),
            (_, false) => outln!("{drift} schedule(s) put right."),
        }
        Ok(EXIT_OK)
    })
}
