//! Circuit breakers on call edges: closed → open after too many failures in a sliding
//! window → half-open after a cool-down with a few probes → closed, or open again.
//!
//! Why on the edge: the breaker belongs to the caller's client for one dependency. While
//! it is open a call fails fast without reaching the callee, so a struggling dependency
//! gets room to recover and callers stop waiting for timeouts. The state machine is owned
//! here behind methods and unit-tested without a scenario; the engine only asks `admit`
//! before delivering a call and reports each result with `record`.

use crate::report::{BreakerState, BreakerTransition};
use crate::scenario::CircuitBreaker;
use crate::time::SimTime;

/// Transitions kept for the report and the event log (the counts stay exact).
const MAX_TRANSITIONS: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    Closed,
    Open { until: SimTime },
    HalfOpen { admitted: u32, succeeded: u32 },
}

/// One breaker's state and counts.
#[derive(Clone, Debug)]
pub(crate) struct Breaker {
    params: CircuitBreaker,
    state: State,
    /// Per whole second of the window: (second, calls, failures).
    window: Vec<(u64, u32, u32)>,
    pub(crate) opened: u64,
    pub(crate) fast_failed: u64,
    pub(crate) transitions: Vec<BreakerTransition>,
    /// The worst state seen in the current series sample, and per closed sample.
    worst: BreakerState,
    pub(crate) series: Vec<BreakerState>,
}

impl Breaker {
    pub(crate) fn new(params: &CircuitBreaker, samples: usize) -> Self {
        let seconds = libm::ceil(params.window_s).max(1.0) as usize;
        Breaker {
            params: *params,
            state: State::Closed,
            window: vec![(u64::MAX, 0, 0); seconds],
            opened: 0,
            fast_failed: 0,
            transitions: Vec::new(),
            worst: BreakerState::Closed,
            series: vec![BreakerState::Closed; samples],
        }
    }

