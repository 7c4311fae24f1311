//! The player as a pure state machine: Play, Pause, Step, Restart, speed, the scrubber,
//! Stop, fault injection, and what the worker reports, in; commands for the worker, out.
//!
//! Why a reducer: the player's rules (what Play does after the end, when to ask the
//! worker for more, where an injected fault starts) are tested natively against the
//! worker's own logic (`Host`), with no browser. The component keeps only the animation
//! frame handle and the worker bridge.
//!
//! Pacing: at a finite speed the player's clock advances with wall time and asks the
//! worker to compute a little ahead of it; at "max" it asks for the whole run and shows
//! what has been computed. The playhead shows the clock (or a frame picked on the
//! scrubber); the worker never holds the page up.

use std::rc::Rc;

use surge_core::{Fault, Report, RunStop, Scenario};

use super::protocol::{Command, Event};
use super::recording::{LiveView, Recording};

/// "As fast as possible".
pub const MAX_SPEED: f64 = f64::INFINITY;

/// Where the player is.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Status {
    /// Nothing loaded.
    #[default]
    Idle,
    /// The worker is preparing the run.
    Loading,
    /// Playing.
    Playing,
    /// Paused (what was computed stays).
    Paused,
    /// The run reached its end.
    Finished,
    /// The run stopped early (no progress, or its memory budget).
    Stopped(RunStop),
    /// The user stopped the computation (the worker was terminated).
    Halted,
    /// The scenario cannot run.
    Invalid(Vec<String>),
    /// The worker crashed.
    Crashed(String),
}

/// What the player is told.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// Play this scenario (resume if it is the one loaded and not over).
    Play(Rc<Scenario>),
    /// Pause.
    Pause,
    /// Advance one frame.
    Step(Rc<Scenario>),
    /// Start again from 0.
    Restart(Rc<Scenario>),
    /// Simulated seconds per second ([`MAX_SPEED`] for "max").
    Speed(f64),
    /// Move the playhead to frame `k` (the newest frame follows the run again).
    Scrub(usize),
    /// Stop, paused, at this simulated second of this scenario, computing up to it if
    /// needed (a deep link's moment, an embed host's `seek`).
    Seek(Rc<Scenario>, f64),
    /// Show this second of this scenario, then play on from it or stay paused (talk
    /// mode's beats): like [`Input::Seek`], and when playing, the clock starts only once
    /// the second is computed, so the audience sees the run go on from there.
    Cue(Rc<Scenario>, f64, bool),
    /// An animation frame: `dt_ms` of wall time passed.
    Tick {
        /// Milliseconds since the previous animation frame.
        dt_ms: f64,
    },
    /// Stop computing at once (the worker is terminated).
    Halt,
    /// Inject this fault at the playhead.
    Inject(Fault),
    /// The document changed: the run no longer describes it.
    Reset,
    /// The worker said something.
    Worker(Box<Event>),
}

/// What the player asks of its host.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// Send this command to the worker.
    Send(Command),
    /// Terminate the worker now and start a fresh one.
    Terminate,
}

/// What to do once a load completes.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
enum AfterLoad {
    #[default]
    Nothing,
    Play,
    Step,
    Seek(f64),
}

/// The player's state.
#[derive(Clone, Debug, PartialEq)]
pub struct Player {
    /// Where it is.
    pub status: Status,
    /// Simulated seconds per second ([`MAX_SPEED`]: as fast as possible).
    pub speed: f64,
    /// A frame picked on the scrubber; `None` follows the run.
    playhead: Option<usize>,
    /// The page's number of the current run (events of older runs are ignored).
    run: u32,
    loaded: Option<Rc<Scenario>>,
    recording: Option<Recording>,
    computed_s: f64,
    /// The playback clock, in simulated seconds.
    clock_s: f64,
    requested_s: f64,
    over: bool,
    stop: Option<RunStop>,
    after_load: AfterLoad,
    /// The final report, once the run is over.
    pub report: Option<Rc<Report>>,
    /// Its digest (from the worker).
    pub report_digest: Option<Rc<str>>,
    /// The request traces the worker kept for it.
    pub traces: Rc<Vec<surge_core::Trace>>,
    /// Why the last command was refused (an invalid fault), until the next one.
    pub refused: Option<String>,
    /// A fault sent for injection, for the log once the worker confirms it.
    pending_fault: Option<Fault>,
    /// Memory budget per run (nominal MiB).
    pub max_memory_mib: u32,
    /// A cue's second to play on from once computed.
    play_from: Option<f64>,
}

