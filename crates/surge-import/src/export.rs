//! A scenario as an AWS SAM template, which imports back to the same scenario.
//!
//! Why metadata beside the resources: the template is a real SAM template (functions with
//! their events, queues with their redrive policies, tables, streams, state machines in
//! ASL), but part of a scenario has no place in CloudFormation: the load (clients), a
//! handler's steps, Choice probabilities, positions, third-party services. Each resource
//! keeps, under `Metadata.Surge`, only the parameters its properties do not already say
//! (so editing `MemorySize` in the template takes effect on the next import); the
//! template's own `Metadata.Surge` keeps the nodes that are not AWS resources, every
//! connection with its settings, and the run's settings.

use serde_json::{Map, Value, json};
use surge_core::Scenario;

use crate::asl::to_asl;
use crate::resources::{Mapped, map_resource};

/// The SAM template of a scenario (JSON, which is also YAML).
pub fn to_sam(scenario: &Scenario) -> Value {
    // CloudFormation's logical ids are alphanumeric: rename the copy, keep the ids.
    let mut s = scenario.clone();
    let mut taken: Vec<String> = Vec::new();
    let mut original = Map::new();
    let ids: Vec<String> = s.nodes.iter().map(|n| n.id.clone()).collect();
    for id in &ids {
        let mut logical: String = id.chars().filter(char::is_ascii_alphanumeric).collect();
        if logical.is_empty() || logical.starts_with(|c: char| c.is_ascii_digit()) {
            logical = format!("N{logical}");
        }
        let base = logical.clone();
        let mut n = 2;
        while taken.contains(&logical) || (logical != *id && ids.contains(&logical)) {
            logical = format!("{base}{n}");
            n += 1;
        }
        taken.push(logical.clone());
        if logical != *id {
            s.rename_node(id, &logical);
        }
        original.insert(logical, json!(id));
    }
    let json: Value = serde_json::from_str(&s.to_json()).unwrap_or(Value::Null);
    let nodes = json["nodes"].as_array().cloned().unwrap_or_default();
    let kind_of = |id: &str| -> String {
        nodes
            .iter()
            .find(|n| n["id"] == id)
            .and_then(|n| n["kind"].as_str())
            .unwrap_or("")
            .to_owned()
    };
    let mut resources = Map::new();
    let mut others = Vec::new();
    for n in &nodes {
        let id = n["id"].as_str().unwrap_or("");
        let kind = n["kind"].as_str().unwrap_or("");
        let params = n["params"].as_object().cloned().unwrap_or_default();
        let Some(mut resource) = resource(id, kind, &params, &s, &kind_of) else {
            others.push(n.clone());
            continue;
        };
        // What the properties say is left out of the metadata.
        let mut said = Map::new();
        if let Mapped::Node(_, p) = map_resource(id, &resource, &Map::new(), &mut Vec::new()) {
            said = p;
        }
        let mut extra = Map::new();
        for (k, v) in &params {
            if said.get(k) != Some(v) {
                extra.insert(k.clone(), v.clone());
            }
        }
        let mut surge = Map::new();
        surge.insert("id".into(), original.get(id).cloned().unwrap_or(json!(id)));
        if let Some(name) = n.get("name") {
            surge.insert("name".into(), name.clone());
        }
        surge.insert("position".into(), n["position"].clone());
        surge.insert("params".into(), Value::Object(extra));
        resource["Metadata"] = json!({ "Surge": surge });
        resources.insert(id.to_owned(), resource);
    }
    let mut run = json.as_object().cloned().unwrap_or_default();
    run.remove("nodes");
    run.remove("edges");
    json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": "Exported from Surge. Metadata.Surge holds what CloudFormation has no place for (load, handler steps, probabilities, layout).",
        "Metadata": {
            "Surge": {
                "ids": original,
                "order": nodes.iter().map(|n| n["id"].clone()).collect::<Vec<_>>(),
                "nodes": others,
                "edges": json["edges"].clone(),
                "run": run,
            }
        },
        "Resources": resources,
    })
}

fn getatt(id: &str, att: &str) -> Value {
    json!({ "Fn::GetAtt": [id, att] })
}

fn reference(id: &str) -> Value {
    json!({ "Ref": id })
}

