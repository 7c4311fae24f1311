//! Every keyboard shortcut, once: the key handler looks keys up here and the `?` overlay
//! lists this table, so the two cannot disagree.
//!
//! Why a table of data: a shortcut added to the handler but not the overlay (or the
//! reverse) is a bug users meet. Entries that describe pointer gestures or the browser's
//! own keys (Tab) carry no command: they are listed, not handled.

/// What a shortcut does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// Clear the selection, leave a field, close the overlay (the handler decides which).
    Escape,
    /// Undo.
    Undo,
    /// Redo.
    Redo,
    /// Copy the selection.
    Copy,
    /// Cut the selection.
    Cut,
    /// Paste.
    Paste,
    /// Duplicate the selection.
    Duplicate,
    /// Select every node.
    SelectAll,
    /// Delete the selection.
    Delete,
    /// Move the selected nodes by grid steps (x, y); Shift makes a step five.
    Nudge(i8, i8),
    /// Play or pause the run.
    PlayPause,
    /// Advance the run one frame.
    Step,
    /// Show the shortcut overlay.
    Help,
    /// Fit the diagram in view.
    Fit,
    /// Zoom in.
    ZoomIn,
    /// Zoom out.
    ZoomOut,
}

/// A key as `KeyboardEvent.key` spells it, with or without Ctrl/⌘.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chord {
    /// Ctrl (or ⌘) held.
    pub ctrl: bool,
    /// Shift must be held (`Some(true)`), must not be (`Some(false)`), or either.
    pub shift: Option<bool>,
    /// The key.
    pub key: &'static str,
}

const fn key(key: &'static str) -> Chord {
    Chord {
        ctrl: false,
        shift: None,
        key,
    }
}

const fn ctrl(key: &'static str) -> Chord {
    Chord {
        ctrl: true,
        shift: Some(false),
        key,
    }
}

const fn ctrl_shift(key: &'static str) -> Chord {
    Chord {
        ctrl: true,
        shift: Some(true),
        key,
    }
}

/// Where a shortcut applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Anywhere but in a text field.
    Page,
    /// Only with focus on the canvas (arrow keys scroll other panels).
    Canvas,
}

/// One line of the overlay, and the keys that trigger it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shortcut {
    /// The keys as the overlay shows them.
    pub keys: &'static str,
    /// What happens.
    pub does: &'static str,
    /// The chords and the command, or nothing for a shortcut the browser or a pointer
    /// gesture provides.
    pub action: Option<(&'static [Chord], Command, Scope)>,
}

const fn shown(keys: &'static str, does: &'static str) -> Shortcut {
    Shortcut {
        keys,
        does,
        action: None,
    }
}

const fn bound(
    keys: &'static str,
    does: &'static str,
    chords: &'static [Chord],
    command: Command,
    scope: Scope,
) -> Shortcut {
    Shortcut {
        keys,
        does,
        action: Some((chords, command, scope)),
    }
}

use Command as C;
use Scope::{Canvas, Page};

