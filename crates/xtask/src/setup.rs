//! Installs whatever the build and the tests need, skipping what is already present.
//!
//! Why here: a fresh machine has only the Rust toolchain and Node. Every tool is pinned
//! (trunk 0.21.14; wasm-bindgen-cli equal to the `wasm-bindgen` crate in Cargo.lock;
//! wasm-opt 132 from npm `binaryen`, since Debian's is too old) and installed into
//! `$CARGO_HOME`, so a clean clone on the same machine reuses them. Each install prints
//! what it does and how long it took; the slow ones (cargo installs) stream cargo's own
//! progress.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::proc::{human, output, run, timed};

/// Trunk version that builds with this toolchain (0.22 needs a newer rustc).
pub(crate) const TRUNK_VERSION: &str = "0.21.14";
/// wasm-opt from the npm package `binaryen`; must match `wasm_opt` in Trunk.toml.
pub(crate) const BINARYEN_VERSION: &str = "132";
/// Debian's Chromium and its WebDriver.
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's ChromeDriver.
pub(crate) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Which groups of tools a command needs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Needs {
    browser: bool,
}

impl Needs {
    /// Building the web bundle: wasm target, trunk, wasm-bindgen-cli, wasm-opt.
    pub(crate) const BUILD: Needs = Needs { browser: false };
    /// Everything, including Chromium and the e2e npm packages.
    pub(crate) const ALL: Needs = Needs { browser: true };
}

/// Where the tools are, for child processes.
#[derive(Debug)]
pub(crate) struct Tools {
    path: OsString,
}

impl Tools {
    /// `cargo test -p surge-web --target wasm32-unknown-unknown <extra>` in headless
    /// Chromium. Runs from web/ so wasm-bindgen-test-runner picks up web/webdriver.json
    /// (headless, no sandbox as root, no background networking on this closed network).
    /// The runner gives chromedriver 5 s to bind its port by default; a cold start on a
    /// busy 2-core machine took longer (a CI run failed with "driver failed to bind port
    /// during startup" while a rerun passed), so it gets a minute.
    pub(crate) fn browser_test(&self, extra: &[&str]) -> Command {
        let mut cmd = self.command("cargo");
        cmd.args([
            "test",
            "-p",
            "surge-web",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .args(extra)
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("WASM_BINDGEN_TEST_DRIVER_TIMEOUT", "60")
        .current_dir("web");
        cmd
    }

    /// A command for `program` with the tools' directories first on PATH.
    pub(crate) fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("PATH", &self.path);
        cmd
    }
}

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| "/root".into())).join(".cargo")
        })
}

fn binaryen_dir() -> PathBuf {
    cargo_home()
        .join("surge-tools")
        .join(format!("binaryen-{BINARYEN_VERSION}"))
}

/// Checks each tool and installs the missing ones; returns the PATH to use.
pub(crate) fn ensure(needs: Needs) -> Result<Tools, String> {
    let cargo_bin = cargo_home().join("bin");
    let binaryen_bin = binaryen_dir().join("node_modules").join(".bin");
    let mut dirs = vec![cargo_bin, binaryen_bin];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    let path = std::env::join_paths(dirs).map_err(|e| format!("bad PATH: {e}"))?;
    let tools = Tools { path };

    println!("==> checking tools (installs what is missing; skips what is present)");
    let mut steps: Vec<(&str, Step)> = vec![
        ("wasm32-unknown-unknown target", wasm_target),
        ("trunk", trunk),
        ("wasm-bindgen-cli", wasm_bindgen),
        ("wasm-opt (npm binaryen)", wasm_opt),
    ];
    if needs.browser {
        steps.push(("chromium + chromedriver", chromium));
        steps.push(("e2e npm packages", e2e_packages));
    }
    for (name, step) in steps {
        let (status, took) = timed(|| step(&tools));
        match status? {
            Status::Present(what) => println!("    ok   {name}: {what}"),
            Status::Installed(what) => {
                println!("    done {name}: installed {what} in {}", human(took));
            }
        }
    }
    Ok(tools)
}

type Step = fn(&Tools) -> Result<Status, String>;

enum Status {
    Present(String),
    Installed(String),
}

fn announce(what: &str, how: &str, expect: &str) {
    println!("    ---- installing {what}: {how} (expect {expect}); progress follows");
}

fn wasm_target(_: &Tools) -> Result<Status, String> {
    let installed =
        output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(Status::Present("installed".into()));
    }
    announce(
        "wasm32-unknown-unknown",
        "rustup target add",
        "under a minute",
    );
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    Ok(Status::Installed("wasm32-unknown-unknown".into()))
}

