//! Every workshop exercise of `tests/exercises/`: its reference solution passes on every
//! grading seed with the result code committed in `tests/exercises/codes.txt` (the wasm
//! build checks the same codes), its starting design fails, and the code tells solutions
//! apart while ignoring what does not change a design (positions, names, a script).

use std::path::PathBuf;

use proptest::prelude::*;
use surge_core::Scenario;
use surge_core::exercise::{Exercise, Metric, Status, result_code};

fn exercises_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/exercises")
}

fn exercise_ids() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(exercises_dir())
        .expect("tests/exercises")
        .filter_map(|e| {
            let e = e.ok()?;
            e.path()
                .is_dir()
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .collect();
    ids.sort();
    ids
}

fn load(id: &str) -> (Exercise, Scenario) {
    let dir = exercises_dir().join(id);
    let text = std::fs::read_to_string(dir.join("exercise.json")).expect("exercise.json");
    let exercise = Exercise::from_json(&text).unwrap_or_else(|e| panic!("{id}: {e}"));
    assert_eq!(exercise.id, id, "an exercise's id is its folder's name");
    let solution = std::fs::read_to_string(dir.join("solution.json")).expect("solution.json");
    let solution = Scenario::from_json(&solution).unwrap_or_else(|e| panic!("{id}: {e}"));
    (exercise, solution)
}

#[test]
fn every_reference_solution_passes_with_its_committed_code_and_every_start_fails() {
    let ids = exercise_ids();
    assert!(ids.len() >= 8, "at least eight exercises: {ids:?}");
    let committed = std::fs::read_to_string(exercises_dir().join("codes.txt")).unwrap_or_default();
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    let mut difficulties = Vec::new();
    for id in &ids {
        let (exercise, solution) = load(id);
        assert!(
            exercise.seeds.len() >= 3,
            "{id}: graded on at least three seeds"
        );
        assert!(
            !exercise.story.is_empty() && exercise.hints.len() >= 2,
            "{id}"
        );
        difficulties.push(exercise.difficulty);
        let start = exercise.grade(&exercise.start().expect("a valid start"));
        if start.status != Status::Fail {
            problems.push(format!("{id}: the start does not fail: {start:?}"));
        }
        assert!(start.locked.is_empty(), "{id}: the start changes nothing");
        // A missed goal whose figure has a moment links to it, within the run.
        let duration = exercise.start().expect("start").duration_s;
        for (g, r) in exercise.goals.iter().zip(&start.goals) {
            let has_moment = matches!(
                g.metric,
                Metric::Errors
                    | Metric::ThrottledPct
                    | Metric::ConnectionErrors
                    | Metric::OldestAgeS
            );
            if has_moment && !r.met && r.measured > 0.0 {
                let at = r
                    .at_s
                    .unwrap_or_else(|| panic!("{id}: {} has no moment", r.name));
                assert!((0.0..=duration).contains(&at), "{id}: {} at {at}", r.name);
            }
        }
        let grade = exercise.grade(&solution);
        match (&grade.status, &grade.code) {
            (Status::Pass, Some(code)) => {
                assert!(exercise.verify(&solution, code), "{id}");
                lines.push(format!("{id} {code}"));
            }
            _ => problems.push(format!(
                "{id}: the reference solution does not pass: {grade:?}"
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        difficulties.contains(&1) && difficulties.contains(&3),
        "easy to hard: {difficulties:?}"
    );
    let expected = lines.join("\n") + "\n";
    assert_eq!(
        committed, expected,
        "result codes changed (a model version bump changes every code); if intended, write this to tests/exercises/codes.txt:\n{expected}"
    );
}

#[test]
fn the_code_ignores_layout_and_script_but_not_the_design() {
    let (exercise, solution) = load("stop-the-connection-storm");
    let code = exercise.grade(&solution).code.expect("a pass");
    let mut moved = solution.clone();
    for n in &mut moved.nodes {
        n.position.x += 100.0;
        n.name = format!("renamed {}", n.id);
    }
    moved.seed += 7;
    assert_eq!(exercise.grade(&moved).code.as_deref(), Some(code.as_str()));
    assert!(exercise.verify(&moved, &code));
    assert!(!exercise.verify(
        &solution,
        &code.replace('-', "").replacen(&code[..1], "Z", 1)
    ));
}

/// The connection-storm exercise, its solution and its graded figures (graded once).
fn graded() -> &'static (Exercise, Scenario, Vec<surge_core::exercise::GoalResult>) {
    static GRADED: std::sync::OnceLock<(
        Exercise,
        Scenario,
        Vec<surge_core::exercise::GoalResult>,
    )> = std::sync::OnceLock::new();
    GRADED.get_or_init(|| {
        let (exercise, solution) = load("stop-the-connection-storm");
        let goals = exercise.grade(&solution).goals;
        (exercise, solution, goals)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Different designs with the same figures still get different codes, and the same
    /// design with other figures too.
    #[test]
    fn different_solutions_or_figures_give_different_codes(
        a in 1u32..100, b in 1u32..100, x in 0.0f64..1e6, y in 0.0f64..1e6,
    ) {
        let (_, solution, goals) = graded();
        let with = |memory: u32| {
            let mut s = solution.clone();
            for n in &mut s.nodes {
                if let surge_core::NodeKind::Lambda(l) = &mut n.kind {
                    l.memory_mb = 128 + memory * 10;
                }
            }
            s
        };
        let figures = |v: f64| {
            let mut g = goals.to_vec();
            g[0].measured = v;
            g
        };
        let (ca, cb) = (result_code("e", &with(a), goals), result_code("e", &with(b), goals));
        prop_assert_eq!(a == b, ca == cb);
        let (fx, fy) = (result_code("e", solution, &figures(x)), result_code("e", solution, &figures(y)));
        prop_assert_eq!(format!("{x:.6}") == format!("{y:.6}"), fx == fy);
        prop_assert_ne!(result_code("e", solution, goals), result_code("f", solution, goals));
    }
}
