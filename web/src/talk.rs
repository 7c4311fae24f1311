//! Talk mode's session: which beat of the scenario's script is current, what the run
//! shows for it, and how to go back, as a pure state machine (natively tested).
//!
//! Why every transition is one [`Cue`]: whatever a beat does (play, pause, jump, a load,
//! a fault, a parameter, a variant), the player ends up showing one scenario at one
//! second, playing or paused. The component compares the cue with what the player has
//! and sends the fewest inputs; going back restores the cue that was current before the
//! beat, so previous and next are exact inverses.

use std::rc::Rc;

use surge_core::{Beat, BeatEffect, Scenario, Talk, TalkKpi};

/// What the player must show.
#[derive(Clone, Debug, PartialEq)]
pub struct Cue {
    /// The scenario (the script's own, or one a beat changed or switched to).
    pub scenario: Rc<Scenario>,
    /// The simulated second.
    pub at_s: f64,
    /// Whether the clock runs.
    pub play: bool,
}

/// A talk in progress.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    /// The script (from the scenario the talk started with).
    pub talk: Rc<Talk>,
    /// Beats done: `0` is the title card, `k` means beat `k - 1` is current.
    pub done: usize,
    /// The cue before each beat done (previous pops it).
    history: Vec<Cue>,
    /// The cue now.
    pub cue: Cue,
    /// Why the last beat could not do what it says (shown under the caption).
    pub refused: Option<String>,
}

impl Session {
    /// A talk over `scenario` (its script, or none), paused at 0.
    pub fn start(scenario: Rc<Scenario>) -> Session {
        let talk = Rc::new(scenario.talk.clone().unwrap_or_default());
        Session {
            talk,
            done: 0,
            history: Vec::new(),
            cue: Cue {
                scenario,
                at_s: 0.0,
                play: false,
            },
            refused: None,
        }
    }

    /// The current beat (none on the title card).
    pub fn beat(&self) -> Option<&Beat> {
        self.done
            .checked_sub(1)
            .and_then(|k| self.talk.beats.get(k))
    }

    /// The next beat, if any.
    pub fn upcoming(&self) -> Option<&Beat> {
        self.talk.beats.get(self.done)
    }

    /// The figures shown large.
    pub fn kpis(&self) -> Vec<TalkKpi> {
        if self.talk.kpis.is_empty() {
            TalkKpi::DEFAULT.to_vec()
        } else {
            self.talk.kpis.clone()
        }
    }

    /// Simulated seconds per second while the talk plays.
    pub fn speed(&self) -> f64 {
        self.talk.speed.unwrap_or(surge_core::DEFAULT_TALK_SPEED)
    }

    /// Whether the next beat comes by itself now: it has a second and the playing run
    /// reached it.
    pub fn due(&self, now_s: f64, playing: bool) -> bool {
        playing
            && self
                .upcoming()
                .and_then(|b| b.at_s)
                .is_some_and(|at| now_s + 1e-9 >= at)
    }

    /// Brings the next beat, the player being at `now_s` (playing or not); `variant`
    /// finds a lesson's other design by its id. Returns the new cue, or `None` at the
    /// end of the script.
    pub fn next(
        &mut self,
        now_s: f64,
        playing: bool,
        variant: &dyn Fn(&str) -> Option<Scenario>,
    ) -> Option<Cue> {
        let beat = self.upcoming()?.clone();
        let before = Cue {
            scenario: self.cue.scenario.clone(),
            at_s: now_s,
            play: playing,
        };
        // A beat with a second happens at that second: a presenter ahead of the run
        // jumps there first.
        let at_s = beat.at_s.map_or(now_s, |at| at.max(now_s));
        let here = Cue {
            at_s,
            ..before.clone()
        };
        self.refused = None;
        let cue = match beat.apply(&here.scenario.without_talk(), at_s) {
            Ok(BeatEffect::Caption) => here,
            Ok(BeatEffect::Play) => Cue { play: true, ..here },
            Ok(BeatEffect::Pause) => Cue {
                play: false,
                ..here
            },
            Ok(BeatEffect::Jump(t)) => Cue {
                at_s: t,
                play: false,
                ..here
            },
            Ok(BeatEffect::Changed(s)) => Cue {
                scenario: Rc::new(*s),
                ..here
            },
            Ok(BeatEffect::Variant(id)) => match variant(&id) {
                Some(s) => Cue {
                    scenario: Rc::new(s),
                    ..here
                },
                None => {
                    self.refused = Some(format!("the variant {id:?} is not available here"));
                    here
                }
            },
            Err(reason) => {
                self.refused = Some(reason);
                here
            }
        };
        self.history.push(before);
        self.done += 1;
        self.cue = cue.clone();
        Some(cue)
    }

