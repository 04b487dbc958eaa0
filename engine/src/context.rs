//! The estate as a model may see it (`escher context`): what kinds of resources there are, how many, in which
//! states, regions and tags, and each resource with every identifier (ids and names, accounts, subscriptions and
//! projects, addresses, tag values not known to be harmless) replaced by a stable pseudonym. A pseudonym is a
//! keyed hash under a secret kept in the state directory (`context.key`, never pushed to a bucket), so the same
//! identifier always gets the same pseudonym on this machine and no one without the key can reverse it. A
//! playbook the model writes with pseudonyms is mapped back ([`Unmask`]) before it is compiled; nothing shown to
//! the user carries them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use escher_compiler::plan::Value;
use escher_compiler::stdlib::Cloud;
use escher_runtime::provider::resource_field;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

/// Fields whose values identify nothing and are shown as they are: kinds, places, states, sizes, settings,
/// times. Every other field's text is a pseudonym.
const SHOWN: &[&str] = &[
    "kind",
    "cloud",
    "region",
    "zone",
    "availability_zone",
    "state",
    "status",
    "disk_state",
    "instance_type",
    "machine_type",
    "vm_size",
    "sku",
    "tier",
    "engine",
    "engine_version",
    "database_version",
    "runtime",
    "platform",
    "os_type",
    "size_gb",
    "storage_gb",
    "max_size_gb",
    "memory_mb",
    "timeout_seconds",
    "reserved_concurrency",
    "max_instances",
    "monthly_cost",
    "encrypted",
    "encryption",
    "public",
    "public_access",
    "public_access_blocked",
    "public_access_prevention",
    "attached",
    "versioning",
    "multi_az",
    "high_availability",
    "preemptible",
    "serverless",
    "incremental",
    "protocol",
    "from_port",
    "to_port",
    "priority",
    "disabled",
    "record_type",
    "ttl",
    "failover",
    "snapshot_type",
    "storage_class",
    "volume_type",
    "disk_type",
    "delete_with_instance",
    "generation",
    "created",
    "launch_time",
    "last_modified",
    "updated",
];

/// Sources that name no one: open to everything.
const OPEN_SOURCES: &[&str] = &["0.0.0.0/0", "::/0", "*", "Internet"];

/// Tag keys whose values are shown by default: they describe an environment or tier, not an owner or a system.
pub const SHOWN_TAGS: &[&str] = &["env", "environment", "stage", "tier"];

/// The file under the state directory that holds the key.
const KEY_FILE: &str = "context.key";

/// Makes pseudonyms under this machine's key.
pub struct Pseudonyms {
    key: [u8; 32],
}

impl Pseudonyms {
    /// The key in `state_dir`, made (owner-only) on first use.
    pub fn load_or_create(state_dir: &Path) -> std::io::Result<Pseudonyms> {
        let path = state_dir.join(KEY_FILE);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let bytes = hex::decode(text.trim())
                .ok()
                .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                .ok_or_else(|| std::io::Error::other(format!("{} is not a 32-byte hex key", path.display())))?;
            return Ok(Pseudonyms { key: bytes });
        }
        let key: [u8; 32] = rand::random();
        escher_governance::files::write_owner_only(&path, hex::encode(key).as_bytes())?;
        Ok(Pseudonyms { key })
    }

    /// A pseudonym under a given key (tests, hosts that keep their own).
    pub fn with_key(key: [u8; 32]) -> Pseudonyms {
        Pseudonyms { key }
    }

    /// `name-3fa9c01b2d`: `class` says what it stands for (`id`, `name`, `acct`, `ip`, `tag`).
    pub fn of(&self, class: &str, value: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key length");
        mac.update(class.as_bytes());
        mac.update(b"\0");
        mac.update(value.as_bytes());
        let digest = mac.finalize().into_bytes();
        format!("{class}-{}", hex::encode(&digest[..5]))
    }
}

/// What to include.
#[derive(Debug, Clone, Default)]
pub struct ContextOptions {
    /// Only these clouds' resources (empty: all).
    pub clouds: Vec<Cloud>,
    /// Tag keys whose values are shown as they are, besides [`SHOWN_TAGS`].
    pub shown_tags: Vec<String>,
}

impl ContextOptions {
    fn keeps(&self, resource: &Value) -> bool {
        self.clouds.is_empty()
            || self.clouds.iter().any(|cloud| resource_field(resource, "cloud") == Some(cloud.name()))
    }

    fn shows_tag(&self, key: &str) -> bool {
        SHOWN_TAGS.contains(&key.to_ascii_lowercase().as_str()) || self.shown_tags.iter().any(|shown| shown == key)
    }
}

