//! Turning the current design into an exercise, as pure functions (natively tested): the
//! goals proposed from the last run's figures, and the exercise built from the author's
//! form.
//!
//! Why proposals from a run: an instructor knows the symptom they want fixed when they
//! see it ("p99 reached 2.3 s"), not the metric's name; each proposal shows the run's
//! figure and a bound in the direction that would fix it, which the author edits.

use surge_core::Scenario;
use surge_core::exercise::{Allow, EXERCISE_FORMAT, EXERCISE_VERSION, Exercise, Goal, Metric};

/// One proposed goal: the figure the last run gave and the bound suggested.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    /// The figure.
    pub metric: Metric,
    /// What the last run measured.
    pub measured: f64,
    /// True for a maximum (the figure must fall), false for a minimum.
    pub at_most: bool,
}

/// Every whole-run figure of `report`, each with the direction that fixes it.
pub fn proposals(report: &surge_core::Report) -> Vec<Proposal> {
    [
        (Metric::SuccessPct, false),
        (Metric::ThrottledPct, true),
        (Metric::P99Ms, true),
        (Metric::GoodputPerS, false),
        (Metric::ConnectionErrors, true),
        (Metric::DeadLettered, true),
        (Metric::Lost, true),
        (Metric::OldestAgeS, true),
        (Metric::CostUsd, true),
        (Metric::CostPerMillionUsd, true),
    ]
    .into_iter()
    .filter_map(|(metric, at_most)| {
        let measured = metric.measure(report, None).ok()?;
        Some(Proposal {
            metric,
            measured,
            at_most,
        })
    })
    .collect()
}

/// What the author filled in.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Form {
    /// Title.
    pub title: String,
    /// The story.
    pub story: String,
    /// Hints, one per line.
    pub hints: String,
    /// Chosen goals: (metric, bound, at most).
    pub goals: Vec<(Metric, f64, bool)>,
    /// Nodes whose parameters may change.
    pub open_nodes: Vec<String>,
    /// Whether the account's settings may change.
    pub open_account: bool,
    /// Node kinds that may be added, comma separated.
    pub add: String,
    /// Whether connections may change.
    pub rewire: bool,
    /// Grading seeds, comma separated.
    pub seeds: String,
    /// The lesson it builds on.
    pub lesson: Option<u8>,
}

/// An id from a title: lower-case words joined by dashes.
pub fn slug(title: &str) -> String {
    let words: Vec<String> = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let id = words.join("-");
    let id: String = id.chars().take(80).collect();
    if id.is_empty() { "exercise".into() } else { id }
}

/// The exercise the form describes, starting from `doc`; the reason if it cannot be one.
pub fn build(form: &Form, doc: &Scenario) -> Result<Exercise, String> {
    if form.title.trim().is_empty() {
        return Err("give the exercise a title".into());
    }
    if form.goals.is_empty() {
        return Err("choose at least one goal".into());
    }
    let seeds: Result<Vec<u64>, _> = form
        .seeds
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::parse::<u64>)
        .collect();
    let seeds = seeds.map_err(|_| "seeds are whole numbers separated by commas".to_owned())?;
    let mut params: Vec<String> = form.open_nodes.iter().map(|n| format!("{n}.*")).collect();
    if form.open_account {
        params.push("account.*".into());
    }
    let add: Vec<String> = form
        .add
        .split(',')
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .collect();
    let start = serde_json::from_str(&doc.without_talk().to_json()).map_err(|e| e.to_string())?;
    let exercise = Exercise {
        format: EXERCISE_FORMAT.into(),
        version: EXERCISE_VERSION,
        id: slug(&form.title),
        title: form.title.trim().to_owned(),
        story: form.story.trim().to_owned(),
        hints: form
            .hints
            .lines()
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(str::to_owned)
            .collect(),
        lesson: form.lesson,
        difficulty: 1,
        start,
        goals: form
            .goals
            .iter()
            .map(|&(metric, bound, at_most)| Goal {
                metric,
                node: None,
                max: at_most.then_some(bound),
                min: (!at_most).then_some(bound),
            })
            .collect(),
        allow: Allow {
            params,
            add,
            max_added: None,
            rewire: form.rewire,
            budget_usd: None,
        },
        seeds,
    };
    // Through the reader, so the page never shares what `surge check` would refuse.
    Exercise::from_json(&exercise.to_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lesson_becomes_an_exercise_its_start_fails() {
        let doc = Scenario::from_json(
            crate::presets::find("lesson2-burst-limit1000-current")
                .expect("preset")
                .json,
        )
        .expect("valid");
        let report = surge_core::Simulation::new(&doc).expect("valid").run();
        let p = proposals(&report);
        let throttled = p
            .iter()
            .find(|x| x.metric == Metric::ThrottledPct)
            .expect("a throttle figure");
        assert!(
            throttled.at_most && throttled.measured > 50.0,
            "{throttled:?}"
        );
        let form = Form {
            title: "Absorb the burst!".into(),
            story: "A launch.".into(),
            hints: "Look at the limit.\n\n  Raise it.  ".into(),
            goals: vec![(Metric::ThrottledPct, 5.0, true)],
            open_account: true,
            seeds: "1, 2 3".into(),
            ..Form::default()
        };
        let e = build(&form, &doc).expect("an exercise");
        assert_eq!(e.id, "absorb-the-burst");
        assert_eq!(e.hints, vec!["Look at the limit.", "Raise it."]);
        assert_eq!(e.seeds, vec![1, 2, 3]);
        assert!(
            e.start().expect("start").talk.is_none(),
            "the script is not the exercise's"
        );
        assert!(e.allow.permits("account.lambda_concurrency"));
        assert!(!e.allow.permits("fn.memory_mb"));
        for (broken, why) in [
            (
                Form {
                    title: " ".into(),
                    ..form.clone()
                },
                "title",
            ),
            (
                Form {
                    goals: Vec::new(),
                    ..form.clone()
                },
                "goal",
            ),
            (
                Form {
                    seeds: "1, x".into(),
                    ..form.clone()
                },
                "seeds",
            ),
            (
                Form {
                    seeds: "".into(),
                    ..form.clone()
                },
                "seeds",
            ),
            (
                Form {
                    add: "teapot".into(),
                    ..form.clone()
                },
                "teapot",
            ),
        ] {
            let err = build(&broken, &doc).expect_err("refused");
            assert!(err.contains(why), "{why}: {err}");
        }
    }
}
