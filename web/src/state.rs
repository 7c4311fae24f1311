//! UI state as a pure reducer over named actions.
//!
//! Why a reducer: every change to what the page shows goes through [`Action`], so it can
//! be tested without a browser and reasoned about in one place. Effects (local storage)
//! live in components; nothing here touches the DOM.
//!
//! Where each field lives:
//!
//! | field                      | saved locally | in share links | neither |
//! |----------------------------|---------------|----------------|---------|
//! | `form` (inputs, preset id) | yes           | (future: as the scenario) |  |
//! | `outcome`                  |               |                | yes (recomputed by Run) |

use std::rc::Rc;

use serde::{Deserialize, Serialize};
use surge_core::{Report, Scenario, ScenarioErrors, Simulation};
use yew::Reducible;

/// The run panel's inputs, as typed (strings until Run parses them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunForm {
    /// Requests per second.
    pub rate_per_s: String,
    /// The function's concurrency limit.
    pub concurrency_limit: String,
    /// Mean function duration in milliseconds.
    pub mean_duration_ms: String,
    /// Simulated seconds.
    pub duration_s: String,
    /// PRNG seed.
    pub seed: String,
    /// The chosen preset's id; empty for the custom Clients → Lambda model.
    #[serde(default)]
    pub preset: String,
}

impl Default for RunForm {
    fn default() -> Self {
        RunForm {
            rate_per_s: "100".into(),
            concurrency_limit: "10".into(),
            mean_duration_ms: "100".into(),
            duration_s: "60".into(),
            seed: "42".into(),
            preset: String::new(),
        }
    }
}

/// One input of the run form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// Requests per second.
    Rate,
    /// Concurrency limit.
    Limit,
    /// Mean duration in ms.
    Duration,
    /// Simulated seconds.
    RunLength,
    /// Seed.
    Seed,
}

/// The result of the last Run.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Outcome {
    /// Nothing has run yet.
    #[default]
    Idle,
    /// The run finished; the scenario it ran is kept so it can be inspected or re-run.
    Done {
        /// The report from the core.
        report: Rc<Report>,
        /// The exact scenario JSON that produced it.
        scenario_json: Rc<str>,
    },
    /// The inputs did not make a valid scenario.
    Invalid(Vec<String>),
}

/// Everything the page shows.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct AppState {
    /// The run panel's inputs.
    pub form: RunForm,
    /// The last run's result.
    pub outcome: Outcome,
}

/// Named changes to [`AppState`].
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// The user typed into a field.
    Set(Field, String),
    /// The user asked for a new seed (drawn by the caller, so the reducer stays pure).
    Reseed(u64),
    /// Choose a preset by id (empty: the custom model).
    ChoosePreset(String),
    /// Build the scenario from the form and run it to the end in the core.
    Run,
}

impl AppState {
    /// Starts from saved inputs.
    pub fn with_form(form: RunForm) -> Self {
        AppState {
            form,
            outcome: Outcome::Idle,
        }
    }

    /// Applies one action; pure.
    pub fn apply(&self, action: Action) -> AppState {
        let mut next = self.clone();
        match action {
            Action::Set(field, value) => {
                let slot = match field {
                    Field::Rate => &mut next.form.rate_per_s,
                    Field::Limit => &mut next.form.concurrency_limit,
                    Field::Duration => &mut next.form.mean_duration_ms,
                    Field::RunLength => &mut next.form.duration_s,
                    Field::Seed => &mut next.form.seed,
                };
                *slot = value;
            }
            Action::Reseed(seed) => next.form.seed = seed.to_string(),
            Action::ChoosePreset(id) => {
                next.form.preset = id;
                next.outcome = Outcome::Idle;
            }
            Action::Run => {
                next.outcome = match scenario_from_form(&self.form) {
                    Ok(scenario) => run(&scenario),
                    Err(errors) => Outcome::Invalid(errors),
                }
            }
        }
        next
    }
}

impl Reducible for AppState {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        Rc::new(self.apply(action))
    }
}

