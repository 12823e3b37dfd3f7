//! How states look in traces: each variable as a TLA+ value, rendered as
//! TLA+ text and (in `report::itf`) as ITF JSON.

use super::{client_name, replica_name, State, VAR_NAMES};
use std::fmt;

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