    /// Goes back one beat: the scenario, second and clock from before it (paused, so the
    /// presenter can talk). `None` on the title card.
    pub fn previous(&mut self) -> Option<Cue> {
        let cue = self.history.pop()?;
        self.done -= 1;
        self.refused = None;
        self.cue = Cue { play: false, ..cue };
        Some(self.cue.clone())
    }
}

/// A lesson variant by its preset id, without a script of its own (the talk's goes on).
pub fn preset_variant(id: &str) -> Option<Scenario> {
    let preset = crate::presets::find(id)?;
    Scenario::parse_json(preset.json)
        .ok()
        .map(|s| s.without_talk())
}

#[cfg(test)]
mod tests {
    use super::*;
    use surge_core::BeatAction;

    fn scripted(beats: serde_json::Value) -> Rc<Scenario> {
        let mut s = Scenario::client_to_function(10.0, 50, 100.0, 120.0, 1);
        s.talk =
            Some(serde_json::from_value(serde_json::json!({ "beats": beats })).expect("reads"));
        s.validate().expect("valid");
        Rc::new(s)
    }

    fn none(_: &str) -> Option<Scenario> {
        None
    }

    #[test]
    fn beats_step_forward_and_back_exactly() {
        let s = scripted(serde_json::json!([
            {"caption": "go", "action": "play"},
            {"at_s": 30, "caption": "more load", "action": {"load": {"node": "client", "rate_per_s": 40}}},
            {"caption": "stop", "action": "pause"},
            {"caption": "look back", "action": {"jump": {"to_s": 10}}}
        ]));
        let mut t = Session::start(s.clone());
        assert!(t.beat().is_none());
        let c1 = t.next(0.0, false, &none).expect("beat 1");
        assert!(c1.play && c1.at_s == 0.0 && Rc::ptr_eq(&c1.scenario, &s));
        assert!(!t.due(12.0, true));
        assert!(t.due(30.0, true));
        assert!(!t.due(30.0, false), "a paused run waits");
        // Pressed early: the beat happens at its own second.
        let c2 = t.next(12.0, true, &none).expect("beat 2");
        assert_eq!(c2.at_s, 30.0);
        assert!(c2.play);
        assert_ne!(*c2.scenario, *s, "the load changed the scenario");
        let c3 = t.next(41.0, true, &none).expect("beat 3");
        assert!(!c3.play && c3.at_s == 41.0);
        assert_eq!(c3.scenario, c2.scenario);
        let c4 = t.next(41.0, false, &none).expect("beat 4");
        assert_eq!((c4.at_s, c4.play), (10.0, false));
        assert!(t.next(10.0, false, &none).is_none(), "end of the script");
        assert_eq!(t.done, 4);
        // Back: each beat's before, paused.
        let b = t.previous().expect("back to 3");
        assert_eq!((b.at_s, b.play), (41.0, false));
        let b = t.previous().expect("back to 2");
        assert_eq!(b.at_s, 41.0);
        let b = t.previous().expect("back to 1");
        assert_eq!(b.at_s, 12.0);
        assert!(
            Rc::ptr_eq(&b.scenario, &s),
            "before the load, the script's scenario"
        );
        t.previous().expect("back to the title");
        assert!(t.previous().is_none());
        assert_eq!(t.done, 0);
    }

