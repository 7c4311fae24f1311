//! Measuring instruments: time-weighted integrators, latency histograms, token buckets.
//!
//! Why hand-written and small: every node keeps a histogram per simulated second, so it
//! must be fixed-size and cheap to clear; a log-linear bucket array (8 buckets per power of
//! two, ±6 % resolution) does that in 2 KB. Integrators keep exact areas in integer
//! nanoseconds so Little's law checks are not blurred by float drift.

use crate::time::{NANOS_PER_SEC, SimTime};

/// Time-weighted integral of a level (concurrency, queue length, connections), with a
/// per-second breakdown.
#[derive(Clone, Debug, Default)]
pub(crate) struct Integrator {
    pub(crate) level: u32,
    pub(crate) peak: u32,
    area: u128,
    since: SimTime,
    /// Area and peak per series bucket (`step` wide).
    per_second: Vec<u64>,
    peak_per_second: Vec<u32>,
    step: u64,
    /// The series bucket last located and its bounds in nanoseconds (`[start, end)`):
    /// levels change thousands of times per bucket, so most changes need no division.
    current: u64,
    current_start: u64,
    current_end: u64,
}

impl Integrator {
    /// An integrator with `buckets` series buckets of `step_s` seconds each.
    pub(crate) fn new(buckets: usize, step_s: u64) -> Self {
        Integrator {
            per_second: vec![0; buckets],
            peak_per_second: vec![0; buckets],
            step: step_s.max(1) * NANOS_PER_SEC,
            ..Integrator::default()
        }
    }

    /// The series bucket `t` falls in (remembered with its bounds for the next call).
    #[inline]
    fn bucket(&mut self, t: SimTime) -> u64 {
        let ns = t.as_nanos();
        if ns < self.current_start || ns >= self.current_end {
            self.current = ns / self.step;
            self.current_start = self.current * self.step;
            self.current_end = (self.current + 1).saturating_mul(self.step);
        }
        self.current
    }

    /// Accumulates the current level up to `t`.
    pub(crate) fn advance(&mut self, t: SimTime) {
        let mut from = self.since;
        if t <= from {
            return;
        }
        if self.level == 0 {
            self.since = t;
            return;
        }
        while from < t {
            let second = self.bucket(from);
            let boundary = SimTime::from_nanos(self.current_end);
            let until = t.min(boundary);
            let piece = u64::from(self.level) * (until - from).as_nanos();
            self.area += u128::from(piece);
            if let Some(a) = self.per_second.get_mut(second as usize) {
                *a += piece;
            }
            if let Some(p) = self.peak_per_second.get_mut(second as usize) {
                *p = (*p).max(self.level);
            }
            from = until;
        }
        self.since = t;
    }

    /// Changes the level at `t`.
    pub(crate) fn set(&mut self, t: SimTime, level: u32) {
        self.advance(t);
        self.level = level;
        self.peak = self.peak.max(level);
        let b = self.bucket(t) as usize;
        if let Some(p) = self.peak_per_second.get_mut(b) {
            *p = (*p).max(level);
        }
    }

    pub(crate) fn add(&mut self, t: SimTime, delta: i64) {
        let level = (i64::from(self.level) + delta).clamp(0, i64::from(u32::MAX)) as u32;
        self.set(t, level);
    }

    /// The area under the level over `[0, t]`, in level × nanoseconds.
    pub(crate) fn area_until(&self, t: SimTime) -> u128 {
        self.area + u128::from(self.level) * u128::from((t - self.since).as_nanos())
    }

    /// Mean level over `[0, t]` (t must not be before the last change).
    pub(crate) fn mean(&self, t: SimTime) -> f64 {
        if t.as_nanos() == 0 {
            return 0.0;
        }
        let open = u128::from(self.level) * u128::from((t - self.since).as_nanos());
        (self.area + open) as f64 / t.as_nanos() as f64
    }

    /// Mean level during bucket `s`, given the current time `now`.
    pub(crate) fn second_mean(&self, s: usize, now: SimTime) -> f64 {
        let mut area = self.per_second.get(s).copied().unwrap_or(0);
        // Add the part of the open interval that lies in bucket `s`.
        let start = SimTime::from_nanos(s as u64 * self.step).max(self.since);
        let end = SimTime::from_nanos((s as u64 + 1) * self.step).min(now);
        if end > start {
            area += u64::from(self.level) * (end - start).as_nanos();
        }
        area as f64 / self.step as f64
    }

    pub(crate) fn second_peak(&self, s: usize) -> u32 {
        let recorded = self.peak_per_second.get(s).copied().unwrap_or(0);
        if SimTime::from_nanos((s as u64 + 1) * self.step) > self.since {
            recorded.max(self.level)
        } else {
            recorded
        }
    }
}

const SUB_BITS: u32 = 3;
const SUB: usize = 1 << SUB_BITS;
const BUCKETS: usize = 64 * SUB;

/// Log-linear latency histogram over microseconds.
#[derive(Clone, Debug)]
pub(crate) struct Histogram {
    counts: Box<[u32; BUCKETS]>,
    total: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: Box::new([0; BUCKETS]),
            total: 0,
        }
    }
}

fn bucket_of(us: u64) -> usize {
    if us < SUB as u64 {
        return us as usize;
    }
    let exp = 63 - us.leading_zeros();
    let sub = (us >> (exp - SUB_BITS)) as usize & (SUB - 1);
    ((exp - SUB_BITS + 1) as usize * SUB + sub).min(BUCKETS - 1)
}

