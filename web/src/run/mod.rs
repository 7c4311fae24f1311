//! Running a scenario, split between a Web Worker that computes and the page that shows.
//!
//! ```text
//!  page (main thread)                               worker (surge-worker)
//!  ┌──────────────────────────────┐   Command   ┌─────────────────────────────┐
//!  │ player  (pure state machine) │ ──────────▶ │ host (pure): driver          │
//!  │ recording: frames, log, view │ ◀────────── │   Simulation, frames, inject │
//!  │ gauges · series · log (pure) │    Event    └─────────────────────────────┘
//!  └──────────────────────────────┘  (protocol: serde JSON, versioned)
//! ```
//!
//! Why: no engine code runs on the page's main thread, so a heavy or hostile scenario
//! cannot freeze the tab, and a run can be stopped at once by terminating its worker.
//! Everything here but the two bits of glue (`client`, page side, and `crate::worker`)
//! is plain Rust, tested natively.

pub mod driver;
mod flat_json;
pub mod gauges;
pub mod host;
pub mod log;
pub mod player;
pub mod protocol;
pub mod recording;
pub mod series;

#[cfg(target_arch = "wasm32")]
pub mod client;

pub use gauges::{Gauge, Health, Outcomes};
pub use log::{LogLine, Severity, error_label};
pub use player::{Input, MAX_SPEED, Output, Player, Status};
pub use recording::{LiveView, Recording, callees};
pub use series::{Headline, Series, end_to_end, headline, retried_share, series};
#[cfg(test)]
mod tests;
