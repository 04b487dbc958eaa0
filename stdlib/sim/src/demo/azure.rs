//! The demo's Azure subscriptions: production (web and data resource groups in West Europe, shared in North
//! Europe) and development (`rg-dev`, which nightly_shutdown stops, and `rg-test`).

use super::{AZURE_DEV, AZURE_PROD, Demo, owned, with};
use crate::build::{self, AzurePlace};

type Tags = Vec<(&'static str, &'static str)>;
/// Place, security group, name, priority, (protocol, first port, last port) and source of a rule.
type RuleRow = (&'static AzurePlace<'static>, &'static str, &'static str, i64, (&'static str, i64, i64), &'static str);

const DEV: AzurePlace = AzurePlace { subscription: AZURE_DEV, resource_group: "rg-dev", location: "westeurope" };
const TEST: AzurePlace = AzurePlace { subscription: AZURE_DEV, resource_group: "rg-test", location: "northeurope" };
const ML: AzurePlace = AzurePlace { subscription: AZURE_DEV, resource_group: "rg-ml", location: "eastus" };
const PROD_WEB: AzurePlace =
    AzurePlace { subscription: AZURE_PROD, resource_group: "rg-prod-web", location: "westeurope" };
const PROD_DATA: AzurePlace =
    AzurePlace { subscription: AZURE_PROD, resource_group: "rg-prod-data", location: "westeurope" };
const SHARED: AzurePlace =
    AzurePlace { subscription: AZURE_PROD, resource_group: "rg-shared", location: "northeurope" };

pub(super) fn add(demo: &mut Demo) {
    vms(demo);
    disks(demo);
    functions(demo);
    databases(demo);
    storage(demo);
    network(demo);
}

/// A VM with its OS disk (deleted with it); returns the VM's id.
fn vm(demo: &mut Demo, place: &AzurePlace, name: &str, size: &str, state: &str, tags: Tags) -> String {
    let created = demo.ago(150);
    let id = demo.add(build::azure_vm(place, name, size).state(state).tags(&tags).at(&created));
    let disk = build::azure_disk_on(place, &format!("{name}-osdisk"), 128, &id, true).tags(&tags).at(&created);
    demo.add(disk);
    id
}

fn vms(demo: &mut Demo) {
    // Running dev VMs in rg-dev for nightly_shutdown (4, within its cap), and one already deallocated.
    vm(demo, &DEV, "vm-dev-api-01", "Standard_D2s_v5", "running", owned("dev", "platform"));
    vm(demo, &DEV, "vm-dev-web-01", "Standard_B2s", "running", owned("dev", "web"));
    vm(demo, &DEV, "vm-dev-worker-01", "Standard_D4s_v5", "running", owned("dev", "data"));
    vm(demo, &DEV, "vm-dev-jumpbox", "Standard_B2s", "running", owned("dev", "platform"));
    vm(demo, &DEV, "vm-dev-old-01", "Standard_D2s_v5", "deallocated", vec![("env", "dev")]);
    // A GPU box outside rg-dev, with no cost center.
    vm(demo, &ML, "vm-dev-gpu-01", "Standard_E4s_v5", "running", vec![("env", "dev"), ("owner", "data")]);
    // QA VMs weekend_startup starts.
    for name in ["vm-test-qa-01", "vm-test-qa-02"] {
        vm(
            demo,
            &TEST,
            name,
            "Standard_D2s_v5",
            "deallocated",
            with(owned("test", "qa"), &[("auto-start", "office-hours")]),
        );
    }
    for name in ["vm-prod-web-01", "vm-prod-web-02", "vm-prod-web-03"] {
        vm(demo, &PROD_WEB, name, "Standard_D4s_v5", "running", owned("prod", "web"));
    }
    let etl = vm(demo, &PROD_DATA, "vm-prod-etl-01", "Standard_E4s_v5", "running", owned("prod", "data"));
    let created = demo.ago(140);
    demo.add(
        build::azure_disk_on(&PROD_DATA, "vm-prod-etl-01-data", 1024, &etl, false)
            .tags(&owned("prod", "data"))
            .at(&created),
    );
    // Stopped but not deallocated: still billed.
    vm(demo, &PROD_DATA, "vm-prod-report-01", "Standard_D2s_v5", "stopped", owned("prod", "data"));
}

fn disks(demo: &mut Demo) {
    let old = demo.ago(400);
    demo.add(build::azure_disk(&DEV, "disk-old-backup-01", 256).tags(&owned("dev", "platform")).at(&old));
    demo.add(build::azure_disk(&PROD_DATA, "disk-orphan-data-02", 512).tags(&owned("prod", "data")).at(&old));
    let snapshots = [
        (&PROD_DATA, "snap-vm-prod-etl-01-os-2025-01", "vm-prod-etl-01-osdisk", 150),
        (&PROD_DATA, "snap-vm-prod-etl-01-data-2025-05", "vm-prod-etl-01-data", 20),
        (&DEV, "snap-vm-dev-api-01-before-upgrade", "vm-dev-api-01-osdisk", 9),
    ];
    for (place, name, disk, days) in snapshots {
        let source = place.id(&format!("Microsoft.Compute/disks/{disk}"));
        let taken = demo.ago(days);
        let env = if place.subscription == AZURE_PROD { "prod" } else { "dev" };
        demo.add(build::azure_snapshot(place, name, &source, 128).tags(&owned(env, "platform")).at(&taken));
    }
}

fn functions(demo: &mut Demo) {
    demo.add(
        build::function_app(&PROD_WEB, "func-prod-orders", "dotnet-isolated|8.0").tags(&owned("prod", "platform")),
    );
    demo.add(build::function_app(&DEV, "func-dev-webhooks", "python|3.11").tags(&owned("dev", "platform")));
    demo.add(build::function_app(&DEV, "func-legacy-sync", "node|18").state("stopped").tags(&owned("dev", "data")));
}

fn databases(demo: &mut Demo) {
    demo.add(build::sql_database(&PROD_DATA, "sql-acme-prod", "orders", "GP_Gen5_2").tags(&owned("prod", "platform")));
    demo.add(build::sql_database(&PROD_DATA, "sql-acme-prod", "reporting", "GP_S_Gen5_2").tags(&owned("prod", "data")));
    demo.add(build::sql_database(&DEV, "sql-acme-dev", "dev-orders", "S0").tags(&owned("dev", "platform")));
    // A paused serverless QA database that weekend_startup resumes.
    let qa = with(owned("test", "qa"), &[("auto-start", "office-hours")]);
    demo.add(build::sql_database(&DEV, "sql-acme-dev", "qa-orders", "DW100c").state("paused").tags(&qa));
}

fn storage(demo: &mut Demo) {
    let containers: [(&AzurePlace, &str, &str, &str, Tags); 7] = [
        (&PROD_WEB, "stacmeprodweb", "static-assets", "none", owned("prod", "web")),
        (&PROD_WEB, "stacmeprodweb", "marketing-downloads", "blob", owned("prod", "web")),
        (&PROD_DATA, "stacmeproddata", "invoices", "none", owned("prod", "payments")),
        (&DEV, "stacmedevshared", "dev-share", "container", owned("dev", "platform")),
        (&DEV, "stacmedevshared", "terraform", "none", owned("dev", "platform")),
        (&SHARED, "stlegacyarchive2018", "archive-2018", "none", owned("prod", "data")),
        (&SHARED, "stlegacyarchive2018", "exports", "none", owned("prod", "data")),
    ];
    for (place, account, name, access, tags) in containers {
        let mut container = build::blob_container(place, account, name).tags(&tags).text("public_access", access);
        if access != "none" {
            container = container.flag("public", true);
        }
        // The 2018 account predates default encryption; the data account versions its blobs.
        if account == "stlegacyarchive2018" {
            container = container.flag("encrypted", false);
        }
        if account == "stacmeproddata" {
            container = container.flag("versioning", true);
        }
        demo.add(container);
    }
}

fn network(demo: &mut Demo) {
    let rules: [RuleRow; 5] = [
        (&DEV, "nsg-dev", "allow-ssh-any", 100, ("tcp", 22, 22), "*"),
        (&DEV, "nsg-dev", "allow-rdp-internet", 110, ("tcp", 3389, 3389), "Internet"),
        (&DEV, "nsg-dev", "allow-http-vnet", 200, ("tcp", 80, 80), "VirtualNetwork"),
        (&PROD_WEB, "nsg-prod-web", "allow-https", 100, ("tcp", 443, 443), "Internet"),
        (&PROD_WEB, "nsg-prod-web", "allow-sql-vnet", 120, ("tcp", 1433, 1433), "VirtualNetwork"),
    ];
    for (place, nsg, name, priority, rule, source) in rules {
        let env = if place.subscription == AZURE_PROD { "prod" } else { "dev" };
        demo.add(build::nsg_rule(place, nsg, name, priority, rule, source).tags(&owned(env, "platform")));
    }
}
