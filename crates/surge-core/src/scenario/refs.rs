//! Every place a node id appears in a scenario, visited by one walker.
//!
//! Why one walker: ids are referenced from edges, handler and init `call` steps, state
//! machine Tasks (the node each calls, kept flat in its simulation settings), dead-letter
//! queues, async `on_failure` destinations, `process_new` sources, backlog overflow
//! queues, backpressure queues, async results' done-at and status nodes, faults and alarms. Validation, delete, rename and paste each used to walk the scenario
//! their own way, and each missed a different place (paste renamed only `call` steps).
//! Now a new kind of reference is added here, once, and every user sees it.

use super::{BeatAction, NodeKind, Scenario, Step};

/// What kind of place holds a node id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RefKind {
    /// An edge's caller.
    EdgeFrom,
    /// An edge's callee.
    EdgeTo,
    /// A function's handler or init step calling a node.
    Call,
    /// A state machine Task's resource.
    TaskResource,
    /// A queue's dead-letter queue.
    DeadLetterQueue,
    /// A function's asynchronous on-failure destination.
    OnFailure,
    /// A function's "process all new records" source.
    ProcessNewSource,
    /// A poll edge's priority-split (backlog overflow) queue.
    OverflowQueue,
    /// The node a fault hits.
    Fault,
    /// The node an alarm watches.
    Alarm,
    /// The queue a client's or function's backpressure watches.
    BackpressureQueue,
    /// The node that finishes a client's long work (its result is then ready).
    AsyncDoneAt,
    /// The status endpoint a polling client asks.
    AsyncStatus,
    /// The node a talk's beat changes (its load, a fault, a parameter).
    Beat,
}

/// Where a reference is: what holds it and the field path of the id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefAt {
    /// What kind of reference.
    pub kind: RefKind,
    /// The node that holds it (by position), for references inside a node.
    pub node: Option<usize>,
    /// The field path of the id, as validation errors write it.
    pub path: String,
}

