//! Faults: outages, added latency, error rates, RDS failover and traffic spikes, applied
//! from the scenario's schedule or injected while a run is paused.
//!
//! Why per-node state recomputed from the active set: faults may overlap; recomputing
//! from the list of active faults keeps start/end symmetric and order-independent.

use super::{Event, NodeRt, Simulation};
use crate::scenario::FaultKind;
use crate::time::SimTime;

/// The combined effect of the faults active on one node.
#[derive(Clone, Debug, Default)]
pub(crate) struct FaultState {
    pub(crate) outage: u32,
    pub(crate) extra_latency: SimTime,
    pub(crate) error_probability: f64,
    active: Vec<u32>,
}

impl Simulation {
    fn fault_node(&self, fault: u32) -> Option<usize> {
        self.fault_nodes[fault as usize].map(|node| node as usize)
    }

    pub(super) fn on_fault_start(&mut self, fault: u32) {
        let f = self.faults[fault as usize].clone();
        let Some(node) = self.fault_node(fault) else {
            return;
        };
        let end = SimTime::from_secs_f64(f.at_s + f.duration_s);
        self.queue
            .push(end.max(self.now), Event::FaultEnd { fault });
        match f.kind {
            FaultKind::Spike { .. } => self.on_spike_arrival(fault),
            FaultKind::Poison => {
                if let NodeRt::Stream(s) = &mut self.nodes[node] {
                    s.poison += 1;
                }
            }
            FaultKind::Failover => {
                if matches!(self.nodes[node], NodeRt::Rds(_)) {
                    self.rds_failover(node as u32, true);
                }
            }
            _ => {
                self.fault_state[node].active.push(fault);
                self.recompute_faults(node);
            }
        }
    }

    pub(super) fn on_fault_end(&mut self, fault: u32) {
        let f = self.faults[fault as usize].clone();
        let Some(node) = self.fault_node(fault) else {
            return;
        };
        match f.kind {
            FaultKind::Spike { .. } => {}
            FaultKind::Poison => {
                if let NodeRt::Stream(s) = &mut self.nodes[node] {
                    s.poison = s.poison.saturating_sub(1);
                }
            }
            FaultKind::Failover => {
                if matches!(self.nodes[node], NodeRt::Rds(_)) {
                    self.rds_failover(node as u32, false);
                }
            }
            _ => {
                self.fault_state[node].active.retain(|&a| a != fault);
                self.recompute_faults(node);
            }
        }
    }

    fn recompute_faults(&mut self, node: usize) {
        let mut outage = 0;
        let mut extra = SimTime::ZERO;
        let mut pass = 1.0;
        for &a in &self.fault_state[node].active {
            match self.faults[a as usize].kind {
                FaultKind::Outage => outage += 1,
                FaultKind::AddedLatency { ms } => {
                    extra = extra + SimTime::from_secs_f64(ms / 1000.0);
                }
                FaultKind::ErrorRate { probability } => pass *= 1.0 - probability,
                FaultKind::Failover | FaultKind::Spike { .. } | FaultKind::Poison => {}
            }
        }
        let st = &mut self.fault_state[node];
        st.outage = outage;
        st.extra_latency = extra;
        st.error_probability = 1.0 - pass;
    }
}