impl Default for Player {
    fn default() -> Self {
        Player {
            status: Status::Idle,
            speed: 10.0,
            playhead: None,
            run: 0,
            loaded: None,
            recording: None,
            computed_s: 0.0,
            clock_s: 0.0,
            requested_s: 0.0,
            over: false,
            stop: None,
            after_load: AfterLoad::Nothing,
            report: None,
            report_digest: None,
            traces: Rc::default(),
            refused: None,
            pending_fault: None,
            max_memory_mib: surge_core::Limits::BROWSER.max_memory_mib,
            play_from: None,
        }
    }
}

impl Player {
    /// Applies one input; returns what the host must do.
    pub fn apply(&mut self, input: Input) -> Vec<Output> {
        if !matches!(input, Input::Tick { .. } | Input::Worker(_)) {
            // Any command of the user's replaces a cue still waiting to play.
            self.play_from = None;
        }
        match input {
            Input::Cue(doc, t, play) => self.cue(doc, t, play),
            Input::Play(doc) => self.play(doc),
            Input::Pause => self.pause(),
            Input::Step(doc) => self.step(doc),
            Input::Restart(doc) => {
                let after = if self.status == Status::Playing {
                    AfterLoad::Play
                } else {
                    AfterLoad::Nothing
                };
                self.load(doc, after)
            }
            Input::Speed(s) => {
                self.speed = s;
                if self.status == Status::Playing {
                    return self.ask_ahead();
                }
                Vec::new()
            }
            Input::Scrub(k) => {
                let last = self.last_frame();
                self.playhead = (k < last).then_some(k);
                if self.status == Status::Playing {
                    return self.pause();
                }
                Vec::new()
            }
            Input::Seek(doc, t) => self.seek(doc, t),
            Input::Tick { dt_ms } => self.tick(dt_ms),
            Input::Halt => {
                if self.computing() {
                    self.status = Status::Halted;
                    self.run += 1;
                    return vec![Output::Terminate];
                }
                Vec::new()
            }
            Input::Inject(fault) => self.inject(fault),
            Input::Reset => {
                let mut out = Vec::new();
                if self.loaded.is_some() && !self.over {
                    out.push(Output::Send(Command::Pause { run: self.run }));
                }
                *self = Player {
                    speed: self.speed,
                    run: self.run + 1,
                    max_memory_mib: self.max_memory_mib,
                    ..Player::default()
                };
                out
            }
            Input::Worker(event) => self.on_event(*event),
        }
    }

    fn computing(&self) -> bool {
        matches!(self.status, Status::Playing | Status::Loading)
            || (self.loaded.is_some() && !self.over && self.requested_s > self.computed_s)
    }

    fn load(&mut self, doc: Rc<Scenario>, after: AfterLoad) -> Vec<Output> {
        self.run += 1;
        self.status = Status::Loading;
        self.after_load = after;
        self.recording = None;
        self.report = None;
        self.report_digest = None;
        self.traces = Rc::default();
        self.refused = None;
        self.playhead = None;
        self.computed_s = 0.0;
        self.clock_s = 0.0;
        self.requested_s = 0.0;
        self.over = false;
        self.stop = None;
        self.pending_fault = None;
        let scenario = doc.to_json();
        self.loaded = Some(doc);
        vec![Output::Send(Command::Load {
            run: self.run,
            scenario,
            max_memory_mib: self.max_memory_mib,
        })]
    }

