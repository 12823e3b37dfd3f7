//! `TypeOK`, `Consistent` and `Inv`, evaluated on a concrete state, each
//! conjunct named so that a report says which one failed; and `NoDeadlock`
//! (`--deadlock`, TLC's deadlock check as a state property: `ENABLED Next`).

use super::{apply, client_name, replica_name, Action, State};
use crate::params::{Params, REQ_BASE, ZK_EPOCH_TYPE_MAX};
use std::fmt;
use std::str::FromStr;

/// A safety property of the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Property {
    TypeOK,
    Consistent,
    Inv,
    /// `ENABLED Next`: some action is enabled. `Terminated` is one of
    /// `Next`'s actions, enabled exactly when `TerminateCond` holds, so a
    /// state violates it exactly when it is a deadlock in TLC's sense: no
    /// successor, `TerminateCond` false. Not among `ALL`: checked with
    /// `--deadlock` (the spec's MC.cfg has CHECK_DEADLOCK FALSE).
    NoDeadlock,
    /// `FairSpec => Finish` (`Finish == <>TerminateCond`), a temporal
    /// property (`--temporal Finish`): no state reading (`violation` is
    /// `None`); `check::temporal` checks it on lassos.
    Finish,
    /// A predicate the user wrote in TLA+ (`--inv 'EXPR'`, `--reach`),
    /// registered in `spec::tla` under this index.
    User(u16),
    /// `~ENABLED a` for one action instance (`--coverage`): a state that
    /// violates it is one where `a` is enabled, a witness that `a` can
    /// fire.
    Enabled(Action),
}

impl Property {
    pub const ALL: [Property; 3] = [Property::TypeOK, Property::Consistent, Property::Inv];

    pub fn name(self) -> &'static str {
        match self {
            Property::TypeOK => "TypeOK",
            Property::Consistent => "Consistent",
            Property::Inv => "Inv",
            Property::NoDeadlock => "NoDeadlock",
            Property::Finish => "Finish",
            Property::User(i) => super::tla::predicate(i).name,
            Property::Enabled(a) => action_name(a),
        }
    }

    /// Unchanged by every permutation of the replicas and of the clients
    /// (the spec's own properties are; a predicate naming `r1` is not).
    pub fn is_symmetric(self) -> bool {
        match self {
            Property::User(i) => !super::tla::predicate(i).compiled.names_ids(),
            Property::Enabled(a) => a.args().is_empty(),
            _ => true,
        }
    }

    /// A `--reach` target: "violated" means reached, a witness.
    pub fn is_reach(self) -> bool {
        match self {
            Property::User(i) => super::tla::predicate(i).reach,
            Property::Enabled(_) => true,
            _ => false,
        }
    }

    /// A property of behaviours, not of states.
    pub fn is_temporal(self) -> bool {
        self == Property::Finish
    }

    /// The TLA+ definition of a property the spec does not define itself
    /// (certificates add it), `None` for the spec's own.
    pub fn tla_definition(self) -> Option<String> {
        match self {
            Property::NoDeadlock => Some("NoDeadlock == ENABLED Next".into()),
            // A definition of the spec checked by name needs no definition.
            Property::User(i)
                if {
                    let q = super::tla::predicate(i);
                    !q.reach && q.text.trim() == q.name
                } =>
            {
                None
            }
            Property::User(i) => {
                let q = super::tla::predicate(i);
                let body = q.text.trim().replace('\n', "\n    ");
                Some(if q.reach {
                    format!("{} == ~(\n    {body})", q.name)
                } else {
                    format!("{} ==\n    {body}", q.name)
                })
            }
            _ => None,
        }
    }

    /// The first conjunct of the property that `s` violates, as TLA+ text
    /// with the bound variables instantiated; `None` when `s` satisfies it.
    pub fn violation(self, p: &Params, s: &State) -> Option<String> {
        match self {
            Property::TypeOK => type_ok_violation(p, s),
            Property::Consistent => consistent_violation(p, s),
            Property::Inv => inv_violation(p, s),
            Property::NoDeadlock => {
                let enabled = Action::all(p)
                    .into_iter()
                    .any(|a| !apply(p, s, a).is_empty());
                (!enabled).then(|| {
                    "ENABLED Next (no action is enabled, and TerminateCond is false: a deadlock)"
                        .to_string()
                })
            }
            Property::Finish => None,
            // An instance of a larger configuration (c2 read in a 1-client
            // one, as the prover's seed does) is never enabled.
            Property::Enabled(a) => {
                (a.fits(p) && !apply(p, s, a).is_empty()).then(|| format!("ENABLED {a}"))
            }
            Property::User(i) => {
                let q = super::tla::predicate(i);
                match (super::tla::eval_bool(&q.compiled, p, s), q.reach) {
                    (Ok(true), true) => Some(q.text.trim().to_string()),
                    (_, true) => None,
                    (Ok(true), false) => None,
                    (Ok(false), false) => Some(q.text.trim().to_string()),
                    (Err(e), false) => Some(format!("{} (evaluation error: {e})", q.text.trim())),
                }
            }
        }
    }

    pub fn holds(self, p: &Params, s: &State) -> bool {
        self.violation(p, s).is_none()
    }
}

