//! Resources into nodes, wiring into edges, and load where the template has none.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use surge_core::{Cron, NodeKind, Scenario, edge_rule};

use crate::asl;
use crate::{DEFAULT_CLIENT_RATE_PER_S, DEFAULT_DURATION_S, Imported, NotSimulated, references};

/// A node being built: its kind tag and the parameters the template sets.
struct Pending {
    id: String,
    kind: &'static str,
    params: Map<String, Value>,
    /// Calls its handler makes (functions only), in order.
    calls: Vec<String>,
}

/// An edge being built.
struct Link {
    from: String,
    to: String,
    extra: Map<String, Value>,
}

struct Builder<'a> {
    globals: Map<String, Value>,
    nodes: Vec<Pending>,
    links: Vec<Link>,
    not_simulated: Vec<NotSimulated>,
    notes: Vec<String>,
    read_file: &'a dyn Fn(&str) -> Option<String>,
    /// Functions invoked from outside the template (a function URL).
    public: Vec<String>,
}

pub(crate) fn build(
    template: &Value,
    read_file: &dyn Fn(&str) -> Option<String>,
) -> Result<Imported, String> {
    // A scenario of clients, third-party services and worker pools has no AWS resource:
    // Surge's own export of it holds everything in `Metadata.Surge`.
    let by_surge = template.pointer("/Metadata/Surge/nodes").is_some();
    let none = serde_json::Map::new();
    let resources = match template.get("Resources").and_then(Value::as_object) {
        Some(r) if !r.is_empty() || by_surge => r,
        Some(_) => return Err("the template's `Resources` section is empty".into()),
        None if by_surge => &none,
        None => return Err("the template has no `Resources` section".into()),
    };
    let mut b = Builder {
        globals: template
            .pointer("/Globals/Function")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        nodes: Vec::new(),
        links: Vec::new(),
        not_simulated: Vec::new(),
        notes: Vec::new(),
        read_file,
        public: Vec::new(),
    };
    // Nodes first (every wiring step may point at any of them), then the wiring.
    for (id, r) in resources {
        b.node(id, r);
    }
    for (id, r) in resources {
        b.wire(id, r)?;
    }
    // A template exported by Surge keeps what CloudFormation has no place for.
    let exported = template.pointer("/Metadata/Surge").cloned();
    let mut placed = BTreeMap::new();
    for (id, r) in resources {
        if let Some(m) = r.pointer("/Metadata/Surge") {
            b.restore(id, m, &mut placed);
        }
    }
    match &exported {
        Some(m) => b.restore_template(m),
        None => {
            b.api_integrations(resources);
            b.tidy();
            b.add_load();
        }
    }
    b.finish(exported.as_ref(), &placed)
}

fn kind_of(r: &Value) -> &str {
    r.get("Type").and_then(Value::as_str).unwrap_or("")
}

fn props(r: &Value) -> &Map<String, Value> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    r.get("Properties")
        .and_then(Value::as_object)
        .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

/// The value at a `/`-separated path inside a properties map.
fn at<'a>(p: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.trim_start_matches('/').split('/');
    let first = p.get(parts.next()?)?;
    parts.try_fold(first, |v, k| v.get(k))
}