    /// Whether the run loaded (or loading) is of this document.
    pub fn is_for(&self, doc: &Scenario) -> bool {
        self.loaded.as_ref().is_some_and(|d| **d == *doc)
    }

    fn ready(&self, doc: &Rc<Scenario>) -> bool {
        self.recording.is_some()
            && self
                .loaded
                .as_ref()
                .is_some_and(|d| Rc::ptr_eq(d, doc) || **d == **doc)
    }

    fn play(&mut self, doc: Rc<Scenario>) -> Vec<Output> {
        let at_end = self.over && self.playhead.is_none();
        if !self.ready(&doc) || at_end || matches!(self.status, Status::Halted) {
            return self.load(doc, AfterLoad::Play);
        }
        if self.status == Status::Loading {
            self.after_load = AfterLoad::Play;
            return Vec::new();
        }
        if let Some(k) = self.playhead.take() {
            // Playing from a frame picked on the scrubber: the clock resumes there.
            self.clock_s = self.frame_time(k);
        }
        self.status = Status::Playing;
        self.ask_ahead()
    }

    fn pause(&mut self) -> Vec<Output> {
        if self.status != Status::Playing {
            return Vec::new();
        }
        self.status = Status::Paused;
        // Show where the clock is; stop computing ahead of it.
        self.clock_s = self.clock_s.min(self.computed_s);
        if self.speed == MAX_SPEED {
            self.clock_s = self.computed_s;
        }
        self.requested_s = self.computed_s;
        vec![Output::Send(Command::Pause { run: self.run })]
    }

    fn step(&mut self, doc: Rc<Scenario>) -> Vec<Output> {
        if !self.ready(&doc) || (self.over && self.playhead.is_none()) {
            return self.load(doc, AfterLoad::Step);
        }
        let mut out = self.pause();
        let step = self.step_s();
        let from = self
            .playhead
            .take()
            .map_or(self.display_time(), |k| self.frame_time(k));
        let next = ((from / step).floor() + 1.0) * step;
        self.clock_s = next.min(self.end_s());
        self.status = Status::Paused;
        if self.clock_s > self.requested_s + 1e-6 {
            self.requested_s = self.clock_s;
            out.push(Output::Send(Command::RunTo {
                run: self.run,
                until_s: self.clock_s,
            }));
        }
        out
    }

    fn seek(&mut self, doc: Rc<Scenario>, t: f64) -> Vec<Output> {
        if !self.ready(&doc) || matches!(self.status, Status::Halted) {
            return self.load(doc, AfterLoad::Seek(t));
        }
        if self.status == Status::Loading {
            self.after_load = AfterLoad::Seek(t);
            return Vec::new();
        }
        let mut out = self.pause();
        let t = if t.is_finite() {
            t.clamp(0.0, self.end_s())
        } else {
            0.0
        };
        self.clock_s = t;
        // A second already computed is a frame to show, as on the scrubber (Play goes on
        // from it); a later one is computed first.
        self.playhead = self
            .recording
            .as_ref()
            .filter(|_| t < self.computed_s)
            .map(|r| r.index_at(t + 1e-9));
        if !self.over || self.playhead.is_some() {
            self.status = Status::Paused;
        }
        if t > self.requested_s + 1e-6 {
            self.requested_s = t;
            out.push(Output::Send(Command::RunTo {
                run: self.run,
                until_s: t,
            }));
        }
        out
    }

    fn cue(&mut self, doc: Rc<Scenario>, t: f64, play: bool) -> Vec<Output> {
        let mut out = self.seek(doc.clone(), t);
        if play {
            if self.ready(&doc) && self.playhead.is_some() {
                out.extend(self.play(doc));
            } else {
                self.play_from = Some(if t.is_finite() { t.max(0.0) } else { 0.0 });
            }
        }
        out
    }

