//! Named edits of the document (the `Scenario` being edited), each with its undo label and
//! coalescing key.
//!
//! Why edits are data: undo/redo, tests and the reducer all speak in these names, and a
//! refused edit (an invalid connection, say) comes back with the reason in words. Wiring
//! follows the engine's meaning of an edge: connecting a function to a node adds a call
//! step to its handler, connecting a state machine adds a Task; removing the edge removes
//! them again, so what the user draws is what runs.

use surge_core::{
    Edge, Fault, LambdaParams, Node, NodeKind, Position, RefKind, Scenario, Step, edge_rule,
};

use super::catalog;
use super::geometry::{GRID, free_offset, free_spot, snap};

/// Identifies an edge: duplicates are invalid, so the pair is unique.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EdgeKey {
    /// Calling node id.
    pub from: String,
    /// Called node id.
    pub to: String,
}

impl EdgeKey {
    /// The key of an edge.
    pub fn of(edge: &Edge) -> EdgeKey {
        EdgeKey {
            from: edge.from.clone(),
            to: edge.to.clone(),
        }
    }
}

/// One edit of the document.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// Place a palette item at a world position (snapped, moved off other nodes).
    AddNode {
        /// Catalog key.
        item: String,
        /// Wanted top-left corner.
        at: Position,
    },
    /// Move nodes to new positions; all moves of one drag gesture are one undo step.
    MoveNodes {
        /// Node id and its new top-left corner.
        moves: Vec<(String, Position)>,
        /// The gesture this move belongs to.
        gesture: u64,
    },
    /// Connect `from`'s output to `to`'s input, if the core's rules allow it.
    Connect {
        /// Calling node.
        from: String,
        /// Called node.
        to: String,
    },
    /// Replace the boxes and notes (and move the nodes a moved box holds); the steps of
    /// one drag are one undo step.
    SetAnnotations {
        /// All boxes and notes after the edit.
        annotations: Vec<surge_core::Annotation>,
        /// Nodes moved with a box.
        moves: Vec<(String, Position)>,
        /// What the edit did, for the undo label ("Move VPC", "Add note").
        label: String,
        /// The drag gesture it belongs to, if any.
        gesture: Option<u64>,
    },
    /// Move a connection's end to another node (its calls follow; its settings stay when
    /// the new callee is of the same kind).
    Reconnect {
        /// The connection.
        key: EdgeKey,
        /// The new callee.
        to: String,
    },
    /// Remove nodes (with everything attached) and edges.
    Delete {
        /// Node ids.
        nodes: Vec<String>,
        /// Edges.
        edges: Vec<EdgeKey>,
    },
    /// Replace one node (a parameter or its name changed).
    SetNode {
        /// The node's id.
        id: String,
        /// The new node.
        node: Box<Node>,
        /// Which field changed (consecutive changes of one field are one undo step).
        field: String,
    },
    /// Replace one edge's settings.
    SetEdge {
        /// The edge.
        key: EdgeKey,
        /// The new edge.
        edge: Box<Edge>,
        /// Which field changed.
        field: String,
    },
    /// Replace the fault schedule.
    SetFaults {
        /// The new schedule.
        faults: Vec<Fault>,
        /// Which field changed.
        field: String,
    },
    /// Replace the alarms.
    SetAlarms {
        /// The new alarms.
        alarms: Vec<surge_core::Alarm>,
        /// What changed ("add recommended", "remove orders throttles").
        field: String,
    },
    /// Replace the account settings.
    SetAccount {
        /// The new settings.
        account: Box<surge_core::Account>,
        /// Which field changed.
        field: String,
    },
    /// Change the run's seed and simulated length.
    SetRun {
        /// Seed.
        seed: u64,
        /// Seconds.
        duration_s: f64,
        /// Which field changed.
        field: String,
    },
    /// Insert copies of nodes and the edges among them.
    Paste {
        /// Nodes as copied (ids are renamed on insert).
        nodes: Vec<Node>,
        /// Edges as copied.
        edges: Vec<Edge>,
        /// Offset from the copied positions.
        offset: Position,
    },
    /// Give a node a new id; every reference to it follows.
    RenameNode {
        /// The node's id now.
        id: String,
        /// Its new id.
        to: String,
    },
    /// Replace the whole document (New, Open, a lesson).
    Replace {
        /// The new document.
        doc: Box<Scenario>,
        /// What the user did, for the undo label.
        label: String,
    },
}

