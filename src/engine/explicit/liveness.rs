//! `FairSpec => Finish` on the whole reachable graph. A behaviour of
//! `FairSpec` violates `Finish == <>TerminateCond` exactly when it never
//! meets `TerminateCond` and either ends in a state with no real step
//! (stuttering there forever is fair) or loops through real steps. Among
//! the states where `TerminateCond` is false: a state without a real
//! successor, or a strongly connected component with an edge (Tarjan,
//! iterative). No symmetry reduction: a cycle of canonical states need not
//! be a cycle of states. The states searched are all reachable ones where
//! `TerminateCond` is false, some possibly only through a state where it
//! holds: in SemiSync no action leaves such a state but `Terminated`'s
//! stutter, and the replay would catch a lasso whose prefix met one.

use super::bfs::{Bfs, Level, Unfit};
use super::{follow, rebuild};
use crate::engine::{Events, Method, Verdict};
use crate::error::{Error, Result};
use crate::interrupt;
use crate::params::Params;
use crate::spec::{apply_into, terminate_cond, Action, Property, Successors};
use crate::trace::{Counterexample, Loop};
use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Instant;

const NONE: u32 = u32::MAX;

/// Explores every reachable state (at most `max_states`), then looks for a
/// violating lasso; returns the verdict for `Finish` (a replayed lasso, or
/// holds for every behaviour, or unknown when the exploration stopped).
pub fn finish(p: &Params, max_states: Option<u64>, events: &Events) -> Result<Verdict> {
    let start = Instant::now();
    let mut bfs = Bfs::new(p, false, Unfit::Error);
    let cap = max_states.map(|m| m as usize + 1);
    loop {
        let mut ticker = bfs.next_ticker(events, start);
        match bfs.expand(cap, |j, _| ticker.new_state(j))? {
            Level::Done { new: 0 } => break,
            Level::Done { new } => ticker.level_done(new, bfs.store.len()),
            // No lasso was looked for yet: nothing holds up to any depth.
            Level::Capped => {
                return Ok(Verdict::Unknown {
                    depth: bfs.depth() + 1,
                    reason: format!(
                        "stopped at --max-states {} before the whole graph was explored",
                        max_states.unwrap_or_default()
                    ),
                    holds_up_to: None,
                })
            }
            Level::Interrupted | Level::OutOfTime => {
                return Ok(Verdict::Unknown {
                    depth: bfs.depth() + 1,
                    reason: interrupt::REASON.into(),
                    holds_up_to: None,
                })
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
    // One traversal finds both: a cycle, and (when it finds none, having
    // visited every open state) the shallowest state without a real step.
    let mut stuck: Option<u32> = None;
    let cycle = cyclic_component(n, &open, |v| {
        let e = edges(v, &mut succ);
        if e.is_empty() && stuck.is_none_or(|s| v < s) {
            stuck = Some(v);
        }
        e
    });
    let lasso = match (cycle, stuck) {
        (None, None) => return Ok(Verdict::Proved(Method::NoLasso { states: n as u64 })),
        (Some(comp), _) => {
            // Enter at the shallowest state of the component; go round
            // through the component back to it (breadth first).
            let entry = *comp.iter().min().expect("non-empty");
            let round = round_trip(entry, &comp, |v| edges(v, &mut succ))
                .ok_or_else(|| Error::internal("a component without its cycle"))?;
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

/// A strongly connected component of two or more nodes among the `open`
/// ones of `0..n`, if any (iterative Tarjan; `edges(v)` lists v's
/// successors, never v itself).
fn cyclic_component(
    n: usize,
    open: &[bool],
    mut edges: impl FnMut(u32) -> Vec<u32>,
) -> Option<Vec<u32>> {
    let mut index = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<u32> = vec![];
    let mut next_index = 0u32;
    for root in 0..n as u32 {
        if !open[root as usize] || index[root as usize] != NONE {
            continue;
        }
        // (node, its successors, the next one to look at)
        let mut frames: Vec<(u32, Vec<u32>, usize)> = vec![];
        let mut to_visit = Some(root);
        loop {
            if let Some(w) = to_visit.take() {
                index[w as usize] = next_index;
                low[w as usize] = next_index;
                next_index += 1;
                stack.push(w);
                on_stack[w as usize] = true;
                frames.push((w, edges(w), 0));
            }
            let Some((v, es, pos)) = frames.last_mut() else {
                break;
            };
            let v = *v;
            if *pos < es.len() {
                let w = es[*pos];
                *pos += 1;
                if !open[w as usize] {
                    continue;
                }
                if index[w as usize] == NONE {
                    to_visit = Some(w);
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
                // Edges join distinct nodes only: two or more nodes hold a
                // cycle.
                if comp.len() > 1 {
                    return Some(comp);
                }
            }
        }
    }
    None
}

/// A shortest walk `entry, x1, ..., xk` inside `comp` whose last node has
/// an edge back to `entry` (breadth first), if there is one.
fn round_trip(
    entry: u32,
    comp: &[u32],
    mut edges: impl FnMut(u32) -> Vec<u32>,
) -> Option<Vec<u32>> {
    let inside: HashSet<u32> = comp.iter().copied().collect();
    let mut pred: HashMap<u32, u32> = HashMap::new();
    let mut queue = VecDeque::from([entry]);
    while let Some(v) = queue.pop_front() {
        for w in edges(v) {
            if w == entry {
                let mut round = vec![];
                let mut x = v;
                while x != entry {
                    round.push(x);
                    x = pred[&x];
                }
                round.push(entry);
                round.reverse();
                return Some(round);
            }
            if inside.contains(&w) && !pred.contains_key(&w) {
                pred.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph<'a>(adj: &'a [&'a [u32]]) -> impl FnMut(u32) -> Vec<u32> + 'a {
        move |v| adj[v as usize].to_vec()
    }

    #[test]
    fn cycles_are_found_and_walked_round() {
        // 0 -> 1 -> 2 -> 3 -> 1, 3 -> 4: the component {1, 2, 3}.
        let adj: &[&[u32]] = &[&[1], &[2], &[3], &[1, 4], &[]];
        let open = [true; 5];
        let mut comp = cyclic_component(5, &open, graph(adj)).expect("a cycle");
        comp.sort();
        assert_eq!(comp, [1, 2, 3]);
        assert_eq!(round_trip(1, &comp, graph(adj)), Some(vec![1, 2, 3]));
        // With 2 closed (TerminateCond holds there) the cycle is gone.
        let mut open2 = open;
        open2[2] = false;
        assert_eq!(cyclic_component(5, &open2, graph(adj)), None);
        // A DAG has none.
        let dag: &[&[u32]] = &[&[1, 2], &[3], &[3], &[]];
        assert_eq!(cyclic_component(4, &[true; 4], graph(dag)), None);
        // Two components: a real one is returned.
        let two: &[&[u32]] = &[&[1], &[0], &[3], &[2]];
        assert_eq!(
            cyclic_component(4, &[true; 4], graph(two)).map(|c| c.len()),
            Some(2)
        );
        // A longer way round: the shortest is taken.
        let ring: &[&[u32]] = &[&[1, 3], &[2], &[0], &[2]];
        let comp = cyclic_component(4, &[true; 4], graph(ring)).unwrap();
        assert_eq!(round_trip(0, &comp, graph(ring)).map(|r| r.len()), Some(3));
    }
}