    fn tick(&mut self, dt_ms: f64) -> Vec<Output> {
        if self.status != Status::Playing {
            return Vec::new();
        }
        if self.speed == MAX_SPEED {
            self.clock_s = self.computed_s;
        } else {
            let dt = self.speed * dt_ms.clamp(0.0, 250.0) / 1000.0;
            // The clock never runs more than a few frames ahead of what is computed.
            let cap = self.computed_s + 2.0 * self.step_s();
            self.clock_s = (self.clock_s + dt).min(self.end_s()).min(cap);
        }
        if self.over && self.clock_s >= self.computed_s {
            self.clock_s = self.computed_s;
            self.status = match &self.stop {
                Some(stop) => Status::Stopped(stop.clone()),
                None => Status::Finished,
            };
            return Vec::new();
        }
        self.ask_ahead()
    }

    /// Asks the worker to compute a little ahead of the clock (all of it at "max").
    fn ask_ahead(&mut self) -> Vec<Output> {
        if self.over {
            return Vec::new();
        }
        let horizon = if self.speed == MAX_SPEED {
            self.end_s()
        } else {
            let ahead = (self.speed * 1.0).max(2.0 * self.step_s());
            (self.clock_s + ahead).min(self.end_s())
        };
        if horizon > self.requested_s + 1e-6 {
            self.requested_s = horizon;
            return vec![Output::Send(Command::RunTo {
                run: self.run,
                until_s: horizon,
            })];
        }
        Vec::new()
    }

    fn inject(&mut self, fault: Fault) -> Vec<Output> {
        if self.recording.is_none() || self.over {
            return Vec::new();
        }
        let at = self.at();
        let at_s = self.frame_time(at);
        self.pending_fault = Some(fault.clone());
        self.refused = None;
        vec![Output::Send(Command::Inject {
            run: self.run,
            fault,
            at_s,
        })]
    }

