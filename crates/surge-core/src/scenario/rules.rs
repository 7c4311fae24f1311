//! Which nodes may connect to which, as data the editor can query.
//!
//! Why data: the editor must accept only valid connections and explain refusals, and the
//! engine must agree with it; one table serves both, so the rules are never duplicated.

use serde::Serialize;

/// The kind of an input port, i.e. how the callee is called.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PortKind {
    /// An HTTP request to API Gateway; the caller waits for the status code.
    Http,
    /// A synchronous Lambda invoke (RequestResponse); throttles come back as 429.
    Invoke,
    /// SQL over a database connection (to RDS directly or through RDS Proxy).
    Sql,
    /// An HTTPS API call to a rate-limited service, retried by the caller's SDK.
    Api,
}

/// One allowed connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct EdgeRule {
    /// Kind tag of the calling node.
    pub from: &'static str,
    /// Kind tag of the called node.
    pub to: &'static str,
    /// The input port kind on the called node.
    pub port: PortKind,
    /// What the connection means, in one line.
    pub meaning: &'static str,
}

const RULES: [EdgeRule; 8] = [
    EdgeRule {
        from: "client",
        to: "api_gateway",
        port: PortKind::Http,
        meaning: "clients send HTTP requests to the API",
    },
    EdgeRule {
        from: "client",
        to: "lambda",
        port: PortKind::Invoke,
        meaning: "clients invoke the function synchronously through the SDK",
    },
    EdgeRule {
        from: "api_gateway",
        to: "lambda",
        port: PortKind::Invoke,
        meaning: "the API's Lambda proxy integration invokes the function synchronously",
    },
    EdgeRule {
        from: "lambda",
        to: "lambda",
        port: PortKind::Invoke,
        meaning: "the handler invokes another function and waits for it",
    },
    EdgeRule {
        from: "lambda",
        to: "rds_proxy",
        port: PortKind::Sql,
        meaning: "the handler queries the database through the proxy's pool",
    },
    EdgeRule {
        from: "lambda",
        to: "rds",
        port: PortKind::Sql,
        meaning: "each execution environment opens its own database connection",
    },
    EdgeRule {
        from: "lambda",
        to: "service",
        port: PortKind::Api,
        meaning: "the handler calls the service's API; its SDK retries throttles",
    },
    EdgeRule {
        from: "rds_proxy",
        to: "rds",
        port: PortKind::Sql,
        meaning: "the proxy pools connections to this database",
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
    let targets: Vec<&str> = RULES
        .iter()
        .filter(|r| r.from == from)
        .map(|r| r.to)
        .collect();
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
        assert_eq!(
            edge_rule("api_gateway", "lambda").map(|r| r.port),
            Ok(PortKind::Invoke)
        );
        assert_eq!(
            edge_rule("client", "rds").map(|r| r.port),
            Err("a client cannot call a rds (it can call: api_gateway, lambda)".into())
        );
        assert_eq!(
            edge_rule("rds", "lambda").map(|r| r.port),
            Err("a rds has no outputs".into())
        );
    }
}