/// Every shortcut, in the order the overlay lists them.
pub const SHORTCUTS: &[Shortcut] = &[
    shown(
        "Tab / Shift+Tab",
        "Move between palette items, nodes and panels",
    ),
    shown(
        "Enter (on a palette item)",
        "Add the service at the centre of the view",
    ),
    shown("Enter (on a node)", "Open its parameters in the inspector"),
    shown(
        "Double-click or F2 (on a node)",
        "Rename it in place (Enter keeps, Escape cancels)",
    ),
    bound(
        "Arrow keys",
        "Move the selected nodes one grid step (Shift: five)",
        &[key("ArrowLeft")],
        C::Nudge(-1, 0),
        Canvas,
    ),
    bound("", "", &[key("ArrowRight")], C::Nudge(1, 0), Canvas),
    bound("", "", &[key("ArrowUp")], C::Nudge(0, -1), Canvas),
    bound("", "", &[key("ArrowDown")], C::Nudge(0, 1), Canvas),
    shown(
        "Arrow keys (on a box or note)",
        "Move it with the nodes inside (Alt: resize it)",
    ),
    bound(
        "Delete / Backspace",
        "Remove the selected nodes and connections",
        &[key("Delete"), key("Backspace")],
        C::Delete,
        Page,
    ),
    bound("Ctrl/⌘ + Z", "Undo", &[ctrl("z"), ctrl("Z")], C::Undo, Page),
    bound(
        "Shift + Ctrl/⌘ + Z, Ctrl + Y",
        "Redo",
        &[ctrl_shift("z"), ctrl_shift("Z"), ctrl("y"), ctrl("Y")],
        C::Redo,
        Page,
    ),
    bound(
        "Ctrl/⌘ + C / X / V",
        "Copy, cut, paste",
        &[ctrl("c"), ctrl("C")],
        C::Copy,
        Page,
    ),
    bound("", "", &[ctrl("x"), ctrl("X")], C::Cut, Page),
    bound("", "", &[ctrl("v"), ctrl("V")], C::Paste, Page),
    bound(
        "Ctrl/⌘ + D",
        "Duplicate",
        &[ctrl("d"), ctrl("D")],
        C::Duplicate,
        Page,
    ),
    bound(
        "Ctrl/⌘ + A",
        "Select every node",
        &[ctrl("a"), ctrl("A")],
        C::SelectAll,
        Page,
    ),
    bound(
        "Escape",
        "Clear the selection, leave a field, close this overlay",
        &[key("Escape")],
        C::Escape,
        Page,
    ),
    bound(
        "K",
        "Play or pause the run",
        &[key("k"), key("K")],
        C::PlayPause,
        Page,
    ),
    bound(".", "Advance the run one frame", &[key(".")], C::Step, Page),
    shown("Shift + drag on the canvas", "Box-select"),
    shown("Drag the background, Space + drag", "Pan"),
    bound(
        "Wheel, pinch, + / −",
        "Zoom",
        &[key("+"), key("=")],
        C::ZoomIn,
        Page,
    ),
    bound("", "", &[key("-")], C::ZoomOut, Page),
    bound(
        "F",
        "Fit the selection in view (the whole diagram when nothing is selected)",
        &[key("f"), key("F")],
        C::Fit,
        Page,
    ),
    shown("Drag from a right-hand port", "Connect to another node"),
    shown("Connect to… (inspector)", "Connect without a pointer"),
    bound("?", "Show this overlay", &[key("?")], C::Help, Page),
];

/// What a key does in talk mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TalkCommand {
    /// The next beat.
    Next,
    /// The previous beat.
    Previous,
    /// Pause or resume the simulation's clock.
    Pause,
    /// Full screen on or off.
    Fullscreen,
    /// Leave talk mode.
    Exit,
}

/// Talk mode's keys: reveal.js's, so a presenter's fingers and clickers (which send
/// PageDown and PageUp) work unchanged. (keys as the overlay shows them, what they do,
/// `KeyboardEvent.key` values, command)
pub const TALK_KEYS: &[(&str, &str, &[&str], TalkCommand)] = &[
    (
        "→ ↓ Space PageDown N",
        "Next beat",
        &["ArrowRight", "ArrowDown", " ", "PageDown", "n", "N"],
        TalkCommand::Next,
    ),
    (
        "← ↑ PageUp P",
        "Previous beat",
        &["ArrowLeft", "ArrowUp", "PageUp", "p", "P"],
        TalkCommand::Previous,
    ),
    (
        "B or .",
        "Pause or resume the clock",
        &["b", "B", "."],
        TalkCommand::Pause,
    ),
    ("F", "Full screen", &["f", "F"], TalkCommand::Fullscreen),
    ("Escape", "Leave talk mode", &["Escape"], TalkCommand::Exit),
];

/// The talk-mode command for a key (none with Ctrl, ⌘ or Alt held: those are the
/// browser's).
pub fn talk_command_for(key: &str, modified: bool) -> Option<TalkCommand> {
    if modified {
        return None;
    }
    TALK_KEYS
        .iter()
        .find(|(_, _, keys, _)| keys.contains(&key))
        .map(|(_, _, _, c)| *c)
}