/// What an applied edit selects afterwards (new nodes are selected; `None` keeps the
/// current selection).
pub type Selects = Option<Vec<String>>;

impl Edit {
    /// The undo label ("Undo Add Lambda").
    pub fn label(&self) -> String {
        match self {
            Edit::AddNode { item, .. } => format!(
                "Add {}",
                catalog::find(item).map_or(item.as_str(), |i| i.label)
            ),
            Edit::MoveNodes { moves, .. } if moves.len() == 1 => format!("Move {}", moves[0].0),
            Edit::MoveNodes { moves, .. } => format!("Move {} nodes", moves.len()),
            Edit::Connect { from, to } => format!("Connect {from} → {to}"),
            Edit::Reconnect { key, to } => format!("Reconnect {} → {to}", key.from),
            Edit::SetAnnotations { label, .. } => label.clone(),
            Edit::Delete { nodes, edges } => match (nodes.len(), edges.len()) {
                (1, 0) => format!("Delete {}", nodes[0]),
                (0, 1) => format!("Delete {} → {}", edges[0].from, edges[0].to),
                (n, e) => format!("Delete {} items", n + e),
            },
            Edit::SetNode { id, field, .. } => format!("Edit {id} {field}"),
            Edit::SetEdge { key, field, .. } => format!("Edit {} → {} {field}", key.from, key.to),
            Edit::SetFaults { .. } => "Edit faults".into(),
            Edit::SetAlarms { field, .. } => format!("Alarms: {field}"),
            Edit::SetAccount { field, .. } => format!("Edit account {field}"),
            Edit::SetRun { field, .. } => format!("Edit {field}"),
            Edit::Paste { nodes, .. } => format!("Paste {} nodes", nodes.len()),
            Edit::RenameNode { id, to } => format!("Rename {id} to {to}"),
            Edit::Replace { label, .. } => label.clone(),
        }
    }

    /// Consecutive edits with the same key merge into one undo step.
    pub fn coalesce_key(&self) -> Option<String> {
        match self {
            Edit::MoveNodes { gesture, .. } => Some(format!("move:{gesture}")),
            Edit::SetAnnotations {
                gesture: Some(g), ..
            } => Some(format!("annotation:{g}")),
            Edit::SetNode { id, field, .. } => Some(format!("node:{id}:{field}")),
            Edit::SetEdge { key, field, .. } => {
                Some(format!("edge:{}:{}:{field}", key.from, key.to))
            }
            Edit::SetFaults { field, .. } => Some(format!("faults:{field}")),
            Edit::SetAccount { field, .. } => Some(format!("account:{field}")),
            Edit::SetRun { field, .. } => Some(format!("run:{field}")),
            _ => None,
        }
    }

