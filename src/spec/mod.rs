//! The spec as concrete Rust: the reference semantics of `SemiSync.tla`.
//!
//! Every other part of the tool is checked against this module: the symbolic
//! encoding by differential tests, every counterexample by replay. It is
//! written to be read beside the TLA+, one function per action, and uses
//! plain unbounded-enough integers (`u32`) so that a value leaving its
//! declared range is visible to `TypeOK` rather than wrapped.

mod next;
pub mod props;
pub mod tla;
mod value;

pub use next::{apply, apply_into, successors, terminate_cond, Successors};
pub use props::Property;
pub use value::{changed_vars, Value};

use crate::params::{Params, REQ_BASE};
use std::fmt;

/// `zk_status`
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ZkStatus {
    Normal = 0,
    ChangingLeader = 1,
    WaitReplicaLog = 2,
}

/// `db_status[r]`
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DbStatus {
    Writable = 0,
    Replica = 1,
    Frozen = 2,
}

/// `healer_status`
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HealerStatus {
    Init = 0,
    UpdatingLeader = 1,
    WaitReplica = 2,
}

impl ZkStatus {
    pub const ALL: [ZkStatus; 3] = [
        ZkStatus::Normal,
        ZkStatus::ChangingLeader,
        ZkStatus::WaitReplicaLog,
    ];
    pub fn name(self) -> &'static str {
        match self {
            ZkStatus::Normal => "Normal",
            ZkStatus::ChangingLeader => "ChangingLeader",
            ZkStatus::WaitReplicaLog => "WaitReplicaLog",
        }
    }
}
impl DbStatus {
    pub const ALL: [DbStatus; 3] = [DbStatus::Writable, DbStatus::Replica, DbStatus::Frozen];
    pub fn name(self) -> &'static str {
        match self {
            DbStatus::Writable => "Writable",
            DbStatus::Replica => "Replica",
            DbStatus::Frozen => "Frozen",
        }
    }
}
impl HealerStatus {
    pub const ALL: [HealerStatus; 3] = [
        HealerStatus::Init,
        HealerStatus::UpdatingLeader,
        HealerStatus::WaitReplica,
    ];
    pub fn name(self) -> &'static str {
        match self {
            HealerStatus::Init => "Init",
            HealerStatus::UpdatingLeader => "UpdatingLeader",
            HealerStatus::WaitReplica => "WaitReplica",
        }
    }
}

/// Replica ids are indices `0..replicas`, shown as `r1, r2, ...`; client
/// ids likewise `c1, c2, ...`. Requests are stored as their TLA+ value
/// (`61, 62, ...`); `nil` is `None`.
#[derive(Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct State {
    pub zk_leader: usize,
    pub zk_epoch: u32,
    pub zk_leader_epoch: u32,
    pub zk_status: ZkStatus,
    pub old_leaders: Vec<bool>,
    pub zk_catchup_index: Option<u32>,
    pub db: Vec<Vec<u32>>,
    pub db_leader: Vec<usize>,
    pub db_replicated: Vec<Vec<u32>>,
    pub db_epoch: Vec<u32>,
    pub db_status: Vec<DbStatus>,
    pub next_req: u32,
    pub client_leader: Vec<usize>,
    pub client_success: Vec<Vec<u32>>,
    pub pending: Vec<Option<u32>>,
    pub pending_db: Vec<Option<usize>>,
    pub client_leader_epoch: Vec<u32>,
    pub healer_status: HealerStatus,
    pub healer_epoch: u32,
    pub healer_replicas: Vec<Option<u32>>,
}

/// `clone_from` reuses every vector's allocation (the derived one would
/// allocate a whole new state), so that walks allocate nothing per step.
impl Clone for State {
    fn clone(&self) -> State {
        State {
            zk_leader: self.zk_leader,
            zk_epoch: self.zk_epoch,
            zk_leader_epoch: self.zk_leader_epoch,
            zk_status: self.zk_status,
            old_leaders: self.old_leaders.clone(),
            zk_catchup_index: self.zk_catchup_index,
            db: self.db.clone(),
            db_leader: self.db_leader.clone(),
            db_replicated: self.db_replicated.clone(),
            db_epoch: self.db_epoch.clone(),
            db_status: self.db_status.clone(),
            next_req: self.next_req,
            client_leader: self.client_leader.clone(),
            client_success: self.client_success.clone(),
            pending: self.pending.clone(),
            pending_db: self.pending_db.clone(),
            client_leader_epoch: self.client_leader_epoch.clone(),
            healer_status: self.healer_status,
            healer_epoch: self.healer_epoch,
            healer_replicas: self.healer_replicas.clone(),
        }
    }

