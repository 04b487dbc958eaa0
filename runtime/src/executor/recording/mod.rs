//! What a run leaves behind as it goes: journal records and audit entries written in groups, what is recorded
//! when a node ends, and the run's ordered event stream.

pub(super) mod emitter;
mod group_commit;
pub(super) mod record;
pub(super) mod recorder;