/// The estate as a model may see it.
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    pub version: u32,
    pub kinds: Vec<KindSummary>,
    /// Each resource, its identifiers replaced.
    pub resources: Vec<serde_json::Value>,
}

/// How many resources of one kind, by state, region and tag.
#[derive(Debug, Clone, Serialize)]
pub struct KindSummary {
    pub kind: String,
    pub count: usize,
    pub states: BTreeMap<String, usize>,
    pub regions: BTreeMap<String, usize>,
    /// Tag key → value → count, for the tags whose values are shown; for the others, under `"*"`, how many
    /// resources have the key.
    pub tags: BTreeMap<String, BTreeMap<String, usize>>,
}

/// The context of `resources` under `pseudonyms`.
pub fn context(resources: &[Value], pseudonyms: &Pseudonyms, options: &ContextOptions) -> Context {
    let kept: Vec<&Value> = resources.iter().filter(|resource| options.keeps(resource)).collect();
    let mut kinds: BTreeMap<String, KindSummary> = BTreeMap::new();
    for resource in &kept {
        let kind = resource_field(resource, "kind").unwrap_or("?").to_string();
        let summary = kinds.entry(kind.clone()).or_insert_with(|| KindSummary {
            kind,
            count: 0,
            states: BTreeMap::new(),
            regions: BTreeMap::new(),
            tags: BTreeMap::new(),
        });
        summary.count += 1;
        *summary.states.entry(resource_field(resource, "state").unwrap_or("-").to_string()).or_default() += 1;
        *summary.regions.entry(resource_field(resource, "region").unwrap_or("-").to_string()).or_default() += 1;
        for (key, value) in tags(resource) {
            let shown = if options.shows_tag(key) { text(value) } else { "*".to_string() };
            *summary.tags.entry(key.clone()).or_default().entry(shown).or_default() += 1;
        }
    }
    let resources = kept.iter().map(|resource| masked(resource, pseudonyms, options)).collect();
    Context { version: 1, kinds: kinds.into_values().collect(), resources }
}

/// One resource with its identifiers replaced.
fn masked(resource: &Value, pseudonyms: &Pseudonyms, options: &ContextOptions) -> serde_json::Value {
    let Value::Record(fields) = resource else { return serde_json::Value::Null };
    let mut out = serde_json::Map::new();
    for (name, value) in fields {
        let shown = match name.as_str() {
            "tags" => {
                let tags = tags(resource).map(|(key, value)| {
                    let value = if options.shows_tag(key) { text(value) } else { pseudonyms.of("tag", &text(value)) };
                    (key.clone(), serde_json::Value::String(value))
                });
                serde_json::Value::Object(tags.collect())
            }
            "source" if matches!(value, Value::String(source) if OPEN_SOURCES.contains(&source.as_str())) => {
                to_json(value)
            }
            shown if SHOWN.contains(&shown) => to_json(value),
            other => masked_value(value, class_of(other), pseudonyms),
        };
        out.insert(name.clone(), shown);
    }
    serde_json::Value::Object(out)
}

fn masked_value(value: &Value, class: &str, pseudonyms: &Pseudonyms) -> serde_json::Value {
    match value {
        Value::String(text) if text.is_empty() => serde_json::Value::String(String::new()),
        Value::String(text) => serde_json::Value::String(pseudonyms.of(class, text)),
        Value::List(items) => items.iter().map(|item| masked_value(item, class, pseudonyms)).collect(),
        Value::Record(fields) => {
            fields.iter().map(|(name, item)| (name.clone(), masked_value(item, class, pseudonyms))).collect()
        }
        other => to_json(other),
    }
}

/// What a field's pseudonyms are called.
fn class_of(field: &str) -> &'static str {
    match field {
        "account" | "subscription" | "project" => "acct",
        field if field == "id" || field.ends_with("_id") || field.ends_with("_ids") => "id",
        field if field.ends_with("_ip") => "ip",
        _ => "name",
    }
}

/// Maps the pseudonyms of a context back to the identifiers they stand for, for a playbook written with them.
pub struct Unmask {
    real: BTreeMap<String, String>,
    /// The identifiers the context replaces (not the fields it shows as they are, such as regions), by their
    /// pseudonyms: what [`Unmask::mask`] replaces.
    identifiers: BTreeMap<String, String>,
}

