//! `--certificate FILE`: the checked inductive invariant as a TLA+ module
//! that extends `SemiSync` and defines `IndInv`, for an independent check by
//! another TLA+ tool.

use super::Conj;
use crate::params::Params;
use crate::spec::Property;

/// The module text. `name` is the module name (the file's stem).
pub fn module(name: &str, p: &Params, prop: Property, inv: &[Conj]) -> String {
    let mut parts: Vec<String> = vec![];
    let mut defs = String::new();
    let mut n = 0;
    for c in inv {
        let Some(text) = c.text(p) else { continue };
        if matches!(c, Conj::Prop(_)) {
            parts.push(text);
            continue;
        }
        n += 1;
        let def = format!("IndInv_{n}");
        defs.push_str(&format!("{def} ==\n    {text}\n\n"));
        parts.push(def);
    }
    let std = Params::default();
    let mismatch: Vec<String> = [
        ("max_next_req", p.max_req, std.max_req),
        (
            "max_change_leader",
            p.max_leader_changes,
            std.max_leader_changes,
        ),
        (
            "replication_factor",
            p.replication_factor as u32,
            std.replication_factor as u32,
        ),
        ("Epoch == 0..", p.epoch_max, std.epoch_max),
        ("LogOffset == 0..", p.log_offset_max, std.log_offset_max),
    ]
    .iter()
    .filter(|(_, a, b)| a != b)
    .map(|(n, a, _)| format!("{n}{}{a}", if n.ends_with("..") { "" } else { " == " }))
    .collect();
    let constants = format!(
        "Client = {{{}}}, Replica = {{{}}}",
        (1..=p.clients)
            .map(|c| format!("c{c}"))
            .collect::<Vec<_>>()
            .join(", "),
        (1..=p.replicas)
            .map(|r| format!("r{r}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let edit = if mismatch.is_empty() {
        String::new()
    } else {
        format!(
            "\\* SemiSync.tla fixes these as definitions; set them in SemiSync.tla first:\n\\*   {}\n",
            mismatch.join(", ")
        )
    };
    format!(
        "---- MODULE {name} ----\n\
         \\* An inductive invariant of SemiSync that implies {prop}, found and checked by\n\
         \\* semisync-bmc {ver} for {desc}.\n\
         \\* Constants: {constants}, nil a model value.\n\
         {edit}\
         \\* semisync-bmc checked, each with a fresh Z3 solver:\n\
         \\*   Init => IndInv,  IndInv /\\ Next => IndInv',  IndInv => {prop}.\n\
         \\* To check it again with Apalache (constants as above):\n\
         \\*   apalache-mc check --init=Init --inv=IndInv --length=0 {name}.tla\n\
         \\*   apalache-mc check --init=IndInv --inv=IndInv --length=1 {name}.tla\n\
         \\* With TLC: INVARIANT IndInv checks that every reachable state satisfies it.\n\
         EXTENDS SemiSync\n\n\
         {defs}\
         IndInv ==\n    /\\ {body}\n\n\
         THEOREM IndInvInit == Init => IndInv\n\
         THEOREM IndInvStep == IndInv /\\ [Next]_vars => IndInv'\n\
         THEOREM IndInvSafe == IndInv => {prop}\n\
         ====\n",
        ver = env!("CARGO_PKG_VERSION"),
        desc = p.describe(),
        body = parts.join("\n    /\\ "),
    )
}
