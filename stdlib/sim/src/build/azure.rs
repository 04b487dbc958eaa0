//! Azure resources. Ids are Resource Manager paths, so they are made from the subscription, resource group and
//! name.

use escher_compiler::plan::Value;

use super::draft::{DEFAULT_TIME, Draft};
use super::prices;

/// Where an Azure resource lives: subscription, resource group and location.
#[derive(Debug, Clone, Copy)]
pub struct AzurePlace<'a> {
    pub subscription: &'a str,
    pub resource_group: &'a str,
    pub location: &'a str,
}

impl AzurePlace<'_> {
    /// The Resource Manager id of a resource of this place.
    pub fn id(&self, provider_path: &str) -> String {
        format!("/subscriptions/{}/resourceGroups/{}/providers/{provider_path}", self.subscription, self.resource_group)
    }

    fn draft(&self, kind: &str, provider_path: &str, name: &str) -> Draft {
        Draft::new(kind, &self.id(provider_path), name, self.subscription, self.location)
            .text("subscription", self.subscription)
            .text("resource_group", self.resource_group)
    }
}

/// A running Linux VM.
pub fn azure_vm(place: &AzurePlace, name: &str, vm_size: &str) -> Draft {
    place
        .draft("azure.vm.VirtualMachine", &format!("Microsoft.Compute/virtualMachines/{name}"), name)
        .state("running")
        .text("vm_size", vm_size)
        .text("os_type", "linux")
        .set("zone", Value::Null)
        .text("created", DEFAULT_TIME)
        .cost(prices::monthly(vm_size))
}

/// An unattached Premium SSD managed disk, encrypted with platform keys.
pub fn azure_disk(place: &AzurePlace, name: &str, size_gb: i64) -> Draft {
    place
        .draft("azure.disk.Disk", &format!("Microsoft.Compute/disks/{name}"), name)
        .state("unattached")
        .int("size_gb", size_gb)
        .flag("attached", false)
        .flag("encrypted", true)
        .text("sku", "Premium_LRS")
        .text("disk_state", "Unattached")
        .set("managed_by", Value::Null)
        .text("encryption", "EncryptionAtRestWithPlatformKey")
        .text("created", DEFAULT_TIME)
        .cost(prices::disk_monthly("Premium_LRS", size_gb))
}

/// A managed disk attached to a VM; an OS disk goes when the VM is deleted.
pub fn azure_disk_on(place: &AzurePlace, name: &str, size_gb: i64, vm_id: &str, os_disk: bool) -> Draft {
    azure_disk(place, name, size_gb)
        .state("attached")
        .flag("attached", true)
        .text("disk_state", "Attached")
        .text("managed_by", vm_id)
        .flag("delete_with_instance", os_disk)
}

/// An incremental snapshot of a disk.
pub fn azure_snapshot(place: &AzurePlace, name: &str, source_disk: &str, size_gb: i64) -> Draft {
    place
        .draft("azure.disk.Snapshot", &format!("Microsoft.Compute/snapshots/{name}"), name)
        .state("succeeded")
        .int("size_gb", size_gb)
        .flag("encrypted", true)
        .text("created", DEFAULT_TIME)
        .text("source_disk", source_disk)
        .flag("incremental", true)
        .cost(prices::snapshot_monthly(size_gb))
}

/// A running Function App on the consumption plan.
pub fn function_app(place: &AzurePlace, name: &str, runtime: &str) -> Draft {
    place
        .draft("azure.functions.FunctionApp", &format!("Microsoft.Web/sites/{name}"), name)
        .state("running")
        .text("runtime", runtime)
        .text("plan", "consumption")
        .text("default_hostname", &format!("{name}.azurewebsites.net"))
        .cost(12.0)
}

/// An online database on a logical server; SKUs with `_S_` are serverless.
pub fn sql_database(place: &AzurePlace, server: &str, name: &str, sku: &str) -> Draft {
    place
        .draft("azure.sql.Database", &format!("Microsoft.Sql/servers/{server}/databases/{name}"), name)
        .state("online")
        .text("engine", "sqlserver")
        .text("server", server)
        .text("sku", sku)
        .int("max_size_gb", 32)
        .flag("serverless", sku.contains("_S_"))
        .text("created", DEFAULT_TIME)
        .cost(prices::monthly(sku))
}

/// A private container of a storage account that encrypts and does not version.
pub fn blob_container(place: &AzurePlace, storage_account: &str, name: &str) -> Draft {
    let path = format!("Microsoft.Storage/storageAccounts/{storage_account}/blobServices/default/containers/{name}");
    place
        .draft("azure.storage.Container", &path, name)
        .state("available")
        .flag("public", false)
        .flag("encrypted", true)
        .flag("versioning", false)
        .text("storage_account", storage_account)
        .text("public_access", "none")
        .cost(18.0)
}

/// An inbound `Allow` rule of a network security group.
pub fn nsg_rule(
    place: &AzurePlace,
    nsg: &str,
    name: &str,
    priority: i64,
    rule: (&str, i64, i64),
    source: &str,
) -> Draft {
    let (protocol, from_port, to_port) = rule;
    place
        .draft(
            "azure.network.SecurityRule",
            &format!("Microsoft.Network/networkSecurityGroups/{nsg}/securityRules/{name}"),
            name,
        )
        .state("succeeded")
        .text("protocol", protocol)
        .int("from_port", from_port)
        .int("to_port", to_port)
        .text("source", source)
        .text("security_group", nsg)
        .int("priority", priority)
}
