//! Tidy checks that keep the codebase honest, run by `cargo test`.
//!
//! Why tests: a rule that is only written down drifts; a rule that fails the build stays.

use std::path::{Path, PathBuf};

use crate::proc::project_root;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if name != "target" && name != "node_modules" && !name.starts_with('.') {
                rust_files(&path, out);
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

fn all_rust_files() -> Vec<PathBuf> {
    let root = project_root();
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    rust_files(&root.join("web"), &mut files);
    files.sort();
    files
}

#[test]
fn every_rust_file_starts_with_a_module_doc() {
    let missing: Vec<_> = all_rust_files()
        .into_iter()
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .collect();
    assert!(
        missing.is_empty(),
        "files without a //! doc saying why they exist: {missing:#?}"
    );
}

#[test]
fn no_should_panic_or_trailing_whitespace() {
    let should_panic = concat!("#[should", "_panic");
    for path in all_rust_files() {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            !text.contains(should_panic),
            "{}: assert on Err instead",
            path.display()
        );
        for (i, line) in text.lines().enumerate() {
            assert_eq!(
                line,
                line.trim_end(),
                "{}:{}: trailing whitespace",
                path.display(),
                i + 1
            );
        }
    }
}

#[test]
fn architecture_md_names_every_crate_and_folder() {
    let root = project_root();
    let arch = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut names = vec!["web/".to_owned(), "tests/".to_owned()];
    for entry in std::fs::read_dir(root.join("crates"))
        .expect("crates/")
        .filter_map(Result::ok)
    {
        names.push(format!("crates/{}", entry.file_name().to_string_lossy()));
    }
    for name in names {
        assert!(
            arch.contains(&name),
            "ARCHITECTURE.md does not mention {name}"
        );
    }
}

#[test]
fn core_manifest_lists_no_browser_crate() {
    let manifest = std::fs::read_to_string(project_root().join("crates/surge-core/Cargo.toml"))
        .expect("core manifest");
    for name in crate::fence::FORBIDDEN {
        let declared = manifest.lines().any(|l| l.trim_start().starts_with(name));
        assert!(!declared, "crates/surge-core/Cargo.toml declares {name}");
    }
}

#[test]
fn trunk_pins_match_the_installer() {
    let trunk = std::fs::read_to_string(project_root().join("Trunk.toml")).expect("Trunk.toml");
    let lock_version = crate::setup::locked_wasm_bindgen_version(&project_root())
        .expect("wasm-bindgen in Cargo.lock");
    assert!(
        trunk.contains(&format!("wasm_bindgen = \"{lock_version}\"")),
        "Trunk.toml pin"
    );
    let opt = format!("wasm_opt = \"version_{}\"", crate::setup::BINARYEN_VERSION);
    assert!(trunk.contains(&opt), "Trunk.toml must pin {opt}");
    let manifest = std::fs::read_to_string(project_root().join("Cargo.toml")).expect("Cargo.toml");
    assert!(
        manifest.contains(&format!("wasm-bindgen = \"={lock_version}\"")),
        "pin with ="
    );
}

#[test]
fn the_wasm_determinism_test_checks_every_golden_scenario() {
    let root = crate::proc::project_root();
    let test = std::fs::read_to_string(root.join("web/tests/determinism.rs")).expect("read");
    let mut goldens: Vec<String> = std::fs::read_dir(root.join("tests/scenarios"))
        .expect("tests/scenarios")
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".json").map(str::to_owned)
        })
        .collect();
    goldens.sort();
    for name in &goldens {
        assert!(
            test.contains(&format!("tests/scenarios/{name}.json")),
            "web/tests/determinism.rs does not check {name}"
        );
    }
}
