//! Each parameter's allowed range, declared once: validation checks it, and the JSON
//! Schema carries it (`minimum`, `maximum`, `exclusiveMinimum`) for the editor.
//!
//! Why one table: ranges used to live three times (in validation, in doc prose that the
//! inspector parsed, and in `docs/scenario.md`), and they drifted ("Default 3000. Range
//! 500–1,000"). A `bounds!` table beside each parameter type is now the only place a
//! simple range is written; rules that depend on other fields (a timeout's maximum that
//! depends on the API flavour) stay in `validate.rs`.

use schemars::Schema;
use serde_json::Value;

/// How a value must lie.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Rule {
    /// A whole number in `lo..=hi`.
    Count(f64, f64),
    /// A number in `lo..=hi` (so NaN is refused).
    Range(f64, f64),
    /// A number above 0 and at most `hi`.
    Positive(f64),
}

/// The bound of one field of `T`.
#[derive(Debug)]
pub(crate) struct FieldBound<T> {
    /// The JSON property name.
    pub(crate) field: &'static str,
    /// Its value, if set.
    pub(crate) get: fn(&T) -> Option<f64>,
    /// The rule.
    pub(crate) rule: Rule,
    /// Unit and note after the bound in messages (" s", " KB (400 KB item limit)").
    pub(crate) unit: &'static str,
}

/// A parameter type with bounded fields.
pub(crate) trait Bounded: Sized + 'static {
    /// Its bounds.
    const BOUNDS: &'static [FieldBound<Self>];
}

/// A field's value as a number for its bound.
pub(crate) trait AsBound {
    fn as_bound(&self) -> Option<f64>;
}

impl AsBound for u32 {
    fn as_bound(&self) -> Option<f64> {
        Some(f64::from(*self))
    }
}

impl AsBound for f64 {
    fn as_bound(&self) -> Option<f64> {
        Some(*self)
    }
}

impl<T: AsBound> AsBound for Option<T> {
    fn as_bound(&self) -> Option<f64> {
        self.as_ref().and_then(AsBound::as_bound)
    }
}

/// Declares the bounds of a parameter type:
/// `bounds!(LambdaParams { memory_mb: Count(128.0, 10_240.0); timeout_s: Positive(900.0), " s"; })`.
macro_rules! bounds {
    ($ty:ty { $($field:ident : $rule:ident ($($arg:expr),*) $(, $unit:literal)?;)* }) => {
        impl $crate::scenario::bounds::Bounded for $ty {
            const BOUNDS: &'static [$crate::scenario::bounds::FieldBound<Self>] = &[$(
                $crate::scenario::bounds::FieldBound {
                    field: stringify!($field),
                    get: |p: &$ty| $crate::scenario::bounds::AsBound::as_bound(&p.$field),
                    rule: $crate::scenario::bounds::Rule::$rule($($arg),*),
                    unit: $crate::scenario::bounds::bounds!(@unit $($unit)?),
                },
            )*];
        }
    };
    (@unit $unit:literal) => { $unit };
    (@unit) => { "" };
}
pub(crate) use bounds;

/// Why `v` breaks `rule`, if it does.
pub(crate) fn broken(rule: Rule, v: f64, unit: &str) -> Option<String> {
    match rule {
        Rule::Count(lo, hi) => {
            (!(v >= lo && v <= hi)).then(|| format!("{v} is outside {lo}..={hi}"))
        }
        Rule::Range(lo, hi) => {
            (!(v >= lo && v <= hi)).then(|| format!("{v} is outside {lo}..={hi}{unit}"))
        }
        Rule::Positive(hi) => {
            (!(v > 0.0 && v <= hi)).then(|| format!("{v} must be above 0 and at most {hi}{unit}"))
        }
    }
}

/// Every bound `value` breaks: (field path under `prefix`, reason).
pub(crate) fn check<T: Bounded>(prefix: &str, value: &T) -> Vec<(String, String)> {
    T::BOUNDS
        .iter()
        .filter_map(|b| {
            let v = (b.get)(value)?;
            broken(b.rule, v, b.unit).map(|why| (format!("{prefix}.{}", b.field), why))
        })
        .collect()
}

/// A schemars transform: writes `T`'s bounds into the properties of its schema.
pub(crate) fn schema_bounds<T: Bounded>(schema: &mut Schema) {
    let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    for b in T::BOUNDS {
        let Some(prop) = props.get_mut(b.field).and_then(Value::as_object_mut) else {
            continue;
        };
        let (lo, hi) = match b.rule {
            Rule::Count(lo, hi) | Rule::Range(lo, hi) => {
                prop.remove("exclusiveMinimum");
                (Some(lo), hi)
            }
            Rule::Positive(hi) => {
                prop.remove("minimum");
                prop.insert("exclusiveMinimum".into(), Value::from(0));
                (None, hi)
            }
        };
        if let Some(lo) = lo {
            prop.insert("minimum".into(), number(lo));
        }
        prop.insert("maximum".into(), number(hi));
    }
}

fn number(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9e15 {
        Value::from(v as i64)
    } else {
        Value::from(v)
    }
}