    fn on_event(&mut self, event: Event) -> Vec<Output> {
        let run = match &event {
            Event::Loaded { run, .. }
            | Event::Invalid { run, .. }
            | Event::Frames { run, .. }
            | Event::Reached { run, .. }
            | Event::Injected { run, .. }
            | Event::Refused { run, .. }
            | Event::Report { run, .. } => Some(*run),
            Event::Ready { .. } | Event::Panicked { .. } | Event::Error { .. } => None,
            // Checks run in a worker of their own; the player never asks for one.
            Event::Grading { .. } | Event::Graded { .. } => return Vec::new(),
        };
        if run.is_some_and(|r| r != self.run) {
            return Vec::new();
        }
        match event {
            Event::Ready { .. } | Event::Grading { .. } | Event::Graded { .. } => Vec::new(),
            Event::Loaded {
                end_s,
                frame_step_s,
                frame,
                ..
            } => {
                let Some(doc) = self.loaded.clone() else {
                    return Vec::new();
                };
                self.recording = Some(Recording::new(&doc, frame, end_s, frame_step_s));
                match self.after_load {
                    AfterLoad::Play => {
                        self.status = Status::Playing;
                        self.ask_ahead()
                    }
                    AfterLoad::Step => {
                        self.status = Status::Paused;
                        self.step(doc)
                    }
                    AfterLoad::Seek(t) => {
                        self.status = Status::Paused;
                        self.seek(doc, t)
                    }
                    AfterLoad::Nothing => {
                        self.status = Status::Paused;
                        Vec::new()
                    }
                }
            }
            Event::Invalid { errors, .. } => {
                self.status = Status::Invalid(errors);
                self.loaded = None;
                Vec::new()
            }
            Event::Frames { frames, .. } => {
                if let Some(r) = self.recording.as_mut() {
                    for f in frames {
                        self.computed_s = self.computed_s.max(f.time_s);
                        r.push(f);
                    }
                }
                Vec::new()
            }
            Event::Reached {
                computed_s,
                finished,
                stopped,
                ..
            } => {
                self.computed_s = computed_s;
                // A cue's second is computed: the clock starts from it.
                let resume = self
                    .play_from
                    .filter(|t| computed_s + 1e-9 >= *t || finished);
                if let Some(t) = resume {
                    self.play_from = None;
                    self.playhead = None;
                    self.clock_s = t.min(computed_s);
                    self.status = Status::Playing;
                }
                if !finished {
                    // The target was reached (more is asked for as the clock moves), or
                    // the worker paused: a later Play asks again from here.
                    if self.status != Status::Playing {
                        self.requested_s = computed_s;
                    }
                    return if resume.is_some() {
                        self.ask_ahead()
                    } else {
                        Vec::new()
                    };
                }
                self.over = true;
                self.stop = stopped;
                if self.speed == MAX_SPEED && self.status == Status::Playing {
                    self.clock_s = computed_s;
                    self.status = match &self.stop {
                        Some(stop) => Status::Stopped(stop.clone()),
                        None => Status::Finished,
                    };
                }
                vec![Output::Send(Command::Report { run: self.run })]
            }
            Event::Injected {
                frame, scenario, ..
            } => {
                let at_s = frame.time_s;
                if let (Some(r), Ok(s)) = (self.recording.as_mut(), Scenario::parse_json(&scenario))
                {
                    r.injected(frame, &s, self.pending_fault.take().as_ref());
                }
                self.computed_s = at_s;
                self.requested_s = at_s;
                self.clock_s = at_s;
                self.playhead = None;
                if self.status == Status::Playing {
                    return self.ask_ahead();
                }
                Vec::new()
            }
            Event::Refused { reason, .. } => {
                self.refused = Some(reason);
                self.pending_fault = None;
                Vec::new()
            }
            Event::Report {
                report,
                digest,
                traces,
                ..
            } => {
                if self.over {
                    self.report = Some(Rc::new(*report));
                    self.report_digest = Some(digest.into());
                    self.traces = Rc::new(traces);
                }
                Vec::new()
            }
            Event::Panicked { message } | Event::Error { message } => {
                self.status = Status::Crashed(message);
                self.run += 1;
                vec![Output::Terminate]
            }
        }
    }

    fn step_s(&self) -> f64 {
        self.recording.as_ref().map_or(1.0, |r| r.step_s() as f64)
    }

    fn end_s(&self) -> f64 {
        self.recording.as_ref().map_or(0.0, Recording::end_s)
    }

    fn last_frame(&self) -> usize {
        self.recording
            .as_ref()
            .map_or(0, |r| r.frames().len().saturating_sub(1))
    }

    fn frame_time(&self, k: usize) -> f64 {
        self.recording
            .as_ref()
            .and_then(|r| r.frames().get(k))
            .map_or(0.0, |f| f.time_s)
    }

    /// The simulated time shown: the clock, but never past what was computed.
    fn display_time(&self) -> f64 {
        self.clock_s.min(self.computed_s)
    }

    /// The frame at the playhead.
    pub fn at(&self) -> usize {
        let last = self.last_frame();
        match self.playhead {
            Some(k) => k.min(last),
            None => {
                let Some(r) = &self.recording else { return 0 };
                let t = self.display_time();
                if self.over && t >= self.computed_s {
                    return last;
                }
                r.index_at(t + 1e-9).min(last)
            }
        }
    }

    /// The view at the playhead.
    pub fn view(&self) -> Option<LiveView> {
        self.recording.as_ref()?.view(self.at())
    }

    /// The run's recording, if one is loaded.
    pub fn recording(&self) -> Option<&Recording> {
        self.recording.as_ref()
    }

    /// Simulated seconds computed so far, and when the run ends.
    pub fn progress(&self) -> (f64, f64) {
        (self.computed_s, self.end_s())
    }