impl Unmask {
    /// Every pseudonym the context of `resources` under `pseudonyms` can hold (whatever the options), with what it
    /// stands for.
    pub fn of(resources: &[Value], pseudonyms: &Pseudonyms) -> Unmask {
        let mut real = BTreeMap::new();
        let mut identifiers = BTreeMap::new();
        for resource in resources {
            let Value::Record(fields) = resource else { continue };
            for (name, value) in fields {
                if name == "tags" {
                    for (_, value) in tags(resource) {
                        real.insert(pseudonyms.of("tag", &text(value)), text(value));
                    }
                } else {
                    remember(value, class_of(name), pseudonyms, &mut real);
                    if !SHOWN.contains(&name.as_str()) && name != "source" {
                        remember(value, class_of(name), pseudonyms, &mut identifiers);
                    }
                }
            }
        }
        Unmask { real, identifiers }
    }

    /// `text` with each identifier of the estate it holds (a resource's id, name, account or address, as a
    /// whole word) replaced by its pseudonym: what the person asking typed, before it is sent to a model. Tag
    /// values are left as they are (`dev` in "stop the dev VMs"); the context shows the ones it may.
    pub fn mask(&self, text: &str) -> String {
        let mut identifiers: Vec<(&String, &String)> = self.identifiers.iter().map(|(p, r)| (r, p)).collect();
        // Longest first, so that `web-1-db` is replaced before `web-1`.
        identifiers.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(b.0)));
        let mut masked = text.to_string();
        for (real, pseudonym) in identifiers {
            masked = replace_word(&masked, real, pseudonym);
        }
        masked
    }

    /// `text` with every pseudonym replaced by what it stands for, and the pseudonym-shaped words no resource has
    /// (which the caller should refuse: the model made them up).
    pub fn apply(&self, text: &str) -> (String, Vec<String>) {
        let mut out = String::with_capacity(text.len());
        let mut unknown = Vec::new();
        let mut rest = text;
        while let Some((start, len)) = next_pseudonym(rest) {
            out.push_str(&rest[..start]);
            let word = &rest[start..start + len];
            match self.real.get(word) {
                Some(real) => out.push_str(real),
                None => {
                    unknown.push(word.to_string());
                    out.push_str(word);
                }
            }
            rest = &rest[start + len..];
        }
        out.push_str(rest);
        (out, unknown)
    }
}

/// `text` with every whole-word occurrence of `word` (not inside a longer name) replaced.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    if word.is_empty() {
        return text.to_string();
    }
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + word.len()..].chars().next();
        let whole = !before.is_some_and(is_name_char) && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        out.push_str(&rest[..at]);
        out.push_str(if whole { with } else { word });
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

/// The next `class-hhhhhhhhhh` word in `text`, as (start, length).
fn next_pseudonym(text: &str) -> Option<(usize, usize)> {
    const CLASSES: &[&str] = &["acct-", "id-", "ip-", "name-", "tag-"];
    let bytes = text.as_bytes();
    let mut from = 0;
    while from < text.len() {
        let (at, class) = CLASSES
            .iter()
            .filter_map(|class| text[from..].find(class).map(|at| (from + at, class.len())))
            .min_by_key(|(at, _)| *at)?;
        let hex_end = at + class + 10;
        let word_start = at == 0 || !(bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_');
        let hex = text.get(at + class..hex_end).is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
        let word_end = bytes.get(hex_end).is_none_or(|b| !(b.is_ascii_alphanumeric() || *b == b'_'));
        if word_start && hex && word_end {
            return Some((at, class + 10));
        }
        from = at + 1;
    }
    None
}

fn remember(value: &Value, class: &str, pseudonyms: &Pseudonyms, real: &mut BTreeMap<String, String>) {
    match value {
        Value::String(text) if !text.is_empty() => {
            real.insert(pseudonyms.of(class, text), text.clone());
        }
        Value::List(items) => items.iter().for_each(|item| remember(item, class, pseudonyms, real)),
        Value::Record(fields) => fields.values().for_each(|item| remember(item, class, pseudonyms, real)),
        _ => {}
    }
}

impl Context {
    /// The context as a compact text block for a prompt: one line per kind, then one per resource.
    pub fn to_prompt(&self) -> String {
        use std::fmt::Write;
        let mut text = self.to_summary_prompt();
        text.push_str("\n## Resources\n");
        for resource in &self.resources {
            let _ = writeln!(text, "{}", serde_json::to_string(resource).unwrap_or_default());
        }
        text
    }

    /// The kinds alone (counts, states, regions, tags), without one line per resource: what a model needs to
    /// write queries, in a fraction of the tokens.
    pub fn to_summary_prompt(&self) -> String {
        use std::fmt::Write;
        let mut text = String::from("# Estate (identifiers are pseudonyms; write them as they are)\n\n## Kinds\n");
        let counts = |map: &BTreeMap<String, usize>| {
            map.iter().map(|(name, count)| format!("{name} {count}")).collect::<Vec<_>>().join(", ")
        };
        for kind in &self.kinds {
            let tags: Vec<String> = kind
                .tags
                .iter()
                .map(|(key, values)| match values.get("*") {
                    Some(count) if values.len() == 1 => format!("{key} ({count})"),
                    _ => format!("{key}: {}", counts(values)),
                })
                .collect();
            let _ = writeln!(
                text,
                "{}: {} (states {}; regions {}; tags {})",
                kind.kind,
                kind.count,
                counts(&kind.states),
                counts(&kind.regions),
                tags.join("; ")
            );
        }
        text
    }
}

/// Where the context's resources come from: a simulated estate, or the inventories in a state directory.
pub fn inventory_resources(state_dir: &Path) -> Result<Vec<Value>, String> {
    let dir = state_dir.join("inventory");
    let mut resources = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|error| format!("no inventory in {}: {error} (`escher inventory` makes one)", dir.display()))?
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    for path in files {
        #[derive(serde::Deserialize)]
        struct Saved {
            resources: Vec<Value>,
        }
        let text = std::fs::read_to_string(&path).map_err(|error| format!("{}: {error}", path.display()))?;
        let saved: Saved = serde_json::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))?;
        resources.extend(saved.resources);
    }
    Ok(resources)
}