macro_rules! walker {
    ($name:ident, $iter:ident, $find:path, $get:ident, $as:ident, $($m:tt)?) => {
        /// Visits every place a node id appears, with where it is.
        pub(crate) fn $name<F: FnMut(RefAt, &$($m)? String)>(s: &$($m)? Scenario, mut f: F) {
            for (i, e) in s.edges.$iter().enumerate() {
                f(
                    RefAt { kind: RefKind::EdgeFrom, node: None, path: format!("edges[{i}].from") },
                    & $($m)? e.from,
                );
                f(
                    RefAt { kind: RefKind::EdgeTo, node: None, path: format!("edges[{i}].to") },
                    & $($m)? e.to,
                );
                if let Some(o) = e.esm.$as().and_then(|m| m.backlog.overflow.$as()) {
                    f(
                        RefAt {
                            kind: RefKind::OverflowQueue,
                            node: None,
                            path: format!("edges[{i}].esm.backlog.overflow.queue"),
                        },
                        & $($m)? o.queue,
                    );
                }
            }
            for (i, n) in s.nodes.$iter().enumerate() {
                let p = |field: &str| format!("nodes[{i}].params.{field}");
                match & $($m)? n.kind {
                    NodeKind::Lambda(l) => {
                        for (list, steps) in [("init_steps", & $($m)? l.init_steps), ("handler", & $($m)? l.handler)] {
                            for (k, step) in steps.$iter().enumerate() {
                                if let Step::Call { node, .. } = step {
                                    f(
                                        RefAt {
                                            kind: RefKind::Call,
                                            node: Some(i),
                                            path: p(&format!("{list}[{k}].call.node")),
                                        },
                                        node,
                                    );
                                }
                            }
                        }
                        if let Some(d) = l.on_failure.$as() {
                            f(RefAt { kind: RefKind::OnFailure, node: Some(i), path: p("on_failure") }, d);
                        }
                        if let Some(b) = l.backpressure.$as() {
                            f(
                                RefAt {
                                    kind: RefKind::BackpressureQueue,
                                    node: Some(i),
                                    path: p("backpressure.queue"),
                                },
                                & $($m)? b.queue,
                            );
                        }
                        if let Some(j) = l.process_new.$as() {
                            f(
                                RefAt {
                                    kind: RefKind::ProcessNewSource,
                                    node: Some(i),
                                    path: p("process_new.source"),
                                },
                                & $($m)? j.source,
                            );
                        }
                    }
                    NodeKind::Client(c) => {
                        if let Some(b) = c.backpressure.$as() {
                            f(
                                RefAt {
                                    kind: RefKind::BackpressureQueue,
                                    node: Some(i),
                                    path: p("backpressure.queue"),
                                },
                                & $($m)? b.queue,
                            );
                        }
                        if let Some(a) = c.async_result.$as() {
                            f(
                                RefAt {
                                    kind: RefKind::AsyncDoneAt,
                                    node: Some(i),
                                    path: p("async_result.done_at"),
                                },
                                & $($m)? a.done_at,
                            );
                            if let Some(st) = a.status.$as() {
                                f(
                                    RefAt {
                                        kind: RefKind::AsyncStatus,
                                        node: Some(i),
                                        path: p("async_result.status"),
                                    },
                                    st,
                                );
                            }
                        }
                    }
                    NodeKind::Sqs(q) => {
                        if let Some(d) = q.dead_letter_queue.$as() {
                            f(
                                RefAt {
                                    kind: RefKind::DeadLetterQueue,
                                    node: Some(i),
                                    path: p("dead_letter_queue"),
                                },
                                d,
                            );
                        }
                    }
                    NodeKind::StepFunctions(m) => {
                        // A Task's integration that names its node by id (as Surge writes
                        // it) follows the node: renamed with it, emptied with it.
                        let named: Vec<(String, String)> = m
                            .simulation
                            .tasks
                            .iter()
                            .map(|(s, n)| (s.clone(), n.clone()))
                            .collect();
                        for (state, node) in named {
                            let Some(at) = super::asl::state_path(&m.definition, &state) else {
                                continue;
                            };
                            let Some(st) = $find(& $($m)? m.definition, &state) else {
                                continue;
                            };
                            for key in super::asl::NAMING_PARAMETERS {
                                if let Some(serde_json::Value::String(text)) =
                                    st.$get("Parameters").and_then(|p| p.$get(key))
                                    && *text == node
                                {
                                    f(
                                        RefAt {
                                            kind: RefKind::TaskResource,
                                            node: Some(i),
                                            path: p(&format!("definition.{at}.Parameters.{key}")),
                                        },
                                        text,
                                    );
                                }
                            }
                        }
                        // ASL names are unique in a machine, so the settings keep the
                        // Task → node map flat, nested states included.
                        for (state, node) in m.simulation.tasks.$iter() {
                            f(
                                RefAt {
                                    kind: RefKind::TaskResource,
                                    node: Some(i),
                                    path: p(&format!("simulation.tasks.{state}")),
                                },
                                node,
                            );
                        }
                    }
                    _ => {}
                }
            }
            for (i, fault) in s.faults.$iter().enumerate() {
                f(
                    RefAt { kind: RefKind::Fault, node: None, path: format!("faults[{i}].node") },
                    & $($m)? fault.node,
                );
            }
            for (i, alarm) in s.alarms.$iter().enumerate() {
                f(
                    RefAt { kind: RefKind::Alarm, node: None, path: format!("alarms[{i}].node") },
                    & $($m)? alarm.node,
                );
            }
            for (i, beat) in s.talk.$as().map(|t| & $($m)? t.beats).into_iter().flatten().enumerate() {
                let at = |field: &str| RefAt {
                    kind: RefKind::Beat,
                    node: None,
                    path: format!("talk.beats[{i}].action.{field}"),
                };
                match & $($m)? beat.action {
                    BeatAction::Load { node, .. } => f(at("load.node"), node),
                    BeatAction::Fault(fault) => f(at("fault.node"), & $($m)? fault.node),
                    BeatAction::Set { node: Some(node), .. } => f(at("set.node"), node),
                    BeatAction::Set { edge: Some(ends), .. } => {
                        f(at("set.edge.from"), & $($m)? ends.from);
                        f(at("set.edge.to"), & $($m)? ends.to);
                    }
                    _ => {}
                }
            }
        }
    };
}

walker!(visit, iter, super::asl::find_state, get, as_ref,);
walker!(
    visit_mut,
    iter_mut,
    super::asl::state_mut,
    get_mut,
    as_mut,
    mut
);

impl Scenario {
    /// Calls `f` with every node id the scenario references and where it is.
    pub fn node_refs(&self, f: impl FnMut(RefAt, &String)) {
        visit(self, f);
    }

    /// Calls `f` with every node id the scenario references, to read or change it.
    pub fn node_refs_mut(&mut self, f: impl FnMut(RefAt, &mut String)) {
        visit_mut(self, f);
    }

    /// Renames node `from` to `to`, and every reference to it.
    pub fn rename_node(&mut self, from: &str, to: &str) {
        for n in &mut self.nodes {
            if n.id == from {
                n.id = to.to_owned();
            }
        }
        self.node_refs_mut(|_, id| {
            if id == from {
                *id = to.to_owned();
            }
        });
    }