    /// Whether the run is over (ended or stopped).
    pub fn over(&self) -> bool {
        self.over
    }

    /// Whether the worker is computing (or about to).
    pub fn busy(&self) -> bool {
        self.computing() && !self.over
    }
}

#[cfg(test)]
mod tests {
    use super::super::host::Host;
    use super::*;
    use surge_core::FaultKind;

    /// The player wired to a worker host in the same thread; events are delivered after
    /// each input, and the host computes in small chunks.
    struct Rig {
        player: Player,
        host: Host,
        terminated: u32,
    }

    impl Rig {
        fn new() -> Rig {
            Rig {
                player: Player::default(),
                host: Host::default(),
                terminated: 0,
            }
        }

        fn send(&mut self, input: Input) {
            let mut queue = vec![input];
            let mut rounds = 0;
            while let Some(input) = queue.pop() {
                rounds += 1;
                assert!(rounds < 100_000, "inputs never settle: {input:?}");
                for out in self.player.apply(input) {
                    match out {
                        Output::Send(cmd) => {
                            let events = self.host.receive(cmd);
                            queue.extend(
                                events.into_iter().rev().map(|e| Input::Worker(Box::new(e))),
                            );
                        }
                        Output::Terminate => {
                            self.terminated += 1;
                            self.host = Host::default();
                        }
                    }
                }
            }
        }

        /// Lets the worker compute everything asked of it, chunk by chunk.
        fn settle(&mut self) {
            let mut rounds = 0;
            while self.host.busy() {
                rounds += 1;
                assert!(
                    rounds < 100_000,
                    "the worker never settles: {:?}",
                    self.player.status
                );
                let mut n = 0;
                let events = self.host.work(|| {
                    n += 1;
                    n > 5
                });
                for e in events {
                    self.send(Input::Worker(Box::new(e)));
                }
            }
        }

        fn play_for(&mut self, wall_ms: f64) {
            let mut t = 0.0;
            while t < wall_ms {
                self.send(Input::Tick { dt_ms: 16.0 });
                self.settle();
                t += 16.0;
            }
        }
    }

    fn starter() -> Rc<Scenario> {
        Rc::new(crate::editor::starter())
    }

    #[test]
    fn play_at_ten_times_follows_the_clock_and_ends_with_the_report() {
        let mut rig = Rig::new();
        let doc = starter();
        rig.send(Input::Play(doc.clone()));
        rig.settle();
        assert_eq!(rig.player.status, Status::Playing);
        rig.play_for(1_000.0);
        let t = rig.player.view().expect("a view").time_s;
        assert!((9.0..=11.0).contains(&t), "10× for a second: t = {t}");
        rig.play_for(10_000.0);
        assert_eq!(rig.player.status, Status::Finished);
        let report = rig.player.report.clone().expect("the report");
        assert_eq!(
            *report,
            surge_core::Simulation::new(&doc).expect("valid").run()
        );
        // Play again after the end: a new run from 0.
        rig.send(Input::Play(doc));
        rig.settle();
        assert!(rig.player.report.is_none() && rig.player.view().expect("view").time_s < 1.0);
    }

    #[test]
    fn max_speed_computes_the_whole_run() {
        let mut rig = Rig::new();
        rig.send(Input::Speed(MAX_SPEED));
        rig.send(Input::Play(starter()));
        rig.settle();
        rig.send(Input::Tick { dt_ms: 16.0 });
        assert_eq!(rig.player.status, Status::Finished);
        assert_eq!(rig.player.view().expect("view").time_s, 60.0);
    }

