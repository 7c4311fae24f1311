//! Which nodes may connect to which, as data the editor can query.
//!
//! Why data: the editor must accept only valid connections and explain refusals, and the
//! engine must agree with it; one table serves both, so the rules are never duplicated.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How the called node is invoked along an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Invocation {
    /// The caller waits; errors and throttles come back to it as status codes.
    Sync,
    /// Lambda's internal queue: the caller gets 202 at once; Lambda retries and routes
    /// failures to the on-failure destination.
    Async,
    /// A Lambda event source mapping polls the queue and invokes the function in batches.
    Poll,
    /// Records flow through a stream's shards to a consumer (an event source mapping).
    Stream,
    /// A direct service integration without a function (API Gateway → SQS, Kinesis, SNS or
    /// Step Functions; S3 or SNS → SQS).
    Integration,
}

/// One allowed connection: which kinds, how the callee may be invoked (the first is the
/// default when an edge does not say), and what it means.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct EdgeRule {
    /// Kind tag of the calling node.
    pub from: &'static str,
    /// Kind tag of the called node.
    pub to: &'static str,
    /// Allowed invocation kinds; the first is the default.
    pub invocations: &'static [Invocation],
    /// What the connection means, in one line.
    pub meaning: &'static str,
}

impl EdgeRule {
    /// The invocation used when an edge does not name one.
    pub fn default_invocation(&self) -> Invocation {
        self.invocations[0]
    }
}

const RULES: [EdgeRule; 32] = [
    EdgeRule {
        from: "client",
        to: "api_gateway",
        invocations: &[Invocation::Sync],
        meaning: "clients send HTTP requests to the API",
    },
    EdgeRule {
        from: "client",
        to: "lambda",
        invocations: &[Invocation::Sync, Invocation::Async],
        meaning: "clients invoke the function through the SDK (RequestResponse or Event)",
    },
    EdgeRule {
        from: "client",
        to: "service",
        invocations: &[Invocation::Sync],
        meaning: "clients call the service's HTTP API directly (a backend or a vendor)",
    },
    EdgeRule {
        from: "client",
        to: "worker_pool",
        invocations: &[Invocation::Sync],
        meaning: "clients call the pool's service; each tenant uses its own shard of workers",
    },
    EdgeRule {
        from: "api_gateway",
        to: "worker_pool",
        invocations: &[Invocation::Sync],
        meaning: "the API proxies to the pool's service (HTTP integration)",
    },
    EdgeRule {
        from: "lambda",
        to: "worker_pool",
        invocations: &[Invocation::Sync],
        meaning: "the handler calls the pool's service and waits",
    },
    EdgeRule {
        from: "api_gateway",
        to: "lambda",
        invocations: &[Invocation::Sync],
        meaning: "the API's Lambda proxy integration invokes the function synchronously",
    },
    EdgeRule {
        from: "api_gateway",
        to: "sqs",
        invocations: &[Invocation::Integration],
        meaning: "the API sends the request body to the queue and answers at once",
    },
    EdgeRule {
        from: "lambda",
        to: "lambda",
        invocations: &[Invocation::Sync, Invocation::Async],
        meaning: "the handler invokes another function (waits, or hands it to the async queue)",
    },
    EdgeRule {
        from: "lambda",
        to: "sqs",
        invocations: &[Invocation::Sync],
        meaning: "the handler sends a message (SendMessage) and goes on",
    },
    EdgeRule {
        from: "lambda",
        to: "rds_proxy",
        invocations: &[Invocation::Sync],
        meaning: "the handler queries the database through the proxy's pool",
    },
    EdgeRule {
        from: "lambda",
        to: "rds",
        invocations: &[Invocation::Sync],
        meaning: "each execution environment opens its own database connection",
    },
    EdgeRule {
        from: "lambda",
        to: "service",
        invocations: &[Invocation::Sync],
        meaning: "the handler calls the service's API; its SDK retries throttles",
    },
    EdgeRule {
        from: "rds_proxy",
        to: "rds",
        invocations: &[Invocation::Sync],
        meaning: "the proxy pools connections to this database",
    },
    EdgeRule {
        from: "api_gateway",
        to: "kinesis",
        invocations: &[Invocation::Integration],
        meaning: "the API writes the request as a record (PutRecord) and answers",
    },
    EdgeRule {
        from: "lambda",
        to: "kinesis",
        invocations: &[Invocation::Sync],
        meaning: "the handler writes a record (PutRecord); its SDK retries throttles",
    },
    EdgeRule {
        from: "kinesis",
        to: "lambda",
        invocations: &[Invocation::Stream],
        meaning: "an event source mapping reads each shard in order and invokes the function",
    },
    EdgeRule {
        from: "client",
        to: "step_functions",
        invocations: &[Invocation::Sync],
        meaning: "clients start executions (StartExecution) through the SDK",
    },
    EdgeRule {
        from: "api_gateway",
        to: "step_functions",
        invocations: &[Invocation::Integration],
        meaning: "the API starts an execution and answers with its id",
    },
    EdgeRule {
        from: "step_functions",
        to: "lambda",
        invocations: &[Invocation::Sync],
        meaning: "a Task state invokes the function and waits for it",
    },
    EdgeRule {
        from: "step_functions",
        to: "service",
        invocations: &[Invocation::Sync],
        meaning: "a Task state calls the service directly (an SDK integration)",
    },
    EdgeRule {
        from: "lambda",
        to: "s3",
        invocations: &[Invocation::Sync],
        meaning: "the handler writes an object (PutObject)",
    },
    EdgeRule {
        from: "lambda",
        to: "sns",
        invocations: &[Invocation::Sync],
        meaning: "the handler publishes a message to the topic",
    },
    EdgeRule {
        from: "api_gateway",
        to: "sns",
        invocations: &[Invocation::Integration],
        meaning: "the API publishes the request to the topic",
    },
    EdgeRule {
        from: "s3",
        to: "lambda",
        invocations: &[Invocation::Async],
        meaning: "each object created invokes the function asynchronously (no rate limit)",
    },
    EdgeRule {
        from: "s3",
        to: "sqs",
        invocations: &[Invocation::Integration],
        meaning: "each object created sends a notification message to the queue",
    },
    EdgeRule {
        from: "sns",
        to: "lambda",
        invocations: &[Invocation::Async],
        meaning: "a subscription: each message invokes the function asynchronously",
    },
    EdgeRule {
        from: "sns",
        to: "sqs",
        invocations: &[Invocation::Integration],
        meaning: "a subscription: each message is delivered to the queue",
    },
    EdgeRule {
        from: "schedule",
        to: "lambda",
        invocations: &[Invocation::Async],
        meaning: "the schedule invokes the function asynchronously at its rate",
    },
    EdgeRule {
        from: "lambda",
        to: "dynamodb",
        invocations: &[Invocation::Sync],
        meaning: "the handler reads or writes items; its SDK retries throttles",
    },
    EdgeRule {
        from: "step_functions",
        to: "dynamodb",
        invocations: &[Invocation::Sync],
        meaning: "a Task reads or writes an item directly",
    },
    EdgeRule {
        from: "sqs",
        to: "lambda",
        invocations: &[Invocation::Poll],
        meaning: "an event source mapping polls the queue and invokes the function in batches",
    },
];