    /// Removes node `id`, every edge and fault touching it, and every reference to it
    /// (calls, Task resources, DLQs, destinations, sources, overflow queues).
    pub fn remove_node_and_refs(&mut self, id: &str) {
        self.nodes.retain(|n| n.id != id);
        self.node_refs_mut(|_, r| {
            if r == id {
                r.clear();
            }
        });
        self.drop_empty_refs();
    }

    /// After the connection `from` → `to` was removed: the beats that set one of its
    /// settings keep their captions and lose what they did to it.
    pub fn forget_edge_in_talk(&mut self, from: &str, to: &str) {
        for beat in self.talk.iter_mut().flat_map(|t| &mut t.beats) {
            if matches!(&beat.action, BeatAction::Set { edge: Some(e), .. } if e.from == from && e.to == to)
            {
                beat.action = BeatAction::Caption;
            }
        }
    }

    /// After the connection `from` → `to` was rewired to `from` → `new_to` with its
    /// settings: the beats that set them follow it.
    pub fn move_edge_in_talk(&mut self, from: &str, to: &str, new_to: &str) {
        for beat in self.talk.iter_mut().flat_map(|t| &mut t.beats) {
            if let BeatAction::Set { edge: Some(e), .. } = &mut beat.action
                && e.from == from
                && e.to == to
            {
                e.to = new_to.to_owned();
            }
        }
    }

