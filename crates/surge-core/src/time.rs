//! Simulated time as an integer newtype.
//!
//! Why an integer: floating-point clocks drift apart between platforms and make "equal
//! times" fuzzy. Nanoseconds in a `u64` cover 584 years, far beyond any scenario, and
//! keep ordering exact so the event queue's tie-break (insertion order) is meaningful.

use std::fmt;
use std::ops::{Add, Sub};

/// A point on the simulated clock, in nanoseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(u64);

/// Nanoseconds in one simulated second.
pub const NANOS_PER_SEC: u64 = 1_000_000_000;

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);
    /// The largest representable time; used as "never".
    pub const MAX: SimTime = SimTime(u64::MAX);

    /// A time from whole nanoseconds.
    pub const fn from_nanos(nanos: u64) -> Self {
        SimTime(nanos)
    }

    /// A time from whole seconds (saturating).
    pub const fn from_secs(secs: u64) -> Self {
        SimTime(secs.saturating_mul(NANOS_PER_SEC))
    }

    /// A time from whole milliseconds (saturating).
    pub const fn from_millis(millis: u64) -> Self {
        SimTime(millis.saturating_mul(1_000_000))
    }

    /// A time from fractional seconds, rounded to the nearest nanosecond. Negative and NaN
    /// inputs give zero; values past the end of the clock saturate.
    pub fn from_secs_f64(secs: f64) -> Self {
        let nanos = libm::round(secs * NANOS_PER_SEC as f64);
        if nanos.is_nan() || nanos <= 0.0 {
            SimTime(0)
        } else if nanos >= u64::MAX as f64 {
            SimTime::MAX
        } else {
            SimTime(nanos as u64)
        }
    }

    /// Whole nanoseconds since the start.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Seconds since the start, as a float (for reports and charts only).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC as f64
    }

    /// The index of the whole simulated second this time falls in.
    pub const fn second_index(self) -> u64 {
        self.0 / NANOS_PER_SEC
    }

    /// `self + d`, saturating at [`SimTime::MAX`].
    pub const fn saturating_add(self, d: SimTime) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl Add for SimTime {
    type Output = SimTime;
    fn add(self, rhs: SimTime) -> SimTime {
        self.saturating_add(rhs)
    }
}

impl Sub for SimTime {
    type Output = SimTime;
    /// Saturates at zero: durations are never negative.
    fn sub(self, rhs: SimTime) -> SimTime {
        SimTime(self.0.saturating_sub(rhs.0))
    }
}

impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3} s", self.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_round_trip_and_saturate() {
        assert_eq!(SimTime::from_secs(2).as_nanos(), 2 * NANOS_PER_SEC);
        assert_eq!(SimTime::from_millis(1500).second_index(), 1);
        assert_eq!(SimTime::from_secs_f64(0.25), SimTime::from_millis(250));
        assert_eq!(SimTime::from_secs_f64(-1.0), SimTime::ZERO);
        assert_eq!(SimTime::from_secs_f64(f64::NAN), SimTime::ZERO);
        assert_eq!(SimTime::from_secs_f64(1e300), SimTime::MAX);
        assert_eq!(SimTime::from_secs(1) - SimTime::from_secs(3), SimTime::ZERO);
        assert_eq!(SimTime::MAX + SimTime::from_secs(1), SimTime::MAX);
    }
}