    #[test]
    fn a_beat_sets_a_connection_and_going_back_restores_it() {
        let preset = crate::presets::find("lesson11-queue-buffer").expect("a lesson");
        let mut s = Scenario::parse_json(preset.json).expect("valid");
        s.talk = Some(
            serde_json::from_value(serde_json::json!({"beats": [
                {"caption": "twice the pace", "action": {"set": {"edge": {"from": "orders", "to": "worker"},
                    "param": "esm.maximum_concurrency", "value": 100}}}]}))
            .expect("reads"),
        );
        s.validate().expect("valid");
        let s = Rc::new(s);
        let cap = |s: &Scenario| {
            s.edges
                .iter()
                .find(|e| e.from == "orders" && e.to == "worker")
                .and_then(|e| e.esm.as_ref())
                .and_then(|m| m.maximum_concurrency)
        };
        let mut t = Session::start(s.clone());
        let c = t.next(150.0, true, &none).expect("the beat");
        assert!(t.refused.is_none(), "{:?}", t.refused);
        assert_eq!((cap(&c.scenario), c.at_s, c.play), (Some(100), 150.0, true));
        let back = t.previous().expect("back");
        assert_eq!(cap(&back.scenario), Some(50));
    }

    #[test]
    fn a_refused_beat_says_why_and_keeps_the_run() {
        let s = scripted(serde_json::json!([
            {"caption": "fix", "action": {"variant": {"preset": "no-such-preset"}}},
            {"caption": "real", "action": {"variant": {"preset": "lesson2-burst-limit4000-current"}}}
        ]));
        let mut t = Session::start(s.clone());
        let c = t.next(5.0, true, &preset_variant).expect("beat");
        assert!(Rc::ptr_eq(&c.scenario, &s));
        assert!(
            t.refused
                .as_deref()
                .is_some_and(|r| r.contains("no-such-preset"))
        );
        let c = t.next(5.0, true, &preset_variant).expect("beat");
        assert!(t.refused.is_none());
        assert!(c.scenario.talk.is_none() && c.scenario.node_index("fn").is_some());
        assert_eq!(
            t.beat().map(|b| &b.action),
            Some(&BeatAction::Variant {
                preset: "lesson2-burst-limit4000-current".into()
            })
        );
    }

    #[test]
    fn a_scenario_without_a_script_has_a_title_card_and_default_figures() {
        let s = Rc::new(Scenario::client_to_function(1.0, 5, 10.0, 10.0, 1));
        let mut t = Session::start(s);
        assert_eq!(t.kpis(), TalkKpi::DEFAULT.to_vec());
        assert_eq!(t.speed(), surge_core::DEFAULT_TALK_SPEED);
        assert!(t.next(0.0, false, &none).is_none());
    }

    #[test]
    fn every_lesson_tells_its_story_in_four_to_eight_beats_that_all_work() {
        for lesson in crate::lessons::LESSONS {
            let (before, _) = lesson.variants[0];
            let preset = crate::presets::find(before).expect("a preset");
            let doc = Scenario::from_json(preset.json).expect("valid");
            let talk = doc
                .talk
                .clone()
                .unwrap_or_else(|| panic!("{before} has no script"));
            let n = talk.beats.len();
            assert!((4..=8).contains(&n), "{before}: {n} beats");
            let mut t = Session::start(Rc::new(doc));
            let (mut now, mut playing) = (0.0, false);
            let mut changed = false;
            let mut played = false;
            while let Some(cue) = t.next(now, playing, &preset_variant) {
                let beat = t.beat().expect("current").clone();
                assert!(
                    t.refused.is_none(),
                    "{before}: {:?}: {:?}",
                    beat.caption,
                    t.refused
                );
                if let BeatAction::Variant { preset } = &beat.action {
                    assert!(
                        lesson.variants.iter().any(|(id, _)| id == preset),
                        "{before}: variant {preset} is not one of lesson {}'s",
                        lesson.number
                    );
                }
                changed |= !Rc::ptr_eq(&cue.scenario, &t.history[0].scenario);
                played |= cue.play;
                now = cue.at_s;
                playing = cue.play;
            }
            assert!(played, "{before}: the run never plays");
            assert!(
                changed || lesson.variants.len() == 1,
                "{before}: no beat switches to a fix"
            );
            assert_eq!(t.done, n);
        }
    }
}
