//! Embed mode (`?embed&…`): Surge inside another page's iframe, a docs page or a slide.
//!
//! Why its own options: an embed shows a scenario rather than a workspace (the canvas,
//! the charts or both), with as many controls as its host wants, and it must never touch
//! the visitor's storage. These options are read once from the query string; the page
//! then lays itself out and behaves accordingly. The host page can drive it through the
//! message API of [`api`]. With `load=click` (the default) the iframe points at
//! `embed.html`, a static placeholder that loads nothing of Surge until it is clicked.

pub mod api;

/// An option with a few named values: how the query string spells each and how the
/// Embed panel words it, kept side by side so the reader, the writer and the panel agree.
pub trait Choice: Copy + PartialEq + Default + 'static {
    /// Each value, its spelling in the query and its wording in the Embed panel.
    const VALUES: &'static [(Self, &'static str, &'static str)];

    /// The value spelled `word`; the default for anything else (an old or mistyped
    /// snippet still opens).
    fn from_word(word: &str) -> Self {
        Self::VALUES
            .iter()
            .find(|v| v.1 == word)
            .map_or_else(Self::default, |v| v.0)
    }

    /// How the query spells this value.
    fn word(self) -> &'static str {
        Self::VALUES
            .iter()
            .find(|v| v.0 == self)
            .map_or("", |v| v.1)
    }
}

/// What the embed shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Show {
    /// The diagram.
    Canvas,
    /// The charts of the run.
    Charts,
    /// Both, side by side.
    #[default]
    Both,
}

impl Choice for Show {
    const VALUES: &'static [(Self, &'static str, &'static str)] = &[
        (Show::Both, "both", "diagram and charts"),
        (Show::Canvas, "canvas", "diagram"),
        (Show::Charts, "charts", "charts"),
    ];
}

/// How many controls it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Controls {
    /// None: the host drives it (or autoplay does).
    None,
    /// Play/pause, the clock and the scrubber.
    #[default]
    Minimal,
    /// The whole player bar.
    Full,
}

impl Choice for Controls {
    const VALUES: &'static [(Self, &'static str, &'static str)] = &[
        (Controls::Minimal, "minimal", "minimal"),
        (Controls::Full, "full", "full"),
        (Controls::None, "none", "none"),
    ];
}

/// When Surge itself loads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Loading {
    /// On a click on the placeholder (nothing of Surge is fetched before).
    #[default]
    Click,
    /// When the iframe scrolls into view.
    Lazy,
    /// At once.
    Eager,
}

impl Choice for Loading {
    const VALUES: &'static [(Self, &'static str, &'static str)] = &[
        (Loading::Click, "click", "on click"),
        (Loading::Lazy, "lazy", "when scrolled into view"),
        (Loading::Eager, "eager", "at once"),
    ];
}

/// The embed's options, from the query string.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct EmbedOptions {
    /// What shows.
    pub show: Show,
    /// Which controls.
    pub controls: Controls,
    /// Whether the diagram can be edited (it never saves anywhere).
    pub editable: bool,
    /// Play as soon as the scenario is loaded (and on reveal.js's `slide:start`).
    pub autoplay: bool,
    /// Simulated seconds per second (`max` for as fast as possible).
    pub speed: Option<f64>,
    /// Start paused at this simulated second.
    pub start_s: Option<f64>,
    /// Dark theme.
    pub dark: bool,
    /// When Surge loads.
    pub loading: Loading,
    /// A title for the placeholder and the frame.
    pub title: Option<String>,
    /// A poster image for the placeholder (a URL).
    pub poster: Option<String>,
}

/// What the page's query asks of the full page and of embeds alike: `?lessons` opens
/// the gallery, `?lesson=N` opens lesson N's "before", `?talk` starts in talk mode (so a
/// slide can link or embed `?lesson=2&talk`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PageQuery {
    /// Open the gallery.
    pub lessons: bool,
    /// Open this lesson (only numbers that have presets).
    pub lesson: Option<u8>,
    /// Start in talk mode.
    pub talk: bool,
}