    /// Applies the edit to `doc`, or says why it cannot be done (leaving `doc` untouched).
    pub fn apply(&self, doc: &mut Scenario) -> Result<Selects, String> {
        match self {
            Edit::AddNode { item, at } => {
                let item = catalog::find(item).ok_or_else(|| format!("no palette item {item}"))?;
                let id = unique_id(doc, item.id_prefix);
                let position = free_spot(doc, *at);
                doc.nodes.push(Node {
                    id: id.clone(),
                    name: String::new(),
                    position,
                    kind: item.node_kind(),
                });
                Ok(Some(vec![id]))
            }
            Edit::SetAnnotations {
                annotations, moves, ..
            } => {
                doc.annotations = annotations.clone();
                for (id, p) in moves {
                    if let Some(n) = doc.nodes.iter_mut().find(|n| &n.id == id) {
                        n.position = *p;
                    }
                }
                Ok(None)
            }
            Edit::MoveNodes { moves, .. } => {
                for (id, p) in moves {
                    if let Some(n) = doc.nodes.iter_mut().find(|n| &n.id == id) {
                        n.position = *p;
                    }
                }
                Ok(None)
            }
            Edit::Connect { from, to } => connect(doc, from, to).map(|()| None),
            Edit::Reconnect { key, to } => reconnect(doc, key, to).map(|()| None),
            Edit::Delete { nodes, edges } => {
                for key in edges {
                    remove_edge(doc, key);
                }
                for id in nodes {
                    remove_node(doc, id);
                }
                Ok(Some(Vec::new()))
            }
            Edit::SetNode { id, node, .. } => {
                let slot = doc
                    .nodes
                    .iter_mut()
                    .find(|n| &n.id == id)
                    .ok_or_else(|| format!("no node {id}"))?;
                if node.id != *id {
                    return Err("a node's id cannot change here".into());
                }
                *slot = (**node).clone();
                Ok(None)
            }
            Edit::SetEdge { key, edge, .. } => {
                let slot = doc
                    .edges
                    .iter_mut()
                    .find(|e| EdgeKey::of(e) == *key)
                    .ok_or_else(|| format!("no edge {} → {}", key.from, key.to))?;
                *slot = (**edge).clone();
                Ok(None)
            }
            Edit::SetFaults { faults, .. } => {
                doc.faults = faults.clone();
                Ok(None)
            }
            Edit::SetAlarms { alarms, .. } => {
                doc.alarms = alarms.clone();
                Ok(None)
            }
            Edit::SetAccount { account, .. } => {
                doc.account = (**account).clone();
                Ok(None)
            }
            Edit::SetRun {
                seed, duration_s, ..
            } => {
                doc.seed = *seed;
                doc.duration_s = *duration_s;
                Ok(None)
            }
            Edit::Paste {
                nodes,
                edges,
                offset,
            } => Ok(Some(paste(doc, nodes, edges, *offset))),
            Edit::RenameNode { id, to } => {
                if doc.node_index(id).is_none() {
                    return Err(format!("no node {id}"));
                }
                let to = to.trim();
                if to.is_empty() {
                    return Err("an id cannot be empty".into());
                }
                if to != id && doc.node_index(to).is_some() {
                    return Err(format!("{to} is already the id of another node"));
                }
                if let Some(c) = to.chars().find(|c| c.is_control()) {
                    return Err(format!(
                        "an id cannot hold a control character (U+{:04X})",
                        u32::from(c)
                    ));
                }
                doc.rename_node(id, to);
                Ok(Some(vec![to.to_owned()]))
            }
            Edit::Replace { doc: new, .. } => {
                *doc = (**new).clone();
                Ok(Some(Vec::new()))
            }
        }
    }
}

/// The nodes a boundary carries when it moves (those whose boxes lie wholly inside it), with
/// their positions; none for a note.
pub fn annotation_members(doc: &Scenario, a: &surge_core::Annotation) -> Vec<(String, Position)> {
    doc.nodes
        .iter()
        .filter(|n| {
            a.holds(
                n.position.x,
                n.position.y,
                super::geometry::NODE_W,
                super::geometry::NODE_H,
            )
        })
        .map(|n| (n.id.clone(), n.position))
        .collect()
}

/// Annotation `index` moved (with the nodes it carries) or resized by a world delta, as one
/// edit; resizing keeps each side at least twice the smallest one allowed. `None` when there
/// is no such annotation. The arrow keys' nudge.
pub fn nudge_annotation(
    doc: &Scenario,
    index: usize,
    dx: f64,
    dy: f64,
    resize: bool,
    gesture: u64,
) -> Option<Edit> {
    let members = match doc.annotations.get(index)? {
        _ if resize => Vec::new(),
        a => annotation_members(doc, a),
    };
    annotation_edit(&doc.annotations, &members, index, (dx, dy), resize, gesture)
}

