//! Client parameters: how much load arrives, when, and how callers time out and retry.
//!
//! Why open-loop: real users do not wait for the system to recover before sending more.
//! Combined with client timeouts and retries, open-loop arrivals are what make retry
//! storms and goodput collapse appear from the model itself.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Parameters of a client (workload source).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<ClientParams>)]
pub struct ClientParams {
    /// Base arrival rate in requests per second (used until the first schedule phase).
    pub rate_per_s: f64,
    /// How arrivals are spaced in time.
    pub arrivals: Arrivals,
    /// Rate changes over time: steps (`ramp_s` 0), ramps, and spikes (a step up, then down).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schedule: Vec<Phase>,
    /// Optional day-shaped multiplier on the rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub daily: Option<DailyCurve>,
    /// The caller gives up on an attempt after this many milliseconds.
    pub timeout_ms: f64,
    /// What the caller does after an error or a timeout.
    pub retry: RetryPolicy,
    /// Request payload size in KB (API Gateway refuses more than its limit).
    pub payload_kb: f64,
    /// Stop sending while a downstream queue is too deep or too old.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backpressure: Option<crate::scenario::Backpressure>,
    /// The customers behind this client: each request belongs to one of them, drawn
    /// uniformly (a worker pool gives each its own shuffle shard).
    #[serde(skip_serializing_if = "is_one")]
    pub tenants: u32,
    /// Long work: the request succeeds when its result comes back (polled, called back or
    /// pushed), not when the submit is accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub async_result: Option<crate::scenario::AsyncResult>,
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

impl Default for ClientParams {
    fn default() -> Self {
        ClientParams {
            rate_per_s: 100.0,
            arrivals: Arrivals::Poisson,
            schedule: Vec::new(),
            daily: None,
            timeout_ms: 30_000.0,
            retry: RetryPolicy::default(),
            payload_kb: 1.0,
            backpressure: None,
            tenants: 1,
            async_result: None,
        }
    }
}

/// Spacing of arrivals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Arrivals {
    /// Exponential inter-arrival times (a Poisson process).
    #[default]
    Poisson,
    /// Exactly `1 / rate` between arrivals.
    Constant,
}

/// From `at_s` on, the rate moves to `rate_per_s` (linearly over `ramp_s`, or at once).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<Phase>)]
pub struct Phase {
    /// Start of the change, in seconds from the start of the run.
    pub at_s: f64,
    /// Target rate in requests per second.
    pub rate_per_s: f64,
    /// Seconds to ramp linearly to the target; 0 is a step.
    #[serde(default)]
    pub ramp_s: f64,
}

/// A daily traffic shape: a cosine between `min_ratio` and 1 with its peak at `peak_at_s`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<DailyCurve>)]
pub struct DailyCurve {
    /// Length of one cycle in seconds (a day is 86,400).
    pub period_s: f64,
    /// Time of the peak within the cycle, in seconds.
    pub peak_at_s: f64,
    /// Rate at the trough as a share of the peak, in [0, 1].
    pub min_ratio: f64,
}

impl Default for DailyCurve {
    fn default() -> Self {
        DailyCurve {
            period_s: 86_400.0,
            peak_at_s: 50_400.0,
            min_ratio: 0.2,
        }
    }
}

/// The caller's retry behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
#[schemars(transform = crate::scenario::bounds::schema_bounds::<RetryPolicy>)]
pub struct RetryPolicy {
    /// Attempts in total, including the first (1 = never retry).
    pub max_attempts: u32,
    /// How long to wait before the next attempt.
    pub backoff: Backoff,
    /// Base delay in milliseconds (the first wait for fixed/exponential backoff).
    pub base_ms: f64,
    /// Longest wait in milliseconds.
    pub cap_ms: f64,
    /// What bounds the retries: `legacy` (nothing but `max_attempts`), `standard` (the AWS
    /// SDKs' retry quota: 500 tokens, 5 per retry, 10 per timeout retry, 1 back per
    /// first-try success; an empty bucket fails fast) or `adaptive` (standard plus a
    /// client-side send-rate limiter that slows even first attempts after throttles).
    #[serde(skip_serializing_if = "RetryMode::is_legacy")]
    pub mode: RetryMode,
}

/// What bounds a caller's retries (the AWS SDKs' retry modes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RetryMode {
    /// Only `max_attempts` (older SDKs' default).
    #[default]
    Legacy,
    /// `max_attempts` and the retry quota (the SDKs' recommended mode).
    Standard,
    /// The retry quota and a client-side send-rate limiter (CUBIC-like).
    Adaptive,
}

impl RetryMode {
    /// Whether this is the default, legacy mode (left out when saving).
    pub fn is_legacy(&self) -> bool {
        *self == RetryMode::Legacy
    }

