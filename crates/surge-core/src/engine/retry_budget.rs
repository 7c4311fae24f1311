//! The AWS SDKs' bounds on retries: the standard mode's retry quota and the adaptive mode's
//! client-side send-rate limiter.
//!
//! Why they exist: jitter spreads retries in time but does not cut their number, so a
//! client at 110 % of a service's capacity with three attempts still sends about three
//! times the load and goodput collapses. The quota lets retries through only while most
//! calls succeed (each retry costs tokens, each first-try success earns one back), so
//! under a sustained overload retries stop and the offered load falls back to about 1×.
//! The adaptive limiter goes further: it measures the client's own send rate and, after a
//! throttle, caps it at 70 % of that rate and grows back along a cubic curve (as TCP
//! CUBIC does), delaying even first attempts.
//!
//! Both are owned state with methods, unit-tested here without a scenario.

use crate::time::SimTime;

/// Tokens in a fresh quota (every SDK's standard mode).
pub(crate) const QUOTA_TOKENS: u32 = 500;
/// Tokens a retry after an error costs.
pub(crate) const RETRY_COST: u32 = 5;
/// Tokens a retry after a timeout costs.
pub(crate) const TIMEOUT_RETRY_COST: u32 = 10;
/// Tokens a success without a retry earns back.
pub(crate) const NO_RETRY_INCREMENT: u32 = 1;

/// The retry quota of one SDK client: a bucket of tokens that retries spend.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RetryQuota {
    tokens: u32,
    /// The fewest tokens left at any time in the run.
    pub(crate) lowest: u32,
    /// Retries refused because the bucket could not pay for them.
    pub(crate) refused: u64,
}

impl Default for RetryQuota {
    fn default() -> Self {
        RetryQuota {
            tokens: QUOTA_TOKENS,
            lowest: QUOTA_TOKENS,
            refused: 0,
        }
    }
}

impl RetryQuota {
    /// Takes the cost of a retry; `None` (and a refusal counted) when the bucket cannot pay.
    pub(crate) fn acquire(&mut self, timeout: bool) -> Option<u32> {
        let cost = if timeout {
            TIMEOUT_RETRY_COST
        } else {
            RETRY_COST
        };
        if self.tokens < cost {
            self.refused += 1;
            return None;
        }
        self.tokens -= cost;
        self.lowest = self.lowest.min(self.tokens);
        Some(cost)
    }

    /// A success: a retried request gives back what its last retry cost, a first-try
    /// success earns one token (never above the quota).
    pub(crate) fn on_success(&mut self, last_retry_cost: Option<u32>) {
        let back = last_retry_cost.unwrap_or(NO_RETRY_INCREMENT);
        self.tokens = (self.tokens + back).min(QUOTA_TOKENS);
    }

    /// Tokens left.
    pub(crate) fn tokens(&self) -> u32 {
        self.tokens
    }
}

/// How much of the measured rate a throttle leaves (CUBIC's β).
const BETA: f64 = 0.7;
/// CUBIC's scaling constant (requests/s per s³).
const SCALE: f64 = 0.4;
/// Weight of the newest half-second in the measured send rate.
const SMOOTH: f64 = 0.8;
/// The limiter never lets the fill rate fall below this (requests per second).
const MIN_FILL_RATE: f64 = 0.5;
/// Width of the buckets in which sends are counted to measure the rate, in seconds.
const RATE_BUCKET_S: f64 = 0.5;

/// The adaptive mode's client-side rate limiter: off until the first throttle, then a
/// token bucket whose fill rate follows a cubic curve around the rate at the last
/// throttle.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SendRateLimiter {
    enabled: bool,
    fill_rate: f64,
    capacity: f64,
    tokens: f64,
    refilled_at: f64,
    /// The measured send rate when the last throttle came.
    last_max_rate: f64,
    last_throttle_s: f64,
    /// Seconds after the last throttle at which the cubic curve regains `last_max_rate`.
    time_window: f64,
    measured_rate: f64,
    /// When the last attempt waiting in line leaves (seconds).
    line_until: f64,
    bucket_start: f64,
    bucket_count: u64,
    /// Attempts the limiter delayed, and their total delay in seconds.
    pub(crate) delayed: u64,
    pub(crate) delay_s: f64,
}