    fn clone_from(&mut self, o: &State) {
        // Destructured, so that a new field cannot be forgotten here.
        let State {
            zk_leader,
            zk_epoch,
            zk_leader_epoch,
            zk_status,
            old_leaders,
            zk_catchup_index,
            db,
            db_leader,
            db_replicated,
            db_epoch,
            db_status,
            next_req,
            client_leader,
            client_success,
            pending,
            pending_db,
            client_leader_epoch,
            healer_status,
            healer_epoch,
            healer_replicas,
        } = o;
        self.zk_leader = *zk_leader;
        self.zk_epoch = *zk_epoch;
        self.zk_leader_epoch = *zk_leader_epoch;
        self.zk_status = *zk_status;
        self.old_leaders.clone_from(old_leaders);
        self.zk_catchup_index = *zk_catchup_index;
        self.db.clone_from(db);
        self.db_leader.clone_from(db_leader);
        self.db_replicated.clone_from(db_replicated);
        self.db_epoch.clone_from(db_epoch);
        self.db_status.clone_from(db_status);
        self.next_req = *next_req;
        self.client_leader.clone_from(client_leader);
        self.client_success.clone_from(client_success);
        self.pending.clone_from(pending);
        self.pending_db.clone_from(pending_db);
        self.client_leader_epoch.clone_from(client_leader_epoch);
        self.healer_status = *healer_status;
        self.healer_epoch = *healer_epoch;
        self.healer_replicas.clone_from(healer_replicas);
    }
}

/// The variables in the order of the spec's `vars` tuple.
pub const VAR_NAMES: [&str; 20] = [
    "zk_leader",
    "zk_epoch",
    "zk_leader_epoch",
    "zk_status",
    "old_leaders",
    "zk_catchup_index",
    "db",
    "db_leader",
    "db_replicated",
    "db_epoch",
    "db_status",
    "next_req",
    "client_leader",
    "client_success",
    "pending",
    "pending_db",
    "client_leader_epoch",
    "healer_status",
    "healer_epoch",
    "healer_replicas",
];

/// One instance of an action of `Next`, with its arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    StartRequest(usize),
    DBResponse(usize),
    ClientUpdateLeader(usize),
    Replicate(usize),
    DBUpdateLeader(usize),
    RecoverOldLeader(usize),
    ReadyToChangeZKLeader,
    HealerUpdateState,
    HealerGetDBLog(usize),
    HealerUpdateLeader,
    HealerUpdateToNormal,
    Terminated,
}

pub use crate::params::{client_name, replica_name, set_of};

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Action::*;
        match *self {
            StartRequest(c) => write!(f, "StartRequest({})", client_name(c)),
            DBResponse(c) => write!(f, "DBResponse({})", client_name(c)),
            ClientUpdateLeader(c) => write!(f, "ClientUpdateLeader({})", client_name(c)),
            Replicate(r) => write!(f, "Replicate({})", replica_name(r)),
            DBUpdateLeader(r) => write!(f, "DBUpdateLeader({})", replica_name(r)),
            RecoverOldLeader(r) => write!(f, "RecoverOldLeader({})", replica_name(r)),
            ReadyToChangeZKLeader => f.write_str("ReadyToChangeZKLeader"),
            HealerUpdateState => f.write_str("HealerUpdateState"),
            HealerGetDBLog(r) => write!(f, "HealerGetDBLog({})", replica_name(r)),
            HealerUpdateLeader => f.write_str("HealerUpdateLeader"),
            HealerUpdateToNormal => f.write_str("HealerUpdateToNormal"),
            Terminated => f.write_str("Terminated"),
        }
    }
}

