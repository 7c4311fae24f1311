//! API Gateway: payload limit, token-bucket throttling (account and stage), its own
//! latency, and the integration timeout that answers 504 while the backend keeps working.

use super::stats::TokenBucket;
use super::{CallId, CallState, NodeRt, Parent, Simulation};
use crate::report::ErrorKind;
use crate::scenario::{ApiGatewayFlavour, ApiGatewayParams};
use crate::time::SimTime;

#[derive(Debug)]
pub(crate) struct GatewayRt {
    pub(crate) flavour: ApiGatewayFlavour,
    stage: Option<TokenBucket>,
    timeout: SimTime,
    latency: SimTime,
    max_payload_kb: f64,
    edge: u32,
}

impl GatewayRt {
    pub(crate) fn new(p: &ApiGatewayParams, edge: u32) -> Self {
        GatewayRt {
            flavour: p.flavour,
            stage: p.rate_per_s.map(|rate| {
                let burst = p.burst.map_or(rate.max(1.0), f64::from);
                TokenBucket::new(rate, burst)
            }),
            timeout: SimTime::from_secs_f64(p.timeout_ms / 1000.0),
            latency: SimTime::from_secs_f64(p.latency_ms / 1000.0),
            max_payload_kb: p.max_payload_kb,
            edge,
        }
    }
}

impl Simulation {
    fn gateway_mut(&mut self, node: usize) -> &mut GatewayRt {
        match &mut self.nodes[node] {
            NodeRt::Gateway(g) => g,
            _ => unreachable!("gateway call at a gateway node"),
        }
    }

    pub(super) fn gateway_arrive(&mut self, call: CallId) {
        let c = &self.calls[call];
        let (node, parent, retry) = (c.node as usize, c.parent, c.retry);
        let payload = self.payload_kb_of(parent);
        let now = self.now;
        let extra = self.fault_state[node].extra_latency;
        let account_ok = self.account.api_gateway.has(now);
        let g = self.gateway_mut(node);
        if payload > g.max_payload_kb {
            self.complete(call, Err(ErrorKind::PayloadTooLarge));
            return;
        }
        let stage_ok = g.stage.as_mut().is_none_or(|b| b.has(now));
        if !(account_ok && stage_ok) {
            self.complete(call, Err(ErrorKind::Throttled));
            return;
        }
        if let Some(b) = g.stage.as_mut() {
            b.take(now);
        }
        let (flavour, latency) = (g.flavour, g.latency);
        self.account.api_gateway.take(now);
        self.cost.api_gateway_request(flavour, retry);
        self.calls[call].state = CallState::Gateway { child: None };
        self.resume_in_lane(call, latency + extra, node as u32);
    }

    /// The gateway's own latency is over: call the integration and start its timeout.
    pub(super) fn gateway_resume(&mut self, call: CallId) {
        let c = &self.calls[call];
        let (node, retry) = (c.node as usize, c.retry);
        let g = self.gateway_mut(node);
        let (edge, timeout) = (g.edge, g.timeout);
        let child = self.new_call(edge, Parent::Call(call), retry);
        self.calls[call].state = CallState::Gateway { child: Some(child) };
        self.deadline_after(call, timeout);
    }
}