impl Default for SendRateLimiter {
    fn default() -> Self {
        SendRateLimiter {
            enabled: false,
            fill_rate: MIN_FILL_RATE,
            capacity: 1.0,
            tokens: 1.0,
            refilled_at: 0.0,
            last_max_rate: 0.0,
            last_throttle_s: 0.0,
            time_window: 0.0,
            measured_rate: 0.0,
            line_until: 0.0,
            bucket_start: 0.0,
            bucket_count: 0,
            delayed: 0,
            delay_s: 0.0,
        }
    }
}

impl SendRateLimiter {
    /// Reserves a send at `now`: how long the attempt must wait first (zero while the
    /// limiter is off or a token is there), or `None` if it would wait `max_wait` or more
    /// (then nothing is reserved). Attempts that must wait line up first come, first
    /// served, each `1 / rate` after the one before at the rate of the moment it lined up.
    pub(crate) fn acquire(&mut self, now: SimTime, max_wait: SimTime) -> Option<SimTime> {
        if !self.enabled {
            return Some(SimTime::ZERO);
        }
        let t = now.as_secs_f64();
        if self.line_until <= t {
            self.refill(t);
            if self.tokens >= 1.0 {
                self.tokens -= 1.0;
                return Some(SimTime::ZERO);
            }
        }
        let at = self.line_until.max(t) + 1.0 / self.fill_rate;
        let wait = SimTime::from_secs_f64(at - t);
        if wait >= max_wait {
            return None;
        }
        self.line_until = at;
        // The bucket refills only once the line is empty.
        self.refilled_at = at;
        self.tokens = 0.0;
        Some(wait)
    }

    /// An attempt leaves after waiting `wait` in the limiter: the send rate is measured on
    /// what actually leaves (the client is open-loop: arrivals the limiter turns away are
    /// not sends).
    pub(crate) fn on_send(&mut self, now: SimTime, wait: SimTime) {
        self.measure(now.as_secs_f64());
        if wait > SimTime::ZERO {
            self.delayed += 1;
            self.delay_s += wait.as_secs_f64();
        }
    }

    /// Learns from the response to an attempt that asked to be sent at `asked`: a
    /// throttle cuts the rate, anything else lets it grow. A throttle of an attempt that
    /// lined up before the last cut, or came within half a second of it, says nothing new: one client node stands for many
    /// callers, so a burst of throttles answering the same moment must cut once, not once
    /// each (0.7^n would stop the client).
    pub(crate) fn on_response(&mut self, now: SimTime, asked: SimTime, throttled: bool) {
        let t = now.as_secs_f64();
        let since_cut = t - self.last_throttle_s;
        if throttled
            && self.enabled
            && (asked.as_secs_f64() <= self.last_throttle_s || since_cut < RATE_BUCKET_S)
        {
            return;
        }
        let rate = if throttled {
            let to_use = if self.enabled {
                self.measured_rate.min(self.fill_rate)
            } else {
                self.measured_rate
            };
            self.last_max_rate = to_use;
            self.window();
            self.last_throttle_s = t;
            self.enabled = true;
            to_use * BETA
        } else {
            if !self.enabled {
                return;
            }
            self.window();
            let dt = t - self.last_throttle_s - self.time_window;
            SCALE * dt * dt * dt + self.last_max_rate
        };
        let rate = rate.min(2.0 * self.measured_rate);
        self.refill(t);
        self.fill_rate = rate.max(MIN_FILL_RATE);
        self.capacity = rate.max(1.0);
        self.tokens = self.tokens.min(self.capacity);
    }

