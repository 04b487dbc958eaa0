//! A step's risk level from its effect and scope, with one reason line per factor.

use crate::plan::{BlastRadius, Risk, RiskLevel};
use crate::stdlib::Effect;

use super::scope::Scope;

/// Blast radii above this many resources raise the level.
const LARGE_BLAST_RADIUS: u64 = 10;
/// Steps over more regions than this raise the level.
const MANY_REGIONS: usize = 3;

const LEVELS: [RiskLevel; 4] = [RiskLevel::Low, RiskLevel::Medium, RiskLevel::High, RiskLevel::Critical];

pub(super) fn risk_of(effect: Effect, scope: Scope) -> Risk {
    let mut reasons = Vec::new();
    let level = if effect == Effect::Read {
        reasons.push("read: always low".to_string());
        RiskLevel::Low
    } else {
        let base = base_level(effect);
        reasons.push(format!("{}: base level {}", effect.as_str(), base.as_str()));
        let raises = [blast_reason(scope.blast_radius), production_reason(&scope), breadth_reason(&scope)];
        let raised: Vec<String> = raises.into_iter().flatten().map(|why| format!("{why}: +1")).collect();
        let uncapped = base as usize + raised.len();
        reasons.extend(raised);
        let top = LEVELS.len() - 1;
        if uncapped > top {
            reasons.push(format!("capped at {}", RiskLevel::Critical.as_str()));
        }
        LEVELS[uncapped.min(top)]
    };
    Risk {
        level,
        blast_radius: scope.blast_radius,
        production: scope.production.is_some(),
        clouds: scope.clouds,
        regions: scope.regions,
        reasons,
    }
}

fn base_level(effect: Effect) -> RiskLevel {
    match effect {
        Effect::Read | Effect::Mutate => RiskLevel::Low,
        Effect::Disrupt => RiskLevel::Medium,
        Effect::Destroy => RiskLevel::High,
    }
}

fn blast_reason(radius: BlastRadius) -> Option<String> {
    match radius {
        BlastRadius::Unbounded => Some("blast radius unbounded".to_string()),
        BlastRadius::Exact(n) if n > LARGE_BLAST_RADIUS => Some(format!("blast radius {n} resources")),
        BlastRadius::AtMost(n) if n > LARGE_BLAST_RADIUS => Some(format!("blast radius up to {n} resources")),
        _ => None,
    }
}

fn production_reason(scope: &Scope) -> Option<String> {
    scope.production.as_ref().map(|tag| format!("touches production ({tag})"))
}

fn breadth_reason(scope: &Scope) -> Option<String> {
    let clouds = scope.clouds.len();
    let regions = scope.regions.len();
    match (clouds > 1, regions > MANY_REGIONS) {
        (true, true) => Some(format!("spans {clouds} clouds and {regions} regions")),
        (true, false) => Some(format!("spans {clouds} clouds")),
        (false, true) => Some(format!("spans {regions} regions")),
        (false, false) => None,
    }
}