/// The midpoint of a bucket, in microseconds.
fn bucket_value(b: usize) -> f64 {
    if b < SUB {
        return b as f64;
    }
    let exp = (b / SUB) as u32 + SUB_BITS - 1;
    let sub = (b % SUB) as u64;
    let low = (1u64 << exp) + (sub << (exp - SUB_BITS));
    let width = 1u64 << (exp - SUB_BITS);
    low as f64 + width as f64 / 2.0
}

impl Histogram {
    pub(crate) fn record(&mut self, d: SimTime) {
        let b = bucket_of(d.as_nanos() / 1_000);
        self.counts[b] = self.counts[b].saturating_add(1);
        self.total += 1;
    }

    /// The `q` quantile in milliseconds (0 when empty).
    pub(crate) fn quantile_ms(&self, q: f64) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        let rank = libm::ceil(q * self.total as f64).max(1.0) as u64;
        let mut seen = 0u64;
        for (b, &c) in self.counts.iter().enumerate() {
            seen += u64::from(c);
            if seen >= rank {
                return bucket_value(b) / 1_000.0;
            }
        }
        bucket_value(BUCKETS - 1) / 1_000.0
    }

    pub(crate) fn clear(&mut self) {
        if self.total > 0 {
            self.counts.fill(0);
            self.total = 0;
        }
    }
}

/// A token bucket: `rate` tokens per second up to `capacity`, refilled lazily.
#[derive(Clone, Debug)]
pub(crate) struct TokenBucket {
    rate_per_ns: f64,
    capacity: f64,
    tokens: f64,
    at: SimTime,
}

impl TokenBucket {
    pub(crate) fn new(rate_per_s: f64, capacity: f64) -> Self {
        TokenBucket {
            rate_per_ns: rate_per_s / NANOS_PER_SEC as f64,
            capacity,
            tokens: capacity,
            at: SimTime::ZERO,
        }
    }

    fn refill(&mut self, now: SimTime) {
        if now > self.at {
            let gained = (now - self.at).as_nanos() as f64 * self.rate_per_ns;
            self.tokens = (self.tokens + gained).min(self.capacity);
            self.at = now;
        }
    }

    /// Whether a token is available at `now` (without taking it).
    pub(crate) fn has(&mut self, now: SimTime) -> bool {
        self.refill(now);
        self.tokens >= 1.0
    }

    /// Changes the refill rate and capacity from `now` on.
    pub(crate) fn set_rate(&mut self, now: SimTime, rate_per_s: f64, capacity: f64) {
        self.refill(now);
        self.rate_per_ns = rate_per_s / NANOS_PER_SEC as f64;
        self.capacity = capacity;
        self.tokens = self.tokens.min(capacity);
    }

    /// Whether `n` tokens are available at `now` (without taking them).
    pub(crate) fn has_n(&mut self, now: SimTime, n: f64) -> bool {
        self.refill(now);
        self.tokens >= n
    }

    /// How long until `n` tokens are available (zero if they are now).
    pub(crate) fn time_until(&mut self, now: SimTime, n: f64) -> SimTime {
        self.refill(now);
        if self.tokens >= n {
            return SimTime::ZERO;
        }
        SimTime::from_nanos(libm::ceil((n - self.tokens) / self.rate_per_ns) as u64)
    }

    /// Takes `n` tokens (call after `has_n`; the bucket may go into debt).
    pub(crate) fn take_n(&mut self, n: f64) {
        self.tokens -= n;
    }

    /// Takes one token if available.
    pub(crate) fn take(&mut self, now: SimTime) -> bool {
        if self.has(now) {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_quantiles_are_within_resolution() {
        let mut h = Histogram::default();
        for ms in 1..=1000u64 {
            h.record(SimTime::from_millis(ms));
        }
        for (q, want) in [(0.5, 500.0), (0.9, 900.0), (0.99, 990.0)] {
            let got = h.quantile_ms(q);
            assert!((got / want - 1.0).abs() < 0.07, "q{q}: {got} vs {want}");
        }
        h.clear();
        assert_eq!(h.quantile_ms(0.5), 0.0);
    }

    #[test]
    fn integrator_means_per_run_and_per_second() {
        let mut i = Integrator::new(3, 1);
        i.set(SimTime::from_millis(500), 2);
        i.set(SimTime::from_millis(1500), 4);
        let now = SimTime::from_secs(2);
        // 0.5 s at 0, 1 s at 2, 0.5 s at 4 → area 4 over 2 s.
        assert!((i.mean(now) - 2.0).abs() < 1e-12);
        assert!((i.second_mean(0, now) - 1.0).abs() < 1e-12);
        assert!((i.second_mean(1, now) - 3.0).abs() < 1e-12);
        assert_eq!(i.second_peak(1), 4);
    }

    #[test]
    fn token_bucket_refills_at_rate_up_to_capacity() {
        let mut b = TokenBucket::new(10.0, 2.0);
        assert!(b.take(SimTime::ZERO) && b.take(SimTime::ZERO) && !b.take(SimTime::ZERO));
        assert!(b.take(SimTime::from_millis(100)));
        assert!(!b.take(SimTime::from_millis(150)));
        let later = SimTime::from_secs(10);
        assert!(b.take(later) && b.take(later) && !b.take(later));
        b.take_n(10.0);
        assert_eq!(b.time_until(later, 1.0), SimTime::from_millis(1_100));
    }
}
