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
//!                                       injected {run, at_s, frame, scenario}
//!                                       refused {run, reason}
//!                                       report {run, report}
//!                                       panicked {message} · error {message}
//! ```

use serde::{Deserialize, Serialize};
use surge_core::{Fault, Frame, Report, RunStop};

/// The version of this protocol; bump it when a message changes shape.
pub const PROTOCOL_VERSION: u32 = 1;

/// A command from the page to the worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
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
}

/// An event from the worker to the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
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

/// A message on the wire: the protocol version and the body.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope<T> {
    v: u32,
    #[serde(flatten)]
    body: T,
}

/// Encodes a message with the protocol version.
pub fn encode<T: Serialize>(body: &T) -> String {
    // Plain data of strings and numbers always serializes.
    serde_json::to_string(&Envelope {
        v: PROTOCOL_VERSION,
        body,
    })
    .unwrap_or_default()
}

/// Decodes a message, refusing other protocol versions.
pub fn decode<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not a message: {e}"))?;
    match value.get("v").and_then(serde_json::Value::as_u64) {
        Some(v) if v == u64::from(PROTOCOL_VERSION) => {}
        Some(v) => {
            return Err(format!(
                "protocol version {v} is not supported (this build speaks {PROTOCOL_VERSION})"
            ));
        }
        None => return Err("a message without a protocol version (`v`)".into()),
    }
    serde_json::from_value::<Envelope<T>>(value)
        .map(|e| e.body)
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
        assert_eq!(text, r#"{"v":1,"type":"run_to","run":3,"until_s":12.5}"#);
        assert_eq!(decode::<Command>(&text), Ok(c));
        let e = Event::Ready { protocol: 1 };
        assert_eq!(decode::<Event>(&encode(&e)), Ok(e));
    }

    #[test]
    fn other_versions_and_garbage_are_refused_with_a_reason() {
        let e = decode::<Command>(r#"{"v":2,"type":"pause","run":1}"#).expect_err("v2");
        assert!(e.contains("version 2 is not supported"), "{e}");
        assert!(decode::<Command>(r#"{"type":"pause","run":1}"#).is_err());
        assert!(decode::<Command>("{").is_err());
        assert!(decode::<Command>(r#"{"v":1,"type":"launch"}"#).is_err());
    }
}