fn tags(resource: &Value) -> impl Iterator<Item = (&String, &Value)> {
    let tags = match resource {
        Value::Record(fields) => match fields.get("tags") {
            Some(Value::Record(tags)) => Some(tags),
            _ => None,
        },
        _ => None,
    };
    tags.into_iter().flatten()
}

fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => escher_compiler::lower::display(other),
    }
}

fn to_json(value: &Value) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Vec<Value> {
        escher_sim::Sim::demo().resources()
    }

    /// Fields of the demo estate that hold identifiers, named here rather than taken from [`SHOWN`], so that a
    /// field wrongly added there fails this test.
    const IDENTIFYING: &[&str] = &[
        "id",
        "name",
        "account",
        "subscription",
        "project",
        "resource_group",
        "image_id",
        "vpc_id",
        "group_id",
        "group_name",
        "volume_id",
        "instance_id",
        "snapshot_ids",
        "kms_key_id",
        "zone_id",
        "zone_name",
        "values",
        "health_check_id",
        "set_identifier",
        "instance_name",
        "source_disk",
        "managed_by",
        "server",
        "storage_account",
        "security_group",
        "network",
        "users",
        "default_hostname",
        "private_ip",
        "public_ip",
        "replication_destination",
        "instance",
        "description",
    ];

    /// Every identifier of the estate: the text of each identifying field, and each tag value not shown, unless
    /// the same word is also what a shown tag, kind, state or region says (`web` as an owner, and as a tier).
    fn identifiers(resources: &[Value], options: &ContextOptions) -> Vec<String> {
        let (mut hidden, mut shown) = (Vec::new(), std::collections::BTreeSet::new());
        for resource in resources {
            let Value::Record(fields) = resource else { continue };
            for (name, value) in fields {
                if name == "tags" {
                    for (key, value) in tags(resource) {
                        if options.shows_tag(key) {
                            shown.insert(text(value));
                        } else {
                            hidden.push(text(value));
                        }
                    }
                } else if ["kind", "cloud", "state", "region"].contains(&name.as_str()) {
                    shown.insert(text(value));
                } else if IDENTIFYING.contains(&name.as_str()) {
                    let mut real = BTreeMap::new();
                    remember(value, "x", &Pseudonyms::with_key([0; 32]), &mut real);
                    hidden.extend(real.into_values());
                }
            }
        }
        hidden.retain(|text| !shown.contains(text));
        hidden.sort();
        hidden.dedup();
        hidden
    }

    /// Every string `value` holds, with its objects' keys too when `keys`.
    fn said_in(value: &serde_json::Value, keys: bool, out: &mut Vec<String>) {
        match value {
            serde_json::Value::String(text) => out.push(text.clone()),
            serde_json::Value::Array(items) => items.iter().for_each(|item| said_in(item, keys, out)),
            serde_json::Value::Object(fields) => {
                for (key, item) in fields {
                    if keys {
                        out.push(key.clone());
                    }
                    said_in(item, keys, out);
                }
            }
            _ => {}
        }
    }

    /// Whether `word` occurs in `text` as a word of its own (`data` does not occur in `database`).
    fn appears(text: &str, word: &str) -> bool {
        let part = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
        text.match_indices(word).any(|(at, _)| {
            let before = text[..at].chars().next_back().is_none_or(|c| !part(c));
            let after = text[at + word.len()..].chars().next().is_none_or(|c| !part(c));
            before && after
        })
    }

    #[test]
    fn no_identifier_of_the_estate_appears_in_its_context() {
        let (resources, options) = (demo(), ContextOptions::default());
        let context = context(&resources, &Pseudonyms::with_key([7; 32]), &options);
        let json = serde_json::to_value(&context).expect("JSON");
        // What the context says: every value, and the summaries' keys (states, regions, tag values); not field
        // names or tag keys, which name no one.
        let mut said = Vec::new();
        said_in(&json["resources"], false, &mut said);
        said_in(&json["kinds"], true, &mut said);
        let prompt = context.to_prompt();
        let (kinds, listed) = prompt.split_once("\n## Resources\n").expect("two sections");
        let identifiers = identifiers(&resources, &options);
        assert!(identifiers.len() > 500, "the demo estate has many identifiers: {}", identifiers.len());
        for identifier in &identifiers {
            assert!(!said.iter().any(|text| appears(text, identifier)), "`{identifier}` appears in the context");
            assert!(!appears(kinds, identifier), "`{identifier}` appears in the prompt's kinds");
        }
        let lines: Vec<serde_json::Value> =
            listed.lines().map(|line| serde_json::from_str(line).expect("a resource as JSON")).collect();
        assert_eq!(lines, context.resources, "the prompt lists the resources as the JSON has them");
        assert_eq!(context.resources.len(), resources.len());
        let instances = context.kinds.iter().find(|kind| kind.kind == "aws.ec2.Instance").expect("EC2 instances");
        assert!(instances.tags["env"].contains_key("dev"), "env values are shown: {:?}", instances.tags);
    }

    #[test]
    fn pseudonyms_are_stable_under_one_key_and_unmask_to_what_they_stand_for() {
        let resources = demo();
        let options = ContextOptions { clouds: vec![Cloud::Gcp], shown_tags: Vec::new() };
        let (mine, other) = (Pseudonyms::with_key([7; 32]), Pseudonyms::with_key([8; 32]));
        let once = serde_json::to_string(&context(&resources, &mine, &options)).expect("JSON");
        let again = serde_json::to_string(&context(&resources, &mine, &options)).expect("JSON");
        let elsewhere = serde_json::to_string(&context(&resources, &other, &options)).expect("JSON");
        assert_eq!(once, again);
        assert_ne!(once, elsewhere);
        assert!(!once.contains("\"cloud\":\"aws\""), "only GCP's resources");

        let (unmasked, unknown) = Unmask::of(&resources, &mine).apply(&once);
        assert!(unknown.is_empty(), "every pseudonym stands for something: {unknown:?}");
        let real = serde_json::to_string(&context(&resources, &mine, &options).resources).expect("JSON");
        assert_ne!(unmasked, once);
        assert!(!real.is_empty());
        let made_up = Unmask::of(&resources, &mine).apply("tags = { Name: \"name-0123456789\" }, xname-0123456789");
        assert_eq!(made_up.1, ["name-0123456789"], "a made-up pseudonym is reported; one inside a word is not one");
    }

    #[test]
    fn a_request_is_masked_of_the_estates_identifiers_but_not_of_what_the_context_shows() {
        let resources = demo();
        let options = ContextOptions::default();
        let pseudonyms = Pseudonyms::with_key([7; 32]);
        let unmask = Unmask::of(&resources, &pseudonyms);
        let identifiers = identifiers(&resources, &options);
        let named: Vec<&String> = identifiers.iter().filter(|id| id.len() > 6).take(3).collect();
        let request = format!("stop {} and {} in eu-west-1, running dev ones, then {}", named[0], named[1], named[2]);
        let masked = unmask.mask(&request);
        for identifier in &named {
            assert!(!appears(&masked, identifier), "`{identifier}` is masked: {masked}");
        }
        for shown in ["eu-west-1", "running", "dev", "stop"] {
            assert!(appears(&masked, shown), "`{shown}` is left: {masked}");
        }
        let (back, unknown) = unmask.apply(&masked);
        assert!(unknown.is_empty());
        assert_eq!(back, request, "the pseudonyms map back");
    }

    #[test]
    fn the_key_is_made_once_owner_only_and_read_back() {
        let state = tempfile::tempdir().expect("a state directory");
        let first = Pseudonyms::load_or_create(state.path()).expect("made");
        let second = Pseudonyms::load_or_create(state.path()).expect("read");
        assert_eq!(first.of("id", "i-1"), second.of("id", "i-1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(state.path().join(KEY_FILE)).expect("the key").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