fn num(v: Option<&Value>) -> Option<f64> {
    match v? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn boolean(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Why a resource type is not simulated.
fn not_simulated_reason(kind: &str) -> &'static str {
    match kind {
        k if k.starts_with("AWS::IAM::") => "permissions: no effect on load",
        k if k.starts_with("AWS::Logs::") => "logging: no effect on load",
        k if k.starts_with("AWS::CloudWatch::") => "monitoring: no effect on load",
        "AWS::Lambda::Permission"
        | "AWS::SQS::QueuePolicy"
        | "AWS::SNS::TopicPolicy"
        | "AWS::S3::BucketPolicy"
        | "AWS::Lambda::EventInvokeConfig" => "permissions or wiring read from other resources",
        "AWS::ApiGateway::Deployment"
        | "AWS::ApiGateway::Stage"
        | "AWS::ApiGateway::Resource"
        | "AWS::ApiGateway::Method"
        | "AWS::ApiGatewayV2::Route"
        | "AWS::ApiGatewayV2::Stage"
        | "AWS::ApiGatewayV2::Integration"
        | "AWS::RDS::DBProxyTargetGroup"
        | "AWS::SNS::Subscription"
        | "AWS::Lambda::EventSourceMapping"
        | "AWS::Lambda::Url" => "read as wiring or settings of the resources it joins",
        k if k.starts_with("AWS::EC2::") => "networking: latency is set on the nodes",
        k if k.starts_with("AWS::Cognito::") => "authentication: not modelled",
        k if k.starts_with("AWS::Events::") => "event bus routing: not modelled",
        k if k.starts_with("AWS::Pipes::") => "EventBridge Pipes: not modelled",
        k if k.starts_with("AWS::SecretsManager::") => {
            "a secret: add a Service node (Secrets Manager) to simulate its calls"
        }
        _ => "Surge does not model this service",
    }
}

impl Builder<'_> {
    fn has(&self, id: &str) -> bool {
        self.nodes.iter().any(|n| n.id == id)
    }

    fn kind_of_node(&self, id: &str) -> Option<&'static str> {
        self.nodes.iter().find(|n| n.id == id).map(|n| n.kind)
    }

    fn push(&mut self, id: &str, kind: &'static str, params: Map<String, Value>) {
        if !self.has(id) {
            self.nodes.push(Pending {
                id: id.to_owned(),
                kind,
                params,
                calls: Vec::new(),
            });
        }
    }

    fn skip(&mut self, id: &str, kind: &str, reason: impl Into<String>) {
        self.not_simulated.push(NotSimulated {
            logical_id: id.to_owned(),
            kind: kind.to_owned(),
            reason: reason.into(),
        });
    }

    /// Wires `from` to `to` when Surge's rules allow the pair; says so otherwise.
    fn link(&mut self, from: &str, to: &str, extra: Map<String, Value>) -> bool {
        let (Some(a), Some(b)) = (self.kind_of_node(from), self.kind_of_node(to)) else {
            return false;
        };
        if edge_rule(a, b).is_err() {
            self.notes.push(format!(
                "{from} → {to}: a {a} cannot call a {b} in Surge; left unconnected"
            ));
            return false;
        }
        if let Some(l) = self.links.iter_mut().find(|l| l.from == from && l.to == to) {
            l.extra.extend(extra);
        } else {
            self.links.push(Link {
                from: from.to_owned(),
                to: to.to_owned(),
                extra,
            });
        }
        true
    }

    /// The first logical id among `v`'s references that is a node.
    fn target(&self, v: &Value) -> Option<String> {
        let mut refs = Vec::new();
        references(v, &mut refs);
        refs.into_iter().find(|r| self.has(r))
    }

    fn node(&mut self, id: &str, r: &Value) {
        let p = props(r);
        let mut merged = self.globals.clone();
        merged.extend(p.clone());
        if matches!(
            kind_of(r),
            "AWS::Serverless::Function" | "AWS::Lambda::Function"
        ) && merged.contains_key("FunctionUrlConfig")
        {
            self.public.push(id.to_owned());
        }
        match map_resource(id, r, &self.globals, &mut self.notes) {
            Mapped::Node(kind, params) => self.push(id, kind, params),
            Mapped::Skip(reason) => self.skip(id, kind_of(r), reason),
        }
    }

    fn wire(&mut self, id: &str, r: &Value) -> Result<(), String> {
        let kind = kind_of(r);
        let p = props(r).clone();
        match kind {
            "AWS::Serverless::Function" | "AWS::Lambda::Function" => self.wire_function(id, &p),
            "AWS::Lambda::EventSourceMapping" => {
                let (Some(source), Some(function)) = (
                    p.get("EventSourceArn").and_then(|v| self.target(v)),
                    p.get("FunctionName").and_then(|v| self.target(v)),
                ) else {
                    self.skip(
                        id,
                        kind,
                        "its queue, stream or function is outside the template",
                    );
                    return Ok(());
                };
                self.source_mapping(&source, &function, &p);
            }
            "AWS::SQS::Queue" => {
                if let Some(policy) = p.get("RedrivePolicy") {
                    let policy = match policy {
                        Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
                        other => other.clone(),
                    };
                    if let Some(dlq) = policy
                        .get("deadLetterTargetArn")
                        .and_then(|v| self.target(v))
                    {
                        self.set(id, "dead_letter_queue", json!(dlq));
                        let count = num(policy.get("maxReceiveCount")).unwrap_or(10.0);
                        self.set(id, "max_receive_count", json!(count as u64));
                    }
                }
            }
            "AWS::SNS::Topic" => {
                for s in p
                    .get("Subscription")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
                {
                    if let Some(to) = s.get("Endpoint").and_then(|v| self.target(v)) {
                        self.link(id, &to, Map::new());
                    }
                }
            }
            "AWS::SNS::Subscription" => self.link_between(&p, "/TopicArn", "/Endpoint"),
            "AWS::S3::Bucket" => {
                let n = p
                    .get("NotificationConfiguration")
                    .cloned()
                    .unwrap_or(Value::Null);
                for (list, field) in [
                    ("LambdaConfigurations", "Function"),
                    ("QueueConfigurations", "Queue"),
                    ("TopicConfigurations", "Topic"),
                ] {
                    for c in n
                        .get(list)
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default()
                    {
                        if let Some(to) = c.get(field).and_then(|v| self.target(v)) {
                            self.link(id, &to, Map::new());
                        }
                    }
                }
                if n.get("EventBridgeConfiguration").is_some() {
                    self.notes.push(format!(
                        "{id}: notifications to EventBridge are not simulated"
                    ));
                }
            }
            "AWS::Events::Rule" | "AWS::Scheduler::Schedule" => {
                let targets: Vec<Value> = match p.get("Targets").and_then(Value::as_array) {
                    Some(t) => t.clone(),
                    None => p.get("Target").cloned().into_iter().collect(),
                };
                let scheduled = self.has(id);
                for t in targets {
                    if let Some(to) = t.get("Arn").and_then(|v| self.target(v)) {
                        if scheduled {
                            self.link(id, &to, Map::new());
                        }
                    }
                }
            }
            "AWS::Serverless::StateMachine" | "AWS::StepFunctions::StateMachine" => {
                self.wire_state_machine(id, &p)?;
            }
            "AWS::RDS::DBProxyTargetGroup" => {
                if let Some(proxy) = p.get("DBProxyName").and_then(|v| self.target(v)) {
                    for key in ["DBInstanceIdentifiers", "DBClusterIdentifiers"] {
                        for db in p
                            .get(key)
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default()
                        {
                            if let Some(db) = self.target(&db) {
                                self.link(&proxy, &db, Map::new());
                            }
                        }
                    }
                    if let Some(c) = p.get("ConnectionPoolConfigurationInfo") {
                        if let Some(n) = num(c.get("MaxConnectionsPercent")) {
                            self.set(&proxy, "max_connections_percent", json!(n as u64));
                        }
                        if let Some(n) = num(c.get("ConnectionBorrowTimeout")) {
                            self.set(&proxy, "borrow_timeout_s", json!(n));
                        }
                    }
                }
            }
            "AWS::ApiGateway::Method" => self.link_between(&p, "/RestApiId", "/Integration/Uri"),
            "AWS::ApiGatewayV2::Integration" => {
                self.link_between(&p, "/ApiId", "/IntegrationUri");
            }
            "AWS::ApiGateway::Stage" => {
                if let (Some(api), Some(s)) = (
                    p.get("RestApiId").and_then(|v| self.target(v)),
                    p.get("MethodSettings")
                        .and_then(Value::as_array)
                        .and_then(|a| a.first()),
                ) {
                    let mut params = Map::new();
                    throttling(
                        &mut params,
                        s,
                        "ThrottlingRateLimit",
                        "ThrottlingBurstLimit",
                    );
                    for (k, v) in params {
                        self.set(&api, &k, v);
                    }
                }
            }
            "AWS::Lambda::Url" => {
                if let Some(f) = p.get("TargetFunctionArn").and_then(|v| self.target(v)) {
                    self.public.push(f);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Wires the resource a joining resource names at `from` to the one it names at `to`
    /// (a subscription's topic and endpoint, a method's API and integration).
    fn link_between(&mut self, p: &Map<String, Value>, from: &str, to: &str) {
        if let (Some(a), Some(b)) = (
            at(p, from).and_then(|v| self.target(v)),
            at(p, to).and_then(|v| self.target(v)),
        ) {
            self.link(&a, &b, Map::new());
        }
    }

    fn set(&mut self, id: &str, key: &str, value: Value) {
        if let Some(n) = self.nodes.iter_mut().find(|n| n.id == id) {
            n.params.insert(key.to_owned(), value);
        }
    }

    /// A queue or stream feeding a function, with the mapping's settings.
    fn source_mapping(&mut self, source: &str, function: &str, p: &Map<String, Value>) {
        let mut extra = Map::new();
        match self.kind_of_node(source) {
            Some("sqs") => {
                let mut esm = Map::new();
                if let Some(n) = num(p.get("BatchSize")) {
                    esm.insert("batch_size".into(), json!(n as u64));
                }
                if let Some(n) = num(p.get("MaximumBatchingWindowInSeconds")) {
                    esm.insert("batching_window_s".into(), json!(n));
                }
                if let Some(n) = num(at(p, "/ScalingConfig/MaximumConcurrency")) {
                    esm.insert("maximum_concurrency".into(), json!(n as u64));
                }
                let reports = p
                    .get("FunctionResponseTypes")
                    .and_then(Value::as_array)
                    .is_some_and(|t| t.iter().any(|x| x == "ReportBatchItemFailures"));
                if reports {
                    esm.insert("report_batch_item_failures".into(), json!(true));
                }
                extra.insert("esm".into(), Value::Object(esm));
            }
            Some("kinesis") => {
                let mut m = Map::new();
                for (from, to) in [
                    ("BatchSize", "batch_size"),
                    ("ParallelizationFactor", "parallelization_factor"),
                    ("MaximumRetryAttempts", "maximum_retry_attempts"),
                ] {
                    if let Some(n) = num(p.get(from)) {
                        if n >= 0.0 {
                            m.insert(to.into(), json!(n as u64));
                        }
                    }
                }
                if let Some(n) = num(p.get("MaximumRecordAgeInSeconds")) {
                    if n >= 0.0 {
                        m.insert("maximum_record_age_s".into(), json!(n));
                    }
                }
                if boolean(p.get("BisectBatchOnFunctionError")) == Some(true) {
                    m.insert("bisect_batch_on_error".into(), json!(true));
                }
                extra.insert("stream".into(), Value::Object(m));
            }
            _ => {}
        }
        self.link(source, function, extra);
    }

    fn wire_function(&mut self, id: &str, p: &Map<String, Value>) {
        // SAM events: what invokes the function.
        let events = p
            .get("Events")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (name, e) in &events {
            let ty = e.get("Type").and_then(Value::as_str).unwrap_or("");
            let ep = e.get("Properties").cloned().unwrap_or(Value::Null);
            let ep_map = ep.as_object().cloned().unwrap_or_default();
            match ty {
                "Api" | "HttpApi" => {
                    let api = ep
                        .get("RestApiId")
                        .or_else(|| ep.get("ApiId"))
                        .and_then(|v| self.target(v))
                        .unwrap_or_else(|| {
                            let (implicit, flavour) = if ty == "Api" {
                                ("ServerlessRestApi", "rest")
                            } else {
                                ("ServerlessHttpApi", "http")
                            };
                            let mut params = Map::new();
                            params.insert("flavour".into(), json!(flavour));
                            self.push(implicit, "api_gateway", params);
                            implicit.to_owned()
                        });
                    self.link(&api, id, Map::new());
                }
                "SQS" | "Kinesis" => {
                    let key = if ty == "SQS" { "Queue" } else { "Stream" };
                    match ep.get(key).and_then(|v| self.target(v)) {
                        Some(source) => self.source_mapping(&source, id, &ep_map),
                        None => self.notes.push(format!(
                            "{id}: event {name} reads a {} outside the template; not simulated",
                            key.to_ascii_lowercase()
                        )),
                    }
                }
                "SNS" => {
                    if let Some(topic) = ep.get("Topic").and_then(|v| self.target(v)) {
                        self.link(&topic, id, Map::new());
                    }
                }
                "S3" => {
                    if let Some(bucket) = ep.get("Bucket").and_then(|v| self.target(v)) {
                        self.link(&bucket, id, Map::new());
                    }
                }
                "Schedule" | "ScheduleV2" => {
                    let sid = format!("{id}{name}");
                    let params = schedule(
                        ep.get("Schedule").or_else(|| ep.get("ScheduleExpression")),
                        &sid,
                        &mut self.notes,
                    );
                    self.push(&sid, "schedule", params);
                    self.link(&sid, id, Map::new());
                }
                "EventBridgeRule" | "CloudWatchEvent" => {
                    self.notes.push(format!(
                        "{id}: event {name} comes from an EventBridge pattern; event buses are not simulated"
                    ));
                }
                other => self.notes.push(format!(
                    "{id}: event {name} of type {other} is not simulated"
                )),
            }
        }
        // What the function calls: the modelled resources named in its environment and
        // in SAM's policy templates.
        let mut named = Vec::new();
        if let Some(env) = p
            .get("Environment")
            .or_else(|| self.globals.get("Environment"))
        {
            references(env, &mut named);
        }
        if let Some(policies) = p.get("Policies") {
            references(policies, &mut named);
        }
        let mut calls = Vec::new();
        for target in named {
            if target == id || calls.contains(&target) || !self.has(&target) {
                continue;
            }
            let via_proxy = self.kind_of_node(&target) == Some("rds")
                && self
                    .links
                    .iter()
                    .any(|l| l.to == target && self.kind_of_node(&l.from) == Some("rds_proxy"));
            if via_proxy {
                continue;
            }
            if self.link(id, &target, Map::new()) {
                calls.push(target);
            }
        }
        if let Some(n) = self.nodes.iter_mut().find(|n| n.id == id) {
            n.calls = calls;
        }
        // Where failed asynchronous events go.
        let destination = at(
            p,
            "/EventInvokeConfig/DestinationConfig/OnFailure/Destination",
        )
        .or_else(|| at(p, "/DeadLetterQueue/TargetArn"))
        .and_then(|v| self.target(v));
        match destination {
            Some(d) if self.kind_of_node(&d) == Some("sqs") => self.set(id, "on_failure", json!(d)),
            Some(d) => self.notes.push(format!(
                "{id}: failed events go to {d}; Surge's on-failure destination is a queue, so it is left out"
            )),
            None => {}
        }
    }

    fn wire_state_machine(&mut self, id: &str, p: &Map<String, Value>) -> Result<(), String> {
        let substitutions = p
            .get("DefinitionSubstitutions")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let definition = if let Some(d) = p.get("Definition") {
            Some(d.clone())
        } else if let Some(text) = p.get("DefinitionString") {
            let text = match text {
                Value::String(s) => s.clone(),
                Value::Object(m) => match m.get("Fn::Sub") {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Array(a)) => {
                        a.first().and_then(Value::as_str).unwrap_or("").to_owned()
                    }
                    _ => m
                        .get("Fn::Join")
                        .and_then(|j| j.get(1))
                        .and_then(Value::as_array)
                        .map(|parts| {
                            parts
                                .iter()
                                .map(|x| x.as_str().unwrap_or("\"\"").to_owned())
                                .collect()
                        })
                        .unwrap_or_default(),
                },
                _ => String::new(),
            };
            serde_json::from_str::<Value>(&text).ok()
        } else if let Some(uri) = p.get("DefinitionUri").and_then(Value::as_str) {
            match (self.read_file)(uri) {
                Some(text) => Some(crate::yaml::read(&text)?),
                None => {
                    self.notes.push(format!(
                        "{id}: its definition is in {uri}, which was not given; simulated as one step"
                    ));
                    None
                }
            }
        } else {
            None
        };
        let Some(definition) = definition else {
            self.set(
                id,
                "definition",
                json!({"start_at": "Start", "states": {"Start": {"type": "succeed"}}}),
            );
            return Ok(());
        };
        // A Task's resource: an ARN, an intrinsic, or `${Name}` of the substitutions.
        let node_kinds: BTreeMap<String, &'static str> =
            self.nodes.iter().map(|n| (n.id.clone(), n.kind)).collect();
        let resolve = |resource: &str, params: &Value| -> Option<String> {
            let mut refs = Vec::new();
            crate::sub_names(resource, &mut refs);
            let resource_value: Value = serde_json::from_str(resource).unwrap_or(Value::Null);
            references(&resource_value, &mut refs);
            for key in [
                "FunctionName",
                "TableName",
                "QueueUrl",
                "TopicArn",
                "StateMachineArn",
            ] {
                if let Some(v) = params.get(key) {
                    references(v, &mut refs);
                    if let Some(s) = v.as_str() {
                        crate::sub_names(s, &mut refs);
                    }
                }
            }
            refs.into_iter().find_map(|r| {
                let r = substitutions
                    .get(&r)
                    .and_then(|v| {
                        let mut inner = Vec::new();
                        references(v, &mut inner);
                        inner.into_iter().next()
                    })
                    .unwrap_or(r);
                let kind = node_kinds.get(&r)?;
                edge_rule("step_functions", kind).is_ok().then_some(r)
            })
        };
        let t = asl::translate(&definition, &resolve)
            .map_err(|e| format!("state machine {id}: {e}"))?;
        for n in t.notes {
            self.notes.push(format!("{id}: {n}"));
        }
        for c in &t.calls {
            self.link(id, c, Map::new());
        }
        self.set(id, "definition", t.definition);
        if !t.simulation.is_empty() {
            self.set(
                id,
                "simulation",
                serde_json::to_value(&t.simulation).unwrap_or(Value::Null),
            );
        }
        // SAM events on a state machine.
        let events = p
            .get("Events")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (name, e) in events {
            let ty = e.get("Type").and_then(Value::as_str).unwrap_or("");
            if ty == "Api" || ty == "HttpApi" {
                let api = e
                    .pointer("/Properties/RestApiId")
                    .and_then(|v| self.target(v))
                    .unwrap_or_else(|| {
                        let mut params = Map::new();
                        params.insert("flavour".into(), json!("rest"));
                        self.push("ServerlessRestApi", "api_gateway", params);
                        "ServerlessRestApi".to_owned()
                    });
                self.link(&api, id, Map::new());
            } else {
                self.notes
                    .push(format!("{id}: event {name} of type {ty} is not simulated"));
            }
        }
        Ok(())
    }

    /// An API wired to nothing yet: its OpenAPI body or its methods may name a target
    /// (a service integration to a queue, a stream, a topic or a state machine).
    fn api_integrations(&mut self, resources: &Map<String, Value>) {
        let idle: Vec<String> = self
            .nodes
            .iter()
            .filter(|n| n.kind == "api_gateway" && !self.links.iter().any(|l| l.from == n.id))
            .map(|n| n.id.clone())
            .collect();
        for api in idle {
            let Some(body) = resources
                .get(&api)
                .and_then(|r| r.pointer("/Properties/DefinitionBody"))
                .cloned()
            else {
                continue;
            };
            let mut named = Vec::new();
            references(&body, &mut named);
            let mut text = Vec::new();
            collect_strings(&body, &mut text);
            for t in text {
                crate::sub_names(&t, &mut named);
            }
            let target = named.into_iter().find(|t| {
                self.kind_of_node(t)
                    .is_some_and(|k| edge_rule("api_gateway", k).is_ok())
            });
            if let Some(t) = target {
                self.link(&api, &t, Map::new());
            }
        }
    }

    /// Makes the wiring fit Surge's model: an API node has one integration (an API with
    /// several routes becomes one node per route, each with its own load); an API or a
    /// schedule left with nothing it can call is listed as not simulated.
    fn tidy(&mut self) {
        let apis: Vec<String> = self
            .nodes
            .iter()
            .filter(|n| n.kind == "api_gateway")
            .map(|n| n.id.clone())
            .collect();
        for api in apis {
            let routes: Vec<usize> = self
                .links
                .iter()
                .enumerate()
                .filter(|(_, l)| l.from == api)
                .map(|(i, _)| i)
                .collect();
            if routes.is_empty() {
                self.nodes.retain(|n| n.id != api);
                self.links.retain(|l| l.to != api);
                self.skip(
                    &api,
                    "API Gateway",
                    "its integrations are not ones Surge reads (a mapping template or an OpenAPI body naming no modelled resource)",
                );
                continue;
            }
            let params = self
                .nodes
                .iter()
                .find(|n| n.id == api)
                .map(|n| n.params.clone())
                .unwrap_or_default();
            for &i in &routes[1..] {
                let to = self.links[i].to.clone();
                let copy = format!("{api}{to}");
                self.push(&copy, "api_gateway", params.clone());
                self.links[i].from = copy;
            }
            if routes.len() > 1 {
                self.notes.push(format!(
                    "{api}: {} routes, one API node each (a Surge API node has one integration)",
                    routes.len()
                ));
            }
        }
        let schedules: Vec<String> = self
            .nodes
            .iter()
            .filter(|n| n.kind == "schedule" && !self.links.iter().any(|l| l.from == n.id))
            .map(|n| n.id.clone())
            .collect();
        for id in schedules {
            self.nodes.retain(|n| n.id != id);
            self.skip(
                &id,
                "schedule",
                "it targets only resources a schedule cannot invoke in Surge (it invokes functions)",
            );
        }
    }

    /// A resource's Surge metadata: the parameters its properties do not say, its name
    /// and its place.
    fn restore(&mut self, id: &str, m: &Value, placed: &mut BTreeMap<String, Value>) {
        if let Some(n) = self.nodes.iter_mut().find(|n| n.id == id) {
            if let Some(params) = m.get("params").and_then(Value::as_object) {
                n.params.extend(params.clone());
                n.calls.clear();
            }
            let mut place = Map::new();
            for key in ["position", "name"] {
                if let Some(v) = m.get(key) {
                    place.insert(key.into(), v.clone());
                }
            }
            placed.insert(id.to_owned(), Value::Object(place));
        }
    }

    /// The template's Surge metadata: every connection with its settings (they replace
    /// what the wiring read), and the run's settings.
    fn restore_template(&mut self, m: &Value) {
        if let Some(edges) = m.get("edges").and_then(Value::as_array) {
            self.links = edges
                .iter()
                .filter_map(|e| {
                    let mut extra = e.as_object()?.clone();
                    let from = extra.remove("from")?.as_str()?.to_owned();
                    let to = extra.remove("to")?.as_str()?.to_owned();
                    Some(Link { from, to, extra })
                })
                .collect();
        }
    }

    /// Load where the template has none: a client at each API, state machine and function
    /// nothing calls; a client and a producer function for a queue, topic, bucket or
    /// stream nothing writes to.
    fn add_load(&mut self) {
        let fed = |b: &Self, id: &str| b.links.iter().any(|l| l.to == id);
        let entries: Vec<(String, &'static str)> = self
            .nodes
            .iter()
            .filter(|n| !fed(self, &n.id))
            .map(|n| (n.id.clone(), n.kind))
            .collect();
        for (id, kind) in entries {
            let client = format!("{id}Clients");
            match kind {
                "api_gateway" | "step_functions" | "lambda" => {
                    if kind == "lambda"
                        && !self.public.contains(&id)
                        && self.any_schedule_or_caller(&id)
                    {
                        continue;
                    }
                    self.push(&client, "client", client_params());
                    self.link(&client, &id, Map::new());
                }
                "sqs" | "sns" | "s3" | "kinesis" => {
                    if self.is_dead_letter_queue(&id) {
                        continue;
                    }
                    let producer = format!("{id}Producer");
                    let mut params = Map::new();
                    params.insert("memory_mb".into(), json!(128));
                    self.push(&producer, "lambda", params);
                    if self.link(&producer, &id, Map::new()) {
                        if let Some(n) = self.nodes.iter_mut().find(|n| n.id == producer) {
                            n.calls.push(id.clone());
                        }
                    }
                    self.push(&client, "client", client_params());
                    self.link(&client, &producer, Map::new());
                    self.notes.push(format!(
                        "{id}: nothing in the template writes to it; added {client} → {producer} at {DEFAULT_CLIENT_RATE_PER_S} req/s"
                    ));
                    continue;
                }
                _ => continue,
            }
            self.notes.push(format!(
                "{id}: added {client} at {DEFAULT_CLIENT_RATE_PER_S} req/s (set the load)"
            ));
        }
    }

    fn any_schedule_or_caller(&self, id: &str) -> bool {
        self.links.iter().any(|l| l.to == id)
            || self
                .nodes
                .iter()
                .any(|n| n.params.get("on_failure").and_then(Value::as_str) == Some(id))
    }

    fn is_dead_letter_queue(&self, id: &str) -> bool {
        self.nodes.iter().any(|n| {
            n.params.get("dead_letter_queue").and_then(Value::as_str) == Some(id)
                || n.params.get("on_failure").and_then(Value::as_str) == Some(id)
        })
    }

    fn finish(
        self,
        exported: Option<&Value>,
        placed: &BTreeMap<String, Value>,
    ) -> Result<Imported, String> {
        let kept = exported
            .and_then(|m| m.get("nodes"))
            .and_then(Value::as_array)
            .is_some_and(|n| !n.is_empty());
        if self.nodes.is_empty() && !kept {
            return Err(format!(
                "nothing in the template is simulated ({} resources: {})",
                self.not_simulated.len(),
                self.not_simulated
                    .iter()
                    .take(5)
                    .map(|n| n.kind.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let positions = layout(&self.nodes, &self.links);
        let default_handler = NodeKind::with_defaults("lambda")
            .and_then(|k| serde_json::to_value(k).ok())
            .and_then(|v| v.pointer("/params/handler").cloned())
            .unwrap_or_else(|| json!([]));
        let mut nodes: Vec<Value> = self
            .nodes
            .iter()
            .zip(positions)
            .map(|(n, (x, y))| {
                let mut params = n.params.clone();
                if n.kind == "lambda" && !n.calls.is_empty() {
                    let mut handler = default_handler.as_array().cloned().unwrap_or_default();
                    handler.extend(n.calls.iter().map(|c| json!({"call": {"node": c}})));
                    params.insert("handler".into(), Value::Array(handler));
                }
                let mut node = json!({
                    "id": n.id,
                    "kind": n.kind,
                    "position": {"x": x, "y": y},
                    "params": params,
                });
                if let Some(Value::Object(place)) = placed.get(&n.id) {
                    for (k, v) in place {
                        node[k] = v.clone();
                    }
                }
                node
            })
            .collect();
        if let Some(others) = exported
            .and_then(|m| m.get("nodes"))
            .and_then(Value::as_array)
        {
            nodes.extend(others.iter().cloned());
        }
        if let Some(order) = exported
            .and_then(|m| m.get("order"))
            .and_then(Value::as_array)
        {
            let rank = |n: &Value| {
                order
                    .iter()
                    .position(|id| *id == n["id"])
                    .unwrap_or(usize::MAX)
            };
            nodes.sort_by_key(rank);
        }
        let edges: Vec<Value> = self
            .links
            .iter()
            .map(|l| {
                let mut e = Map::new();
                e.insert("from".into(), json!(l.from));
                e.insert("to".into(), json!(l.to));
                e.extend(l.extra.clone());
                Value::Object(e)
            })
            .collect();
        let mut doc = json!({
            "format": "surge-scenario",
            "version": 2,
            "seed": 1,
            "duration_s": DEFAULT_DURATION_S,
        });
        if let Some(Value::Object(run)) = exported.and_then(|m| m.get("run")) {
            for (k, v) in run {
                doc[k] = v.clone();
            }
        }
        doc["nodes"] = Value::Array(nodes);
        doc["edges"] = Value::Array(edges);
        let mut scenario = Scenario::parse_json(&doc.to_string())
            .map_err(|e| format!("the template maps to a scenario Surge refuses: {e}"))?;
        // Back to the ids the scenario had before it was exported.
        if let Some(Value::Object(ids)) = exported.and_then(|m| m.get("ids")) {
            for (logical, id) in ids {
                if let Some(id) = id.as_str() {
                    if id != logical && scenario.node_index(id).is_none() {
                        scenario.rename_node(logical, id);
                    }
                }
            }
        }
        Ok(Imported {
            scenario,
            not_simulated: self.not_simulated,
            notes: self.notes,
        })
    }
}

/// What a resource becomes: a node (its kind and the parameters its properties set), or
/// nothing, with the reason.
pub(crate) enum Mapped {
    Node(&'static str, Map<String, Value>),
    Skip(&'static str),
}

/// One resource's node, from its properties alone (the export uses it to know which
/// parameters a template already says).
pub(crate) fn map_resource(
    id: &str,
    r: &Value,
    globals: &Map<String, Value>,
    notes: &mut Vec<String>,
) -> Mapped {
    let kind = kind_of(r);
    let p = props(r);
    match kind {
        "AWS::Serverless::Function" | "AWS::Lambda::Function" => {
            let mut merged = globals.clone();
            merged.extend(p.clone());
            let mut params = Map::new();
            params.insert(
                "memory_mb".into(),
                json!(num(merged.get("MemorySize")).unwrap_or(128.0) as u64),
            );
            params.insert(
                "timeout_s".into(),
                json!(num(merged.get("Timeout")).unwrap_or(3.0)),
            );
            let runtime = merged.get("Runtime").and_then(Value::as_str).unwrap_or("");
            let surge_runtime = match runtime {
                r if r.starts_with("nodejs") => "nodejs",
                r if r.starts_with("python") => "python",
                r if r.starts_with("java") => "java",
                r if r.starts_with("dotnet") => "dotnet",
                r if r.starts_with("go") || r.starts_with("provided") => "go",
                "" => "nodejs",
                other => {
                    notes.push(format!(
                        "{id}: runtime {other} simulated with Python's cold start"
                    ));
                    "python"
                }
            };
            params.insert("runtime".into(), json!(surge_runtime));
            if let Some(n) = num(merged.get("ReservedConcurrentExecutions")) {
                params.insert("reserved_concurrency".into(), json!(n as u64));
            }
            if let Some(n) = num(merged
                .get("ProvisionedConcurrencyConfig")
                .and_then(|c| c.get("ProvisionedConcurrentExecutions")))
            {
                params.insert("provisioned_concurrency".into(), json!(n as u64));
            }
            Mapped::Node("lambda", params)
        }
        "AWS::SQS::Queue" => {
            let mut params = Map::new();
            if boolean(p.get("FifoQueue")) == Some(true) {
                params.insert("fifo".into(), json!(true));
                if p.get("FifoThroughputLimit").and_then(Value::as_str) == Some("perMessageGroupId")
                {
                    params.insert("fifo_high_throughput".into(), json!(true));
                }
            }
            for (from, to) in [
                ("VisibilityTimeout", "visibility_timeout_s"),
                ("MessageRetentionPeriod", "retention_s"),
                ("DelaySeconds", "delay_s"),
            ] {
                if let Some(n) = num(p.get(from)) {
                    params.insert(to.into(), json!(n));
                }
            }
            Mapped::Node("sqs", params)
        }
        "AWS::SNS::Topic" => {
            if boolean(p.get("FifoTopic")) == Some(true) {
                notes.push(format!("{id}: a FIFO topic, simulated as a standard one"));
            }
            Mapped::Node("sns", Map::new())
        }
        "AWS::S3::Bucket" => Mapped::Node("s3", Map::new()),
        "AWS::Kinesis::Stream" => {
            let mut params = Map::new();
            let on_demand =
                at(p, "/StreamModeDetails/StreamMode").and_then(Value::as_str) == Some("ON_DEMAND");
            let shards = num(p.get("ShardCount")).unwrap_or(if on_demand { 4.0 } else { 1.0 });
            if on_demand {
                notes.push(format!(
                    "{id}: an on-demand stream, simulated with the 4 shards it starts with"
                ));
            }
            params.insert("shards".into(), json!(shards as u64));
            if let Some(h) = num(p.get("RetentionPeriodHours")) {
                params.insert("retention_s".into(), json!(h * 3600.0));
            }
            Mapped::Node("kinesis", params)
        }
        "AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable" => {
            let mut params = Map::new();
            let throughput = p.get("ProvisionedThroughput");
            let on_demand = match p.get("BillingMode").and_then(Value::as_str) {
                Some("PAY_PER_REQUEST") => true,
                Some(_) => false,
                None => throughput.is_none(),
            };
            if on_demand {
                params.insert("mode".into(), json!("on_demand"));
            } else {
                params.insert("mode".into(), json!("provisioned"));
                let read = num(throughput.and_then(|t| t.get("ReadCapacityUnits")));
                let write = num(throughput.and_then(|t| t.get("WriteCapacityUnits")));
                params.insert("read_capacity".into(), json!(read.unwrap_or(5.0) as u64));
                params.insert("write_capacity".into(), json!(write.unwrap_or(5.0) as u64));
            }
            Mapped::Node("dynamodb", params)
        }
        "AWS::Serverless::Api" | "AWS::ApiGateway::RestApi" => {
            let mut params = Map::new();
            params.insert("flavour".into(), json!("rest"));
            if let Some(s) = p
                .get("MethodSettings")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
            {
                throttling(
                    &mut params,
                    s,
                    "ThrottlingRateLimit",
                    "ThrottlingBurstLimit",
                );
            }
            Mapped::Node("api_gateway", params)
        }
        "AWS::Serverless::HttpApi" | "AWS::ApiGatewayV2::Api" => {
            let mut params = Map::new();
            params.insert("flavour".into(), json!("http"));
            if let Some(s) = p.get("DefaultRouteSettings") {
                throttling(
                    &mut params,
                    s,
                    "ThrottlingRateLimit",
                    "ThrottlingBurstLimit",
                );
            }
            if p.get("ProtocolType").and_then(Value::as_str) == Some("WEBSOCKET") {
                notes.push(format!("{id}: a WebSocket API, simulated as an HTTP API"));
            }
            Mapped::Node("api_gateway", params)
        }
        "AWS::Serverless::StateMachine" | "AWS::StepFunctions::StateMachine" => {
            let express = p
                .get("Type")
                .or_else(|| p.get("StateMachineType"))
                .and_then(Value::as_str)
                == Some("EXPRESS");
            let mut params = Map::new();
            params.insert(
                "flavour".into(),
                json!(if express { "express" } else { "standard" }),
            );
            Mapped::Node("step_functions", params)
        }
        "AWS::Events::Rule" if p.contains_key("ScheduleExpression") => {
            let params = schedule(p.get("ScheduleExpression"), id, notes);
            Mapped::Node("schedule", params)
        }
        "AWS::Scheduler::Schedule" => {
            let params = schedule(p.get("ScheduleExpression"), id, notes);
            Mapped::Node("schedule", params)
        }
        "AWS::RDS::DBInstance" | "AWS::RDS::DBCluster" => {
            let mut params = Map::new();
            let engine = p
                .get("Engine")
                .and_then(Value::as_str)
                .unwrap_or("postgres");
            params.insert(
                "engine".into(),
                json!(if engine.contains("mysql") {
                    "mysql"
                } else {
                    "postgres"
                }),
            );
            if let Some(class) = p.get("DBInstanceClass").and_then(Value::as_str) {
                let known = [
                    "db.t3.micro",
                    "db.t3.small",
                    "db.t3.medium",
                    "db.m5.large",
                    "db.r5.large",
                    "db.r6g.xlarge",
                    "db.r6g.2xlarge",
                ];
                if known.contains(&class) {
                    params.insert("instance_class".into(), json!(class));
                } else {
                    notes.push(format!(
                            "{id}: instance class {class} is not in Surge's table; its default class is used"
                        ));
                }
            }
            if kind == "AWS::RDS::DBCluster" {
                notes.push(format!(
                    "{id}: an Aurora cluster, simulated as one instance"
                ));
            }
            Mapped::Node("rds", params)
        }
        "AWS::RDS::DBProxy" => Mapped::Node("rds_proxy", Map::new()),
        "" => Mapped::Skip("the resource has no `Type`"),
        other => Mapped::Skip(not_simulated_reason(other)),
    }
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

fn client_params() -> Map<String, Value> {
    let mut p = Map::new();
    p.insert("rate_per_s".into(), json!(DEFAULT_CLIENT_RATE_PER_S));
    p
}

fn throttling(params: &mut Map<String, Value>, s: &Value, rate: &str, burst: &str) {
    if let Some(r) = num(s.get(rate)) {
        if r > 0.0 {
            params.insert("rate_per_s".into(), json!(r));
        }
    }
    if let Some(b) = num(s.get(burst)) {
        if b > 0.0 {
            params.insert("burst".into(), json!(b as u64));
        }
    }
}

/// `rate(5 minutes)` or `cron(…)` into a schedule's parameters.
fn schedule(expr: Option<&Value>, id: &str, notes: &mut Vec<String>) -> Map<String, Value> {
    let mut params = Map::new();
    let text = expr.and_then(Value::as_str).unwrap_or("").trim();
    if let Some(inner) = text.strip_prefix("rate(").and_then(|t| t.strip_suffix(')')) {
        let mut parts = inner.split_whitespace();
        let n: f64 = parts.next().and_then(|n| n.parse().ok()).unwrap_or(1.0);
        let unit = parts.next().unwrap_or("minutes");
        let seconds = match unit.trim_end_matches('s') {
            "second" => 1.0,
            "minute" => 60.0,
            "hour" => 3600.0,
            "day" => 86_400.0,
            _ => 60.0,
        };
        params.insert("every_s".into(), json!(n * seconds));
    } else if text.starts_with("cron(") && Cron::parse(text).is_ok() {
        params.insert("cron".into(), json!(text));
    } else {
        notes.push(format!(
            "{id}: schedule `{text}` is not simulated as written; it runs every minute"
        ));
        params.insert("every_s".into(), json!(60.0));
    }
    params
}

/// Columns by distance from the load, rows in order of appearance, on the editor's grid.
fn layout(nodes: &[Pending], links: &[Link]) -> Vec<(f64, f64)> {
    let index = |id: &str| nodes.iter().position(|n| n.id == id);
    let mut depth = vec![0usize; nodes.len()];
    // Longest path from a node nothing feeds, bounded (cycles stop growing).
    for _ in 0..nodes.len().min(32) {
        let mut changed = false;
        for l in links {
            if let (Some(a), Some(b)) = (index(&l.from), index(&l.to)) {
                if depth[b] < depth[a] + 1 && depth[a] + 1 < 32 {
                    depth[b] = depth[a] + 1;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut rows = [0usize; 33];
    depth
        .iter()
        .map(|&d| {
            let row = rows[d];
            rows[d] += 1;
            (40.0 + 220.0 * d as f64, 40.0 + 100.0 * row as f64)
        })
        .collect()
}
