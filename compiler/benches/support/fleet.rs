//! A large generated playbook for the benchmark: a fleet cut into shards, every name and action real.
//!
//! Each shard is 100 steps over two queries:
//! - fan-out: 40 `aws.ec2.stop` steps all reading the shard's instance query, with options;
//! - a deep chain: 40 `aws.ec2.tag` steps, each `after` the one before, the chain running on through every shard
//!   (so the whole playbook holds one chain of `40 × shards` steps);
//! - a backup and a destroy that depends on it (`create_snapshots`, then `delete_volumes`);
//! - a fan-out over the instances, `for i in ...`;
//! - fan-in: 16 `report.table` steps each concatenating five earlier outputs, and a `report.summary` that waits
//!   for the end of the shard's chain. The last shard's summary also waits for every other shard's summary.

use std::fmt::Write;

/// Steps in one shard.
pub const STEPS_PER_SHARD: usize = 100;
/// Queries (`let`s) in one shard.
pub const QUERIES_PER_SHARD: usize = 2;

const STOPS: usize = 40;
const CHAIN: usize = 40;
const REPORTS: usize = 16;
const ROWS_PER_REPORT: usize = 5;

/// The playbook source with `shards × 100` steps.
pub fn playbook(shards: usize) -> String {
    let mut out = String::with_capacity(shards * 12_000);
    out.push_str("//! A fleet of shards, generated for the compiler benchmark.\n");
    out.push_str("playbook fleet {\n");
    out.push_str("  param env: string matches \"^(dev|test)$\" = \"dev\"\n");
    out.push_str("  param cap: int in 1..=50 = 5\n");
    out.push_str("  param wait: duration in 1m..=1h = 10m\n");
    out.push_str("  param regions: list<aws.region> = [\"us-east-1\", \"eu-west-1\"]\n\n");
    for shard in 0..shards {
        write_shard(&mut out, shard, shards);
    }
    out.push_str("}\n");
    out
}

/// Appends one shard; `line!`-style formatting into a `String` cannot fail, so results are ignored.
fn write_shard(out: &mut String, s: usize, shards: usize) {
    let _ = writeln!(out, "  /// Shard {s}'s running instances.");
    let _ = writeln!(
        out,
        "  let vms_{s} = aws.ec2.instances(regions = regions, tags = {{env: env, shard: \"s{s}\"}}, state = \"running\")"
    );
    let _ = writeln!(
        out,
        "  let disks_{s} = aws.ec2.volumes(regions = [\"eu-west-1\"], attached = false, tags = {{shard: \"s{s}\"}})"
    );

    for k in 0..STOPS {
        let _ = writeln!(
            out,
            "  step stop_{s}_{k} = aws.ec2.stop(vms_{s}) {{ when = len(vms_{s}) > 0, max_targets = cap, retry = 2, timeout = wait, on_failure = continue }}"
        );
    }

    for k in 0..CHAIN {
        let previous = match (s, k) {
            (0, 0) => None,
            (_, 0) => Some(format!("tag_{}_{}", s - 1, CHAIN - 1)),
            _ => Some(format!("tag_{s}_{}", k - 1)),
        };
        let after = previous.map(|p| format!(" after ({p})")).unwrap_or_default();
        let _ = writeln!(
            out,
            "  step tag_{s}_{k}{after} = aws.ec2.tag(stop_{s}_{k}.changed, tags = {{stopped_by: \"escher\", shard: \"s{s}\"}}) {{ max_targets = cap }}"
        );
    }

    let _ = writeln!(
        out,
        "  step snap_{s} = aws.ec2.create_snapshots(disks_{s}, description = \"before cleanup\") {{ max_targets = 10 }}"
    );
    let _ = writeln!(
        out,
        "  step drop_{s} = aws.ec2.delete_volumes(snap_{s}.changed) {{ max_targets = 10, on_failure = rollback }}"
    );
    let _ = writeln!(
        out,
        "  step each_{s} = for vm in vms_{s}: aws.ec2.reboot([vm]) {{ concurrency = 4, max_targets = cap, approve = manager }}"
    );

    for r in 0..REPORTS {
        let rows: Vec<String> =
            (0..ROWS_PER_REPORT).map(|i| format!("stop_{s}_{}.changed", (r * ROWS_PER_REPORT + i) % STOPS)).collect();
        let _ = writeln!(
            out,
            "  step report_{s}_{r} = report.table(\"Shard {s}, part {r} (${{env}})\", {})",
            rows.join(" ++ ")
        );
    }

    let mut waits = vec![format!("tag_{s}_{}", CHAIN - 1), format!("drop_{s}")];
    if s + 1 == shards {
        waits.extend((0..s).map(|other| format!("summary_{other}")));
    }
    let _ = writeln!(
        out,
        "  step summary_{s} after ({}) = report.summary(\"Shard {s}\", values = {{stopped: len(stop_{s}_0.changed), tagged: len(tag_{s}_{}.changed), failed: len(stop_{s}_1.failed ++ drop_{s}.failed), rebooted: len(each_{s}.changed)}})\n",
        waits.join(", "),
        CHAIN - 1
    );
}
