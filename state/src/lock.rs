//! Lease locks by conditional writes. A lock is `locks/<name>.json` holding its holder and when the lease
//! expires. It is taken by creating the object (create-only), renewed by updating it at the version its holder
//! last wrote, and released by writing an expired lease the same way. A lease that expired (its holder died)
//! is taken over by updating it at the version read, so of two runners that see it expired only one wins; the
//! winner learns whose lease it took, for the audit log.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::backend::{PutMode, Version};
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockRecord {
    pub holder: String,
    pub acquired_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A lock held: renew it before `expires_at`, release it when done.
#[derive(Debug, Clone)]
pub struct Lease {
    pub key: String,
    pub record: LockRecord,
    version: Version,
    /// The expired lease this one replaced, if it was taken over.
    pub took_over: Option<LockRecord>,
}

pub fn lock_key(name: &str) -> String {
    format!("locks/{name}.json")
}

/// Takes the lock `name` for `holder` until `now + ttl`, or returns who holds it.
pub async fn acquire(
    store: &Store,
    name: &str,
    holder: &str,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<Result<Lease, LockRecord>, StoreError> {
    let key = lock_key(name);
    let record = LockRecord { holder: holder.to_string(), acquired_at: now, expires_at: now + ttl };
    match store.put_json(&key, &record, PutMode::Create).await {
        Ok(version) => return Ok(Ok(Lease { key, record, version, took_over: None })),
        Err(error) if error.is_conflict() => {}
        Err(error) => return Err(error),
    }
    let Some((current, version)) = store.get_json::<LockRecord>(&key).await? else {
        // Released by deletion between our two requests: try again once, from the start.
        return match store.put_json(&key, &record, PutMode::Create).await {
            Ok(version) => Ok(Ok(Lease { key, record, version, took_over: None })),
            Err(error) if error.is_conflict() => Ok(Err(held_by_unknown(now))),
            Err(error) => Err(error),
        };
    };
    if current.expires_at > now {
        return Ok(Err(current));
    }
    match store.put_json(&key, &record, PutMode::Update(version)).await {
        Ok(version) => {
            let took_over = (!is_released(&current)).then_some(current);
            Ok(Ok(Lease { key, record, version, took_over }))
        }
        // Another runner took it over first.
        Err(error) if error.is_conflict() => {
            Ok(Err(store.get_json(&key).await?.map_or_else(|| held_by_unknown(now), |(winner, _)| winner)))
        }
        Err(error) => Err(error),
    }
}

/// Takes over a lease, expired or not, from a holder known to be dead (a process on this machine that no longer
/// exists): an update at the version read, so it fails if the lease changed hands meanwhile.
pub async fn take_from_dead(
    store: &Store,
    name: &str,
    dead: &LockRecord,
    holder: &str,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<Option<Lease>, StoreError> {
    let key = lock_key(name);
    let Some((current, version)) = store.get_json::<LockRecord>(&key).await? else { return Ok(None) };
    if &current != dead {
        return Ok(None);
    }
    let record = LockRecord { holder: holder.to_string(), acquired_at: now, expires_at: now + ttl };
    match store.put_json(&key, &record, PutMode::Update(version)).await {
        Ok(version) => Ok(Some(Lease { key, record, version, took_over: Some(current) })),
        Err(error) if error.is_conflict() => Ok(None),
        Err(error) => Err(error),
    }
}

fn held_by_unknown(now: DateTime<Utc>) -> LockRecord {
    LockRecord { holder: "another runner".to_string(), acquired_at: now, expires_at: now }
}

/// A released lease is written with `expires_at == acquired_at`: taking it is not a takeover.
fn is_released(record: &LockRecord) -> bool {
    record.expires_at == record.acquired_at
}

/// Extends a lease to `now + ttl`. Fails with [`StoreError::Changed`] if the lease was lost (it expired and
/// another runner took it over): the holder must stop.
pub async fn renew(store: &Store, lease: &mut Lease, ttl: Duration, now: DateTime<Utc>) -> Result<(), StoreError> {
    let record = LockRecord { expires_at: now + ttl, ..lease.record.clone() };
    lease.version = store.put_json(&lease.key, &record, PutMode::Update(lease.version.clone())).await?;
    lease.record = record;
    Ok(())
}

/// Gives the lock up, if still ours, by writing a lease that has already ended.
pub async fn release(store: &Store, lease: Lease, now: DateTime<Utc>) -> Result<(), StoreError> {
    let record = LockRecord { holder: lease.record.holder.clone(), acquired_at: now, expires_at: now };
    match store.put_json(&lease.key, &record, PutMode::Update(lease.version)).await {
        Ok(_) => Ok(()),
        Err(error) if error.is_conflict() => Ok(()),
        Err(error) => Err(error),
    }
}

/// Records a takeover in the audit log of a local state directory.
pub fn audit_takeover(
    state_dir: &std::path::Path,
    lease: &Lease,
    run_id: &str,
) -> Result<(), escher_runtime::audit::AuditError> {
    let Some(old) = &lease.took_over else { return Ok(()) };
    let entry = escher_runtime::audit::AuditEntry {
        at: escher_runtime::audit::stamp(lease.record.acquired_at),
        who: lease.record.holder.clone(),
        role: "scheduler".to_string(),
        run_id: run_id.to_string(),
        plan_hash: String::new(),
        kind: "lock.taken_over".to_string(),
        step: None,
        action: None,
        targets: vec![lease.key.clone()],
        approval: None,
        journal: None,
        result: format!("lease of {} expired at {}", old.holder, old.expires_at.to_rfc3339()),
        policy: None,
    };
    escher_runtime::audit::AuditLog::open(state_dir)?.append(entry).map(drop)
}