/// `annotations` with `index` moved by `delta` (and `members`, the nodes it carries, with
/// it), or its size changed by `delta`, as one edit: what a drag of its label or corner and
/// the arrow keys both make.
pub fn annotation_edit(
    annotations: &[surge_core::Annotation],
    members: &[(String, Position)],
    index: usize,
    (dx, dy): (f64, f64),
    resize: bool,
    gesture: u64,
) -> Option<Edit> {
    let origin = annotations.get(index)?;
    let mut annotations = annotations.to_vec();
    let slot = &mut annotations[index];
    let mut moves = Vec::new();
    if resize {
        slot.w = (origin.w + dx).max(surge_core::MIN_ANNOTATION_SIDE * 2.0);
        slot.h = (origin.h + dy).max(surge_core::MIN_ANNOTATION_SIDE * 2.0);
    } else {
        slot.x = origin.x + dx;
        slot.y = origin.y + dy;
        moves = members
            .iter()
            .map(|(id, p)| {
                (
                    id.clone(),
                    Position {
                        x: p.x + dx,
                        y: p.y + dy,
                    },
                )
            })
            .collect();
    }
    Some(Edit::SetAnnotations {
        annotations,
        moves,
        label: format!(
            "{} {}",
            if resize { "Resize" } else { "Move" },
            origin.kind.label()
        ),
        gesture: Some(gesture),
    })
}

/// `prefix`, or `prefix-2`, `prefix-3`… whichever is free.
pub fn unique_id(doc: &Scenario, prefix: &str) -> String {
    if doc.node_index(prefix).is_none() {
        return prefix.to_owned();
    }
    (2..)
        .map(|n| format!("{prefix}-{n}"))
        .find(|id| doc.node_index(id).is_none())
        .unwrap_or_else(|| prefix.to_owned())
}

fn kind_of<'a>(doc: &'a Scenario, id: &str) -> Result<&'a str, String> {
    doc.nodes
        .iter()
        .find(|n| n.id == id)
        .map(|n| n.kind.tag())
        .ok_or_else(|| format!("no node {id}"))
}

/// Adds the edge if the core's rules allow the pair, and the call that uses it.
fn connect(doc: &mut Scenario, from: &str, to: &str) -> Result<(), String> {
    if from == to {
        return Err("a node cannot call itself".into());
    }
    if doc.edges.iter().any(|e| e.from == from && e.to == to) {
        return Err(format!("{from} already calls {to}"));
    }
    let rule = edge_rule(kind_of(doc, from)?, kind_of(doc, to)?)?;
    let invocation = rule.default_invocation();
    doc.edges.push(Edge {
        from: from.to_owned(),
        to: to.to_owned(),
        invocation: None,
        esm: None,
        stream: None,
        breaker: None,
    });
    if invocation != surge_core::Invocation::Sync {
        return Ok(());
    }
    let kind = kind_of(doc, to)?.to_owned();
    let Some(node) = doc.nodes.iter_mut().find(|n| n.id == from) else {
        return Ok(());
    };
    match &mut node.kind {
        NodeKind::Lambda(p) => {
            let calls = |s: &Step| matches!(s, Step::Call { node, .. } if node == to);
            if !p.handler.iter().any(calls) && !p.init_steps.iter().any(calls) {
                p.handler.push(Step::Call {
                    node: to.to_owned(),
                    times: 1,
                });
            }
        }
        NodeKind::StepFunctions(p) if !p.simulation.tasks.values().any(|n| n == to) => {
            surge_core::asl::prepend_task(&mut p.definition, &mut p.simulation, &kind, to);
        }
        _ => {}
    }
    Ok(())
}