impl Action {
    /// The action's name without arguments, as in the spec.
    pub fn name(&self) -> &'static str {
        use Action::*;
        match self {
            StartRequest(_) => "StartRequest",
            DBResponse(_) => "DBResponse",
            ClientUpdateLeader(_) => "ClientUpdateLeader",
            Replicate(_) => "Replicate",
            DBUpdateLeader(_) => "DBUpdateLeader",
            RecoverOldLeader(_) => "RecoverOldLeader",
            ReadyToChangeZKLeader => "ReadyToChangeZKLeader",
            HealerUpdateState => "HealerUpdateState",
            HealerGetDBLog(_) => "HealerGetDBLog",
            HealerUpdateLeader => "HealerUpdateLeader",
            HealerUpdateToNormal => "HealerUpdateToNormal",
            Terminated => "Terminated",
        }
    }

    /// The action's arguments as TLA+ values (`["c1"]`, `["r2"]` or none).
    pub fn args(&self) -> Vec<String> {
        use Action::*;
        match *self {
            StartRequest(c) | DBResponse(c) | ClientUpdateLeader(c) => vec![client_name(c)],
            Replicate(r) | DBUpdateLeader(r) | RecoverOldLeader(r) | HealerGetDBLog(r) => {
                vec![replica_name(r)]
            }
            _ => vec![],
        }
    }

    /// An instance of `p`'s configuration: its argument names an existing
    /// client or replica (`StartRequest(c2)` is not one with one client).
    pub fn fits(&self, p: &Params) -> bool {
        use Action::*;
        match *self {
            StartRequest(c) | DBResponse(c) | ClientUpdateLeader(c) => c < p.clients,
            Replicate(r) | DBUpdateLeader(r) | RecoverOldLeader(r) | HealerGetDBLog(r) => {
                r < p.replicas
            }
            _ => true,
        }
    }

    /// Every action instance of `Next`, in the order of the disjuncts of
    /// `Next`. The symbolic encoding numbers its action selector by this
    /// order.
    pub fn all(p: &Params) -> Vec<Action> {
        use Action::*;
        let mut v = Vec::new();
        for c in 0..p.clients {
            v.push(StartRequest(c));
            v.push(DBResponse(c));
            v.push(ClientUpdateLeader(c));
        }
        for r in 0..p.replicas {
            v.push(Replicate(r));
            v.push(DBUpdateLeader(r));
            v.push(RecoverOldLeader(r));
        }
        v.push(ReadyToChangeZKLeader);
        v.push(HealerUpdateState);
        for r in 0..p.replicas {
            v.push(HealerGetDBLog(r));
        }
        v.push(HealerUpdateLeader);
        v.push(HealerUpdateToNormal);
        v.push(Terminated);
        v
    }
}

/// `Init`: one state per choice of `zk_leader`.
pub fn init_states(p: &Params) -> Vec<State> {
    (0..p.replicas).map(|l| init_state(p, l)).collect()
}

