//! The spec as concrete Rust: the reference semantics of `SemiSync.tla`.
//!
//! Every other part of the tool is checked against this module: the symbolic
//! encoding by differential tests, every counterexample by replay. It is
//! written to be read beside the TLA+, one function per action, and uses
//! plain unbounded-enough integers (`u32`) so that a value leaving its
//! declared range is visible to `TypeOK` rather than wrapped.

pub mod props;
pub use props::Property;

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

/// Names of the variables whose values differ between two states.
pub fn changed_vars(a: &State, b: &State) -> Vec<&'static str> {
    VAR_NAMES
        .iter()
        .copied()
        .filter(|name| a.value(name) != b.value(name))
        .collect()
}

/// A TLA+ value as traces show it: the one description of how each
/// variable looks, rendered as TLA+ text (`Display`) and as ITF JSON.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Int(u32),
    /// A string literal such as `"Normal"`.
    Str(&'static str),
    /// A model value: a replica or client id, or `nil`.
    Id(String),
    Set(Vec<Value>),
    Seq(Vec<Value>),
    /// A function over ids, in id order.
    Fun(Vec<(String, Value)>),
}

fn join(items: &[Value]) -> String {
    items
        .iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(x) => write!(f, "{x}"),
            Value::Str(s) => write!(f, "\"{s}\""),
            Value::Id(s) => f.write_str(s),
            Value::Set(xs) => write!(f, "{{{}}}", join(xs)),
            Value::Seq(xs) => write!(f, "<<{}>>", join(xs)),
            Value::Fun(kv) => {
                let parts: Vec<String> = kv.iter().map(|(k, v)| format!("{k} :> {v}")).collect();
                write!(f, "({})", parts.join(" @@ "))
            }
        }
    }
}

fn seq(s: &[u32]) -> Value {
    Value::Seq(s.iter().map(|&x| Value::Int(x)).collect())
}
fn nil_or(x: Option<u32>) -> Value {
    x.map(Value::Int).unwrap_or_else(|| Value::Id("nil".into()))
}
fn rid(r: usize) -> Value {
    Value::Id(replica_name(r))
}
fn fun<T>(name: fn(usize) -> String, xs: &[T], f: impl Fn(&T) -> Value) -> Value {
    Value::Fun(
        xs.iter()
            .enumerate()
            .map(|(i, x)| (name(i), f(x)))
            .collect(),
    )
}

impl State {
    /// The value of one variable (named as in `VAR_NAMES`).
    pub fn value(&self, name: &str) -> Value {
        let r = replica_name;
        let c = client_name;
        match name {
            "zk_leader" => rid(self.zk_leader),
            "zk_epoch" => Value::Int(self.zk_epoch),
            "zk_leader_epoch" => Value::Int(self.zk_leader_epoch),
            "zk_status" => Value::Str(self.zk_status.name()),
            "old_leaders" => Value::Set(
                (0..self.old_leaders.len())
                    .filter(|&i| self.old_leaders[i])
                    .map(rid)
                    .collect(),
            ),
            "zk_catchup_index" => nil_or(self.zk_catchup_index),
            "db" => fun(r, &self.db, |l| seq(l)),
            "db_leader" => fun(r, &self.db_leader, |&l| rid(l)),
            "db_replicated" => fun(r, &self.db_replicated, |row| {
                fun(r, row, |&x| Value::Int(x))
            }),
            "db_epoch" => fun(r, &self.db_epoch, |&x| Value::Int(x)),
            "db_status" => fun(r, &self.db_status, |x| Value::Str(x.name())),
            "next_req" => Value::Int(self.next_req),
            "client_leader" => fun(c, &self.client_leader, |&l| rid(l)),
            "client_success" => fun(c, &self.client_success, |l| seq(l)),
            "pending" => fun(c, &self.pending, |&x| nil_or(x)),
            "pending_db" => fun(c, &self.pending_db, |x| {
                x.map(rid).unwrap_or_else(|| Value::Id("nil".into()))
            }),
            "client_leader_epoch" => fun(c, &self.client_leader_epoch, |&x| Value::Int(x)),
            "healer_status" => Value::Str(self.healer_status.name()),
            "healer_epoch" => Value::Int(self.healer_epoch),
            "healer_replicas" => fun(r, &self.healer_replicas, |&x| nil_or(x)),
            _ => panic!("unknown variable {name}"),
        }
    }

    /// The value of one variable in TLA+ syntax, as TLC prints it.
    pub fn var_value(&self, name: &str) -> String {
        self.value(name).to_string()
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
