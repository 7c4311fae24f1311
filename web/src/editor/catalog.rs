//! What the palette offers: every placeable service, grouped by role, with its icon.
//!
//! Why a table here and not in the core: labels, groups and icons are presentation; the
//! node's parameters come from the core's defaults (`NodeKind::with_defaults`), so the
//! palette never invents a model.

use surge_core::{NodeKind, ServiceParams, ServicePreset};

/// A palette group, in display order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Where load enters: clients, API Gateway, schedules, S3.
    Entry,
    /// Lambda and Step Functions.
    Compute,
    /// SQS, SNS, Kinesis.
    QueuesAndStreams,
    /// RDS Proxy, RDS, DynamoDB.
    Data,
    /// Rate-limited services.
    Services,
}

impl Group {
    /// Every group in display order.
    pub const ALL: [Group; 5] = [
        Group::Entry,
        Group::Compute,
        Group::QueuesAndStreams,
        Group::Data,
        Group::Services,
    ];

    /// Heading shown above the group.
    pub fn title(self) -> &'static str {
        match self {
            Group::Entry => "Entry",
            Group::Compute => "Compute",
            Group::QueuesAndStreams => "Queues & streams",
            Group::Data => "Data",
            Group::Services => "Services",
        }
    }
}

/// One placeable service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CatalogItem {
    /// Unique key (the kind tag, or `service:<preset>` for service presets).
    pub key: &'static str,
    /// The node kind tag it creates.
    pub kind: &'static str,
    /// Label shown to the user.
    pub label: &'static str,
    /// Prefix of the ids of new nodes (`orders-fn` style ids are the user's to choose).
    pub id_prefix: &'static str,
    /// Palette group.
    pub group: Group,
    /// One line on what it models.
    pub hint: &'static str,
    /// SVG path data of its icon in a 24×24 box (drawn for Surge; no vendor artwork).
    pub icon: &'static str,
}

impl CatalogItem {
    /// The parameters a new node of this item starts with.
    pub fn node_kind(&self) -> NodeKind {
        let preset = match self.key {
            "service:secrets_manager" => Some(ServicePreset::SecretsManager),
            "service:cloudwatch" => Some(ServicePreset::Cloudwatch),
            "service" => Some(ServicePreset::ThirdPartyApi),
            _ => None,
        };
        match preset {
            Some(preset) => NodeKind::Service(ServiceParams {
                preset,
                ..ServiceParams::default()
            }),
            None => NodeKind::with_defaults(self.kind).unwrap_or_else(|| {
                // Every catalog kind is a core kind; a test checks it.
                NodeKind::Lambda(surge_core::LambdaParams::default())
            }),
        }
    }
}

const fn item(
    key: &'static str,
    kind: &'static str,
    label: &'static str,
    id_prefix: &'static str,
    group: Group,
    hint: &'static str,
    icon: &'static str,
) -> CatalogItem {
    CatalogItem {
        key,
        kind,
        label,
        id_prefix,
        group,
        hint,
        icon,
    }
}