impl PageQuery {
    /// Reads the query; unknown keys and lessons without presets are ignored.
    pub fn from_query(query: &str) -> PageQuery {
        let mut q = PageQuery::default();
        for (k, v) in query_pairs(query) {
            let on = !matches!(v.as_str(), "0" | "false" | "no" | "off");
            match k.as_str() {
                "lessons" | "gallery" => q.lessons = on,
                "lesson" => {
                    q.lesson = v
                        .parse::<u8>()
                        .ok()
                        .filter(|n| crate::lessons::find(*n).is_some());
                }
                "talk" => q.talk = on,
                _ => {}
            }
        }
        q
    }
}

/// The query's `key=value` pairs, percent-decoded (`+` is a space).
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    surge_core::link::percent_decode(&s.replace('+', " "))
}

/// Percent-encodes a query value.
pub fn encode(s: &str) -> String {
    surge_core::link::percent_encode(s)
}

/// A speed as the player bar names it (`1×` … `max`) or a number.
fn speed(value: &str) -> Option<f64> {
    if value == "max" {
        return Some(crate::run::MAX_SPEED);
    }
    value
        .trim_end_matches(['x', '×'])
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0)
}

impl EmbedOptions {
    /// The options if the query asks for embed mode (`embed` present), else none.
    /// Unknown keys and values are ignored: an old snippet keeps working.
    pub fn from_query(query: &str) -> Option<EmbedOptions> {
        let pairs = query_pairs(query);
        if !pairs.iter().any(|(k, _)| k == "embed") {
            return None;
        }
        let mut o = EmbedOptions::default();
        for (k, v) in pairs {
            let on = !matches!(v.as_str(), "0" | "false" | "no" | "off");
            match k.as_str() {
                "show" => o.show = Show::from_word(&v),
                "controls" => o.controls = Controls::from_word(&v),
                "edit" | "editable" => o.editable = on,
                "readonly" => o.editable = !on,
                "autoplay" => o.autoplay = on,
                "speed" => o.speed = speed(&v),
                "t" => o.start_s = v.parse::<f64>().ok().filter(|t| t.is_finite() && *t >= 0.0),
                "theme" => o.dark = v == "dark",
                "load" => o.loading = Loading::from_word(&v),
                "title" => o.title = Some(v.chars().take(200).collect()),
                "poster" => o.poster = Some(v),
                _ => {}
            }
        }
        Some(o)
    }

    /// The query string that gives these options (for the Embed button's snippet).
    pub fn to_query(&self) -> String {
        let mut q = vec![
            "embed".to_owned(),
            format!("show={}", self.show.word()),
            format!("controls={}", self.controls.word()),
        ];
        if self.editable {
            q.push("edit=1".into());
        }
        if self.autoplay {
            q.push("autoplay=1".into());
        }
        if let Some(s) = self.speed {
            q.push(if s == crate::run::MAX_SPEED {
                "speed=max".into()
            } else {
                format!("speed={s}")
            });
        }
        if let Some(t) = self.start_s {
            q.push(format!("t={t}"));
        }
        if self.dark {
            q.push("theme=dark".into());
        }
        q.push(format!("load={}", self.loading.word()));
        if let Some(t) = &self.title {
            q.push(format!("title={}", encode(t)));
        }
        if let Some(p) = &self.poster {
            q.push(format!("poster={}", encode(p)));
        }
        q.join("&")
    }

    /// The iframe snippet for a scenario's link fragment, served from `base` (the
    /// directory Surge is published in, ending in `/`). Click and lazy loading point at
    /// the static placeholder, eager loading at the page itself.
    pub fn snippet(&self, base: &str, fragment: &str) -> String {
        let page = match self.loading {
            Loading::Eager => "",
            Loading::Click | Loading::Lazy => "embed.html",
        };
        let title = self.title.as_deref().unwrap_or("Surge scenario");
        format!(
            "<iframe src=\"{base}{page}?{}#{fragment}\" title=\"{}\" width=\"100%\" height=\"480\" style=\"border:1px solid #e2e8f0;border-radius:8px\" loading=\"lazy\" allow=\"clipboard-write\"></iframe>",
            self.to_query().replace('&', "&amp;"),
            html_attr(title),
        )
    }
}