    /// The state at `now` (an open breaker whose cool-down ended is half-open).
    pub(crate) fn state(&self, now: SimTime) -> BreakerState {
        match self.state {
            State::Closed => BreakerState::Closed,
            State::Open { until } if now < until => BreakerState::Open,
            State::Open { .. } | State::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// Whether a call may go now; a refused call is counted as failed fast.
    pub(crate) fn admit(&mut self, now: SimTime) -> bool {
        if let State::Open { until } = self.state {
            if now < until {
                self.fast_failed += 1;
                return false;
            }
            self.enter(
                now,
                State::HalfOpen {
                    admitted: 0,
                    succeeded: 0,
                },
            );
        }
        if let State::HalfOpen {
            admitted,
            succeeded,
        } = self.state
        {
            if admitted >= self.params.probes {
                self.fast_failed += 1;
                return false;
            }
            self.state = State::HalfOpen {
                admitted: admitted + 1,
                succeeded,
            };
        }
        true
    }

    /// The result of an admitted call: `ok`, or a failure (an error, a throttle, or the
    /// caller giving up on it).
    pub(crate) fn record(&mut self, now: SimTime, ok: bool) {
        match self.state {
            State::Closed => {
                let second = now.second_index();
                let len = self.window.len();
                let slot = &mut self.window[(second % len as u64) as usize];
                if slot.0 != second {
                    *slot = (second, 0, 0);
                }
                slot.1 += 1;
                slot.2 += u32::from(!ok);
                if !ok && self.tripped(second) {
                    self.open(now);
                }
            }
            State::HalfOpen {
                admitted,
                succeeded,
            } => {
                if !ok {
                    self.open(now);
                } else if succeeded + 1 >= self.params.probes {
                    self.enter(now, State::Closed);
                } else {
                    self.state = State::HalfOpen {
                        admitted,
                        succeeded: succeeded + 1,
                    };
                }
            }
            // Results of calls admitted before it opened change nothing.
            State::Open { .. } => {}
        }
    }

    /// Whether the window's failures open the breaker.
    fn tripped(&self, second: u64) -> bool {
        let len = self.window.len() as u64;
        let (calls, failures) = self
            .window
            .iter()
            .filter(|(s, _, _)| *s != u64::MAX && *s + len > second)
            .fold((0u64, 0u64), |(c, f), (_, calls, fails)| {
                (c + u64::from(*calls), f + u64::from(*fails))
            });
        if failures >= u64::from(self.params.failures) {
            return true;
        }
        self.params.failure_ratio.is_some_and(|ratio| {
            calls >= u64::from(self.params.min_calls) && failures as f64 >= ratio * calls as f64
        })
    }

    fn open(&mut self, now: SimTime) {
        self.opened += 1;
        let until = now + SimTime::from_secs_f64(self.params.open_s);
        self.enter(now, State::Open { until });
    }

    fn enter(&mut self, now: SimTime, state: State) {
        if state == State::Closed {
            self.window.fill((u64::MAX, 0, 0));
        }
        self.state = state;
        let public = self.state(now);
        self.worst = self.worst.max(public);
        if self.transitions.len() < MAX_TRANSITIONS {
            self.transitions.push(BreakerTransition {
                at_s: now.as_secs_f64(),
                state: public,
            });
        }
    }

    /// Closes series sample `s` at `now`: it keeps the worst state seen in it.
    pub(crate) fn close_sample(&mut self, s: usize, now: SimTime) {
        let current = self.state(now);
        if let Some(slot) = self.series.get_mut(s) {
            *slot = self.worst.max(current);
        }
        self.worst = current;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> SimTime {
        SimTime::from_millis(ms)
    }

    #[test]
    fn opens_on_failures_fails_fast_then_probes_and_closes() {
        let mut b = Breaker::new(
            &CircuitBreaker {
                failures: 3,
                open_s: 5.0,
                probes: 2,
                ..CircuitBreaker::default()
            },
            10,
        );
        for t in [0, 100, 200] {
            assert!(b.admit(at(t)));
            b.record(at(t), false);
        }
        assert_eq!(b.state(at(300)), BreakerState::Open);
        assert!(!b.admit(at(300)) && !b.admit(at(4_900)));
        assert_eq!(b.fast_failed, 2);
        // After the cool-down: two probes, the third waits.
        assert_eq!(b.state(at(5_300)), BreakerState::HalfOpen);
        assert!(b.admit(at(5_300)) && b.admit(at(5_300)) && !b.admit(at(5_300)));
        b.record(at(5_400), true);
        b.record(at(5_400), true);
        assert_eq!(b.state(at(5_400)), BreakerState::Closed);
        assert_eq!(b.opened, 1);
        let states: Vec<BreakerState> = b.transitions.iter().map(|t| t.state).collect();
        assert_eq!(
            states,
            [
                BreakerState::Open,
                BreakerState::HalfOpen,
                BreakerState::Closed
            ]
        );
    }

    #[test]
    fn a_failed_probe_opens_again_and_old_failures_leave_the_window() {
        let mut b = Breaker::new(
            &CircuitBreaker {
                failures: 2,
                window_s: 2.0,
                open_s: 1.0,
                probes: 1,
                ..CircuitBreaker::default()
            },
            10,
        );
        b.record(at(0), false);
        // Three seconds later the first failure is out of the 2-second window.
        b.record(at(3_000), false);
        assert_eq!(b.state(at(3_000)), BreakerState::Closed);
        b.record(at(3_500), false);
        assert_eq!(b.state(at(3_500)), BreakerState::Open);
        assert!(b.admit(at(4_600)));
        b.record(at(4_700), false);
        assert_eq!(b.state(at(4_700)), BreakerState::Open);
        assert_eq!(b.opened, 2);
    }

    #[test]
    fn a_failure_ratio_needs_its_minimum_of_calls() {
        let mut b = Breaker::new(
            &CircuitBreaker {
                failures: 1_000,
                failure_ratio: Some(0.5),
                min_calls: 10,
                ..CircuitBreaker::default()
            },
            10,
        );
        for i in 0..9 {
            b.record(at(i * 10), i % 2 == 0);
        }
        assert_eq!(
            b.state(at(100)),
            BreakerState::Closed,
            "9 calls: not judged"
        );
        b.record(at(100), false);
        assert_eq!(b.state(at(100)), BreakerState::Open, "5 of 10 failed");
    }
}
