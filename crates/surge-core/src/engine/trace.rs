//! Request traces: every client request in flight records its calls hop by hop; when it
//! ends the tracer keeps it if it is among the slowest, among the first few of its failure
//! kind, or in a uniform sample, and forgets it otherwise.
//!
//! Why opt-in per run (`Simulation::enable_tracing`), not a scenario field: tracing
//! changes nothing the run computes (it draws from its own PRNG, never the run's), so a
//! traced and an untraced run give the same report; hosts switch it on where a person
//! will look (the page, `surge trace`), and the benchmark's hot path pays one branch.
//! Memory is capped: at most [`MAX_LIVE`] requests are recorded at once and
//! [`MAX_SPANS`] spans per request; what is kept is a few hundred traces.

use super::{CallId, Parent, ReqId, Simulation};
use crate::report::{ErrorKind, Span, Trace, TraceOutcome, TraceReason};
use crate::rng::SimRng;
use crate::time::SimTime;

/// Requests recorded at once (past it, new requests are not traced until some end).
pub(crate) const MAX_LIVE: usize = 100_000;
/// Spans recorded per request.
pub(crate) const MAX_SPANS: usize = 500;
/// The slowest requests kept.
pub(crate) const SLOWEST: usize = 10;
/// Requests kept per failure kind (timeouts are a kind).
pub(crate) const PER_FAILURE: usize = 5;
/// Size of the uniform sample.
pub(crate) const SAMPLE: usize = 50;

#[derive(Clone, Debug)]
struct SpanRt {
    node: u32,
    parent: Option<u32>,
    attempt: u32,
    start: SimTime,
    end: Option<SimTime>,
    error: Option<ErrorKind>,
    cold: SimTime,
}

#[derive(Clone, Debug, Default)]
struct Live {
    generation: u32,
    request: u64,
    spans: Vec<SpanRt>,
    dropped: u32,
}

/// Where a call's span is: (live trace, its generation, span index).
type SpanAt = (u32, u32, u32);

/// The tracer's state.
#[derive(Debug)]
pub(crate) struct Tracer {
    live: Vec<Live>,
    free: Vec<u32>,
    /// Per request slot: its live trace and that trace's generation.
    by_req: Vec<Option<(u32, u32)>>,
    /// Per call slot: its span.
    by_call: Vec<Option<SpanAt>>,
    rng: SimRng,
    finished: u64,
    slowest: Vec<(SimTime, Trace)>,
    /// The shortest latency among `slowest` once it holds [`SLOWEST`] (a request must
    /// exceed it to enter): kept so that each finished request compares once, not ten
    /// times.
    slow_floor: SimTime,
    /// Traces kept per failure kind (indexed by the kind's byte), so a failed request
    /// does not count the kept failures again.
    failures_of: [u8; 256],
    failures: Vec<(u8, Trace)>,
    sample: Vec<Trace>,
}

impl Tracer {
    pub(crate) fn new(seed: u64) -> Self {
        Tracer {
            live: Vec::new(),
            free: Vec::new(),
            by_req: Vec::new(),
            by_call: Vec::new(),
            // Its own stream: the run's PRNG is never touched, so tracing changes nothing.
            rng: SimRng::new(seed ^ 0x7472_6163_6573_2121),
            finished: 0,
            slowest: Vec::new(),
            slow_floor: SimTime::ZERO,
            failures_of: [0; 256],
            failures: Vec::new(),
            sample: Vec::new(),
        }
    }

    fn span_at(&self, call: CallId) -> Option<SpanAt> {
        self.by_call.get(call.slot() as usize).copied().flatten()
    }

    fn span_mut(&mut self, at: SpanAt) -> Option<&mut SpanRt> {
        let (t, generation, s) = at;
        let live = self.live.get_mut(t as usize)?;
        if live.generation != generation {
            return None;
        }
        live.spans.get_mut(s as usize)
    }