    #[test]
    fn step_pause_scrub_and_restart() {
        let mut rig = Rig::new();
        let doc = starter();
        rig.send(Input::Step(doc.clone()));
        rig.settle();
        assert_eq!(rig.player.status, Status::Paused);
        assert_eq!(rig.player.view().expect("view").time_s, 1.0);
        rig.send(Input::Step(doc.clone()));
        rig.settle();
        assert_eq!(rig.player.view().expect("view").time_s, 2.0);
        rig.send(Input::Play(doc.clone()));
        rig.play_for(500.0);
        rig.send(Input::Pause);
        rig.settle();
        let paused_at = rig.player.view().expect("view").time_s;
        assert!(paused_at >= 6.0, "{paused_at}");
        rig.send(Input::Scrub(3));
        assert_eq!(rig.player.view().expect("view").time_s, 3.0);
        rig.send(Input::Restart(doc));
        rig.settle();
        assert_eq!(rig.player.view().expect("view").time_s, 0.0);
    }

    #[test]
    fn seek_lands_paused_at_its_second_from_anywhere() {
        let mut rig = Rig::new();
        let doc = starter();
        // Nothing loaded yet (a deep link): load, compute to 42 s, pause there.
        rig.send(Input::Seek(doc.clone(), 42.0));
        rig.settle();
        assert_eq!(rig.player.status, Status::Paused);
        assert_eq!(rig.player.view().expect("view").time_s, 42.0);
        // Back to a second already computed: no new computing, the frame is shown.
        rig.send(Input::Seek(doc.clone(), 10.0));
        assert!(!rig.host.busy());
        assert_eq!(rig.player.view().expect("view").time_s, 10.0);
        // Past the end: clamped to it.
        rig.send(Input::Seek(doc.clone(), 1e9));
        rig.settle();
        assert_eq!(rig.player.view().expect("view").time_s, 60.0);
        // A fault injected after a seek starts there (in a run not yet over), also in a
        // scenario read from a link.
        let storm = Rc::new(
            surge_core::link::decode(&surge_core::link::encode(
                &Scenario::parse_json(include_str!(
                    "../../../tests/scenarios/lesson7-storm-proxy.json"
                ))
                .expect("lesson"),
                &surge_core::LinkExtras::default(),
            ))
            .expect("link")
            .scenario,
        );
        for (scenario, at_s, node) in [(storm, 20.0, "db"), (doc.clone(), 30.0, "fn")] {
            let mut rig = Rig::new();
            rig.send(Input::Seek(scenario, at_s));
            rig.settle();
            rig.send(Input::Inject(surge_core::Fault {
                node: node.into(),
                at_s: 0.0,
                duration_s: 5.0,
                kind: surge_core::FaultKind::Outage,
            }));
            rig.settle();
            let injected = rig.player.recording().expect("recording").injected_count();
            assert_eq!(
                injected, 1,
                "{node}: {:?} refused {:?}",
                rig.player.status, rig.player.refused
            );
        }
        // Play from a seek goes on from there.
        rig.send(Input::Seek(doc.clone(), 20.0));
        rig.send(Input::Play(doc));
        rig.play_for(200.0);
        let t = rig.player.view().expect("view").time_s;
        assert!((20.0..=23.0).contains(&t), "{t}");
    }

    #[test]
    fn a_cue_shows_its_second_then_plays_on_from_it_or_stays_paused() {
        let mut rig = Rig::new();
        let doc = starter();
        // Nothing loaded: load, compute to 30 s, then play on from 30 s.
        rig.send(Input::Cue(doc.clone(), 30.0, true));
        rig.settle();
        assert_eq!(rig.player.status, Status::Playing);
        rig.play_for(200.0);
        let t = rig.player.view().expect("view").time_s;
        assert!((30.0..=33.0).contains(&t), "{t}");
        // A computed second, paused.
        rig.send(Input::Cue(doc.clone(), 10.0, false));
        assert_eq!(rig.player.status, Status::Paused);
        assert_eq!(rig.player.view().expect("view").time_s, 10.0);
        // A computed second, playing: at once.
        rig.send(Input::Cue(doc.clone(), 12.0, true));
        assert_eq!(rig.player.status, Status::Playing);
        // Another scenario at the same second: reloaded and computed up to it first.
        let mut other = (*doc).clone();
        other.seed += 1;
        rig.send(Input::Cue(Rc::new(other.clone()), 20.0, true));
        assert_ne!(
            rig.player.status,
            Status::Playing,
            "not before 20 s is computed"
        );
        rig.settle();
        assert_eq!(rig.player.status, Status::Playing);
        assert!(rig.player.is_for(&other));
        rig.play_for(100.0);
        let t = rig.player.view().expect("view").time_s;
        assert!((20.0..=22.0).contains(&t), "{t}");
        // A pause in between cancels a waiting cue.
        rig.send(Input::Cue(doc.clone(), 50.0, true));
        rig.send(Input::Pause);
        rig.settle();
        assert_ne!(rig.player.status, Status::Playing);
    }

