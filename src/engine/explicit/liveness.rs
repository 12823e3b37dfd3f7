//! `FairSpec => Finish` on the whole reachable graph. A behaviour of
//! `FairSpec` violates `Finish == <>TerminateCond` exactly when it never
//! meets `TerminateCond` and either ends in a state with no real step
//! (stuttering there forever is fair) or loops through real steps. Among
//! the states where `TerminateCond` is false: a state without a real
//! successor, or a strongly connected component with an edge (Tarjan,
//! iterative). No symmetry reduction: a cycle of canonical states need not
//! be a cycle of states.

use super::bfs::{Bfs, Level, Unfit};
use super::{follow, rebuild};
use crate::engine::{Method, Verdict};
use crate::error::{Error, Result};
use crate::interrupt;
use crate::params::Params;
use crate::spec::{apply_into, terminate_cond, Action, Property, Successors};
use crate::trace::{Counterexample, Loop};
use std::collections::{HashMap, VecDeque};

const NONE: u32 = u32::MAX;

/// Explores every reachable state (at most `max_states`), then looks for a
/// violating lasso; returns the verdict for `Finish` (a replayed lasso, or
/// holds for every behaviour, or unknown when the exploration stopped).
pub fn finish(p: &Params, max_states: Option<u64>) -> Result<Verdict> {
    let mut bfs = Bfs::new(p, false, Unfit::Error);
    let cap = max_states.map(|m| m as usize + 1);
    loop {
        match bfs.expand(cap, |_, _| {})? {
            Level::Done { new: 0 } => break,
            Level::Done { .. } => {}
            Level::Capped => {
                return Ok(Verdict::unknown_at(
                    bfs.depth() + 1,
                    format!(
                        "stopped at --max-states {} before the whole graph was explored",
                        max_states.unwrap_or_default()
                    ),
                ))
            }
            Level::Interrupted | Level::OutOfTime => {
                return Ok(Verdict::unknown_at(bfs.depth() + 1, interrupt::REASON))
            }
        }
    }
    let n = bfs.store.len();
    let actions = Action::all(p);
    let mut succ = Successors::default();
    // Real successors of every state where TerminateCond is false, into
    // states where it is false too (a state where it holds ends the search
    // of a violating behaviour).
    let mut open = vec![false; n];
    for i in 0..n as u32 {
        open[i as usize] = !terminate_cond(p, &bfs.state(i));
    }
    let edges = |i: u32, succ: &mut Successors| -> Vec<u32> {
        let s = bfs.state(i);
        succ.clear();
        for &a in &actions {
            apply_into(p, &s, a, succ);
        }
        let mut out: Vec<u32> = (0..succ.len())
            .filter(|&k| *succ.get(k) != s)
            .map(|k| {
                bfs.store
                    .find(&bfs.canon.key(succ.get(k)))
                    .expect("every successor is stored")
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    };
    // A state with no real step at all: the shallowest (BFS order).
    let mut stuck = None;
    for i in 0..n as u32 {
        if open[i as usize] && edges(i, &mut succ).is_empty() {
            stuck = Some(i);
            break;
        }
    }
    // Tarjan over the open states.
    let mut index = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = vec![];
    let mut next_index = 0u32;
    let mut cycle: Option<Vec<u32>> = None;
    'roots: for root in 0..n as u32 {
        if !open[root as usize] || index[root as usize] != NONE {
            continue;
        }
        let mut frames: Vec<(u32, Vec<u32>, usize)> = vec![];
        index[root as usize] = next_index;
        low[root as usize] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root as usize] = true;
        let e = edges(root, &mut succ);
        frames.push((root, e, 0));
        while let Some((v, es, pos)) = frames.last_mut() {
            let v = *v;
            if *pos < es.len() {
                let w = es[*pos];
                *pos += 1;
                if !open[w as usize] {
                    continue;
                }
                if index[w as usize] == NONE {
                    index[w as usize] = next_index;
                    low[w as usize] = next_index;
                    next_index += 1;
                    stack.push(w);
                    on_stack[w as usize] = true;
                    let e = edges(w, &mut succ);
                    frames.push((w, e, 0));
                } else if on_stack[w as usize] {
                    low[v as usize] = low[v as usize].min(index[w as usize]);
                }
                continue;
            }
            frames.pop();
            if let Some((u, _, _)) = frames.last() {
                low[*u as usize] = low[*u as usize].min(low[v as usize]);
            }
            if low[v as usize] == index[v as usize] {
                let mut comp = vec![];
                loop {
                    let w = stack.pop().expect("v is on the stack");
                    on_stack[w as usize] = false;
                    comp.push(w);
                    if w == v {
                        break;
                    }
                }
                // Edges join distinct states only: a component of two or
                // more states holds a cycle of real steps.
                if comp.len() > 1 {
                    cycle = Some(comp);
                    break 'roots;
                }
            }
        }
    }
    let lasso = match (cycle, stuck) {
        (None, None) => return Ok(Verdict::Proved(Method::NoLasso { states: n as u64 })),
        (Some(comp), _) => {
            // Enter at the shallowest state of the component; go round
            // through the component back to it (breadth first).
            let entry = *comp.iter().min().expect("non-empty");
            let inside: std::collections::HashSet<u32> = comp.iter().copied().collect();
            let mut pred: HashMap<u32, u32> = HashMap::new();
            let mut queue = VecDeque::from([entry]);
            let mut back_from = None;
            'bfs: while let Some(v) = queue.pop_front() {
                for w in edges(v, &mut succ) {
                    if w == entry {
                        back_from = Some(v);
                        break 'bfs;
                    }
                    if inside.contains(&w) && !pred.contains_key(&w) {
                        pred.insert(w, v);
                        queue.push_back(w);
                    }
                }
            }
            let last = back_from.ok_or_else(|| Error::internal("a component without its cycle"))?;
            let mut round = vec![entry];
            let mut v = last;
            while v != entry {
                round.push(v);
                v = pred[&v];
            }
            round[1..].reverse();
            let mut trace =
                rebuild(p, &bfs.canon, &bfs.store, &actions, entry).map_err(Error::internal)?;
            let l = trace.depth();
            follow(p, &bfs.canon, &bfs.store, &actions, &mut trace, &round[1..])
                .and_then(|()| follow(p, &bfs.canon, &bfs.store, &actions, &mut trace, &[entry]))
                .map_err(Error::internal)?;
            (trace, Loop::Back(l))
        }
        (None, Some(i)) => (
            rebuild(p, &bfs.canon, &bfs.store, &actions, i).map_err(Error::internal)?,
            Loop::Stutter,
        ),
    };
    let (trace, back) = lasso;
    let conjunct = trace.replay_lasso(p, back).map_err(|e| {
        Error::internal(format!(
            "the explicit engine's Finish lasso does not replay: {e}"
        ))
    })?;
    Ok(Verdict::Violated(Box::new(Counterexample {
        property: Property::Finish,
        trace,
        conjunct,
        lasso: Some(back),
    })))
}
