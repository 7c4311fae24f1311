//! Validation errors that say where and why.
//!
//! Why a path on every error: a scenario is edited by hand, by the editor and by links; an
//! error the user can act on names the field (`nodes[2].params.concurrency_limit`) and the
//! reason, and all problems are reported together rather than one per attempt.

use std::fmt;

/// One problem with a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// Field path such as `nodes[1].params.rate_per_s`; empty for the whole document.
    pub path: String,
    /// Why the value is rejected.
    pub reason: String,
}

impl ScenarioError {
    /// An error at `path` for `reason`.
    pub fn new(path: impl Into<String>, reason: impl Into<String>) -> Self {
        ScenarioError {
            path: path.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.reason)
        } else {
            write!(f, "{}: {}", self.path, self.reason)
        }
    }
}

/// Every problem found in one scenario (never empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl ScenarioErrors {
    /// A single error.
    pub fn one(e: ScenarioError) -> Self {
        ScenarioErrors(vec![e])
    }

    /// `Ok(())` when `errs` is empty, the errors otherwise.
    pub fn from_vec(errs: Vec<ScenarioError>) -> Result<(), ScenarioErrors> {
        if errs.is_empty() {
            Ok(())
        } else {
            Err(ScenarioErrors(errs))
        }
    }
}

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}
