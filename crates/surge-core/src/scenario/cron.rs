//! EventBridge cron expressions: `cron(minutes hours day-of-month month day-of-week year)`.
//!
//! Why only minutes and hours: a simulated run lasts minutes to days, and its clock starts
//! at 00:00 of an unnamed day (the client's daily curve uses the same clock). So the
//! minute and hour fields take the full syntax (`*`, numbers, lists `a,b`, ranges `a-b`,
//! steps `a/n`, `*/n`, `a-b/n`), while the day, month, weekday and year fields must be `*`
//! or `?`: every simulated day is alike.

/// A parsed cron expression: which minutes of the hour and hours of the day fire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cron {
    minutes: [bool; 60],
    hours: [bool; 24],
}

/// One field's matches in `0..n`, or why it does not parse.
fn field(text: &str, n: u32, name: &str) -> Result<Vec<bool>, String> {
    let mut set = vec![false; n as usize];
    let number = |s: &str| -> Result<u32, String> {
        s.parse::<u32>()
            .ok()
            .filter(|&v| v < n)
            .ok_or_else(|| format!("{name} \"{s}\" is not a number in 0–{}", n - 1))
    };
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => {
                let step = s
                    .parse::<u32>()
                    .ok()
                    .filter(|&v| v > 0)
                    .ok_or_else(|| format!("{name} step \"{s}\" is not a positive number"))?;
                (r, step)
            }
            None => (part, 1),
        };
        let (from, to) = match range {
            "*" => (0, n - 1),
            r => match r.split_once('-') {
                Some((a, b)) => (number(a)?, number(b)?),
                // `a/n` runs from a to the end; a lone number is just itself.
                None if step > 1 => (number(r)?, n - 1),
                None => {
                    let v = number(r)?;
                    (v, v)
                }
            },
        };
        if from > to {
            return Err(format!("{name} range \"{range}\" runs backwards"));
        }
        for v in (from..=to).step_by(step as usize) {
            set[v as usize] = true;
        }
    }
    Ok(set)
}

impl Cron {
    /// Parses `cron(…)` (the wrapper is optional).
    pub fn parse(expression: &str) -> Result<Cron, String> {
        let inner = expression
            .trim()
            .strip_prefix("cron(")
            .and_then(|s| s.strip_suffix(')'))
            .unwrap_or(expression.trim());
        let fields: Vec<&str> = inner.split_whitespace().collect();
        if fields.len() != 6 {
            return Err(format!(
                "a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), found {}",
                fields.len()
            ));
        }
        for (text, name) in fields[2..]
            .iter()
            .zip(["day-of-month", "month", "day-of-week", "year"])
        {
            if *text != "*" && *text != "?" {
                return Err(format!(
                    "{name} must be * or ? here (every simulated day is alike), found \"{text}\""
                ));
            }
        }
        let mut minutes = [false; 60];
        minutes.copy_from_slice(&field(fields[0], 60, "minutes")?);
        let mut hours = [false; 24];
        hours.copy_from_slice(&field(fields[1], 24, "hours")?);
        Ok(Cron { minutes, hours })
    }

    /// The first whole minute at or after `minute` (counted from the run's 00:00) that fires.
    pub fn next_minute(&self, minute: u64) -> u64 {
        // Every valid expression fires at least once a day.
        (minute..minute + 24 * 60)
            .find(|m| self.hours[((m / 60) % 24) as usize] && self.minutes[(m % 60) as usize])
            .unwrap_or(minute)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fires(expression: &str, from: u64, count: usize) -> Vec<u64> {
        let c = Cron::parse(expression).expect("parses");
        let mut out = Vec::new();
        let mut m = from;
        for _ in 0..count {
            m = c.next_minute(m);
            out.push(m);
            m += 1;
        }
        out
    }

    #[test]
    fn minutes_hours_lists_ranges_and_steps() {
        assert_eq!(fires("cron(0/15 * * * ? *)", 0, 5), [0, 15, 30, 45, 60]);
        assert_eq!(fires("cron(*/20 * * * ? *)", 1, 3), [20, 40, 60]);
        assert_eq!(fires("cron(30 2 * * ? *)", 0, 2), [150, 150 + 1440]);
        assert_eq!(
            fires("cron(0 9-17/4 * * ? *)", 0, 4),
            [540, 780, 1020, 1980]
        );
        assert_eq!(fires("cron(5,10 0 ? * * *)", 6, 2), [10, 1445]);
        assert_eq!(fires("0 12 * * ? *", 0, 1), [720]);
    }

    #[test]
    fn explains_what_it_refuses() {
        let e = |s: &str| Cron::parse(s).unwrap_err();
        assert!(e("cron(0 12 * *)").contains("6 fields"));
        assert!(e("cron(60 * * * ? *)").contains("0–59"));
        assert!(e("cron(0 25 * * ? *)").contains("0–23"));
        assert!(e("cron(0/0 * * * ? *)").contains("step"));
        assert!(e("cron(0 8 1 * ? *)").contains("day-of-month"));
        assert!(e("cron(0 8 ? * MON-FRI *)").contains("day-of-week"));
        assert!(e("cron(30-10 * * * ? *)").contains("backwards"));
    }
}