/// The scenario the form describes: the chosen preset (with the form's seed), or the
/// tiny model built from the inputs. Lists every unparsable field.
pub fn scenario_from_form(form: &RunForm) -> Result<Scenario, Vec<String>> {
    if !form.preset.is_empty() {
        let preset = crate::presets::find(&form.preset)
            .ok_or_else(|| vec![format!("Unknown preset \"{}\"", form.preset)])?;
        let mut scenario = Scenario::from_json(preset.json)
            .map_err(|e| e.0.iter().map(ToString::to_string).collect::<Vec<_>>())?;
        scenario.seed = form
            .seed
            .trim()
            .parse::<u64>()
            .map_err(|_| vec![format!("Seed: \"{}\" is not a whole number ≥ 0", form.seed)])?;
        return Ok(scenario);
    }
    custom_scenario(form)
}

fn custom_scenario(form: &RunForm) -> Result<Scenario, Vec<String>> {
    let mut errors = Vec::new();
    let mut num = |label: &str, text: &str| -> f64 {
        match text.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => v,
            _ => {
                errors.push(format!("{label}: \"{text}\" is not a number"));
                0.0
            }
        }
    };
    let rate = num("Requests per second", &form.rate_per_s);
    let limit = num("Concurrency limit", &form.concurrency_limit);
    let duration = num("Mean duration (ms)", &form.mean_duration_ms);
    let length = num("Simulated seconds", &form.duration_s);
    let seed = form.seed.trim().parse::<u64>();
    if seed.is_err() {
        errors.push(format!("Seed: \"{}\" is not a whole number ≥ 0", form.seed));
    }
    if limit.fract() != 0.0 || limit < 0.0 || limit > f64::from(u32::MAX) {
        errors.push(format!(
            "Concurrency limit: \"{}\" is not a whole number",
            form.concurrency_limit
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Scenario::client_to_function(
        rate,
        limit as u32,
        duration,
        length,
        seed.unwrap_or(0),
    ))
}

/// Runs `scenario` to the end in the core.
pub fn run(scenario: &Scenario) -> Outcome {
    match Simulation::new(scenario) {
        Ok(mut sim) => Outcome::Done {
            report: Rc::new(sim.run()),
            scenario_json: scenario.to_json().into(),
        },
        Err(ScenarioErrors(errors)) => {
            Outcome::Invalid(errors.iter().map(ToString::to_string).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_uses_the_form_and_reports_from_the_core() {
        let state = AppState::default().apply(Action::Run);
        let Outcome::Done {
            report,
            scenario_json,
        } = &state.outcome
        else {
            panic!("expected a report, got {:?}", state.outcome)
        };
        assert!(report.ledger.arrived > 0 && report.ledger.balances());
        assert!(scenario_json.contains("\"seed\": 42"));
    }

    #[test]
    fn a_new_seed_changes_the_numbers() {
        let a = AppState::default().apply(Action::Run);
        let b = AppState::default()
            .apply(Action::Reseed(7))
            .apply(Action::Run);
        assert_ne!(a.outcome, b.outcome);
    }

    #[test]
    fn a_preset_runs_its_scenario_with_the_forms_seed() {
        let state = AppState::default()
            .apply(Action::ChoosePreset("lesson7-storm-direct".into()))
            .apply(Action::Set(Field::Seed, "9".into()))
            .apply(Action::Run);
        let Outcome::Done { report, .. } = &state.outcome else {
            panic!("expected a report")
        };
        assert_eq!(report.seed, 9);
        assert!(
            report
                .node("db")
                .is_some_and(|db| db.errors.connection_refused > 0)
        );
        let back = state.apply(Action::ChoosePreset(String::new()));
        assert_eq!(back.outcome, Outcome::Idle);
    }

    #[test]
    fn bad_inputs_are_listed_not_run() {
        let state = AppState::default()
            .apply(Action::Set(Field::Rate, "lots".into()))
            .apply(Action::Set(Field::Limit, "0".into()))
            .apply(Action::Run);
        let Outcome::Invalid(errors) = &state.outcome else {
            panic!("expected errors")
        };
        assert!(errors[0].contains("Requests per second"), "{errors:?}");
        let state = AppState::default()
            .apply(Action::Set(Field::Duration, "0".into()))
            .apply(Action::Run);
        let Outcome::Invalid(errors) = &state.outcome else {
            panic!("expected errors")
        };
        assert!(errors[0].contains("handler[0].compute.ms"), "{errors:?}");
    }
}
