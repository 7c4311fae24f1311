//! What the CLI's test binaries share: running the built `surge`.

use std::process::Command;

/// Runs `surge` with `args`: (exit code, stdout, stderr).
pub(crate) fn surge(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_surge"))
        .args(args)
        .output()
        .expect("surge runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
