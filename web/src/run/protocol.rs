//! The messages between the page and the simulation worker: typed, versioned, serde JSON.
//!
//! Why a protocol of its own: the page (and, through the embed API, a host page) never
//! touches engine state; it sends commands and receives plain data (frames, reports).
//! Every message carries the protocol version `v`; a message of another version is
//! refused with an error, never guessed at. Commands name the run they are for (`run`),
//! so events of a run the page has already replaced are recognised and dropped.
//!
//! ```text
//! page → worker                         worker → page
//! load {run, scenario, max_memory_mib}  ready {protocol}         (once, on start)
//! run_to {run, until_s}                 loaded {run, end_s, frame_step_s, frame}
//! pause {run}                           invalid {run, errors}
//! inject {run, fault, at_s}             frames {run, frames}      (as they are computed)
//! report {run}                          reached {run, computed_s, finished, stopped}
//! grade {run, exercise, solution}       grading {run, done, of} · graded {run, grade}
//!                                       injected {run, at_s, frame, scenario}
//!                                       refused {run, reason}
//!                                       report {run, report, digest}
//!                                       panicked {message} · error {message}
//! ```

use serde::{Deserialize, Serialize};
use surge_core::{Fault, Frame, Report, RunStop};

/// The version of this protocol; bump it when a message changes shape.
pub const PROTOCOL_VERSION: u32 = 3;

/// A command from the page to the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    /// Prepare a run of this scenario (JSON), replacing any other.
    Load {
        /// The page's number for this run.
        run: u32,
        /// The scenario, as JSON (the file format).
        scenario: String,
        /// The run stops cleanly once it holds more than this (nominal MiB).
        max_memory_mib: u32,
    },
    /// Compute up to this simulated second (capped at the end), sending frames on the way.
    RunTo {
        /// The run.
        run: u32,
        /// Target time, in simulated seconds.
        until_s: f64,
    },
    /// Stop computing after the current slice (what was computed is kept).
    Pause {
        /// The run.
        run: u32,
    },
    /// Start a fault at `at_s` (at or before the time computed so far).
    Inject {
        /// The run.
        run: u32,
        /// The fault (its own `at_s` is replaced by `at_s`).
        fault: Fault,
        /// When it starts, in simulated seconds.
        at_s: f64,
    },
    /// Send the report at the time computed so far.
    Report {
        /// The run.
        run: u32,
    },
    /// Grade a solution of an exercise on every grading seed (an exercise's Check),
    /// replacing any grading under way.
    Grade {
        /// The page's number for this check.
        run: u32,
        /// The exercise (its file format, JSON).
        exercise: String,
        /// The solution (a scenario, JSON).
        solution: String,
    },
}

/// An event from the worker to the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The worker has started and speaks this protocol version.
    Ready {
        /// [`PROTOCOL_VERSION`] of the worker.
        protocol: u32,
    },
    /// The run is ready at time 0.
    Loaded {
        /// The run.
        run: u32,
        /// When it ends, in simulated seconds.
        end_s: f64,
        /// Seconds between frames.
        frame_step_s: u64,
        /// Frame 0.
        frame: Frame,
    },
    /// The scenario cannot run: every problem, with its path.
    Invalid {
        /// The run.
        run: u32,
        /// One line per problem.
        errors: Vec<String>,
    },
    /// Frames computed since the last ones sent, in time order.
    Frames {
        /// The run.
        run: u32,
        /// The frames.
        frames: Vec<Frame>,
    },
    /// The worker stopped computing: the target was reached, the run ended or stopped, or
    /// the page asked it to pause.
    Reached {
        /// The run.
        run: u32,
        /// Simulated seconds computed.
        computed_s: f64,
        /// Whether the run is over.
        finished: bool,
        /// Why it stopped early, if it did.
        stopped: Option<RunStop>,
    },
    /// A fault was injected: frames from `at_s` on are replaced, starting with this one.
    Injected {
        /// The run.
        run: u32,
        /// When the fault starts.
        at_s: f64,
        /// The frame at `at_s`.
        frame: Frame,
        /// The scenario as run now (the fault in its schedule), as JSON.
        scenario: String,
    },
    /// A command could not be carried out (an invalid fault, say).
    Refused {
        /// The run.
        run: u32,
        /// Why.
        reason: String,
    },
    /// The report at the time computed.
    Report {
        /// The run.
        run: u32,
        /// The report.
        report: Box<Report>,
        /// Its digest ([`Report::digest`]: equal digests, identical reports), computed
        /// here so the page needs no serializer of its own for it.
        digest: String,
        /// The request traces kept (the slowest, some of each failure, a sample).
        #[serde(default)]
        traces: Vec<surge_core::Trace>,
    },
    /// A check's progress: grading seeds run so far, of how many.
    Grading {
        /// The check.
        run: u32,
        /// Seeds done.
        done: u32,
        /// Seeds in all.
        of: u32,
    },
    /// A check's verdict.
    Graded {
        /// The check.
        run: u32,
        /// Each goal with its worst figure, the locked changes, the result code.
        grade: surge_core::exercise::Grade,
    },
    /// The worker panicked; it is gone.
    Panicked {
        /// The panic message.
        message: String,
    },
    /// A message could not be read (another protocol version, or malformed).
    Error {
        /// Why.
        message: String,
    },
}

