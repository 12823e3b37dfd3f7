//! Counterexamples as ITF JSON (the Informal Trace Format that Apalache and
//! Quint write): `#meta`, `vars`, `states` with `#meta.index`, integers as
//! `{"#bigint": "61"}`, sets as `{"#set": [...]}`, functions as
//! `{"#map": [[k, v], ...]}`, sequences as arrays, strings for `nil`, ids
//! and status names.

use crate::engine::Report;
use crate::error::Result;
use crate::params::Params;
use crate::spec::{self, State, VAR_NAMES};
use crate::trace::{Counterexample, Loop};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// A spec value in ITF: integers as `{"#bigint": "61"}`, sets as
/// `{"#set": [...]}`, functions as `{"#map": [[k, v], ...]}`, sequences as
/// arrays, strings and model values (ids, `nil`) as strings.
pub fn to_json(v: &spec::Value) -> Value {
    match v {
        spec::Value::Int(x) => json!({ "#bigint": x.to_string() }),
        spec::Value::Str(s) => json!(s),
        spec::Value::Id(s) => json!(s),
        spec::Value::Set(xs) => json!({ "#set": xs.iter().map(to_json).collect::<Vec<_>>() }),
        spec::Value::Seq(xs) => Value::Array(xs.iter().map(to_json).collect()),
        spec::Value::Fun(kv) => json!({
            "#map": kv.iter().map(|(k, x)| json!([k, to_json(x)])).collect::<Vec<_>>()
        }),
    }
}

/// The ITF value of one variable.
pub fn value(s: &State, var: &str) -> Value {
    to_json(&s.value(var))
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
    let mut doc = json!({
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
    });
    // A lasso: the index of the state the last one loops back to (itself
    // when it stutters forever).
    if cx.property.is_reach() {
        // A witness (Quint's word): the last state satisfies the target.
        let meta = &mut doc["#meta"];
        meta["description"] = json!(format!(
            "Witness for {}: a trace to a state satisfying it, found by semisync-bmc",
            cx.property
        ));
        meta["witness"] = json!(cx.property.name());
        if let Some(m) = meta.as_object_mut() {
            m.remove("violated");
        }
    }
    match cx.lasso {
        Some(Loop::Back(l)) => doc["loop"] = json!(l),
        Some(Loop::Stutter) => doc["loop"] = json!(tr.depth()),
        None => {}
    }
    doc
}

/// Writes each counterexample of `report` as an ITF trace (see
/// `report::write_each` for the file names).
pub fn write(p: &Params, report: &Report, file: &Path) -> Result<()> {
    super::write_each(report, file, "ITF trace", |cx| render(p, cx))
}

/// `--max-error`: the counterexamples after each property's first, to
/// `FILE.Property.2.itf.json`, `.3`, ...
pub fn write_more(p: &Params, more: &[Counterexample], file: &Path) -> Result<()> {
    for (i, cx) in more.iter().enumerate() {
        // The first of each property is the verdict's: these are 2, 3, ...
        let k = 2 + more[..i]
            .iter()
            .filter(|c| c.property == cx.property)
            .count();
        let path = with_property(file, &format!("{}.{k}", cx.property.name()));
        super::write_file(&path, &render(p, cx), "ITF trace")?;
    }
    Ok(())
}

/// A counterexample as an ITF document.
fn render(p: &Params, cx: &Counterexample) -> String {
    serde_json::to_string_pretty(&trace_json(p, cx)).expect("JSON") + "\n"
}

/// `trace.itf.json` -> `trace.Inv.itf.json`
pub fn with_property(file: &Path, prop: &str) -> PathBuf {
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let new = match name.split_once('.') {
        Some((stem, ext)) => format!("{stem}.{prop}.{ext}"),
        None => format!("{name}.{prop}"),
    };
    file.with_file_name(new)
}

/// A trace read back from ITF: its states, the action of each step (from
/// each state's `#meta.action`, `?` when absent), and what the trace's
/// `#meta` says it violates, if anything.
#[derive(Clone, Debug)]
pub struct ReadTrace {
    pub states: Vec<State>,
    pub actions: Vec<String>,
    pub violated: Option<String>,
    /// `#meta.witness`: the last state is a `--reach` target.
    pub witness: bool,
    pub conjunct: Option<String>,
    pub lasso: Option<Loop>,
}

/// Reads an ITF trace over SemiSync's variables (as this tool and
/// Apalache write them) back into states.
pub fn read(doc: &Value) -> std::result::Result<ReadTrace, String> {
    let states_json = doc["states"].as_array().ok_or("no \"states\" array")?;
    let mut states = vec![];
    let mut actions = vec![];
    for (i, st) in states_json.iter().enumerate() {
        states.push(read_state(st).map_err(|e| format!("state {}: {e}", i + 1))?);
        if i > 0 {
            actions.push(st["#meta"]["action"].as_str().unwrap_or("?").to_string());
        }
    }
    if states.is_empty() {
        return Err("the trace has no state".into());
    }
    let text = |k: &str| doc["#meta"][k].as_str().map(String::from);
    let n = states.len();
    let lasso = doc["loop"].as_u64().map(|l| {
        if l as usize + 1 == n {
            Loop::Stutter
        } else {
            Loop::Back(l as usize)
        }
    });
    Ok(ReadTrace {
        states,
        actions,
        // A witness's target is shown where a violated property would be.
        violated: text("violated").or_else(|| text("witness")),
        witness: text("witness").is_some(),
        conjunct: text("conjunct"),
        lasso,
    })
}