/// The command for a key press, if any: `on_canvas` says whether focus is on the canvas.
pub fn command_for(key: &str, ctrl: bool, shift: bool, on_canvas: bool) -> Option<Command> {
    SHORTCUTS.iter().find_map(|s| {
        let (chords, command, scope) = s.action?;
        let applies = scope == Page || on_canvas;
        let hit = chords
            .iter()
            .any(|c| c.key == key && c.ctrl == ctrl && c.shift.is_none_or(|want| want == shift));
        (applies && hit).then_some(command)
    })
}

/// The overlay's lines: shortcuts with a description (continuation rows of a group, such
/// as the other arrow keys, are listed under their first row).
pub fn overlay_lines() -> impl Iterator<Item = &'static Shortcut> {
    SHORTCUTS.iter().filter(|s| !s.keys.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chord_means_one_command() {
        let mut seen: Vec<(Chord, Command)> = Vec::new();
        for s in SHORTCUTS {
            let Some((chords, command, _)) = s.action else {
                continue;
            };
            for chord in chords {
                for (other, c) in &seen {
                    let overlap = other.key == chord.key
                        && other.ctrl == chord.ctrl
                        && (other.shift.is_none()
                            || chord.shift.is_none()
                            || other.shift == chord.shift);
                    assert!(
                        !overlap || *c == command,
                        "{chord:?} means both {c:?} and {command:?}"
                    );
                }
                seen.push((*chord, command));
            }
        }
    }

    #[test]
    fn talk_keys_follow_reveal_js_and_each_key_means_one_command() {
        for (key, want) in [
            ("ArrowRight", TalkCommand::Next),
            ("ArrowDown", TalkCommand::Next),
            (" ", TalkCommand::Next),
            ("PageDown", TalkCommand::Next),
            ("n", TalkCommand::Next),
            ("ArrowLeft", TalkCommand::Previous),
            ("ArrowUp", TalkCommand::Previous),
            ("PageUp", TalkCommand::Previous),
            ("P", TalkCommand::Previous),
            ("b", TalkCommand::Pause),
            (".", TalkCommand::Pause),
            ("F", TalkCommand::Fullscreen),
        ] {
            assert_eq!(talk_command_for(key, false), Some(want), "{key:?}");
        }
        assert_eq!(talk_command_for("n", true), None, "Ctrl+N is the browser's");
        let mut keys: Vec<&str> = TALK_KEYS
            .iter()
            .flat_map(|(_, _, k, _)| k.iter().copied())
            .collect();
        let n = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), n, "a key bound twice");
    }

    #[test]
    fn keys_find_their_commands() {
        assert_eq!(command_for("z", true, false, false), Some(Command::Undo));
        assert_eq!(command_for("Z", true, true, false), Some(Command::Redo));
        assert_eq!(command_for("y", true, false, false), Some(Command::Redo));
        assert_eq!(
            command_for("k", false, false, false),
            Some(Command::PlayPause)
        );
        assert_eq!(command_for("?", false, true, false), Some(Command::Help));
        assert_eq!(command_for("z", false, false, false), None, "no Ctrl");
        assert_eq!(
            command_for("ArrowLeft", false, false, false),
            None,
            "off canvas"
        );
        assert_eq!(
            command_for("ArrowLeft", false, true, true),
            Some(Command::Nudge(-1, 0))
        );
    }

    #[test]
    fn the_overlay_lists_every_bound_command_and_describes_every_line() {
        let listed: Vec<&Shortcut> = overlay_lines().collect();
        assert!(listed.iter().all(|s| !s.does.is_empty()));
        for s in SHORTCUTS {
            if let Some((_, command, _)) = s.action {
                // A continuation row belongs to the group listed just before it.
                let at = SHORTCUTS.iter().position(|x| x == s).expect("in table");
                let head = SHORTCUTS[..=at]
                    .iter()
                    .rev()
                    .find(|x| !x.keys.is_empty())
                    .expect("a listed row heads every group");
                assert!(listed.contains(&head), "{command:?} is not listed");
            }
        }
    }
}
