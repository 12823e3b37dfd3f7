//! `--certificate FILE`: the checked inductive invariant as a TLA+ module
//! that extends `SemiSync` and defines `IndInv`, for an independent check by
//! another TLA+ tool.

use crate::error::{Error, Result};
use crate::invariants::Conj;
use crate::params::Params;
use crate::spec::Property;
use std::path::{Path, PathBuf};

/// The module text. `name` is the module name (the file's stem).
pub fn module(name: &str, p: &Params, prop: Property, inv: &[Conj]) -> String {
    let (defs, body) = indinv(p, inv);
    format!(
        "---- MODULE {name} ----\n\
         \\* An inductive invariant of SemiSync that implies {prop}, found and checked by\n\
         \\* semisync-bmc {ver} for {desc}.\n\
         {constants}\
         \\* semisync-bmc checked, each with a fresh Z3 solver:\n\
         \\*   Init => IndInv,  IndInv /\\ Next => IndInv',  IndInv => {prop}.\n\
         \\* To check it again with Apalache (constants as above):\n\
         \\*   apalache-mc check --init=Init --inv=IndInv --length=0 {name}.tla\n\
         \\*   apalache-mc check --init=IndInv --inv=IndInv --length=1 {name}.tla\n\
         \\* With TLC: INVARIANT IndInv checks that every reachable state satisfies it.\n\
         EXTENDS SemiSync\n\n\
         {own}\
         {defs}\
         IndInv ==\n    /\\ {body}\n\n\
         THEOREM IndInvInit == Init => IndInv\n\
         THEOREM IndInvStep == IndInv /\\ [Next]_vars => IndInv'\n\
         THEOREM IndInvSafe == IndInv => {prop}\n\
         ====\n",
        constants = constants_comment(p),
        own = own_definitions(prop, inv),
        ver = env!("CARGO_PKG_VERSION"),
        desc = p.describe(),
    )
}

/// The certificate of `FairSpec => Finish`: the inductive invariant that
/// implies `NoDeadlock` (`inv`), and the ranking measure that every real
/// step raises, with the assumption its check made.
pub fn finish_module(name: &str, p: &Params, inv: &[Conj]) -> String {
    let (defs, body) = indinv(p, inv);
    format!(
        "---- MODULE {name} ----\n\
         \\* FairSpec => Finish for SemiSync, proved by semisync-bmc {ver} for {desc}.\n\
         {constants}\
         \\* The proof, each part checked by semisync-bmc with fresh Z3 solvers:\n\
         \\*  1. IndInv is an inductive invariant (Init => IndInv, IndInv /\\ Next => IndInv')\n\
         \\*     that implies NoDeadlock: every reachable state has a step of Next, and\n\
         \\*     Terminated (a stuttering step) is enabled exactly when TerminateCond holds.\n\
         \\*  2. Every real step (one that changes vars) raises Measure lexicographically\n\
         \\*     (RealStepsRaiseMeasure), in every state where WithinWidths holds; and\n\
         \\*     Measure takes finitely many values where TypeOK /\\ WithinWidths holds.\n\
         \\* So a behaviour where TypeOK /\\ WithinWidths always holds takes finitely many\n\
         \\* real steps, then stutters forever in some state s. By 1 a step of Next is enabled\n\
         \\* in s; by WF_vars(Next) no real step is, so Terminated is: TerminateCond holds.\n\
         \\* To check it with TLC (constants as above): INVARIANTS IndInv TypeOK WithinWidths\n\
         \\* and PROPERTY RealStepsRaiseMeasure; the claim itself: SPECIFICATION FairSpec,\n\
         \\* PROPERTY Finish.\n\
         EXTENDS SemiSync, FiniteSets\n\n\
         {own}\
         {defs}\
         IndInv ==\n    /\\ {body}\n\n\
         {ranking}\n\
         THEOREM IndInvInit == Init => IndInv\n\
         THEOREM IndInvStep == IndInv /\\ [Next]_vars => IndInv'\n\
         THEOREM IndInvSafe == IndInv => NoDeadlock\n\
         THEOREM Ranking == Spec => RealStepsRaiseMeasure\n\
         THEOREM FinishHolds == FairSpec => Finish\n\
         ====\n",
        constants = constants_comment(p),
        own = own_definitions(Property::NoDeadlock, inv),
        ver = env!("CARGO_PKG_VERSION"),
        desc = p.describe(),
        ranking = crate::engine::prove::ranking::tla_definitions(p),
    )
}