/// Every allowed connection.
pub fn edge_rules() -> &'static [EdgeRule] {
    &RULES
}

/// The rule for `from` → `to`, or why there is none (naming what `from` can call).
pub fn edge_rule(from: &str, to: &str) -> Result<&'static EdgeRule, String> {
    if let Some(rule) = RULES.iter().find(|r| r.from == from && r.to == to) {
        return Ok(rule);
    }
    let mut targets: Vec<&str> = RULES
        .iter()
        .filter(|r| r.from == from)
        .map(|r| r.to)
        .collect();
    targets.sort_unstable();
    Err(if targets.is_empty() {
        format!("a {from} has no outputs")
    } else {
        format!(
            "a {from} cannot call a {to} (it can call: {})",
            targets.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_answer_and_explain() {
        let rule = edge_rule("client", "lambda").expect("allowed");
        assert_eq!(rule.default_invocation(), Invocation::Sync);
        assert!(rule.invocations.contains(&Invocation::Async));
        assert_eq!(
            edge_rule("client", "rds").map(|r| r.from),
            Err(
                "a client cannot call a rds (it can call: api_gateway, lambda, service, step_functions, worker_pool)"
                    .into()
            )
        );
        assert_eq!(
            edge_rule("rds", "lambda").map(|r| r.from),
            Err("a rds has no outputs".into())
        );
        assert_eq!(
            edge_rule("sqs", "lambda").map(EdgeRule::default_invocation),
            Ok(Invocation::Poll)
        );
    }
}
