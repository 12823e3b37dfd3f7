//! `Next`: every action of the spec as a function from a state to its
//! successors, one arm per action, named and written as in the TLA+.

use super::{Action, DbStatus, HealerStatus, State, ZkStatus};
use crate::params::{Params, REQ_BASE};

fn len(s: &[u32]) -> u32 {
    s.len() as u32
}

/// `Cardinality({r \in Replica : ~(r \in old_leaders)})`
fn not_old_count(s: &State) -> usize {
    s.old_leaders.iter().filter(|&&o| !o).count()
}

/// `dbStatusFromZK(r)`
fn db_status_from_zk(s: &State, r: usize) -> DbStatus {
    if matches!(s.zk_status, ZkStatus::Normal | ZkStatus::WaitReplicaLog) && !s.old_leaders[r] {
        if s.zk_leader == r {
            DbStatus::Writable
        } else {
            DbStatus::Replica
        }
    } else {
        DbStatus::Frozen
    }
}

/// `TerminateCond`
pub fn terminate_cond(p: &Params, s: &State) -> bool {
    s.next_req == REQ_BASE + p.max_req
        && s.zk_status == ZkStatus::Normal
        && s.zk_leader_epoch == p.max_leader_changes
        && s.zk_epoch >= 10
        && (0..p.clients).all(|c| s.pending[c].is_none() && s.pending_db[c].is_none())
        && (0..p.clients).all(|c| s.client_leader_epoch[c] == s.zk_leader_epoch)
        && (0..p.replicas).all(|r| s.db_epoch[r] == s.zk_epoch)
}

/// All successors of `s` by the action instance `a` (empty when disabled).
/// Only `HealerUpdateLeader` can have more than one (ties).
pub fn apply(p: &Params, s: &State, a: Action) -> Vec<State> {
    let mut out = Successors::default();
    apply_into(p, s, a, &mut out);
    out.pool.truncate(out.len);
    out.pool
}

/// `apply`, adding the successors to `out` (whose states are reused: once
/// warmed up, a walk through the spec allocates nothing per step).
pub fn apply_into(p: &Params, s: &State, a: Action, out: &mut Successors) {
    use Action::*;
    match a {
        StartRequest(c) => {
            let leader = s.client_leader[c];
            if !(s.pending[c].is_none()
                && s.next_req < REQ_BASE + p.max_req
                && s.db_status[leader] == DbStatus::Writable)
            {
                return;
            }
            let t = out.push_copy(s);
            t.next_req = s.next_req + 1;
            t.pending[c] = Some(t.next_req);
            t.pending_db[c] = Some(leader);
            t.db[leader].push(t.next_req);
            t.db_replicated[leader][leader] = len(&t.db[leader]);
        }
        DBResponse(c) => {
            let Some(req) = s.pending[c] else {
                return;
            };
            // pending[c] /= nil implies pending_db[c] /= nil on every
            // reachable state; db[nil] is an error in TLC, disabled here.
            let Some(leader) = s.pending_db[c] else {
                return;
            };
            let log = &s.db[leader];
            let enabled = (1..=log.len()).any(|index| {
                log[index - 1] == req
                    && with_quorums(p, |qs| {
                        qs.iter().any(|q| {
                            let min = q
                                .iter()
                                .map(|&r1| s.db_replicated[leader][r1])
                                .min()
                                .unwrap();
                            index as u32 <= min
                        })
                    })
            });
            if !enabled {
                return;
            }
            let t = out.push_copy(s);
            t.pending[c] = None;
            t.pending_db[c] = None;
            t.client_success[c].push(req);
        }
        ClientUpdateLeader(c) => {
            if s.client_leader_epoch[c] >= s.zk_leader_epoch {
                return;
            }
            let t = out.push_copy(s);
            t.client_leader_epoch[c] = s.zk_leader_epoch;
            t.client_leader[c] = s.zk_leader;
            t.pending[c] = None;
            t.pending_db[c] = None;
        }
        Replicate(r) => {
            let leader = s.db_leader[r];
            if !(r != leader && s.db_status[r] == DbStatus::Replica) {
                return;
            }
            let new_len = s.db[r].len() + 1;
            if s.db[r].len() >= s.db[leader].len() {
                return;
            }
            let t = out.push_copy(s);
            let v = s.db[leader][new_len - 1];
            t.db[r].push(v);
            t.db_replicated[leader][r] = new_len as u32;
        }
        DBUpdateLeader(r) => {
            if s.db_epoch[r] >= s.zk_epoch {
                return;
            }
            let t = out.push_copy(s);
            t.db_epoch[r] = s.zk_epoch;
            t.db_leader[r] = s.zk_leader;
            t.db_status[r] = db_status_from_zk(s, r);
            if s.db_leader[r] != s.zk_leader {
                // initReplicated(r)
                t.db_replicated[r].clear();
                t.db_replicated[r].resize(p.replicas, 0);
                t.db_replicated[r][r] = len(&s.db[r]);
            }
        }
        RecoverOldLeader(r) => {
            if !(s.old_leaders[r] && s.zk_status == ZkStatus::Normal) {
                return;
            }
            let t = out.push_copy(s);
            t.db[r].clear();
            t.db_status[r] = DbStatus::Replica;
            t.db_epoch[r] = s.zk_epoch;
            t.db_leader[r] = s.zk_leader;
            t.db_replicated[r].clear();
            t.db_replicated[r].resize(p.replicas, 0);
            t.old_leaders[r] = false;
        }
        ReadyToChangeZKLeader => {
            if !(s.zk_leader_epoch < p.max_leader_changes
                && not_old_count(s) > p.replication_factor
                && s.zk_status == ZkStatus::Normal)
            {
                return;
            }
            let t = out.push_copy(s);
            t.zk_status = ZkStatus::ChangingLeader;
            t.zk_epoch = s.zk_epoch + 1;
            t.old_leaders[s.zk_leader] = true;
        }
        HealerUpdateState => {
            if s.healer_epoch >= s.zk_epoch {
                return;
            }
            let t = out.push_copy(s);
            t.healer_epoch = s.zk_epoch;
            t.healer_replicas.clear();
            t.healer_replicas.resize(p.replicas, None);
            t.healer_status = match s.zk_status {
                ZkStatus::ChangingLeader => HealerStatus::UpdatingLeader,
                ZkStatus::WaitReplicaLog => HealerStatus::WaitReplica,
                ZkStatus::Normal => HealerStatus::Init,
            };
        }
        HealerGetDBLog(r) => {
            if !(s.healer_status == HealerStatus::UpdatingLeader
                && s.healer_replicas[r].is_none()
                && !s.old_leaders[r]
                && s.db_epoch[r] == s.healer_epoch)
            {
                return;
            }
            let t = out.push_copy(s);
            t.healer_replicas[r] = Some(len(&s.db[r]));
        }
        HealerUpdateLeader => {
            if !(s.healer_status == HealerStatus::UpdatingLeader && s.healer_epoch == s.zk_epoch) {
                return;
            }
            let collected = s.healer_replicas.iter().flatten();
            if collected.clone().count() < p.replication_factor {
                return;
            }
            let max = collected.max().copied();
            for r in 0..p.replicas {
                if s.healer_replicas[r].is_some() && s.healer_replicas[r] == max {
                    let n = s.healer_replicas[r].unwrap_or_default();
                    let t = out.push_copy(s);
                    t.zk_leader = r;
                    t.zk_catchup_index = Some(n);
                    t.zk_status = ZkStatus::WaitReplicaLog;
                    t.zk_epoch = s.zk_epoch + 1;
                    t.zk_leader_epoch = s.zk_leader_epoch + 1;
                }
            }
        }
        HealerUpdateToNormal => {
            if !(s.healer_status == HealerStatus::WaitReplica
                && s.zk_status == ZkStatus::WaitReplicaLog)
            {
                return;
            }
            // Len(db[r]) >= nil is an error in TLC; disabled here. On every
            // reachable state zk_catchup_index is set in WaitReplicaLog.
            let Some(catchup) = s.zk_catchup_index else {
                return;
            };
            let enabled = with_quorums(p, |qs| {
                qs.iter().any(|q| {
                    let old_subset = (0..p.replicas).all(|r| !s.old_leaders[r] || q.contains(&r));
                    !old_subset && q.iter().all(|&r| len(&s.db[r]) >= catchup)
                })
            });
            if !enabled {
                return;
            }
            let t = out.push_copy(s);
            t.zk_status = ZkStatus::Normal;
            t.zk_epoch = s.zk_epoch + 1;
        }
        Terminated => {
            if terminate_cond(p, s) {
                out.push_copy(s);
            }
        }
    }
}