/// The initial state with `zk_leader = leader`.
pub fn init_state(p: &Params, leader: usize) -> State {
    let (r, c) = (p.replicas, p.clients);
    State {
        zk_leader: leader,
        zk_epoch: 1,
        zk_leader_epoch: 1,
        zk_status: ZkStatus::Normal,
        old_leaders: vec![false; r],
        zk_catchup_index: None,
        db: vec![vec![]; r],
        db_leader: vec![leader; r],
        db_replicated: vec![vec![0; r]; r],
        db_epoch: vec![1; r],
        db_status: (0..r)
            .map(|i| {
                if i == leader {
                    DbStatus::Writable
                } else {
                    DbStatus::Replica
                }
            })
            .collect(),
        next_req: REQ_BASE,
        client_leader: vec![leader; c],
        client_success: vec![vec![]; c],
        pending: vec![None; c],
        pending_db: vec![None; c],
        client_leader_epoch: vec![1; c],
        healer_status: HealerStatus::Init,
        healer_epoch: 1,
        healer_replicas: vec![None; r],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every action but `Terminated` changes the state: so a step of a
    /// behaviour that never meets `TerminateCond` is always a real step,
    /// which the lasso search of `--temporal Finish` relies on (its replay
    /// checks each lasso concretely too).
    #[test]
    fn every_step_but_terminated_is_real() {
        for p in [
            Params::default(),
            Params {
                clients: 1,
                max_req: 1,
                max_leader_changes: 2,
                ..Params::default()
            },
        ] {
            let actions = Action::all(&p);
            let mut level = init_states(&p);
            let mut seen = 0;
            for _ in 0..9 {
                let mut next = vec![];
                for s in &level {
                    for (a, t) in successors(&p, &actions, s) {
                        assert_eq!(a == Action::Terminated, t == *s, "{a} from {s:?}");
                        seen += 1;
                        next.push(t);
                    }
                }
                next.sort();
                next.dedup();
                level = next;
            }
            assert!(seen > 1000, "{seen}");
        }
    }

    /// A buffer that held other successors (longer logs, other statuses)
    /// gives, after `clear`, exactly what a fresh `apply` gives: `clone_from`
    /// leaves nothing of the old state behind.
    #[test]
    fn reused_successor_buffers_equal_fresh_apply() {
        for p in [
            Params::default(),
            Params {
                replicas: 4,
                replication_factor: 3,
                clients: 1,
                ..Params::default()
            },
        ] {
            let actions = Action::all(&p);
            // Every state of the first 7 levels, deepest first, so that the
            // buffer holds larger states than those that overwrite it.
            let mut level = init_states(&p);
            let mut all = level.clone();
            for _ in 0..7 {
                level = level
                    .iter()
                    .flat_map(|s| successors(&p, &actions, s).into_iter().map(|(_, t)| t))
                    .collect();
                level.sort();
                level.dedup();
                all.extend(level.iter().cloned());
            }
            all.reverse();
            let mut buf = Successors::default();
            let mut compared = 0;
            for s in &all {
                for &a in &actions {
                    buf.clear();
                    apply_into(&p, s, a, &mut buf);
                    let fresh: Vec<State> =
                        successors(&p, &[a], s).into_iter().map(|x| x.1).collect();
                    let reused: Vec<State> = (0..buf.len()).map(|i| buf.get(i).clone()).collect();
                    assert_eq!(reused, fresh, "{a} from {s:?}");
                    compared += fresh.len();
                }
            }
            assert!(compared > 1000, "{compared}");
        }
    }

    #[test]
    fn init_has_one_state_per_replica() {
        let p = Params::default();
        let init = init_states(&p);
        assert_eq!(init.len(), 3);
        assert_eq!(
            init[1].db_status,
            vec![DbStatus::Replica, DbStatus::Writable, DbStatus::Replica]
        );
    }

    #[test]
    fn start_request_uses_primed_values() {
        let p = Params::default();
        let s = init_state(&p, 0);
        let t = &apply(&p, &s, Action::StartRequest(1))[0];
        assert_eq!(t.next_req, 61);
        assert_eq!(t.pending[1], Some(61));
        assert_eq!(t.db[0], vec![61]);
        assert_eq!(t.db_replicated[0][0], 1);
        assert_eq!(
            changed_vars(&s, t),
            vec!["db", "db_replicated", "next_req", "pending", "pending_db"]
        );
    }

    #[test]
    fn update_to_normal_is_disabled_without_old_leaders() {
        let p = Params::default();
        let mut s = init_state(&p, 0);
        s.healer_status = HealerStatus::WaitReplica;
        s.zk_status = ZkStatus::WaitReplicaLog;
        s.zk_catchup_index = Some(0);
        assert!(apply(&p, &s, Action::HealerUpdateToNormal).is_empty());
        s.old_leaders[2] = true;
        assert_eq!(apply(&p, &s, Action::HealerUpdateToNormal).len(), 1);
    }

    #[test]
    fn healer_update_leader_ties_give_several_successors() {
        let p = Params::default();
        let mut s = init_state(&p, 0);
        s.healer_status = HealerStatus::UpdatingLeader;
        s.healer_replicas = vec![None, Some(2), Some(2)];
        let succ = apply(&p, &s, Action::HealerUpdateLeader);
        assert_eq!(
            succ.iter().map(|t| t.zk_leader).collect::<Vec<_>>(),
            vec![1, 2]
        );
        s.healer_replicas = vec![None, Some(1), Some(2)];
        assert_eq!(apply(&p, &s, Action::HealerUpdateLeader).len(), 1);
    }

    #[test]
    fn values_print_in_tla_syntax() {
        let p = Params::default();
        let s = init_state(&p, 0);
        assert_eq!(
            s.var_value("db"),
            "(r1 :> <<>> @@ r2 :> <<>> @@ r3 :> <<>>)"
        );
        assert_eq!(s.var_value("pending"), "(c1 :> nil @@ c2 :> nil)");
        assert_eq!(s.var_value("old_leaders"), "{}");
        assert_eq!(s.var_value("zk_status"), "\"Normal\"");
    }
}