/// Moves the end of `key` to `to`: checked first (the edge exists, the pair is allowed,
/// not already wired), so a refusal changes nothing.
fn reconnect(doc: &mut Scenario, key: &EdgeKey, to: &str) -> Result<(), String> {
    let old = doc
        .edges
        .iter()
        .find(|e| EdgeKey::of(e) == *key)
        .cloned()
        .ok_or_else(|| format!("no connection {} → {}", key.from, key.to))?;
    if to == key.to {
        return Ok(());
    }
    if to == key.from {
        return Err("a node cannot call itself".into());
    }
    if doc.edges.iter().any(|e| e.from == key.from && e.to == to) {
        return Err(format!("{} already calls {to}", key.from));
    }
    edge_rule(kind_of(doc, &key.from)?, kind_of(doc, to)?)?;
    let same_kind = kind_of(doc, &key.to)? == kind_of(doc, to)?;
    if same_kind {
        // The settings go with the connection, and so do the talk's beats that set them.
        doc.move_edge_in_talk(&key.from, &key.to, to);
    }
    remove_edge(doc, key);
    connect(doc, &key.from, to)?;
    if same_kind && let Some(e) = doc.edges.last_mut() {
        e.invocation = old.invocation;
        e.esm = old.esm;
        e.stream = old.stream;
        e.breaker = old.breaker;
    }
    Ok(())
}

/// Removes an edge and the calls that used it.
fn remove_edge(doc: &mut Scenario, key: &EdgeKey) {
    doc.edges.retain(|e| EdgeKey::of(e) != *key);
    doc.forget_edge_in_talk(&key.from, &key.to);
    let Some(node) = doc.nodes.iter_mut().find(|n| n.id == key.from) else {
        return;
    };
    match &mut node.kind {
        NodeKind::Lambda(p) => {
            forget_calls(p, &key.to);
            if p.on_failure.as_deref() == Some(key.to.as_str()) {
                p.on_failure = None;
            }
        }
        NodeKind::StepFunctions(p) => {
            surge_core::asl::remove_tasks_calling(&mut p.definition, &mut p.simulation, &key.to);
        }
        _ => {}
    }
}

fn forget_calls(p: &mut LambdaParams, target: &str) {
    let keep = |s: &Step| !matches!(s, Step::Call { node, .. } if node == target);
    p.handler.retain(keep);
    p.init_steps.retain(keep);
    if p.handler.is_empty() {
        p.handler = LambdaParams::default().handler;
    }
}

/// Removes a node, its edges, its faults and every reference to it. Edges go first, so
/// a caller's calls and Tasks are unwired the way deleting the edge does; then the core's
/// walker clears whatever else referred to the node (DLQs, destinations, sources…).
fn remove_node(doc: &mut Scenario, id: &str) {
    let touching: Vec<EdgeKey> = doc
        .edges
        .iter()
        .filter(|e| e.from == id || e.to == id)
        .map(EdgeKey::of)
        .collect();
    for key in &touching {
        remove_edge(doc, key);
    }
    doc.remove_node_and_refs(id);
    for n in &mut doc.nodes {
        if let NodeKind::Lambda(p) = &mut n.kind
            && p.handler.is_empty()
        {
            p.handler = LambdaParams::default().handler;
        }
    }
}

