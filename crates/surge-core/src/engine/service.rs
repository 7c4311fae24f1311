//! A rate-limited service (third-party API, Secrets Manager, CloudWatch): a token bucket
//! that answers "throttled" at once, a latency, and an optional collapse past capacity.
//!
//! Why throttles return immediately: the caller's SDK retries them with backoff and jitter
//! (see the Lambda handler), so a hidden quota shows up as latency first and as errors only
//! when the retries run out, as described in the talks.

use super::stats::TokenBucket;
use super::{CallId, CallState, NodeRt, Simulation};
use crate::report::ErrorKind;
use crate::scenario::{Admission, ServiceParams};
use crate::time::SimTime;

#[derive(Debug)]
pub(crate) struct ServiceRt {
    bucket: TokenBucket,
    latency_mean_s: f64,
    capacity: Option<u32>,
    in_flight: u32,
    pub(crate) price_per_call: f64,
    pub(crate) sdk_max_attempts: u32,
    pub(crate) sdk_base_ms: f64,
    admission: Admission,
}

impl ServiceRt {
    pub(crate) fn new(p: &ServiceParams) -> Self {
        let rate = p
            .rate_limit_per_s
            .unwrap_or_else(|| p.preset.rate_limit_per_s());
        ServiceRt {
            bucket: TokenBucket::new(rate, rate.max(1.0)),
            latency_mean_s: p.latency_ms.unwrap_or_else(|| p.preset.latency_ms()) / 1000.0,
            capacity: p.capacity,
            in_flight: 0,
            price_per_call: p.preset.price_per_call(),
            sdk_max_attempts: p.sdk_max_attempts,
            sdk_base_ms: p.sdk_base_ms,
            admission: p.admission,
        }
    }
}

impl Simulation {
    fn service(&mut self, node: usize) -> &mut ServiceRt {
        match &mut self.nodes[node] {
            NodeRt::Service(s) => s,
            _ => unreachable!("service node"),
        }
    }

    /// The SDK retry policy callers use against `node`: (max attempts, base ms).
    pub(super) fn sdk_policy(&mut self, node: u32) -> (u32, f64) {
        let s = self.service(node as usize);
        (s.sdk_max_attempts, s.sdk_base_ms)
    }

    pub(super) fn service_arrive(&mut self, call: CallId) {
        let node = self.calls[call].node as usize;
        let now = self.now;
        let extra = self.fault_state[node].extra_latency;
        let s = self.service(node);
        let price = s.price_per_call;
        if !s.bucket.take(now) {
            self.cost.service_call(price);
            self.complete(call, Err(ErrorKind::ServiceThrottled));
            return;
        }
        // Load shedding: past the admission limit a call is refused cheaply, before it
        // costs the service any of its capacity.
        if s.admission.max_in_flight.is_some_and(|m| s.in_flight >= m) {
            let d = SimTime::from_secs_f64(s.admission.shed_ms / 1000.0);
            self.cost.service_call(price);
            self.calls[call].state = CallState::Service {
                fail: Some(ErrorKind::Shed),
                admitted: false,
            };
            self.resume_after(call, d);
            return;
        }
        s.in_flight += 1;
        let (mean, capacity, in_flight) = (s.latency_mean_s, s.capacity, s.in_flight);
        // Past capacity the service degrades: latency grows with the overload and the
        // matching share of requests fails.
        let overload = capacity.map_or(1.0, |c| (f64::from(in_flight) / f64::from(c)).max(1.0));
        let fail = overload > 1.0 && self.rng.chance(1.0 - 1.0 / overload);
        let d = SimTime::from_secs_f64(self.rng.exponential(mean) * overload) + extra;
        self.cost.service_call(price);
        self.calls[call].state = CallState::Service {
            fail: fail.then_some(ErrorKind::ServerError),
            admitted: true,
        };
        self.resume_after(call, d);
    }

    /// The caller of a call at this service gave up: with deadline propagation the
    /// service stops the work now and frees its place.
    pub(super) fn service_abandoned(&mut self, call: CallId) {
        let node = self.calls[call].node as usize;
        let CallState::Service { admitted, .. } = self.calls[call].state else {
            return;
        };
        if !self.service(node).admission.drop_abandoned || self.calls[call].finishing {
            return;
        }
        if admitted {
            self.service_done(call);
        }
        self.calls[call].state = CallState::Service {
            fail: Some(ErrorKind::DeadlineExceeded),
            admitted: false,
        };
        self.complete(call, Err(ErrorKind::DeadlineExceeded));
    }

    pub(super) fn service_done(&mut self, call: CallId) {
        let node = self.calls[call].node as usize;
        let s = self.service(node);
        s.in_flight = s.in_flight.saturating_sub(1);
    }
}