    #[test]
    fn a_fault_is_injected_at_the_playhead_not_where_the_worker_got_to() {
        let mut rig = Rig::new();
        let doc = starter();
        rig.send(Input::Play(doc.clone()));
        rig.play_for(2_000.0);
        rig.send(Input::Pause);
        rig.settle();
        rig.send(Input::Scrub(3));
        rig.send(Input::Inject(Fault {
            node: "fn".into(),
            at_s: 0.0,
            duration_s: 5.0,
            kind: FaultKind::Outage,
        }));
        let rec = rig.player.recording().expect("recording");
        assert_eq!(rec.faults()[0].at_s, 3.0);
        assert_eq!(rec.frames().len(), 4, "frames after 3 s are gone");
        let view = rig.player.view().expect("view");
        assert!(
            view.log.iter().any(|l| l.node.as_deref() == Some("fn")
                && l.from_s == 3
                && l.text.ends_with(": injected an outage for 5 s")),
            "{:?}",
            view.log
        );
        rig.send(Input::Speed(MAX_SPEED));
        rig.send(Input::Play(doc));
        rig.settle();
        rig.send(Input::Tick { dt_ms: 16.0 });
        let replay = Scenario::from_json(&rig.player.recording().expect("rec").scenario_json())
            .expect("valid");
        assert_eq!(
            *rig.player.report.clone().expect("report"),
            surge_core::Simulation::new(&replay).expect("valid").run()
        );
    }

    #[test]
    fn halt_terminates_a_long_computation_and_play_starts_again() {
        let mut rig = Rig::new();
        let mut doc = crate::editor::starter();
        doc.duration_s = 86_400.0;
        let doc = Rc::new(doc);
        rig.send(Input::Speed(MAX_SPEED));
        rig.send(Input::Play(doc.clone()));
        // The worker computes a little, then the user stops it.
        let mut n = 0;
        let events = rig.host.work(|| {
            n += 1;
            n > 3
        });
        for e in events {
            rig.send(Input::Worker(Box::new(e)));
        }
        rig.send(Input::Halt);
        assert_eq!(rig.player.status, Status::Halted);
        assert_eq!(rig.terminated, 1);
        assert!(
            rig.player.view().is_some(),
            "the frames received stay viewable"
        );
        rig.send(Input::Play(doc));
        // A new worker, a new run from 0.
        assert_eq!(rig.player.status, Status::Playing);
        assert_eq!(rig.player.recording().expect("a run").frames().len(), 1);
    }

    #[test]
    fn an_invalid_scenario_and_a_stale_run_are_handled() {
        let mut rig = Rig::new();
        let mut doc = crate::editor::starter();
        doc.nodes.clear();
        rig.send(Input::Play(Rc::new(doc)));
        assert!(matches!(&rig.player.status, Status::Invalid(e) if !e.is_empty()));
        rig.send(Input::Play(starter()));
        rig.send(Input::Reset);
        // Events of the run before the reset change nothing.
        rig.settle();
        assert_eq!(rig.player.status, Status::Idle);
        assert!(rig.player.view().is_none());
    }
}
