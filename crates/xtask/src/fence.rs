//! The dependency fence: the core crate must not depend on any browser crate.
//!
//! Why a check and not a convention: one innocent `web-sys` import in the core would tie
//! the engine to the browser and break native runs, benchmarks and determinism tests.
//! `cargo tree` lists the core's normal dependencies for every target; any forbidden
//! crate among them fails the test command.

use std::process::Command;

use crate::proc::output;

/// Crates the core may never depend on, directly or transitively.
pub(crate) const FORBIDDEN: [&str; 6] = [
    "web-sys",
    "js-sys",
    "wasm-bindgen",
    "gloo",
    "yew",
    "plotters-canvas",
];

/// The package the fence protects.
pub(crate) const CORE: &str = "surge-core";

/// Fails if the core's dependency tree contains a forbidden crate.
pub(crate) fn check() -> Result<(), String> {
    let tree = output(Command::new("cargo").args([
        "tree", "-p", CORE, "-e", "normal", "--target", "all", "--prefix", "none", "--format",
        "{p}",
    ]))
    .ok_or("cargo tree failed")?;
    let offenders = offenders(&tree);
    let count = tree.lines().filter(|l| !l.trim().is_empty()).count();
    if offenders.is_empty() {
        println!("    {CORE}: {count} dependency lines, none of {FORBIDDEN:?}");
        Ok(())
    } else {
        Err(format!(
            "{CORE} depends on browser crates: {}",
            offenders.join(", ")
        ))
    }
}

/// The forbidden crates named in `cargo tree --format {p}` output.
pub(crate) fn offenders(tree: &str) -> Vec<String> {
    let mut found: Vec<String> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| {
            FORBIDDEN.iter().any(|f| {
                *name == *f
                    || ((*f == "gloo" || *f == "yew" || *f == "wasm-bindgen")
                        && name.starts_with(&format!("{f}-")))
            })
        })
        .map(str::to_owned)
        .collect();
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_browser_crates_in_a_tree() {
        let tree = "surge-core v0.0.0\nserde v1.0.0\nweb-sys v0.3.1\njs-sys v0.3.1\n\
                    wasm-bindgen-shared v0.2.1\ngloo-utils v0.2.0\nlibm v0.2.16\n";
        assert_eq!(
            offenders(tree),
            ["gloo-utils", "js-sys", "wasm-bindgen-shared", "web-sys"]
        );
        assert!(offenders("surge-core v0.0.0\nserde v1\nrand_pcg v0.10\n").is_empty());
    }

    #[test]
    fn the_real_core_is_clean() {
        check().expect("the core crate has no browser dependencies");
    }
}