/// The resource of a node, or none for what is not an AWS resource (clients, services).
fn resource(
    id: &str,
    kind: &str,
    p: &Map<String, Value>,
    s: &Scenario,
    kind_of: &dyn Fn(&str) -> String,
) -> Option<Value> {
    let get = |k: &str| p.get(k).cloned();
    let incoming = |from_kind: &str| -> Vec<(String, Value)> {
        s.edges
            .iter()
            .filter(|e| e.to == id && kind_of(&e.from) == from_kind)
            .map(|e| {
                (
                    e.from.clone(),
                    serde_json::to_value(e).unwrap_or(Value::Null),
                )
            })
            .collect()
    };
    Some(match kind {
        "lambda" => {
            let defaults = surge_core::NodeKind::with_defaults("lambda")
                .and_then(|k| serde_json::to_value(k).ok())
                .unwrap_or(Value::Null);
            let param = |k: &str| get(k).unwrap_or_else(|| defaults["params"][k].clone());
            let runtime = match param("runtime").as_str().unwrap_or("nodejs") {
                "python" => "python3.12",
                "java" => "java21",
                "dotnet" => "dotnet8",
                "go" | "rust" => "provided.al2023",
                _ => "nodejs20.x",
            };
            let mut props = json!({
                "Runtime": runtime,
                "Handler": "index.handler",
                "CodeUri": format!("src/{id}/"),
                "MemorySize": param("memory_mb"),
                "Timeout": param("timeout_s"),
            });
            if let Some(r) = get("reserved_concurrency").filter(|v| !v.is_null()) {
                props["ReservedConcurrentExecutions"] = r;
            }
            if let Some(pc) = get("provisioned_concurrency").filter(|v| v.as_u64().unwrap_or(0) > 0)
            {
                props["AutoPublishAlias"] = json!("live");
                props["ProvisionedConcurrencyConfig"] =
                    json!({ "ProvisionedConcurrentExecutions": pc });
            }
            if let Some(d) = get("on_failure").and_then(|v| v.as_str().map(str::to_owned)) {
                props["EventInvokeConfig"] = json!({
                    "DestinationConfig": { "OnFailure": { "Type": "SQS", "Destination": getatt(&d, "Arn") } }
                });
            }
            let mut events = Map::new();
            for (api, _) in incoming("api_gateway") {
                let flavour = s.node_index(&api).map(|i| &s.nodes[i]).and_then(|n| {
                    serde_json::to_value(&n.kind)
                        .ok()?
                        .pointer("/params/flavour")
                        .cloned()
                });
                let ty = if flavour == Some(json!("http")) {
                    "HttpApi"
                } else {
                    "Api"
                };
                let key = if ty == "HttpApi" {
                    "ApiId"
                } else {
                    "RestApiId"
                };
                events.insert(
                    format!("From{api}"),
                    json!({ "Type": ty, "Properties": { key: reference(&api), "Path": format!("/{id}"), "Method": "post" } }),
                );
            }
            for (q, e) in incoming("sqs") {
                let mut ep = json!({ "Queue": getatt(&q, "Arn") });
                if let Some(esm) = e.get("esm") {
                    for (from, to) in [
                        ("batch_size", "BatchSize"),
                        ("batching_window_s", "MaximumBatchingWindowInSeconds"),
                    ] {
                        if let Some(v) = esm.get(from) {
                            ep[to] = v.clone();
                        }
                    }
                    if let Some(m) = esm.get("maximum_concurrency").filter(|v| !v.is_null()) {
                        ep["ScalingConfig"] = json!({ "MaximumConcurrency": m });
                    }
                    if esm.get("report_batch_item_failures") == Some(&json!(true)) {
                        ep["FunctionResponseTypes"] = json!(["ReportBatchItemFailures"]);
                    }
                }
                events.insert(
                    format!("From{q}"),
                    json!({ "Type": "SQS", "Properties": ep }),
                );
            }
            for (k, e) in incoming("kinesis") {
                let mut ep = json!({ "Stream": getatt(&k, "Arn"), "StartingPosition": "LATEST" });
                if let Some(m) = e.get("stream") {
                    for (from, to) in [
                        ("batch_size", "BatchSize"),
                        ("parallelization_factor", "ParallelizationFactor"),
                        ("maximum_retry_attempts", "MaximumRetryAttempts"),
                        ("maximum_record_age_s", "MaximumRecordAgeInSeconds"),
                        ("bisect_batch_on_error", "BisectBatchOnFunctionError"),
                    ] {
                        if let Some(v) = m.get(from).filter(|v| !v.is_null()) {
                            ep[to] = v.clone();
                        }
                    }
                }
                events.insert(
                    format!("From{k}"),
                    json!({ "Type": "Kinesis", "Properties": ep }),
                );
            }
            for (t, _) in incoming("sns") {
                events.insert(
                    format!("From{t}"),
                    json!({ "Type": "SNS", "Properties": { "Topic": reference(&t) } }),
                );
            }
            for (b, _) in incoming("s3") {
                events.insert(
                    format!("From{b}"),
                    json!({ "Type": "S3", "Properties": { "Bucket": reference(&b), "Events": "s3:ObjectCreated:*" } }),
                );
            }
            if !events.is_empty() {
                props["Events"] = Value::Object(events);
            }
            // The resources it calls, named in its environment as a function reads them.
            let mut vars = Map::new();
            for e in s.edges.iter().filter(|e| e.from == id) {
                let k = kind_of(&e.to);
                if k != "client" && k != "service" {
                    vars.insert(
                        format!("{}_NAME", e.to.to_ascii_uppercase()),
                        reference(&e.to),
                    );
                }
            }
            if !vars.is_empty() {
                props["Environment"] = json!({ "Variables": vars });
            }
            json!({ "Type": "AWS::Serverless::Function", "Properties": props })
        }
        "sqs" => {
            let mut props = Map::new();
            if get("fifo") == Some(json!(true)) {
                props.insert("FifoQueue".into(), json!(true));
                if get("fifo_high_throughput") == Some(json!(true)) {
                    props.insert("FifoThroughputLimit".into(), json!("perMessageGroupId"));
                    props.insert("DeduplicationScope".into(), json!("messageGroup"));
                }
            }
            for (from, to) in [
                ("visibility_timeout_s", "VisibilityTimeout"),
                ("retention_s", "MessageRetentionPeriod"),
                ("delay_s", "DelaySeconds"),
            ] {
                if let Some(v) = get(from) {
                    props.insert(to.into(), v);
                }
            }
            if let Some(dlq) = get("dead_letter_queue").and_then(|v| v.as_str().map(str::to_owned))
            {
                props.insert(
                    "RedrivePolicy".into(),
                    json!({ "deadLetterTargetArn": getatt(&dlq, "Arn"), "maxReceiveCount": get("max_receive_count").unwrap_or(json!(10)) }),
                );
            }
            json!({ "Type": "AWS::SQS::Queue", "Properties": props })
        }
        "sns" => {
            let subs: Vec<Value> = s
                .edges
                .iter()
                .filter(|e| e.from == id && kind_of(&e.to) == "sqs")
                .map(|e| json!({ "Protocol": "sqs", "Endpoint": getatt(&e.to, "Arn") }))
                .collect();
            let mut props = Map::new();
            if !subs.is_empty() {
                props.insert("Subscription".into(), Value::Array(subs));
            }
            json!({ "Type": "AWS::SNS::Topic", "Properties": props })
        }
        "s3" => {
            let queues: Vec<Value> = s
                .edges
                .iter()
                .filter(|e| e.from == id && kind_of(&e.to) == "sqs")
                .map(|e| json!({ "Event": "s3:ObjectCreated:*", "Queue": getatt(&e.to, "Arn") }))
                .collect();
            let mut props = Map::new();
            if !queues.is_empty() {
                props.insert(
                    "NotificationConfiguration".into(),
                    json!({ "QueueConfigurations": queues }),
                );
            }
            json!({ "Type": "AWS::S3::Bucket", "Properties": props })
        }
        "kinesis" => {
            let mut props = json!({ "ShardCount": get("shards").unwrap_or(json!(1)) });
            if let Some(r) = get("retention_s").and_then(|v| v.as_f64()) {
                props["RetentionPeriodHours"] = json!(r / 3600.0);
            }
            json!({ "Type": "AWS::Kinesis::Stream", "Properties": props })
        }
        "dynamodb" => {
            let mut props = json!({
                "AttributeDefinitions": [{ "AttributeName": "pk", "AttributeType": "S" }],
                "KeySchema": [{ "AttributeName": "pk", "KeyType": "HASH" }],
            });
            if get("mode") == Some(json!("provisioned")) {
                props["BillingMode"] = json!("PROVISIONED");
                props["ProvisionedThroughput"] = json!({
                    "ReadCapacityUnits": get("read_capacity").unwrap_or(json!(5)),
                    "WriteCapacityUnits": get("write_capacity").unwrap_or(json!(5)),
                });
            } else {
                props["BillingMode"] = json!("PAY_PER_REQUEST");
            }
            json!({ "Type": "AWS::DynamoDB::Table", "Properties": props })
        }
        "api_gateway" => {
            let http = get("flavour") == Some(json!("http"));
            let mut throttle = Map::new();
            if let Some(r) = get("rate_per_s").filter(|v| !v.is_null()) {
                throttle.insert("ThrottlingRateLimit".into(), r);
            }
            if let Some(b) = get("burst").filter(|v| !v.is_null()) {
                throttle.insert("ThrottlingBurstLimit".into(), b);
            }
            if http {
                let mut props = json!({ "StageName": "prod" });
                if !throttle.is_empty() {
                    props["DefaultRouteSettings"] = Value::Object(throttle);
                }
                json!({ "Type": "AWS::Serverless::HttpApi", "Properties": props })
            } else {
                let mut props = json!({ "StageName": "prod" });
                if !throttle.is_empty() {
                    throttle.insert("HttpMethod".into(), json!("*"));
                    throttle.insert("ResourcePath".into(), json!("/*"));
                    props["MethodSettings"] = json!([throttle]);
                }
                json!({ "Type": "AWS::Serverless::Api", "Properties": props })
            }
        }
        "step_functions" => {
            let express = get("flavour") == Some(json!("express"));
            let definition = get("definition").unwrap_or(Value::Null);
            let simulation: surge_core::asl::Simulation = get("simulation")
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default();
            let asl = to_asl(
                &definition,
                &simulation,
                &|node| match kind_of(node).as_str() {
                    "dynamodb" => (
                        "arn:aws:states:::dynamodb:putItem".into(),
                        json!({ "TableName": reference(node), "Item": { "pk": { "S.$": "$.id" } } }),
                    ),
                    _ => (
                        "arn:aws:states:::lambda:invoke".into(),
                        json!({ "FunctionName": getatt(node, "Arn"), "Payload.$": "$" }),
                    ),
                },
            );
            json!({
                "Type": "AWS::Serverless::StateMachine",
                "Properties": { "Type": if express { "EXPRESS" } else { "STANDARD" }, "Definition": asl }
            })
        }
        "schedule" => {
            let expression = match get("cron").and_then(|v| v.as_str().map(str::to_owned)) {
                Some(c) => c,
                None => {
                    let every = get("every_s").and_then(|v| v.as_f64()).unwrap_or(60.0);
                    let minutes = (every / 60.0).round().max(1.0) as u64;
                    if minutes == 1 {
                        "rate(1 minute)".into()
                    } else {
                        format!("rate({minutes} minutes)")
                    }
                }
            };
            let targets: Vec<Value> = s
                .edges
                .iter()
                .filter(|e| e.from == id)
                .map(|e| json!({ "Id": e.to, "Arn": getatt(&e.to, "Arn") }))
                .collect();
            json!({ "Type": "AWS::Events::Rule", "Properties": { "ScheduleExpression": expression, "Targets": targets } })
        }
        "rds" => json!({
            "Type": "AWS::RDS::DBInstance",
            "Properties": {
                "Engine": get("engine").unwrap_or(json!("postgres")),
                "DBInstanceClass": get("instance_class").unwrap_or(json!("db.t3.micro")),
                "AllocatedStorage": "20",
            }
        }),
        "rds_proxy" => json!({
            "Type": "AWS::RDS::DBProxy",
            "Properties": { "EngineFamily": "POSTGRESQL", "DBProxyName": id }
        }),
        _ => return None,
    })
}
