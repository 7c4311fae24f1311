//! Templates in, scenarios out: every template of `tests/templates/` imports, validates and
//! runs with a balanced ledger; a SAM export imports back to the same scenario; and, given
//! a directory of public templates (`SURGE_TEMPLATE_CORPUS`), the share that imports and
//! runs is printed (`cargo xtask import-corpus DIR`).

use std::path::{Path, PathBuf};

use surge_core::{Limits, Scenario, SimTime, Simulation};

fn templates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/templates")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            n.ends_with(".yaml") || n.ends_with(".yml") || n.ends_with(".template.json")
        }) {
            out.push(p);
        }
    }
}

fn import_file(path: &Path) -> Result<surge_import::Imported, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    surge_import::import(&text, &|uri| std::fs::read_to_string(dir.join(uri)).ok())
}

/// Runs 30 simulated seconds; the ledger must balance.
fn runs(s: &Scenario) -> Result<(), String> {
    let mut short = s.clone();
    short.duration_s = short.duration_s.min(30.0);
    let mut sim = Simulation::with_limits(&short, Limits::BROWSER).map_err(|e| e.to_string())?;
    sim.step_until(SimTime::from_secs_f64(short.duration_s));
    let report = sim.run();
    if !report.ledger.balances() {
        return Err(format!("ledger does not balance: {:?}", report.ledger));
    }
    Ok(())
}

#[test]
fn every_committed_template_imports_validates_and_runs() {
    let mut paths = Vec::new();
    files(&templates_dir(), &mut paths);
    assert!(paths.len() >= 30, "{} templates", paths.len());
    for p in &paths {
        let imported = import_file(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        runs(&imported.scenario).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        // Every resource is either a node or listed with its reason.
        let text = std::fs::read_to_string(p).expect("read");
        let template = surge_import::read_template(&text).expect("template");
        let resources = template["Resources"].as_object().expect("resources");
        for id in resources.keys() {
            let simulated = imported.scenario.node_index(id).is_some();
            let listed = imported.not_simulated.iter().any(|n| &n.logical_id == id);
            assert!(
                simulated || listed,
                "{}: {id} neither simulated nor listed",
                p.display()
            );
        }
    }
}

#[test]
fn a_sam_export_imports_back_to_the_same_scenario() {
    let mut paths = Vec::new();
    files(&templates_dir(), &mut paths);
    let scenarios =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios"))
            .expect("scenarios")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"));
    let mut checked = 0;
    let mut all: Vec<Scenario> = paths
        .iter()
        .map(|p| import_file(p).expect("import").scenario)
        .collect();
    all.extend(scenarios.map(|p| {
        Scenario::parse_json(&std::fs::read_to_string(&p).expect("read")).expect("golden")
    }));
    for s in all {
        let sam = surge_import::to_sam(&s);
        let text = serde_json::to_string_pretty(&sam).expect("json");
        let back = surge_import::import(&text, &|_| None)
            .unwrap_or_else(|e| panic!("{e}\n{text}"))
            .scenario;
        let (a, b) = (s.to_json(), back.to_json());
        if a != b {
            let first = a
                .lines()
                .zip(b.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            let around = |t: &str| {
                t.lines()
                    .skip(first.saturating_sub(8))
                    .take(14)
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            panic!(
                "round trip differs at line {first}:\n--- scenario\n{}\n--- after export and import\n{}",
                around(&a),
                around(&b)
            );
        }
        checked += 1;
    }
    assert!(checked >= 40, "{checked}");
}

/// `SURGE_TEMPLATE_CORPUS=DIR`: imports every `template.yaml` below DIR and prints the
/// shares; without it, nothing to do.
#[test]
#[ignore = "needs a template corpus: cargo xtask import-corpus DIR"]
fn an_external_corpus_imports_and_runs() {
    let Ok(dir) = std::env::var("SURGE_TEMPLATE_CORPUS") else {
        return;
    };
    let mut paths = Vec::new();
    files(Path::new(&dir), &mut paths);
    paths.retain(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("template."))
    });
    let (mut ran, mut nothing, mut failed) = (0usize, 0usize, Vec::new());
    for p in &paths {
        match import_file(p).and_then(|i| runs(&i.scenario)) {
            Ok(()) => ran += 1,
            Err(e)
                if e.contains("nothing in the template is simulated")
                    || e.contains("no `Resources`") =>
            {
                nothing += 1;
            }
            Err(e) => failed.push(format!("{}: {e}", p.display())),
        }
    }
    let modelled = paths.len() - nothing;
    for f in &failed {
        eprintln!("refused: {f}");
    }
    eprintln!(
        "templates: {}; with no resource Surge models: {nothing}; of the other {modelled}: {ran} imported and ran ({:.1} %), {} refused with a reason",
        paths.len(),
        100.0 * ran as f64 / modelled.max(1) as f64,
        failed.len()
    );
}

#[test]
fn a_property_edited_in_an_exported_template_takes_effect() {
    let imported = import_file(&templates_dir().join("03-sqs-lambda.yaml")).expect("import");
    let mut sam = surge_import::to_sam(&imported.scenario);
    sam["Resources"]["Worker"]["Properties"]["MemorySize"] = serde_json::json!(777);
    sam["Resources"]["JobsQueue"]["Properties"]["VisibilityTimeout"] = serde_json::json!(45);
    let back = surge_import::import(&sam.to_string(), &|_| None).expect("import");
    let v: serde_json::Value = serde_json::from_str(&back.scenario.to_json()).expect("json");
    let node = |id: &str| {
        v["nodes"]
            .as_array()
            .and_then(|ns| ns.iter().find(|n| n["id"] == id))
            .cloned()
            .expect("node")
    };
    assert_eq!(node("Worker")["params"]["memory_mb"], 777);
    assert_eq!(node("JobsQueue")["params"]["visibility_timeout_s"], 45.0);
}