/// `Replicate(r2)`, with the lifetime of the process (names of
/// `Property::Enabled`, made once per instance).
fn action_name(a: Action) -> &'static str {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<HashMap<Action, &'static str>>> = OnceLock::new();
    let mut m = NAMES.get_or_init(Default::default).lock().unwrap();
    m.entry(a)
        .or_insert_with(|| super::tla::leak(a.to_string()))
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Property {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "TypeOK" => Ok(Property::TypeOK),
            "Consistent" => Ok(Property::Consistent),
            "Inv" => Ok(Property::Inv),
            "NoDeadlock" => Ok(Property::NoDeadlock),
            "Finish" => {
                Err("Finish is a temporal property: check it with --temporal Finish".into())
            }
            _ => Err(format!(
                "unknown property '{s}': expected TypeOK, Consistent, Inv or NoDeadlock"
            )),
        }
    }
}

fn in_req_set(p: &Params, x: u32) -> bool {
    (REQ_BASE..=REQ_BASE + p.max_req).contains(&x)
}

fn type_ok_violation(p: &Params, s: &State) -> Option<String> {
    let rs = 0..p.replicas;
    let e = p.epoch_max;
    let o = p.log_offset_max;
    if s.zk_leader >= p.replicas {
        return Some("zk_leader \\in Replica".into());
    }
    if !(1..=ZK_EPOCH_TYPE_MAX).contains(&s.zk_epoch) {
        return Some(format!(
            "zk_epoch \\in 1..{ZK_EPOCH_TYPE_MAX} (zk_epoch = {})",
            s.zk_epoch
        ));
    }
    if !(1..=p.max_leader_changes).contains(&s.zk_leader_epoch) {
        return Some(format!(
            "zk_leader_epoch \\in 1..max_change_leader (zk_leader_epoch = {})",
            s.zk_leader_epoch
        ));
    }
    if let Some(x) = s.zk_catchup_index {
        if x > o {
            return Some(format!(
                "zk_catchup_index \\in (LogOffset \\union {{nil}}) (zk_catchup_index = {x})"
            ));
        }
    }
    for r in rs.clone() {
        if let Some(x) = s.db[r].iter().find(|&&x| !in_req_set(p, x)) {
            return Some(format!(
                "db \\in [Replica -> Seq(ReqSet)] (db[{}] holds {x})",
                replica_name(r)
            ));
        }
    }
    for r in rs.clone() {
        if s.db_leader[r] >= p.replicas {
            return Some("db_leader \\in [Replica -> Replica]".into());
        }
    }
    for r in rs.clone() {
        for r1 in rs.clone() {
            if s.db_replicated[r][r1] > o {
                return Some(format!(
                    "db_replicated \\in [Replica -> [Replica -> LogOffset]] (db_replicated[{}][{}] = {})",
                    replica_name(r),
                    replica_name(r1),
                    s.db_replicated[r][r1]
                ));
            }
        }
    }
    for r in rs.clone() {
        if s.db_epoch[r] > e {
            return Some(format!(
                "db_epoch \\in [Replica -> Epoch] (db_epoch[{}] = {})",
                replica_name(r),
                s.db_epoch[r]
            ));
        }
    }
    if !in_req_set(p, s.next_req) {
        return Some(format!("next_req \\in ReqSet (next_req = {})", s.next_req));
    }
    for c in 0..p.clients {
        if s.client_leader[c] >= p.replicas {
            return Some("client_leader \\in [Client -> Replica]".into());
        }
    }
    for c in 0..p.clients {
        if let Some(x) = s.client_success[c].iter().find(|&&x| !in_req_set(p, x)) {
            return Some(format!(
                "client_success \\in [Client -> Seq(ReqSet)] (client_success[{}] holds {x})",
                client_name(c)
            ));
        }
    }
    for c in 0..p.clients {
        if let Some(x) = s.pending[c] {
            if !in_req_set(p, x) {
                return Some(format!(
                    "pending \\in [Client -> NullReqSet] (pending[{}] = {x})",
                    client_name(c)
                ));
            }
        }
    }
    for c in 0..p.clients {
        if let Some(x) = s.pending_db[c] {
            if x >= p.replicas {
                return Some("pending_db \\in [Client -> NullReplica]".into());
            }
        }
    }
    for c in 0..p.clients {
        if s.client_leader_epoch[c] > e {
            return Some(format!(
                "client_leader_epoch \\in [Client -> Epoch] (client_leader_epoch[{}] = {})",
                client_name(c),
                s.client_leader_epoch[c]
            ));
        }
    }
    if s.healer_epoch > e {
        return Some(format!(
            "healer_epoch \\in Epoch (healer_epoch = {})",
            s.healer_epoch
        ));
    }
    for r in rs {
        if let Some(x) = s.healer_replicas[r] {
            if x > o {
                return Some(format!(
                    "healer_replicas \\in [Replica -> LogOffset \\union {{nil}}] (healer_replicas[{}] = {x})",
                    replica_name(r)
                ));
            }
        }
    }
    None
}