    /// Drops what an emptied reference leaves behind: edges, steps and faults lose the
    /// reference with themselves; optional settings become unset.
    fn drop_empty_refs(&mut self) {
        self.edges
            .retain(|e| !e.from.is_empty() && !e.to.is_empty());
        self.faults.retain(|f| !f.node.is_empty());
        self.alarms.retain(|a| !a.node.is_empty());
        // A beat keeps its caption (the story goes on) and loses what it did to the node.
        for beat in self.talk.iter_mut().flat_map(|t| &mut t.beats) {
            let gone = match &beat.action {
                BeatAction::Load { node, .. }
                | BeatAction::Set {
                    node: Some(node), ..
                } => node.is_empty(),
                BeatAction::Set {
                    edge: Some(ends), ..
                } => ends.from.is_empty() || ends.to.is_empty(),
                BeatAction::Fault(f) => f.node.is_empty(),
                _ => false,
            };
            if gone {
                beat.action = BeatAction::Caption;
            }
        }
        for e in &mut self.edges {
            if let Some(m) = e.esm.as_mut() {
                if m.backlog
                    .overflow
                    .as_ref()
                    .is_some_and(|o| o.queue.is_empty())
                {
                    m.backlog.overflow = None;
                }
            }
        }
        for n in &mut self.nodes {
            match &mut n.kind {
                NodeKind::Lambda(l) => {
                    let keep = |s: &Step| !matches!(s, Step::Call { node, .. } if node.is_empty());
                    l.handler.retain(keep);
                    l.init_steps.retain(keep);
                    if l.on_failure.as_deref() == Some("") {
                        l.on_failure = None;
                    }
                    if l.process_new.as_ref().is_some_and(|j| j.source.is_empty()) {
                        l.process_new = None;
                    }
                    if l.backpressure.as_ref().is_some_and(|b| b.queue.is_empty()) {
                        l.backpressure = None;
                    }
                }
                NodeKind::Client(c) => {
                    if c.backpressure.as_ref().is_some_and(|b| b.queue.is_empty()) {
                        c.backpressure = None;
                    }
                    // Without the node that finishes the work or the status endpoint, the
                    // pattern is gone: the client goes back to waiting for its answer.
                    if c.async_result
                        .as_ref()
                        .is_some_and(|a| a.done_at.is_empty() || a.status.as_deref() == Some(""))
                    {
                        c.async_result = None;
                    }
                }
                NodeKind::Sqs(q) if q.dead_letter_queue.as_deref() == Some("") => {
                    q.dead_letter_queue = None;
                    q.max_receive_count = None;
                }
                // A Task whose node is gone calls nothing: it takes its `seconds` (0 by
                // default) with the same `Next`, so the workflow keeps its shape.
                NodeKind::StepFunctions(m) => m.simulation.tasks.retain(|_, n| !n.is_empty()),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_reference_is_visited_with_its_path() {
        let s = super::super::tests::every_reference();
        let mut kinds = Vec::new();
        s.node_refs(|at, id| kinds.push((at.kind, at.path, id.clone())));
        let has = |k: RefKind, path: &str| kinds.iter().any(|(kk, p, _)| *kk == k && p == path);
        assert!(has(RefKind::Call, "nodes[2].params.handler[1].call.node"));
        assert!(has(RefKind::OnFailure, "nodes[2].params.on_failure"));
        assert!(has(
            RefKind::ProcessNewSource,
            "nodes[2].params.process_new.source"
        ));
        assert!(has(
            RefKind::DeadLetterQueue,
            "nodes[3].params.dead_letter_queue"
        ));
        assert!(has(
            RefKind::TaskResource,
            "nodes[6].params.simulation.tasks.Leaf"
        ));
        assert!(has(
            RefKind::OverflowQueue,
            "edges[3].esm.backlog.overflow.queue"
        ));
        assert!(has(
            RefKind::BackpressureQueue,
            "nodes[7].params.backpressure.queue"
        ));
        assert!(has(RefKind::Fault, "faults[0].node"));
        assert!(has(
            RefKind::AsyncDoneAt,
            "nodes[11].params.async_result.done_at"
        ));
        assert!(has(
            RefKind::AsyncStatus,
            "nodes[11].params.async_result.status"
        ));
        let mut seen: Vec<RefKind> = kinds.iter().map(|(k, _, _)| *k).collect();
        seen.sort();
        seen.dedup();
        assert!(has(RefKind::Beat, "talk.beats[0].action.load.node"));
        assert!(has(RefKind::Beat, "talk.beats[1].action.fault.node"));
        assert!(has(RefKind::Beat, "talk.beats[2].action.set.node"));
        assert!(has(RefKind::Beat, "talk.beats[3].action.set.edge.from"));
        assert!(has(RefKind::Beat, "talk.beats[3].action.set.edge.to"));
        assert_eq!(seen.len(), 13, "every kind: {seen:?}");
    }

    #[test]
    fn renaming_through_the_walker_equals_renaming_the_text() {
        let s = super::super::tests::every_reference();
        for node in &s.nodes {
            let mut walked = s.clone();
            walked.rename_node(&node.id, "zz-renamed");
            // Ids are distinctive strings: replacing their quoted form in the JSON renames
            // every place they appear, so the walker must have found them all.
            let text = s
                .to_json()
                .replace(&format!("\"{}\"", node.id), "\"zz-renamed\"");
            let texted = Scenario::parse_json(&text).expect("parses");
            assert_eq!(walked, texted, "renaming {}", node.id);
            assert!(walked.validate().is_ok(), "{:?}", walked.validate());
        }
    }

    #[test]
    fn removing_a_node_removes_every_reference_and_stays_valid() {
        let s = super::super::tests::every_reference();
        for node in &s.nodes {
            let mut t = s.clone();
            t.remove_node_and_refs(&node.id);
            let mut dangling = Vec::new();
            t.node_refs(|at, id| {
                if t.node_index(id).is_none() {
                    dangling.push(at.path);
                }
            });
            assert!(dangling.is_empty(), "removing {}: {dangling:?}", node.id);
        }
    }

    #[test]
    fn a_beat_setting_a_connection_follows_it_or_keeps_only_its_caption() {
        let s = super::super::tests::every_reference();
        let edge_beat = |t: &Scenario| t.talk.as_ref().expect("a talk").beats[3].action.clone();
        // Removing either end, or the connection, leaves the caption.
        for gone in ["q", "g"] {
            let mut t = s.clone();
            t.remove_node_and_refs(gone);
            assert_eq!(edge_beat(&t), BeatAction::Caption, "removing {gone}");
        }
        let mut t = s.clone();
        t.forget_edge_in_talk("q", "f");
        assert_ne!(edge_beat(&t), BeatAction::Caption, "another connection");
        t.forget_edge_in_talk("q", "g");
        assert_eq!(edge_beat(&t), BeatAction::Caption);
        // Rewired with its settings, the beat names the new end.
        let mut t = s.clone();
        t.move_edge_in_talk("q", "g", "st");
        let BeatAction::Set {
            edge: Some(ends), ..
        } = edge_beat(&t)
        else {
            panic!("still a set");
        };
        assert_eq!((ends.from.as_str(), ends.to.as_str()), ("q", "st"));
    }

    #[test]
    fn every_kind_of_reference_travels_in_a_share_link() {
        let s = super::super::tests::every_reference();
        let link = crate::link::encode(&s, &crate::LinkExtras::default());
        let back = crate::link::decode(&link).expect("decodes").scenario;
        assert_eq!(
            back, s,
            "the talk's beats, the connection one included, come back"
        );
    }
}