fn version_of(tools: &Tools, program: &str, flag: &str) -> Option<String> {
    output(tools.command(program).arg(flag)).map(|s| s.trim().to_owned())
}

fn trunk(tools: &Tools) -> Result<Status, String> {
    let want = format!("trunk {TRUNK_VERSION}");
    if let Some(v) = version_of(tools, "trunk", "--version").filter(|v| *v == want) {
        return Ok(Status::Present(v));
    }
    announce(
        &want,
        "cargo install --locked",
        "about 10 minutes on 2 cores",
    );
    run(Command::new("cargo").args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]))?;
    Ok(Status::Installed(want))
}

/// The exact `wasm-bindgen` version in Cargo.lock.
pub(crate) fn locked_wasm_bindgen_version(root: &Path) -> Result<String, String> {
    let lock =
        std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
            {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen package".into())
}

fn wasm_bindgen(tools: &Tools) -> Result<Status, String> {
    let version = locked_wasm_bindgen_version(&crate::proc::project_root())?;
    let want = format!("wasm-bindgen {version}");
    let cli = version_of(tools, "wasm-bindgen", "--version");
    let runner = version_of(tools, "wasm-bindgen-test-runner", "--version");
    if cli.as_deref() == Some(want.as_str()) && runner.is_some_and(|r| r.ends_with(&version)) {
        return Ok(Status::Present(want));
    }
    announce(
        &format!("wasm-bindgen-cli {version}"),
        "cargo install (not --locked: a locked dependency is missing from the registry)",
        "3-5 minutes on 2 cores",
    );
    run(Command::new("cargo").args(["install", "wasm-bindgen-cli", "--version", &version]))?;
    Ok(Status::Installed(format!("wasm-bindgen-cli {version}")))
}

fn wasm_opt(tools: &Tools) -> Result<Status, String> {
    let want = format!("version {BINARYEN_VERSION}");
    let found = version_of(tools, "wasm-opt", "--version");
    if let Some(v) = found.filter(|v| v.contains(&want)) {
        return Ok(Status::Present(v));
    }
    let dir = binaryen_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    announce(
        &format!("binaryen@{BINARYEN_VERSION}"),
        "npm install",
        "under a minute",
    );
    run(Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--prefix"])
        .arg(&dir)
        .arg(format!("binaryen@{BINARYEN_VERSION}")))?;
    match version_of(tools, "wasm-opt", "--version") {
        Some(v) if v.contains(&want) => Ok(Status::Installed(v)),
        other => Err(format!(
            "wasm-opt on PATH reports {other:?} after install, wanted {want}"
        )),
    }
}

fn chromium(_: &Tools) -> Result<Status, String> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        let v = output(Command::new(CHROMIUM).arg("--version")).unwrap_or_default();
        return Ok(Status::Present(v.trim().to_owned()));
    }
    announce(
        "chromium chromium-driver",
        "apt-get (Debian packages)",
        "1-3 minutes",
    );
    let as_root = output(Command::new("id").arg("-u")).is_some_and(|u| u.trim() == "0");
    let apt = |args: &[&str]| {
        let mut cmd = if as_root {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("-n").arg("apt-get");
            c
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut cmd)
    };
    apt(&["update"])?;
    apt(&[
        "install",
        "-y",
        "--no-install-recommends",
        "chromium",
        "chromium-driver",
    ])?;
    Ok(Status::Installed("chromium + chromium-driver".into()))
}

fn e2e_packages(tools: &Tools) -> Result<Status, String> {
    let dir = Path::new("tests/e2e");
    let lock = std::fs::read_to_string(dir.join("package-lock.json"))
        .map_err(|e| format!("tests/e2e/package-lock.json: {e}"))?;
    let installed =
        std::fs::read_to_string(dir.join("node_modules/.package-lock.json")).unwrap_or_default();
    // npm writes the resolved tree to node_modules/.package-lock.json; if its packages
    // match the committed lock file, nothing needs installing.
    if !installed.is_empty() && packages_section(&installed) == packages_section(&lock) {
        return Ok(Status::Present("node_modules up to date".into()));
    }
    announce("e2e packages", "npm ci in tests/e2e", "under a minute");
    run(tools
        .command("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir))?;
    Ok(Status::Installed("tests/e2e/node_modules".into()))
}

/// The `"node_modules/…"` entries of a lock file, ignoring the root package entry.
fn packages_section(lock: &str) -> Vec<&str> {
    lock.lines()
        .map(str::trim)
        .skip_while(|l| !l.starts_with("\"node_modules/"))
        .collect()
}