fn consistent_violation(p: &Params, s: &State) -> Option<String> {
    let leader_log = &s.db[s.zk_leader];
    for c in 0..p.clients {
        let cs = &s.client_success[c];
        if cs.len() > leader_log.len() {
            return Some(format!(
                "Len(client_success[{c}]) <= Len(db[zk_leader]) ({} > {} with zk_leader = {})",
                cs.len(),
                leader_log.len(),
                replica_name(s.zk_leader),
                c = client_name(c)
            ));
        }
        if let Some(x) = cs.iter().find(|x| !leader_log.contains(x)) {
            return Some(format!(
                "\\A x \\in Range(client_success[{}]): x \\in Range(db[zk_leader]) ({x} is not in db[{}])",
                client_name(c),
                replica_name(s.zk_leader)
            ));
        }
    }
    None
}

fn inv_violation(p: &Params, s: &State) -> Option<String> {
    if s.zk_epoch >= 11 {
        return Some(format!("zk_epoch < 11 (zk_epoch = {})", s.zk_epoch));
    }
    if s.zk_leader_epoch > p.max_leader_changes {
        return Some(format!(
            "zk_leader_epoch <= max_change_leader (zk_leader_epoch = {})",
            s.zk_leader_epoch
        ));
    }
    if s.zk_leader_epoch >= 2 {
        for c in 0..p.clients {
            if s.client_success[c].len() >= 4 {
                return Some(format!(
                    "(zk_leader_epoch >= 2) => (\\A c \\in Client: Len(client_success[c]) < 4) \
                     (zk_leader_epoch = {}, Len(client_success[{}]) = {})",
                    s.zk_leader_epoch,
                    client_name(c),
                    s.client_success[c].len()
                ));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::init_state;

    #[test]
    fn init_satisfies_every_property() {
        let p = Params::default();
        for prop in Property::ALL {
            assert_eq!(prop.violation(&p, &init_state(&p, 1)), None);
        }
    }

    #[test]
    fn each_property_can_fail() {
        let p = Params::default();
        let mut s = init_state(&p, 0);
        s.db_epoch[2] = 21;
        assert!(Property::TypeOK
            .violation(&p, &s)
            .unwrap()
            .starts_with("db_epoch"));
        let mut s = init_state(&p, 0);
        s.client_success[1] = vec![61];
        assert!(Property::Consistent
            .violation(&p, &s)
            .unwrap()
            .starts_with("Len(client_success[c2])"));
        s.db[0] = vec![62];
        assert!(Property::Consistent
            .violation(&p, &s)
            .unwrap()
            .starts_with("\\A x"));
        let mut s = init_state(&p, 0);
        s.zk_leader_epoch = 2;
        s.client_success[0] = vec![61, 62, 63, 64];
        assert!(Property::Inv
            .violation(&p, &s)
            .unwrap()
            .starts_with("(zk_leader_epoch >= 2)"));
    }
}