    /// The kept traces, each once with all its reasons, by request number.
    pub(crate) fn traces(&self) -> Vec<Trace> {
        let mut out: Vec<Trace> = Vec::new();
        let kept = self
            .slowest
            .iter()
            .map(|(_, t)| t)
            .chain(self.failures.iter().map(|(_, t)| t))
            .chain(self.sample.iter());
        for t in kept {
            match out.iter_mut().find(|o| o.request == t.request) {
                Some(o) => {
                    for r in &t.reasons {
                        if !o.reasons.contains(r) {
                            o.reasons.push(*r);
                        }
                    }
                    o.reasons.sort();
                }
                None => out.push(t.clone()),
            }
        }
        out.sort_by_key(|t| t.request);
        out
    }
}

impl Simulation {
    /// Records a trace of requests from now on (call before the first step to trace them
    /// all). Traces change nothing else: the report is the same with or without them.
    pub fn enable_tracing(&mut self) {
        if self.tracer.is_none() {
            self.tracer = Some(Box::new(Tracer::new(self.seed)));
        }
    }

    /// The traces kept so far: the slowest requests, the first few of each failure kind and
    /// a uniform sample (empty unless [`Simulation::enable_tracing`] was called).
    pub fn traces(&self) -> Vec<Trace> {
        self.tracer.as_ref().map_or_else(Vec::new, |t| t.traces())
    }

    /// A request starts: give it a live trace if there is room.
    pub(super) fn trace_request(&mut self, req: ReqId, number: u64) {
        let Some(t) = self.tracer.as_deref_mut() else {
            return;
        };
        let slot = req.slot() as usize;
        if t.by_req.len() <= slot {
            t.by_req.resize(slot + 1, None);
        }
        let index = match t.free.pop() {
            Some(i) => i,
            None if t.live.len() < MAX_LIVE => {
                t.live.push(Live::default());
                (t.live.len() - 1) as u32
            }
            None => {
                t.by_req[slot] = None;
                return;
            }
        };
        let live = &mut t.live[index as usize];
        live.request = number;
        live.spans.clear();
        live.dropped = 0;
        t.by_req[slot] = Some((index, live.generation));
    }

    /// A call starts: a span in its request's trace, under its caller's span.
    pub(super) fn trace_call(&mut self, call: CallId, node: u32, parent: Parent, attempt: u32) {
        let Some(t) = self.tracer.as_deref_mut() else {
            return;
        };
        let slot = call.slot() as usize;
        if t.by_call.len() <= slot {
            t.by_call.resize(slot + 1, None);
        }
        t.by_call[slot] = None;
        let (trace, generation, parent_span, attempt) = match parent {
            Parent::Client(req) => match t.by_req.get(req.slot() as usize).copied().flatten() {
                Some((i, g)) => (i, g, None, attempt),
                None => return,
            },
            Parent::Call(p) => match t.span_at(p) {
                Some((i, g, s)) => {
                    let attempt = t.span_mut((i, g, s)).map_or(1, |sp| sp.attempt);
                    (i, g, Some(s), attempt)
                }
                None => return,
            },
            _ => return,
        };
        let Some(live) = t.live.get_mut(trace as usize) else {
            return;
        };
        if live.generation != generation {
            return;
        }
        if live.spans.len() >= MAX_SPANS {
            live.dropped += 1;
            return;
        }
        live.spans.push(SpanRt {
            node,
            parent: parent_span,
            attempt,
            start: self.now,
            end: None,
            error: None,
            cold: SimTime::ZERO,
        });
        t.by_call[slot] = Some((trace, generation, (live.spans.len() - 1) as u32));
    }

    /// A call ends.
    pub(super) fn trace_end(&mut self, call: CallId, error: Option<ErrorKind>) {
        let now = self.now;
        let Some(t) = self.tracer.as_deref_mut() else {
            return;
        };
        let Some(at) = t.span_at(call) else {
            return;
        };
        t.by_call[call.slot() as usize] = None;
        if let Some(span) = t.span_mut(at) {
            span.end = Some(now);
            span.error = error;
        }
    }