/// A reusable list of successor states: `push_copy` overwrites a state
/// left from an earlier use (`State::clone_from` keeps its vectors'
/// allocations) before it allocates a new one.
#[derive(Default, Debug)]
pub struct Successors {
    pool: Vec<State>,
    len: usize,
}

impl Successors {
    /// Forgets the successors (keeping their storage).
    pub fn clear(&mut self) {
        self.len = 0;
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn get(&self, i: usize) -> &State {
        &self.pool[..self.len][i]
    }
    /// Swaps successor `i` with `s`: `s` becomes the successor, and the
    /// old `s` is kept as storage.
    pub fn take(&mut self, i: usize, s: &mut State) {
        std::mem::swap(&mut self.pool[..self.len][i], s);
    }
    fn push_copy(&mut self, s: &State) -> &mut State {
        if self.len < self.pool.len() {
            self.pool[self.len].clone_from(s);
        } else {
            self.pool.push(s.clone());
        }
        self.len += 1;
        &mut self.pool[self.len - 1]
    }
}

thread_local! {
    /// The quorums of the last (replicas, replication factor) asked for.
    static QUORUMS: std::cell::RefCell<((usize, usize), Vec<Vec<usize>>)> =
        std::cell::RefCell::default();
}

/// `f(Quorum)`, the quorums computed once per thread and configuration.
fn with_quorums<R>(p: &Params, f: impl FnOnce(&[Vec<usize>]) -> R) -> R {
    QUORUMS.with(|c| {
        let mut c = c.borrow_mut();
        let key = (p.replicas, p.replication_factor);
        if c.0 != key || c.1.is_empty() {
            *c = (key, p.quorums());
        }
        f(&c.1)
    })
}

/// Every `(action, successor)` pair of `Next` from `s`.
pub fn successors(p: &Params, actions: &[Action], s: &State) -> Vec<(Action, State)> {
    let mut out = Vec::new();
    for &a in actions {
        for t in apply(p, s, a) {
            out.push((a, t));
        }
    }
    out
}
