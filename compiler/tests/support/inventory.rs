//! A lint fixture's `// inventory: STEP=N, ...` line: what each step's query matches today, as an inventory
//! would tell `escher lint` (tests/fixtures/README.md).

use std::collections::BTreeMap;

use escher_compiler::lint::TargetsToday;

/// The counts of the fixture's `// inventory:` line, if it has one, or what is wrong with the line.
pub fn inventory_from_header(text: &str) -> Result<Option<TargetsToday>, String> {
    let Some(line) = text.lines().find_map(|line| line.strip_prefix("// inventory:")) else {
        return Ok(None);
    };
    let mut counts = BTreeMap::new();
    for entry in line.split(',').map(str::trim) {
        let (step, count) = entry.split_once('=').ok_or_else(|| format!("`{entry}` is not STEP=N"))?;
        let count = count.trim().parse().map_err(|_| format!("`{entry}`: the count is not a number"))?;
        counts.insert(step.trim().to_string(), count);
    }
    Ok(Some(TargetsToday { source: "the fixture's inventory".into(), counts }))
}