    /// A call's function had a cold start of `boot`.
    pub(super) fn trace_cold(&mut self, call: CallId, boot: SimTime) {
        let Some(t) = self.tracer.as_deref_mut() else {
            return;
        };
        if let Some(span) = t.span_at(call).and_then(|at| t.span_mut(at)) {
            span.cold = boot;
        }
    }

    /// A request ends: keep its trace if it is slow, failed or sampled, then free it.
    pub(super) fn trace_finish(
        &mut self,
        req: ReqId,
        client: u32,
        first: SimTime,
        attempts: u32,
        outcome: TraceOutcome,
    ) {
        let now = self.now;
        let Some(t) = self.tracer.as_deref_mut() else {
            return;
        };
        let Some((index, generation)) = t.by_req.get(req.slot() as usize).copied().flatten() else {
            return;
        };
        t.by_req[req.slot() as usize] = None;
        let latency = now - first;
        t.finished += 1;
        let slow_enough = t.slowest.len() < SLOWEST || t.slow_floor < latency;
        let kind = match outcome {
            TraceOutcome::Ok => None,
            TraceOutcome::Failed { error } => Some(error as u8),
            TraceOutcome::TimedOut => Some(u8::MAX),
        };
        let failure =
            kind.is_some_and(|k| usize::from(t.failures_of[usize::from(k)]) < PER_FAILURE);
        // Reservoir sampling (algorithm R) over every finished request.
        let sample_at = if t.sample.len() < SAMPLE {
            Some(t.sample.len())
        } else {
            let j = (t.rng.next_u64() % t.finished) as usize;
            (j < SAMPLE).then_some(j)
        };
        if slow_enough || failure || sample_at.is_some() {
            let nodes = &self.scenario.nodes;
            let live = &t.live[index as usize];
            let trace = Trace {
                request: live.request,
                client: nodes[client as usize].id.clone(),
                start_s: first.as_secs_f64(),
                end_s: now.as_secs_f64(),
                outcome,
                attempts,
                reasons: Vec::new(),
                spans: live
                    .spans
                    .iter()
                    .map(|s| Span {
                        node: nodes[s.node as usize].id.clone(),
                        parent: s.parent,
                        attempt: s.attempt,
                        start_s: s.start.as_secs_f64(),
                        end_s: s.end.map(SimTime::as_secs_f64),
                        error: s.error,
                        cold_start_ms: s.cold.as_secs_f64() * 1000.0,
                    })
                    .collect(),
                spans_dropped: live.dropped,
            };
            let with = |reason| Trace {
                reasons: vec![reason],
                ..trace.clone()
            };
            if slow_enough {
                if t.slowest.len() >= SLOWEST {
                    let min = (0..t.slowest.len())
                        .min_by_key(|&i| t.slowest[i].0)
                        .unwrap_or(0);
                    t.slowest.swap_remove(min);
                }
                t.slowest.push((latency, with(TraceReason::Slowest)));
                if t.slowest.len() == SLOWEST {
                    t.slow_floor = t.slowest.iter().map(|(l, _)| *l).min().unwrap_or_default();
                }
            }
            if let (true, Some(k)) = (failure, kind) {
                t.failures_of[usize::from(k)] += 1;
                t.failures.push((k, with(TraceReason::Failure)));
            }
            if let Some(j) = sample_at {
                let s = with(TraceReason::Sample);
                if j == t.sample.len() {
                    t.sample.push(s);
                } else {
                    t.sample[j] = s;
                }
            }
        }
        let live = &mut t.live[index as usize];
        if live.generation == generation {
            live.generation = live.generation.wrapping_add(1);
            live.spans.clear();
            t.free.push(index);
        }
    }
}
