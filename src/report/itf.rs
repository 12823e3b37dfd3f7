//! Counterexamples as ITF JSON (the Informal Trace Format that Apalache and
//! Quint write): `#meta`, `vars`, `states` with `#meta.index`, integers as
//! `{"#bigint": "61"}`, sets as `{"#set": [...]}`, functions as
//! `{"#map": [[k, v], ...]}`, sequences as arrays, strings for `nil`, ids
//! and status names.

use crate::engine::Report;
use crate::error::{Error, Result};
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
    match cx.lasso {
        Some(Loop::Back(l)) => doc["loop"] = json!(l),
        Some(Loop::Stutter) => doc["loop"] = json!(tr.depth()),
        None => {}
    }
    doc
}

/// Writes each counterexample of `report` as an ITF trace: to `file` when
/// there is one, else to `file` with the property's name before the
/// extension (`trace.itf.json` -> `trace.Inv.itf.json`).
pub fn write(p: &Params, report: &Report, file: &Path) -> Result<()> {
    let cxs: Vec<&Counterexample> = report
        .verdicts
        .iter()
        .filter_map(|(_, v)| v.counterexample())
        .collect();
    for cx in &cxs {
        let path = if cxs.len() == 1 {
            file.to_path_buf()
        } else {
            with_property(file, cx.property.name())
        };
        let text = serde_json::to_string_pretty(&trace_json(p, cx)).expect("JSON");
        std::fs::write(&path, text + "\n")
            .map_err(|e| Error::io(format!("the ITF trace {}", path.display()), e))?;
        log::info!(
            "wrote the {} counterexample to {}",
            cx.property,
            path.display()
        );
    }
    Ok(())
}

/// `trace.itf.json` -> `trace.Inv.itf.json`
fn with_property(file: &Path, prop: &str) -> PathBuf {
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