/// The invariant's own definitions (`IndInv_k == ...`) and the conjuncts
/// of `IndInv`, joined by `/\`.
fn indinv(p: &Params, inv: &[Conj]) -> (String, String) {
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
    (defs, parts.join("\n    /\\ "))
}

/// The constants the module was checked with, and the definitions of
/// SemiSync.tla to set first where they differ from the file's.
fn constants_comment(p: &Params) -> String {
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
    format!("\\* Constants: {constants}, nil a model value.\n{edit}")
}

/// Definitions of the properties `SemiSync.tla` does not define itself
/// (`NoDeadlock`) that the module names.
fn own_definitions(prop: Property, inv: &[Conj]) -> String {
    let mut named: Vec<Property> = inv
        .iter()
        .filter_map(|c| match c {
            Conj::Prop(q) => Some(*q),
            _ => None,
        })
        .collect();
    named.push(prop);
    named.sort();
    named.dedup();
    named
        .iter()
        .filter_map(|q| q.tla_definition())
        .map(|d| format!("{d}\n\n"))
        .collect()
}

/// Where each property's certificate goes: `file` itself for one property,
/// `FILE_Property.tla` for several; the stems must be TLA+ module names.
pub fn paths(file: &Path, props: &[Property]) -> Result<Vec<PathBuf>> {
    if props.iter().any(|q| matches!(q, Property::Enabled(_))) {
        return Err(Error::usage(
            "--certificate is not written for --coverage (its properties are ENABLED \
             formulas, which the certificate's reader does not take): drop one of them",
        ));
    }
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !crate::spec::tla::is_identifier(&stem) {
        return Err(Error::usage(format!(
            "--certificate {}: the file's stem is the TLA+ module's name and must be letters, \
             digits and '_' (for example SemiSyncIndInv.tla)",
            file.display()
        )));
    }
    if stem == "SemiSync" || stem == "IndInv" || stem.starts_with("IndInv_") {
        return Err(Error::usage(format!(
            "--certificate {}: the module may not be named {stem} (it extends SemiSync and \
             defines IndInv); choose another name, for example SemiSyncIndInv.tla",
            file.display()
        )));
    }
    if props.len() == 1 {
        return Ok(vec![file.with_extension("tla")]);
    }
    Ok(props
        .iter()
        .map(|q| file.with_file_name(format!("{stem}_{}.tla", q.name())))
        .collect())
}

/// Writes the certificate of every property proved by a 1-inductive
/// invariant; returns (property, file) for each one written.
pub fn write(
    p: &Params,
    file: &Path,
    props: &[Property],
    invariants: &[(Property, Vec<Conj>)],
) -> Result<Vec<(Property, PathBuf)>> {
    let mut written = vec![];
    for (q, path) in props.iter().zip(paths(file, props)?) {
        // Finish: its proof is NoDeadlock's invariant and the ranking.
        let of = if *q == Property::Finish {
            Property::NoDeadlock
        } else {
            *q
        };
        match invariants.iter().find(|(q2, _)| *q2 == of) {
            Some((_, inv)) => {
                let name = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let text = if *q == Property::Finish {
                    finish_module(&name, p, inv)
                } else {
                    module(&name, p, *q, inv)
                };
                std::fs::write(&path, text)
                    .map_err(|e| Error::io(format!("the {q} certificate {}", path.display()), e))?;
                log::info!("wrote the {q} certificate to {}", path.display());
                written.push((*q, path));
            }
            None => {
                log::warn!("no certificate for {q}: it was not proved by a 1-inductive invariant")
            }
        }
    }
    Ok(written)
}