/// Encodes a message: `{"v": PROTOCOL_VERSION, "type": "run_to", …its fields}`.
///
/// Why the reshaping: the enums derive serde's default (external) tagging, `{"run_to":
/// {…}}`, whose reader needs no buffering; the wire carries the flat, internally tagged
/// shape that is easier for a host page to read and write. Serde's own internal tagging
/// would buffer every message (and double the readers' code in the bundle); the reshaping
/// itself builds no JSON tree ([`super::flat_json`]).
pub fn encode<T: Serialize>(body: &T) -> String {
    super::flat_json::write(&format!("{{\"v\":{PROTOCOL_VERSION}}}"), body)
}

/// A message as flat JSON text: `head`'s fields, then `"type"` and the body's fields (the
/// body derives serde's external tagging, `{"kind": {…}}`). Shared with the embed API.
pub fn flat<T: Serialize>(head: serde_json::Map<String, serde_json::Value>, body: &T) -> String {
    super::flat_json::write(&serde_json::Value::Object(head).to_string(), body)
}

/// Reads a flat message's `type` and fields (what is left after the caller took its
/// header fields) as `T`, which derives serde's external tagging.
pub fn unflat<T: for<'de> Deserialize<'de>>(
    mut fields: serde_json::Map<String, serde_json::Value>,
) -> Result<T, String> {
    let Some(serde_json::Value::String(kind)) = fields.remove("type") else {
        return Err("a message without a `type`".into());
    };
    let mut outer = serde_json::Map::new();
    outer.insert(kind.clone(), serde_json::Value::Object(fields));
    T::deserialize(serde_json::Value::Object(outer))
        .map_err(|e| format!("cannot read a `{kind}` message: {e}"))
}

/// Decodes a message, refusing other protocol versions.
pub fn decode<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, String> {
    let mut message = super::flat_json::Message::parse(text)?;
    match message.take::<u64>("v") {
        Some(Ok(v)) if v == u64::from(PROTOCOL_VERSION) => {}
        Some(Ok(v)) => {
            return Err(format!(
                "protocol version {v} is not supported (this build speaks {PROTOCOL_VERSION})"
            ));
        }
        Some(Err(_)) | None => return Err("a message without a protocol version (`v`)".into()),
    }
    message
        .body()
        .map_err(|e| format!("not a message of protocol {PROTOCOL_VERSION}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_with_their_version() {
        let c = Command::RunTo {
            run: 3,
            until_s: 12.5,
        };
        let text = encode(&c);
        assert_eq!(text, r#"{"v":3,"type":"run_to","run":3,"until_s":12.5}"#);
        assert_eq!(decode::<Command>(&text), Ok(c));
        let e = Event::Ready { protocol: 3 };
        assert_eq!(decode::<Event>(&encode(&e)), Ok(e));
        // A check: the grade with its goals, locked changes and code.
        let c = Command::Grade {
            run: 4,
            exercise: "{}".into(),
            solution: "{}".into(),
        };
        assert_eq!(decode::<Command>(&encode(&c)), Ok(c));
        let e = Event::Graded {
            run: 4,
            grade: surge_core::exercise::Grading::failed("why".into()),
        };
        assert_eq!(decode::<Event>(&encode(&e)), Ok(e));
        let e = Event::Grading {
            run: 4,
            done: 1,
            of: 3,
        };
        assert_eq!(
            encode(&e),
            r#"{"v":3,"type":"grading","run":4,"done":1,"of":3}"#
        );
    }

    #[test]
    fn every_kind_of_message_round_trips() {
        let fault = Fault {
            node: "db".into(),
            at_s: 0.0,
            duration_s: 10.0,
            kind: surge_core::FaultKind::Outage,
        };
        let c = Command::Inject {
            run: 2,
            fault,
            at_s: 4.0,
        };
        assert_eq!(decode::<Command>(&encode(&c)), Ok(c));
        let load = Command::Load {
            run: 1,
            scenario: crate::editor::starter().to_json(),
            max_memory_mib: 64,
        };
        assert_eq!(decode::<Command>(&encode(&load)), Ok(load));
        let mut driver = crate::run::driver::Driver::load(
            crate::editor::starter(),
            surge_core::Limits::default(),
        )
        .expect("valid")
        .0;
        let frames = driver.advance(3.0, || false);
        let e = Event::Frames { run: 1, frames };
        assert_eq!(decode::<Event>(&encode(&e)), Ok(e));
        let at = driver.computed_s();
        driver
            .inject(
                Fault {
                    node: "fn".into(),
                    at_s: 0.0,
                    duration_s: 10.0,
                    kind: surge_core::FaultKind::Outage,
                },
                at,
            )
            .expect("injected");
        let replayed = surge_core::Scenario::parse_json(&driver.scenario().to_json());
        assert_eq!(
            replayed.as_ref().map(|s| s.faults.len()),
            Ok(1),
            "{replayed:?}"
        );
        let e = Event::Report {
            run: 1,
            report: Box::new(driver.report()),
            digest: driver.report().digest(),
            traces: driver.traces(),
        };
        assert_eq!(decode::<Event>(&encode(&e)), Ok(e));
    }

    #[test]
    fn other_versions_and_garbage_are_refused_with_a_reason() {
        // Version 1 (before the report carried traces), 2 (before checks) and a future 4
        // alike.
        for v in [1, 2, 4] {
            let e = decode::<Command>(&format!(r#"{{"v":{v},"type":"pause","run":1}}"#))
                .expect_err("another version");
            assert!(e.contains(&format!("version {v} is not supported")), "{e}");
        }
        assert!(decode::<Command>(r#"{"type":"pause","run":1}"#).is_err());
        assert!(decode::<Command>("{").is_err());
        assert!(decode::<Command>(r#"{"v":3,"type":"launch"}"#).is_err());
    }
}