fn html_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn the_page_query_opens_the_gallery_a_lesson_and_talk_mode() {
        assert_eq!(PageQuery::from_query(""), PageQuery::default());
        let q = PageQuery::from_query("?lesson=2&talk");
        assert_eq!((q.lesson, q.talk, q.lessons), (Some(2), true, false));
        assert!(PageQuery::from_query("?lessons").lessons);
        assert!(!PageQuery::from_query("?talk=0").talk);
        for no_preset in ["?lesson=99", "?lesson=-1", "?lesson=x", "?lesson=300"] {
            assert_eq!(PageQuery::from_query(no_preset).lesson, None, "{no_preset}");
        }
    }

    /// The rows of the first Markdown table after `heading` in `docs/embed.md`, as cells.
    pub(crate) fn docs_table(heading: &str) -> Vec<Vec<String>> {
        let docs = include_str!("../../../docs/embed.md");
        let after = &docs[docs.find(heading).expect("the docs have the section")..];
        after
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .skip(2)
            .map(|l| {
                l.trim_matches('|')
                    .split(" | ")
                    .map(|c| c.trim().to_owned())
                    .collect()
            })
            .collect()
    }

    /// The `code` spans of a table cell.
    pub(crate) fn code_spans(cell: &str) -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_parameter_in_the_docs_is_read() {
        let rows = docs_table("| parameter | values | default |");
        assert!(rows.len() >= 10, "{rows:?}");
        for row in rows.iter().filter(|r| r[0] != "`embed`") {
            let key = code_spans(&row[0]).remove(0);
            let mut tried = code_spans(&row[1]);
            tried.push("7".into());
            assert!(
                tried.iter().any(|v| {
                    let query = format!("embed&{key}={v}");
                    EmbedOptions::from_query(&query) != Some(EmbedOptions::default())
                        || PageQuery::from_query(&query) != PageQuery::default()
                }),
                "`{key}` in docs/embed.md changes nothing"
            );
        }
    }

    fn reads_back<C: Choice + std::fmt::Debug>() {
        for (value, word, _) in C::VALUES {
            assert_eq!(C::from_word(word), *value);
            assert_eq!(value.word(), *word);
        }
        assert_eq!(C::from_word("no such word"), C::default());
    }

    #[test]
    fn every_choice_reads_back_its_word() {
        reads_back::<Show>();
        reads_back::<Controls>();
        reads_back::<Loading>();
    }

    #[test]
    fn options_read_back_from_their_query() {
        let o = EmbedOptions {
            show: Show::Canvas,
            controls: Controls::None,
            editable: true,
            autoplay: true,
            speed: Some(crate::run::MAX_SPEED),
            start_s: Some(30.0),
            dark: true,
            loading: Loading::Lazy,
            title: Some("Lambda & the 429s".into()),
            poster: Some("https://example.org/p.png?a=1&b=2".into()),
        };
        assert_eq!(EmbedOptions::from_query(&o.to_query()), Some(o));
    }

    #[test]
    fn no_embed_key_no_embed_mode_and_unknown_values_fall_back() {
        assert_eq!(EmbedOptions::from_query("?t=3&show=canvas"), None);
        let o = EmbedOptions::from_query("?embed&show=everything&load=later&speed=-1&t=NaN&zzz=1")
            .expect("embed");
        assert_eq!(o, EmbedOptions::default());
        let o = EmbedOptions::from_query("embed=1&speed=10x&autoplay").expect("embed");
        assert_eq!((o.speed, o.autoplay), (Some(10.0), true));
    }

    #[test]
    fn the_snippet_escapes_what_it_embeds() {
        let o = EmbedOptions {
            title: Some("<b>\"x\"</b>".into()),
            ..EmbedOptions::default()
        };
        let s = o.snippet("https://docs.example.org/surge/", "s1.abc");
        assert!(
            s.contains("src=\"https://docs.example.org/surge/embed.html?embed&amp;show=both"),
            "{s}"
        );
        assert!(s.contains("#s1.abc\""), "{s}");
        assert!(
            s.contains("title=\"&lt;b&gt;&quot;x&quot;&lt;/b&gt;\""),
            "{s}"
        );
        assert!(!s.contains("<b>"));
    }
}
