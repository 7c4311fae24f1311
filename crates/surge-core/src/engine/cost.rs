//! List prices (us-east-1, first tier) applied to simulated usage.
//!
//! Why attribute cost: "retries multiply load" and "the backend keeps working after the
//! gateway gave up" are cheapest to see in dollars; each charge remembers whether it came
//! from a client retry or from work nobody waited for.

use crate::scenario::ApiGatewayFlavour;

/// Lambda: $0.20 per million requests.
pub(crate) const LAMBDA_PER_REQUEST: f64 = 0.20 / 1e6;
/// Lambda on-demand duration, x86, first tier, per GB-second.
pub(crate) const LAMBDA_PER_GBS: f64 = 0.000_016_666_7;
/// Provisioned concurrency: duration while used, per GB-second.
pub(crate) const PC_USED_PER_GBS: f64 = 0.000_009_722_2;
/// Provisioned concurrency: configured, per GB-second.
pub(crate) const PC_CONFIGURED_PER_GBS: f64 = 0.000_004_166_7;
/// API Gateway REST, per request (first 333 M).
pub(crate) const REST_PER_REQUEST: f64 = 3.50 / 1e6;
/// API Gateway HTTP, per request (first 300 M).
pub(crate) const HTTP_PER_REQUEST: f64 = 1.00 / 1e6;
/// RDS Proxy, per vCPU-hour of the target (minimum 2 vCPU).
pub(crate) const PROXY_PER_VCPU_HOUR: f64 = 0.015;
/// SQS standard, per request (first 100 B a month): sends, receives and deletes.
pub(crate) const SQS_PER_REQUEST: f64 = 0.40 / 1e6;
/// Kinesis provisioned, per shard-hour.
pub(crate) const KINESIS_PER_SHARD_HOUR: f64 = 0.015;
/// Kinesis provisioned, per million PUT payload units of 25 KB.
pub(crate) const KINESIS_PER_PUT_UNIT: f64 = 0.014 / 1e6;
/// Step Functions Standard, per state transition.
pub(crate) const SFN_PER_TRANSITION: f64 = 0.025 / 1000.0;
/// Step Functions Express, per execution.
pub(crate) const EXPRESS_PER_REQUEST: f64 = 1.0 / 1e6;
/// Step Functions Express, per GB-second of duration (first tier).
pub(crate) const EXPRESS_PER_GBS: f64 = 0.000_016_67;
/// Kinesis enhanced fan-out, per consumer-shard-hour (an estimate in the reference).
pub(crate) const KINESIS_EFO_PER_SHARD_HOUR: f64 = 0.013;
/// Kinesis enhanced fan-out, per GB pushed (an estimate in the reference).
pub(crate) const KINESIS_EFO_PER_GB: f64 = 0.013;

#[derive(Debug, Default)]
pub(crate) struct CostMeter {
    pub(crate) lambda_requests: u64,
    pub(crate) lambda_duration_usd: f64,
    pub(crate) api_gateway_usd: f64,
    pub(crate) services_usd: f64,
    pub(crate) sqs_requests: u64,
    pub(crate) kinesis_put_units: u64,
    pub(crate) kinesis_efo_kb: f64,
    pub(crate) step_functions_usd: f64,
    pub(crate) retries_usd: f64,
    pub(crate) wasted_usd: f64,
}

impl CostMeter {
    pub(crate) fn lambda_invocation(
        &mut self,
        gbs: f64,
        provisioned: bool,
        retry: bool,
        orphaned: bool,
    ) {
        let duration = gbs
            * if provisioned {
                PC_USED_PER_GBS
            } else {
                LAMBDA_PER_GBS
            };
        self.lambda_requests += 1;
        self.lambda_duration_usd += duration;
        let usd = duration + LAMBDA_PER_REQUEST;
        if retry {
            self.retries_usd += usd;
        }
        if orphaned {
            self.wasted_usd += usd;
        }
    }

    pub(crate) fn api_gateway_request(&mut self, flavour: ApiGatewayFlavour, retry: bool) {
        let usd = match flavour {
            ApiGatewayFlavour::Rest => REST_PER_REQUEST,
            ApiGatewayFlavour::Http => HTTP_PER_REQUEST,
        };
        self.api_gateway_usd += usd;
        if retry {
            self.retries_usd += usd;
        }
    }

    /// One Standard state transition (retries count).
    pub(crate) fn standard_transition(&mut self) {
        self.step_functions_usd += SFN_PER_TRANSITION;
    }

    /// One Express execution that ran for `seconds`: the request, and its duration in
    /// 100 ms steps at the smallest memory step (64 MB).
    pub(crate) fn express_execution(&mut self, seconds: f64) {
        let billed_s = libm::ceil(seconds * 10.0).max(1.0) / 10.0;
        self.step_functions_usd += EXPRESS_PER_REQUEST + billed_s * 0.0625 * EXPRESS_PER_GBS;
    }

    pub(crate) fn service_call(&mut self, usd: f64) {
        self.services_usd += usd;
    }

    /// SQS requests (a send, or one receive or delete of a whole batch).
    pub(crate) fn sqs_request(&mut self) {
        self.sqs_requests += 1;
    }

    /// One PutRecord of `kb` kilobytes.
    pub(crate) fn kinesis_put(&mut self, kb: f64) {
        self.kinesis_put_units += libm::ceil(kb / 25.0).max(1.0) as u64;
    }
}