    /// The limiter's current fill rate, if it is on.
    pub(crate) fn rate(&self) -> Option<f64> {
        self.enabled.then_some(self.fill_rate)
    }

    fn window(&mut self) {
        self.time_window = libm::cbrt(self.last_max_rate * (1.0 - BETA) / SCALE);
    }

    fn refill(&mut self, t: f64) {
        if t > self.refilled_at {
            self.tokens =
                (self.tokens + (t - self.refilled_at) * self.fill_rate).min(self.capacity);
            self.refilled_at = t;
        }
    }

    /// Counts a send in its half-second bucket and folds finished buckets into the
    /// smoothed rate.
    fn measure(&mut self, t: f64) {
        let bucket = libm::floor(t / RATE_BUCKET_S) * RATE_BUCKET_S;
        self.bucket_count += 1;
        if bucket > self.bucket_start {
            let current = self.bucket_count as f64 / (bucket - self.bucket_start);
            self.measured_rate = current * SMOOTH + self.measured_rate * (1.0 - SMOOTH);
            self.bucket_count = 0;
            self.bucket_start = bucket;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_quota_pays_for_100_retries_then_refuses_and_earns_back_on_success() {
        let mut q = RetryQuota::default();
        for _ in 0..100 {
            assert_eq!(q.acquire(false), Some(5));
        }
        assert_eq!(q.tokens(), 0);
        assert_eq!(q.acquire(false), None);
        assert_eq!(q.refused, 1);
        q.on_success(None);
        assert_eq!(q.tokens(), 1);
        q.on_success(Some(10));
        assert_eq!(q.tokens(), 11);
        assert_eq!(q.acquire(true), Some(10));
        assert_eq!(
            q.acquire(true),
            None,
            "one token cannot pay for a timeout retry"
        );
        assert_eq!(q.lowest, 0);
        for _ in 0..1000 {
            q.on_success(None);
        }
        assert_eq!(q.tokens(), QUOTA_TOKENS, "never above the quota");
    }

    #[test]
    fn the_limiter_is_off_until_a_throttle_then_cuts_to_70_percent_and_grows_back() {
        let mut l = SendRateLimiter::default();
        // 100 sends per second for 10 s, all fine: no delay, limiter off.
        for i in 0..1000u64 {
            let now = SimTime::from_millis(i * 10);
            assert_eq!(l.acquire(now, SimTime::from_secs(1)), Some(SimTime::ZERO));
            l.on_send(now, SimTime::ZERO);
            l.on_response(now, now, false);
        }
        assert_eq!(l.rate(), None);
        let at = SimTime::from_secs(10);
        l.on_response(at, at, true);
        let cut = l.rate().expect("on after a throttle");
        assert!((cut - 70.0).abs() < 5.0, "β × measured 100/s: {cut}");
        // Sends faster than the fill rate now wait, each behind the last, at 1/rate.
        let long = SimTime::from_secs(60);
        let waits: Vec<SimTime> = (0..200).map(|_| l.acquire(at, long).unwrap()).collect();
        assert!(waits[199] > waits[100] && waits[100] > SimTime::ZERO);
        let gap = (waits[150] - waits[149]).as_secs_f64();
        assert!((gap - 1.0 / cut).abs() < 1e-6, "{gap}");
        assert_eq!(
            l.acquire(at, waits[199]),
            None,
            "a wait past the limit is refused"
        );
        // Successes afterwards grow the rate back past the old maximum (cubic).
        for i in 1..=2000u64 {
            let now = at + SimTime::from_secs(60) + SimTime::from_millis(i * 10);
            l.acquire(now, SimTime::MAX);
            l.on_send(now, SimTime::ZERO);
            l.on_response(now, now, false);
        }
        let grown = l.rate().expect("still on");
        assert!(grown > cut, "grows after the throttle: {grown} > {cut}");
    }
}
