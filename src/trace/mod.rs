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
/// violated conjunct in the last state.
#[derive(Clone, Debug)]
pub struct Counterexample {
    pub property: Property,
    pub trace: Trace,
    pub conjunct: String,
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
        prop.violation(p, self.states.last().unwrap())
            .ok_or_else(|| format!("the last state satisfies {prop}"))
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
