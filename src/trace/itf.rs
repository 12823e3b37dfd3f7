//! Counterexamples as ITF JSON (the Informal Trace Format that Apalache and
//! Quint write): `#meta`, `vars`, `states` with `#meta.index`, integers as
//! `{"#bigint": "61"}`, sets as `{"#set": [...]}`, functions as
//! `{"#map": [[k, v], ...]}`, sequences as arrays, strings for `nil`, ids
//! and status names.

use super::Counterexample;
use crate::params::Params;
use crate::spec::{client_name, replica_name, State, VAR_NAMES};
use serde_json::{json, Value};

fn int(x: impl ToString) -> Value {
    json!({ "#bigint": x.to_string() })
}
fn opt_int(x: Option<u32>) -> Value {
    x.map(int).unwrap_or_else(|| json!("nil"))
}
fn seq(xs: &[u32]) -> Value {
    Value::Array(xs.iter().map(|&x| int(x)).collect())
}
fn map(keys: impl Iterator<Item = String>, vals: impl Iterator<Item = Value>) -> Value {
    json!({ "#map": keys.zip(vals).map(|(k, v)| json!([k, v])).collect::<Vec<_>>() })
}

/// The ITF value of one variable.
pub fn value(s: &State, var: &str) -> Value {
    let rn = || (0..s.db.len()).map(replica_name);
    let cn = || (0..s.pending.len()).map(client_name);
    match var {
        "zk_leader" => json!(replica_name(s.zk_leader)),
        "zk_epoch" => int(s.zk_epoch),
        "zk_leader_epoch" => int(s.zk_leader_epoch),
        "zk_status" => json!(s.zk_status.name()),
        "old_leaders" => json!({
            "#set": (0..s.old_leaders.len()).filter(|&r| s.old_leaders[r]).map(replica_name).collect::<Vec<_>>()
        }),
        "zk_catchup_index" => opt_int(s.zk_catchup_index),
        "db" => map(rn(), s.db.iter().map(|l| seq(l))),
        "db_leader" => map(rn(), s.db_leader.iter().map(|&l| json!(replica_name(l)))),
        "db_replicated" => map(
            rn(),
            s.db_replicated
                .iter()
                .map(|row| map(rn(), row.iter().map(|&x| int(x)))),
        ),
        "db_epoch" => map(rn(), s.db_epoch.iter().map(|&x| int(x))),
        "db_status" => map(rn(), s.db_status.iter().map(|x| json!(x.name()))),
        "next_req" => int(s.next_req),
        "client_leader" => map(
            cn(),
            s.client_leader.iter().map(|&l| json!(replica_name(l))),
        ),
        "client_success" => map(cn(), s.client_success.iter().map(|l| seq(l))),
        "pending" => map(cn(), s.pending.iter().map(|&x| opt_int(x))),
        "pending_db" => map(
            cn(),
            s.pending_db
                .iter()
                .map(|x| json!(x.map(replica_name).unwrap_or("nil".into()))),
        ),
        "client_leader_epoch" => map(cn(), s.client_leader_epoch.iter().map(|&x| int(x))),
        "healer_status" => json!(s.healer_status.name()),
        "healer_epoch" => int(s.healer_epoch),
        "healer_replicas" => map(rn(), s.healer_replicas.iter().map(|&x| opt_int(x))),
        _ => panic!("unknown variable {var}"),
    }
}

/// The parameters as ITF `#meta` data.
pub fn params_json(p: &Params) -> Value {
    json!({
        "clients": p.clients,
        "replicas": p.replicas,
        "max_next_req": p.max_req,
        "max_change_leader": p.max_leader_changes,
        "replication_factor": p.replication_factor,
        "epoch_max": p.epoch_max,
        "log_offset_max": p.log_offset_max,
    })
}

/// The whole counterexample as one ITF trace.
pub fn trace_json(p: &Params, cx: &Counterexample) -> Value {
    let tr = &cx.trace;
    let states: Vec<Value> = tr
        .states
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut obj = serde_json::Map::new();
            let action = if i == 0 {
                "Init".to_string()
            } else {
                tr.actions[i - 1].to_string()
            };
            obj.insert("#meta".into(), json!({ "index": i, "action": action }));
            for v in VAR_NAMES {
                obj.insert(v.into(), value(s, v));
            }
            Value::Object(obj)
        })
        .collect();
    // Readers such as the `itf` crate accept only strings as extra `#meta`
    // fields: the actions live in each state's `#meta`, the rest is text.
    json!({
        "#meta": {
            "format": "ITF",
            "format-description": "https://apalache-mc.org/docs/adr/015adr-trace.html",
            "source": "SemiSync.tla",
            "description": format!("Counterexample to {} found by semisync-bmc", cx.property),
            "violated": cx.property.name(),
            "conjunct": cx.conjunct,
            "depth": tr.depth().to_string(),
            "parameters": p.describe(),
            "generator": format!("semisync-bmc {}", env!("CARGO_PKG_VERSION")),
        },
        "vars": VAR_NAMES,
        "states": states,
    })
}