    /// Whether retries spend a retry quota.
    pub fn has_quota(self) -> bool {
        self != RetryMode::Legacy
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 1,
            backoff: Backoff::None,
            base_ms: 100.0,
            cap_ms: 20_000.0,
            mode: RetryMode::Legacy,
        }
    }
}

/// Wait between attempts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    /// Retry at once.
    #[default]
    None,
    /// Always `base_ms`.
    Fixed,
    /// `base_ms × 2^(attempt−1)`, capped.
    Exponential,
    /// A uniform draw in [0, exponential delay] ("full jitter").
    ExponentialFullJitter,
}

impl RetryPolicy {
    /// Delay in seconds before attempt `next_attempt` (2 for the first retry); `uniform`
    /// is a draw in [0, 1) used only by jittered backoff.
    pub fn delay_s(&self, next_attempt: u32, uniform: f64) -> f64 {
        let exp = || {
            let doublings = next_attempt.saturating_sub(2).min(60);
            (self.base_ms * libm::pow(2.0, f64::from(doublings))).min(self.cap_ms)
        };
        let ms = match self.backoff {
            Backoff::None => 0.0,
            Backoff::Fixed => self.base_ms.min(self.cap_ms),
            Backoff::Exponential => exp(),
            Backoff::ExponentialFullJitter => uniform * exp(),
        };
        ms / 1000.0
    }
}

impl ClientParams {
    /// The scheduled rate at time `t_s` (before any spike fault), in requests per second.
    pub fn rate_at(&self, t_s: f64) -> f64 {
        let mut rate = self.rate_per_s;
        for phase in &self.schedule {
            if t_s < phase.at_s {
                break;
            }
            let from = rate;
            rate = if phase.ramp_s > 0.0 && t_s < phase.at_s + phase.ramp_s {
                from + (phase.rate_per_s - from) * (t_s - phase.at_s) / phase.ramp_s
            } else {
                phase.rate_per_s
            };
        }
        if let Some(d) = &self.daily {
            let angle = 2.0 * core::f64::consts::PI * (t_s - d.peak_at_s) / d.period_s;
            rate *= d.min_ratio + (1.0 - d.min_ratio) * (1.0 + libm::cos(angle)) / 2.0;
        }
        rate.max(0.0)
    }

    /// An upper bound on [`ClientParams::rate_at`] over the whole run (for thinning).
    pub fn max_rate(&self) -> f64 {
        self.schedule
            .iter()
            .map(|p| p.rate_per_s)
            .fold(self.rate_per_s, f64::max)
            .max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_steps_and_ramps() {
        let c = ClientParams {
            rate_per_s: 100.0,
            schedule: vec![
                Phase {
                    at_s: 10.0,
                    rate_per_s: 400.0,
                    ramp_s: 0.0,
                },
                Phase {
                    at_s: 20.0,
                    rate_per_s: 200.0,
                    ramp_s: 10.0,
                },
            ],
            ..ClientParams::default()
        };
        assert_eq!(c.rate_at(5.0), 100.0);
        assert_eq!(c.rate_at(10.0), 400.0);
        assert_eq!(c.rate_at(25.0), 300.0);
        assert_eq!(c.rate_at(40.0), 200.0);
        assert_eq!(c.max_rate(), 400.0);
    }

    #[test]
    fn backoff_delays() {
        let p = RetryPolicy {
            max_attempts: 5,
            backoff: Backoff::Exponential,
            base_ms: 100.0,
            cap_ms: 350.0,
            mode: RetryMode::Legacy,
        };
        assert_eq!([2, 3, 4].map(|a| p.delay_s(a, 0.5)), [0.1, 0.2, 0.35]);
        let j = RetryPolicy {
            backoff: Backoff::ExponentialFullJitter,
            ..p
        };
        assert_eq!(j.delay_s(3, 0.5), 0.1);
    }
}

use super::bounds::bounds;
use super::{MAX_DURATION_S, MAX_RATE_PER_S};

bounds!(ClientParams {
    rate_per_s: Range(0.0, MAX_RATE_PER_S), " req/s";
    timeout_ms: Positive(86_400_000.0), " ms";
    payload_kb: Range(0.0, 1_000_000.0), " KB";
    tenants: Count(1.0, 100_000.0);
});

bounds!(RetryPolicy {
    max_attempts: Count(1.0, 100.0);
    base_ms: Range(0.0, 3_600_000.0), " ms";
    cap_ms: Range(0.0, 3_600_000.0), " ms";
});

bounds!(DailyCurve {
    period_s: Positive(MAX_DURATION_S), " s";
    peak_at_s: Range(0.0, MAX_DURATION_S), " s";
    min_ratio: Range(0.0, 1.0);
});

bounds!(Phase {
    rate_per_s: Range(0.0, MAX_RATE_PER_S), " req/s";
    ramp_s: Range(0.0, MAX_DURATION_S), " s";
});
