//! Counterexample traces: replay through the concrete spec and rendering in
//! TLC's layout.

use crate::params::Params;
use crate::spec::{apply, changed_vars, init_states, Action, Property, State, VAR_NAMES};
use std::fmt::Write;

/// A behavior: `states[0]` is initial, `actions[i]` leads from `states[i]`
/// to `states[i + 1]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    pub states: Vec<State>,
    pub actions: Vec<Action>,
}

/// A checked counterexample: the trace, the property it violates and the
/// violated conjunct in the last state (for a temporal property, why the
/// lasso violates it).
#[derive(Clone, Debug)]
pub struct Counterexample {
    pub property: Property,
    pub trace: Trace,
    pub conjunct: String,
    /// For a temporal property, how the behaviour goes on forever after
    /// the last state.
    pub lasso: Option<Loop>,
}

/// How a lasso goes on after its last state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loop {
    /// The last state equals state `.0` (0-based): the steps after it
    /// repeat forever.
    Back(usize),
    /// No step changes the last state any more: it stutters forever.
    Stutter,
}

impl Trace {
    /// Number of steps (the depth of the last state).
    pub fn depth(&self) -> usize {
        self.actions.len()
    }

    /// Replays the trace through the concrete spec: the first state must be
    /// initial, every step a successor by its named action, and the last
    /// state must violate `prop`. Returns the violated conjunct.
    pub fn replay(&self, p: &Params, prop: Property) -> Result<String, String> {
        self.replay_steps(p)?;
        prop.violation(p, self.states.last().unwrap())
            .ok_or_else(|| format!("the last state satisfies {prop}"))
    }

    /// Replays a lasso violating `FairSpec => Finish`: every step a real
    /// transition of the spec, `TerminateCond` false in every state, and
    /// either the last state equal to state `l` with a real step in the
    /// loop, or no real step enabled in the last state (then it stutters,
    /// which weak fairness allows). Returns why it violates `Finish`.
    pub fn replay_lasso(&self, p: &Params, lasso: Loop) -> Result<String, String> {
        self.replay_steps(p)?;
        for (i, s) in self.states.iter().enumerate() {
            if crate::spec::terminate_cond(p, s) {
                return Err(format!("state {} satisfies TerminateCond", i + 1));
            }
        }
        let last = self.states.last().unwrap();
        let n = self.states.len();
        match lasso {
            Loop::Back(l) => {
                if l + 1 >= n || self.states[l] != *last {
                    return Err(format!("the last state is not state {}", l + 1));
                }
                if !(l..n - 1).any(|i| self.states[i] != self.states[i + 1]) {
                    return Err("the loop has no real step".into());
                }
                Ok(format!(
                    "<>TerminateCond: the behaviour loops back to state {} forever and \
                     TerminateCond never holds",
                    l + 1
                ))
            }
            Loop::Stutter => {
                let actions = crate::spec::Action::all(p);
                if let Some((a, _)) = crate::spec::successors(p, &actions, last)
                    .into_iter()
                    .find(|(_, t)| t != last)
                {
                    return Err(format!(
                        "state {n} can still take the real step {a}: weak fairness forbids \
                         stuttering there"
                    ));
                }
                Ok(format!(
                    "<>TerminateCond: state {n} has no real step and stutters forever, and \
                     TerminateCond never holds"
                ))
            }
        }
    }

    /// The first state is initial and every step a successor by its named
    /// action.
    fn replay_steps(&self, p: &Params) -> Result<(), String> {
        if self.states.len() != self.actions.len() + 1 {
            return Err(format!(
                "{} states but {} actions",
                self.states.len(),
                self.actions.len()
            ));
        }
        if !init_states(p).contains(&self.states[0]) {
            return Err("state 1 is not an initial state".into());
        }
        for (i, a) in self.actions.iter().enumerate() {
            if !apply(p, &self.states[i], *a).contains(&self.states[i + 1]) {
                return Err(format!(
                    "state {} is not a successor of state {} by {a}",
                    i + 2,
                    i + 1
                ));
            }
        }
        Ok(())
    }

    /// TLC's layout: `State 1: <Initial predicate>` with every variable,
    /// then `State N: <Action(args)>` with the variables the step changed
    /// (every variable with `full`).
    pub fn render(&self, full: bool) -> String {
        let mut out = String::new();
        for (i, s) in self.states.iter().enumerate() {
            let (label, names): (String, Vec<&str>) = if i == 0 {
                ("Initial predicate".into(), VAR_NAMES.to_vec())
            } else {
                let changed = changed_vars(&self.states[i - 1], s);
                let names = if full { VAR_NAMES.to_vec() } else { changed };
                (self.actions[i - 1].to_string(), names)
            };
            let _ = writeln!(out, "State {}: <{}>", i + 1, label);
            if names.is_empty() {
                let _ = writeln!(out, "   (no variable changed: a stuttering step)");
            }
            for n in names {
                let _ = writeln!(out, "/\\ {n} = {}", s.var_value(n));
            }
            out.push('\n');
        }
        out
    }
}

impl Counterexample {
    pub fn render(&self, full: bool) -> String {
        if let Some(lasso) = self.lasso {
            // TLC's layout for a lasso: the trace, then where it goes on.
            let end = match lasso {
                Loop::Back(l) => format!(
                    "State {}: Back to state {}",
                    self.trace.states.len() + 1,
                    l + 1
                ),
                Loop::Stutter => format!("State {}: Stuttering", self.trace.states.len() + 1),
            };
            return format!(
                "Error: Temporal properties were violated.\n\
                 Error: The following behavior constitutes a counter-example:\n{}{end}\n\n\
                 Violated: {} ({})\n",
                self.trace.render(full),
                self.property,
                self.conjunct
            );
        }
        if self.property.is_reach() {
            return format!(
                "Witness: {} is reachable.\nThe behavior up to this point is:\n{}\
                 Reached at state {} (depth {}): {}\n",
                self.property,
                self.trace.render(full),
                self.trace.states.len(),
                self.trace.depth(),
                self.conjunct
            );
        }
        let what = match self.property {
            Property::NoDeadlock => "Deadlock reached.".to_string(),
            q => format!("Invariant {q} is violated."),
        };
        format!(
            "Error: {what}\nError: The behavior up to this point is:\n{}\
             Violated at state {} (depth {}): {}\n",
            self.trace.render(full),
            self.trace.states.len(),
            self.trace.depth(),
            self.conjunct
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::init_state;

    /// A lasso's replay says no where the lasso is not one.
    #[test]
    fn replay_lasso_rejects_what_is_not_a_fair_lasso() {
        let p = Params::default();
        let s0 = init_state(&p, 0);
        let s1 = apply(&p, &s0, Action::StartRequest(0)).remove(0);
        let t = Trace {
            states: vec![s0.clone(), s1],
            actions: vec![Action::StartRequest(0)],
        };
        // The last state is not the first: no loop back to it.
        assert!(t.replay_lasso(&p, Loop::Back(0)).is_err());
        // A real step (DBResponse, Replicate, ...) is enabled: no stuttering.
        let e = t.replay_lasso(&p, Loop::Stutter).unwrap_err();
        assert!(e.contains("weak fairness"), "{e}");
        // A loop needs a step.
        let one = Trace {
            states: vec![s0],
            actions: vec![],
        };
        assert!(one.replay_lasso(&p, Loop::Back(0)).is_err());
    }
}