fn int(v: &Value) -> std::result::Result<u32, String> {
    match v {
        Value::Object(o) if o.contains_key("#bigint") => o["#bigint"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("not an integer: {v}")),
        Value::Number(n) => n
            .as_u64()
            .and_then(|x| u32::try_from(x).ok())
            .ok_or_else(|| format!("not an integer: {v}")),
        _ => Err(format!("not an integer: {v}")),
    }
}

/// `r3` -> 2, `c1` -> 0.
fn id(v: &Value) -> std::result::Result<usize, String> {
    v.as_str()
        .filter(|s| s.len() > 1)
        .and_then(|s| s[1..].parse::<usize>().ok())
        .filter(|&n| n >= 1)
        .map(|n| n - 1)
        .ok_or_else(|| format!("not a replica or client id: {v}"))
}

fn opt<T>(
    v: &Value,
    f: impl Fn(&Value) -> std::result::Result<T, String>,
) -> std::result::Result<Option<T>, String> {
    if v.as_str() == Some("nil") {
        Ok(None)
    } else {
        f(v).map(Some)
    }
}

fn seq(v: &Value) -> std::result::Result<Vec<u32>, String> {
    v.as_array()
        .ok_or_else(|| format!("not a sequence: {v}"))?
        .iter()
        .map(int)
        .collect()
}

/// A function over ids, in id order.
fn fun<T>(
    v: &Value,
    f: impl Fn(&Value) -> std::result::Result<T, String>,
) -> std::result::Result<Vec<T>, String> {
    let pairs = v["#map"]
        .as_array()
        .ok_or_else(|| format!("not a function: {v}"))?;
    let mut out: Vec<(usize, T)> = vec![];
    for kv in pairs {
        out.push((id(&kv[0])?, f(&kv[1])?));
    }
    out.sort_by_key(|(k, _)| *k);
    if out.iter().enumerate().any(|(i, (k, _))| i != *k) {
        return Err(format!("a function whose domain has a gap: {v}"));
    }
    Ok(out.into_iter().map(|(_, x)| x).collect())
}

fn named<T: Copy>(
    all: &[T],
    name: fn(T) -> &'static str,
    v: &Value,
) -> std::result::Result<T, String> {
    all.iter()
        .copied()
        .find(|x| Some(name(*x)) == v.as_str())
        .ok_or_else(|| format!("not a status: {v}"))
}

fn read_state(v: &Value) -> std::result::Result<State, String> {
    use crate::spec::{DbStatus, HealerStatus, ZkStatus};
    let g = |n: &str| v.get(n).ok_or_else(|| format!("no variable {n}"));
    let db = fun(g("db")?, seq)?;
    let nr = db.len();
    let old: Vec<usize> = g("old_leaders")?["#set"]
        .as_array()
        .ok_or("old_leaders is not a set")?
        .iter()
        .map(id)
        .collect::<std::result::Result<_, _>>()?;
    Ok(State {
        zk_leader: id(g("zk_leader")?)?,
        zk_epoch: int(g("zk_epoch")?)?,
        zk_leader_epoch: int(g("zk_leader_epoch")?)?,
        zk_status: named(&ZkStatus::ALL, ZkStatus::name, g("zk_status")?)?,
        old_leaders: (0..nr).map(|r| old.contains(&r)).collect(),
        zk_catchup_index: opt(g("zk_catchup_index")?, int)?,
        db,
        db_leader: fun(g("db_leader")?, id)?,
        db_replicated: fun(g("db_replicated")?, |row| fun(row, int))?,
        db_epoch: fun(g("db_epoch")?, int)?,
        db_status: fun(g("db_status")?, |x| {
            named(&DbStatus::ALL, DbStatus::name, x)
        })?,
        next_req: int(g("next_req")?)?,
        client_leader: fun(g("client_leader")?, id)?,
        client_success: fun(g("client_success")?, seq)?,
        pending: fun(g("pending")?, |x| opt(x, int))?,
        pending_db: fun(g("pending_db")?, |x| opt(x, id))?,
        client_leader_epoch: fun(g("client_leader_epoch")?, int)?,
        healer_status: named(&HealerStatus::ALL, HealerStatus::name, g("healer_status")?)?,
        healer_epoch: int(g("healer_epoch")?)?,
        healer_replicas: fun(g("healer_replicas")?, |x| opt(x, int))?,
    })
}