/// Inserts renamed copies with their outgoing edges. Every reference inside the copies
/// (edges, calls, Task resources, DLQs, destinations, sources, overflow queues: the
/// core's walker finds them all) is renamed when it points at a copied node; one that
/// points outside the copy keeps its target, so the copy runs like its original.
/// Returns the new ids.
fn paste(doc: &mut Scenario, nodes: &[Node], edges: &[Edge], offset: Position) -> Vec<String> {
    let mut renamed: Vec<(String, String)> = Vec::new();
    let mut copies = Scenario::empty(doc.seed, doc.duration_s);
    // The whole group moves by one offset, far enough that no copy covers a node (a
    // second paste lands beside the first, not on it).
    let offset = free_offset(doc, nodes.iter().map(|n| n.position), offset);
    for n in nodes {
        let prefix = catalog::for_node(&n.kind).id_prefix;
        let base =
            n.id.rsplit_once('-')
                .filter(|(_, tail)| tail.chars().all(|c| c.is_ascii_digit()))
                .map_or(n.id.as_str(), |(head, _)| head);
        let base = if base.is_empty() { prefix } else { base };
        let mut copy = n.clone();
        // Unique among the document and the copies made so far.
        copy.id = unique_id_among(doc, &copies, base);
        copy.position = snap(Position {
            x: n.position.x + offset.x,
            y: n.position.y + offset.y,
        });
        renamed.push((n.id.clone(), copy.id.clone()));
        copies.nodes.push(copy);
    }
    let new_id = |old: &str| -> Option<String> {
        renamed
            .iter()
            .find(|(o, _)| o == old)
            .map(|(_, n)| n.clone())
    };
    // A copy keeps its outgoing edges: among the copies, and to the nodes outside the
    // copy that its original called (so a client, a function or a state machine copied
    // alone is wired like its original; the walker renames what points at copies).
    for e in edges {
        let to_kept = new_id(&e.to).is_some() || doc.node_index(&e.to).is_some();
        if new_id(&e.from).is_some() && to_kept {
            copies.edges.push(e.clone());
        }
    }
    let mut outside = Vec::new();
    copies.node_refs_mut(|at, id| match new_id(id) {
        Some(n) => *id = n,
        None => {
            if let (Some(i), RefKind::Call | RefKind::TaskResource) = (at.node, at.kind) {
                outside.push((i, id.clone()));
            }
        }
    });
    let copied_ids: Vec<String> = copies.nodes.iter().map(|n| n.id.clone()).collect();
    doc.nodes.append(&mut copies.nodes);
    doc.edges.append(&mut copies.edges);
    for (i, to) in outside {
        let from = copied_ids[i].clone();
        let exists = doc.node_index(&to).is_some();
        let wired = doc.edges.iter().any(|e| e.from == from && e.to == to);
        if exists && !wired {
            let original = edges
                .iter()
                .chain(doc.edges.iter())
                .find(|e| e.to == to)
                .cloned();
            doc.edges.push(Edge {
                from,
                to,
                invocation: original.and_then(|e| e.invocation),
                esm: None,
                stream: None,
                breaker: None,
            });
        }
    }
    copied_ids
}

/// `prefix`, or `prefix-2`…, free in the document and among pending copies.
fn unique_id_among(doc: &Scenario, copies: &Scenario, prefix: &str) -> String {
    let free = |id: &str| doc.node_index(id).is_none() && copies.node_index(id).is_none();
    if free(prefix) {
        return prefix.to_owned();
    }
    (2..)
        .map(|n| format!("{prefix}-{n}"))
        .find(|id| free(id))
        .unwrap_or_else(|| prefix.to_owned())
}