/// Every placeable service, grouped and ordered as the palette shows them.
pub const CATALOG: [CatalogItem; 16] = [
    item(
        "client",
        "client",
        "Clients",
        "clients",
        Group::Entry,
        "Open-loop load with timeouts and retries",
        "M8 8a3 3 0 1 0 0.01 0 M3 20c0-3 2-5 5-5s5 2 5 5 M16 9a2.5 2.5 0 1 0 0.01 0 M14 15c3-1 7 0 7 4",
    ),
    item(
        "api_gateway",
        "api_gateway",
        "API Gateway",
        "api",
        Group::Entry,
        "HTTP front door: throttling, 29 s timeout",
        "M3 6h18v12H3z M7 10h10 M7 14h6",
    ),
    item(
        "schedule",
        "schedule",
        "Schedule",
        "schedule",
        Group::Entry,
        "EventBridge schedule: invokes targets at a fixed rate",
        "M12 3a9 9 0 1 0 0.01 0 M12 7v5l3 3",
    ),
    item(
        "s3",
        "s3",
        "S3 bucket",
        "bucket",
        Group::Entry,
        "Object writes notify every connected target",
        "M4 6c0-2 16-2 16 0l-2 13c0 2-12 2-12 0z M4 6c0 2 16 2 16 0",
    ),
    item(
        "lambda",
        "lambda",
        "Lambda",
        "fn",
        Group::Compute,
        "Functions with a shared concurrency pool",
        "M5 20 L11 4 M11 4 L19 20 M8 12 L5 20",
    ),
    item(
        "step_functions",
        "step_functions",
        "Step Functions",
        "workflow",
        Group::Compute,
        "Workflows with retries and catches",
        "M6 4h4v4H6z M14 16h4v4h-4z M8 8v4h8v4",
    ),
    item(
        "worker_pool",
        "worker_pool",
        "Worker pool",
        "pool",
        Group::Compute,
        "Workers shared by tenants: shuffle sharding",
        "M4 5h4v4H4z M10 5h4v4h-4z M16 5h4v4h-4z M4 15h4v4H4z M10 15h4v4h-4z M16 15h4v4h-4z M6 9v6 M18 9v6",
    ),
    item(
        "sqs",
        "sqs",
        "SQS",
        "queue",
        Group::QueuesAndStreams,
        "Queue: absorbs surges, redrives to a DLQ",
        "M3 8h18v8H3z M8 8v8 M13 8v8",
    ),
    item(
        "sns",
        "sns",
        "SNS",
        "topic",
        Group::QueuesAndStreams,
        "Topic: every message reaches every subscription",
        "M5 12a2 2 0 1 0 0.01 0 M7 12h4 M11 12l7-6 M11 12h8 M11 12l7 6",
    ),
    item(
        "kinesis",
        "kinesis",
        "Kinesis",
        "stream",
        Group::QueuesAndStreams,
        "Sharded stream, ordered per key",
        "M3 7h18 M3 12h18 M3 17h18",
    ),
    item(
        "rds_proxy",
        "rds_proxy",
        "RDS Proxy",
        "proxy",
        Group::Data,
        "Pools and multiplexes database connections",
        "M4 12h6 M14 12h6 M10 8h4v8h-4z",
    ),
    item(
        "rds",
        "rds",
        "RDS",
        "db",
        Group::Data,
        "Database: max_connections and vCPUs",
        "M5 6c0-3 14-3 14 0v12c0 3-14 3-14 0z M5 6c0 3 14 3 14 0 M5 12c0 3 14 3 14 0",
    ),
    item(
        "dynamodb",
        "dynamodb",
        "DynamoDB",
        "table",
        Group::Data,
        "Table: capacity modes, hot partitions",
        "M4 5h16v14H4z M4 10h16 M4 15h16 M10 5v14",
    ),
    item(
        "service",
        "service",
        "Third-party API",
        "vendor",
        Group::Services,
        "A vendor API with a rate limit (100 req/s)",
        "M12 3a9 9 0 1 0 0.01 0 M3 12h18 M12 3c3 3 3 15 0 18 M12 3c-3 3-3 15 0 18",
    ),
    item(
        "service:secrets_manager",
        "service",
        "Secrets Manager",
        "secrets",
        Group::Services,
        "GetSecretValue: 10,000 req/s per account",
        "M7 11V8a5 5 0 0 1 10 0v3 M5 11h14v10H5z M12 15v2",
    ),
    item(
        "service:cloudwatch",
        "service",
        "CloudWatch",
        "metrics",
        Group::Services,
        "PutMetricData: 500 TPS per Region",
        "M3 20h18 M5 16l4-5 4 3 6-8",
    ),
];

/// The catalog item with this key.
pub fn find(key: &str) -> Option<&'static CatalogItem> {
    CATALOG.iter().find(|i| i.key == key)
}

/// The catalog item that best describes an existing node (for its icon and label).
pub fn for_node(kind: &NodeKind) -> &'static CatalogItem {
    let key = match kind {
        NodeKind::Service(p) => match p.preset {
            ServicePreset::SecretsManager | ServicePreset::SecretsManager2019 => {
                "service:secrets_manager"
            }
            ServicePreset::Cloudwatch | ServicePreset::Cloudwatch2019 => "service:cloudwatch",
            ServicePreset::ThirdPartyApi => "service",
        },
        other => other.tag(),
    };
    find(key).unwrap_or(&CATALOG[4])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_kind_is_placeable_and_every_item_is_a_core_kind() {
        for tag in NodeKind::TAGS {
            assert!(CATALOG.iter().any(|i| i.kind == *tag), "{tag} missing");
        }
        for item in &CATALOG {
            assert_eq!(item.node_kind().tag(), item.kind, "{}", item.key);
            assert_eq!(for_node(&item.node_kind()).key, item.key);
        }
        let mut keys: Vec<_> = CATALOG.iter().map(|i| i.key).collect();
        keys.dedup();
        assert_eq!(keys.len(), CATALOG.len());
    }
}