/// The default offset of a paste: two grid steps down and right.
pub const PASTE_OFFSET: Position = Position {
    x: 2.0 * GRID,
    y: 2.0 * GRID,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn connect(doc: &mut Scenario, from: &str, to: &str) {
        Edit::Connect {
            from: from.into(),
            to: to.into(),
        }
        .apply(doc)
        .expect("allowed");
    }

    fn add(doc: &mut Scenario, item: &str) -> String {
        let sel = Edit::AddNode {
            item: item.into(),
            at: Position { x: 0.0, y: 0.0 },
        }
        .apply(doc)
        .expect("adds");
        sel.expect("selects")[0].clone()
    }

    #[test]
    fn building_the_lesson_path_wires_the_handler() {
        let mut doc = Scenario::empty(1, 60.0);
        let api = add(&mut doc, "api_gateway");
        let f = add(&mut doc, "lambda");
        let proxy = add(&mut doc, "rds_proxy");
        let db = add(&mut doc, "rds");
        let client = add(&mut doc, "client");
        assert_eq!((api.as_str(), f.as_str(), db.as_str()), ("api", "fn", "db"));
        for (a, b) in [(&client, &api), (&api, &f), (&f, &proxy), (&proxy, &db)] {
            connect(&mut doc, a, b);
        }
        assert_eq!(doc.validate(), Ok(()), "{}", doc.to_json());
        let NodeKind::Lambda(p) = &doc.nodes[1].kind else {
            panic!()
        };
        assert!(
            p.handler
                .iter()
                .any(|s| matches!(s, Step::Call { node, .. } if node == "proxy"))
        );
        // Positions never overlap.
        let b: Vec<_> = doc.nodes.iter().map(|n| n.position).collect();
        for i in 0..b.len() {
            for j in i + 1..b.len() {
                assert_ne!(b[i], b[j]);
            }
        }
    }

    #[test]
    fn an_invalid_connection_is_refused_with_the_rules_reason() {
        let mut doc = Scenario::empty(1, 60.0);
        let db = add(&mut doc, "rds");
        let f = add(&mut doc, "lambda");
        let before = doc.clone();
        let err = Edit::Connect {
            from: db.clone(),
            to: f.clone(),
        }
        .apply(&mut doc)
        .expect_err("rds has no outputs");
        assert!(err.contains("rds"), "{err}");
        assert_eq!(doc, before);
        let again = Edit::Connect {
            from: f.clone(),
            to: f.clone(),
        };
        assert!(again.apply(&mut doc).is_err());
    }

    #[test]
    fn deleting_a_node_removes_its_edges_calls_and_faults() {
        let mut doc = Scenario::client_to_function(10.0, 5, 10.0, 10.0, 1);
        let db = add(&mut doc, "rds");
        connect(&mut doc, "fn", &db);
        doc.faults.push(Fault {
            node: db.clone(),
            at_s: 1.0,
            duration_s: 1.0,
            kind: surge_core::FaultKind::Failover,
        });
        Edit::Delete {
            nodes: vec![db],
            edges: vec![],
        }
        .apply(&mut doc)
        .expect("deletes");
        assert_eq!(doc.validate(), Ok(()));
        assert!(doc.faults.is_empty());
        assert_eq!(doc.edges.len(), 1);
    }

    #[test]
    fn a_connection_end_moves_to_another_node_with_its_calls_and_settings() {
        let mut doc = Scenario::empty(1, 60.0);
        let q = add(&mut doc, "sqs");
        let a = add(&mut doc, "lambda");
        let b = add(&mut doc, "lambda");
        let c = add(&mut doc, "lambda");
        connect(&mut doc, &q, &a);
        connect(&mut doc, &a, &b);
        doc.edges[0].esm = Some(surge_core::EventSourceMapping {
            batch_size: 7,
            ..Default::default()
        });
        let poll = EdgeKey {
            from: q.clone(),
            to: a.clone(),
        };
        Edit::Reconnect {
            key: poll,
            to: c.clone(),
        }
        .apply(&mut doc)
        .expect("moved");
        let moved = doc.edges.iter().find(|e| e.from == q).expect("edge");
        assert_eq!(moved.to, c);
        assert_eq!(
            moved.esm.as_ref().map(|m| m.batch_size),
            Some(7),
            "same kind keeps settings"
        );
        // A function's call follows its connection.
        let call = EdgeKey {
            from: a.clone(),
            to: b.clone(),
        };
        Edit::Reconnect {
            key: call,
            to: q.clone(),
        }
        .apply(&mut doc)
        .expect("moved");
        let NodeKind::Lambda(p) = &doc.nodes[1].kind else {
            panic!()
        };
        assert!(
            p.handler
                .iter()
                .any(|s| matches!(s, Step::Call { node, .. } if *node == q))
        );
        assert!(
            !p.handler
                .iter()
                .any(|s| matches!(s, Step::Call { node, .. } if *node == b))
        );
        // Refused: onto itself, or a pair the rules do not allow; nothing changes.
        let before = doc.clone();
        let e = Edit::Reconnect {
            key: EdgeKey {
                from: a.clone(),
                to: q.clone(),
            },
            to: a.clone(),
        }
        .apply(&mut doc);
        assert!(e.is_err());
        let e = Edit::Reconnect {
            key: EdgeKey {
                from: q.clone(),
                to: c.clone(),
            },
            to: b.clone(),
        }
        .apply(&mut doc);
        assert!(e.is_ok(), "{e:?}");
        let e = Edit::Reconnect {
            key: EdgeKey {
                from: a.clone(),
                to: q.clone(),
            },
            to: "nope".into(),
        }
        .apply(&mut doc);
        assert!(e.is_err());
        assert_eq!(doc.edges.len(), before.edges.len());
    }

    #[test]
    fn a_state_machine_gains_and_loses_a_task_with_its_edge() {
        let mut doc = Scenario::empty(1, 60.0);
        let sfn = add(&mut doc, "step_functions");
        let f = add(&mut doc, "lambda");
        connect(&mut doc, &sfn, &f);
        let NodeKind::StepFunctions(p) = &doc.nodes[0].kind else {
            panic!()
        };
        assert_eq!(p.definition["StartAt"], "Call fn");
        assert_eq!(p.simulation.tasks["Call fn"], "fn");
        Edit::Delete {
            nodes: vec![],
            edges: vec![EdgeKey { from: sfn, to: f }],
        }
        .apply(&mut doc)
        .expect("deletes");
        assert_eq!(
            doc.nodes[0].kind,
            NodeKind::with_defaults("step_functions").unwrap()
        );
    }

    #[test]
    fn paste_renames_and_keeps_outside_calls_wired() {
        let mut doc = Scenario::client_to_function(10.0, 5, 10.0, 10.0, 1);
        let db = add(&mut doc, "rds");
        connect(&mut doc, "fn", &db);
        let copied = vec![doc.nodes[1].clone()];
        let sel = Edit::Paste {
            nodes: copied,
            edges: vec![],
            offset: PASTE_OFFSET,
        }
        .apply(&mut doc)
        .expect("pastes")
        .expect("selects");
        assert_eq!(sel, vec!["fn-2".to_owned()]);
        assert!(doc.edges.iter().any(|e| e.from == "fn-2" && e.to == db));
        let errors = doc.validate().err().map(|e| e.0).unwrap_or_default();
        assert!(
            errors.iter().all(|e| !e.path.starts_with("nodes[3]")),
            "{errors:?}"
        );
    }

    #[test]
    fn a_talk_beat_setting_a_connection_follows_a_rewire_and_leaves_with_a_delete() {
        let mut doc = Scenario::empty(1, 60.0);
        let q = add(&mut doc, "sqs");
        let f = add(&mut doc, "lambda");
        let g = add(&mut doc, "lambda");
        connect(&mut doc, &q, &f);
        doc.talk = Some(
            serde_json::from_value(serde_json::json!({"beats": [{"caption": "cap it",
                "action": {"set": {"edge": {"from": q, "to": f}, "param": "esm.maximum_concurrency", "value": 5}}}]}))
            .expect("a script"),
        );
        let ends = |doc: &Scenario| match &doc.talk.as_ref().expect("kept").beats[0].action {
            surge_core::BeatAction::Set { edge: Some(e), .. } => {
                Some((e.from.clone(), e.to.clone()))
            }
            _ => None,
        };
        let key = |to: &str| EdgeKey {
            from: q.clone(),
            to: to.into(),
        };
        // To a node of the same kind, the settings and the beat go with the connection.
        Edit::Reconnect {
            key: key(&f),
            to: g.clone(),
        }
        .apply(&mut doc)
        .expect("rewires");
        assert_eq!(ends(&doc), Some((q.clone(), g.clone())));
        assert!(doc.validate().is_ok(), "{:?}", doc.validate());
        // Deleting the connection leaves the caption.
        Edit::Delete {
            nodes: vec![],
            edges: vec![key(&g)],
        }
        .apply(&mut doc)
        .expect("deletes");
        assert_eq!(ends(&doc), None);
        assert_eq!(doc.talk.as_ref().expect("kept").beats[0].caption, "cap it");
        assert!(doc.validate().is_ok(), "{:?}", doc.validate());
    }
}
