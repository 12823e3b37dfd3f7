//! The concrete reading: a predicate evaluated on one `spec::State`.

use super::{Atom, Compiled, Def, Expr, Op, Param, CLIENT_ATOM, K, NIL, REPLICA_ATOM, STRING_ATOM};
use crate::params::Params;
use crate::spec::{Property, State};
use std::fmt;

/// A TLA+ value. Sets are sorted and without duplicates; a function is its
/// (key, value) pairs sorted by key; a sequence is a function on `1..n`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum V {
    Bool(bool),
    Int(i64),
    Atom(Atom),
    Set(Vec<V>),
    Fun(Vec<(V, V)>),
    /// A set known only by membership: `Nat`, `Int`, `Seq(S)`, `[A -> B]`.
    Lazy(Lazy),
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lazy {
    /// `a..b` too large to list.
    Range(i64, i64),
    Nat,
    Int,
    Seq(Box<V>),
    FunSet(Box<V>, Box<V>),
}

/// Why a predicate has no value in a state, and where in its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    pub msg: String,
    pub at: usize,
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

type R<T> = Result<T, EvalError>;

/// The largest set the readings enumerate (`a..b`, `SUBSET S`).
pub const MAX_SET: usize = 1 << 16;

impl fmt::Display for V {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, xs: &mut dyn Iterator<Item = String>| {
            f.write_str(&xs.collect::<Vec<_>>().join(", "))
        };
        match self {
            V::Bool(b) => f.write_str(if *b { "TRUE" } else { "FALSE" }),
            V::Int(x) => write!(f, "{x}"),
            V::Atom(a) => f.write_str(&super::atom_text(*a)),
            V::Set(xs) => {
                f.write_str("{")?;
                list(f, &mut xs.iter().map(|x| x.to_string()))?;
                f.write_str("}")
            }
            V::Fun(kv) if is_seq(kv) => {
                f.write_str("<<")?;
                list(f, &mut kv.iter().map(|(_, v)| v.to_string()))?;
                f.write_str(">>")
            }
            V::Fun(kv) => {
                f.write_str("(")?;
                let parts = kv.iter().map(|(k, v)| format!("{k} :> {v}"));
                f.write_str(&parts.collect::<Vec<_>>().join(" @@ "))?;
                f.write_str(")")
            }
            V::Lazy(Lazy::Range(a, b)) => write!(f, "{a}..{b}"),
            V::Lazy(Lazy::Nat) => f.write_str("Nat"),
            V::Lazy(Lazy::Int) => f.write_str("Int"),
            V::Lazy(Lazy::Seq(s)) => write!(f, "Seq({s})"),
            V::Lazy(Lazy::FunSet(a, b)) => write!(f, "[{a} -> {b}]"),
        }
    }
}

/// The keys are `1..n`.
pub fn is_seq(kv: &[(V, V)]) -> bool {
    kv.iter()
        .enumerate()
        .all(|(i, (k, _))| *k == V::Int(i as i64 + 1))
}

fn seq(xs: impl IntoIterator<Item = V>) -> V {
    V::Fun(
        xs.into_iter()
            .enumerate()
            .map(|(i, x)| (V::Int(i as i64 + 1), x))
            .collect(),
    )
}

fn set(mut xs: Vec<V>) -> V {
    xs.sort();
    xs.dedup();
    V::Set(xs)
}

pub fn replica(r: usize) -> V {
    V::Atom(REPLICA_ATOM + r as Atom)
}
fn client(c: usize) -> V {
    V::Atom(CLIENT_ATOM + c as Atom)
}
fn nil_or(x: Option<u32>) -> V {
    x.map_or(V::Atom(NIL), |x| V::Int(x as i64))
}
fn ints(xs: &[u32]) -> V {
    seq(xs.iter().map(|&x| V::Int(x as i64)))
}
fn over<T>(xs: &[T], key: fn(usize) -> V, f: impl Fn(&T) -> V) -> V {
    V::Fun(xs.iter().enumerate().map(|(i, x)| (key(i), f(x))).collect())
}

/// The value of variable `i` (of `spec::VAR_NAMES`) in `s`.
pub fn var(s: &State, i: usize) -> V {
    let st = |base: usize, code: usize| V::Atom(STRING_ATOM + (base + code) as Atom);
    match i {
        0 => replica(s.zk_leader),
        1 => V::Int(s.zk_epoch as i64),
        2 => V::Int(s.zk_leader_epoch as i64),
        3 => st(0, s.zk_status as usize),
        4 => set((0..s.old_leaders.len())
            .filter(|&r| s.old_leaders[r])
            .map(replica)
            .collect()),
        5 => nil_or(s.zk_catchup_index),
        6 => over(&s.db, replica, |l| ints(l)),
        7 => over(&s.db_leader, replica, |&l| replica(l)),
        8 => over(&s.db_replicated, replica, |row| {
            over(row, replica, |&x| V::Int(x as i64))
        }),
        9 => over(&s.db_epoch, replica, |&x| V::Int(x as i64)),
        10 => over(&s.db_status, replica, |&x| st(3, x as usize)),
        11 => V::Int(s.next_req as i64),
        12 => over(&s.client_leader, client, |&l| replica(l)),
        13 => over(&s.client_success, client, |l| ints(l)),
        14 => over(&s.pending, client, |&x| nil_or(x)),
        15 => over(&s.pending_db, client, |&x| x.map_or(V::Atom(NIL), replica)),
        16 => over(&s.client_leader_epoch, client, |&x| V::Int(x as i64)),
        17 => st(6, s.healer_status as usize),
        18 => V::Int(s.healer_epoch as i64),
        19 => over(&s.healer_replicas, replica, |&x| nil_or(x)),
        _ => unreachable!("20 variables"),
    }
}

/// The value of a parameter.
pub fn param(p: &Params, q: Param) -> V {
    let interval = |hi: u32| set((0..=hi as i64).map(V::Int).collect());
    match q {
        Param::Clients => set((0..p.clients).map(client).collect()),
        Param::Replicas => set((0..p.replicas).map(replica).collect()),
        Param::MaxNextReq => V::Int(p.max_req as i64),
        Param::MaxChangeLeader => V::Int(p.max_leader_changes as i64),
        Param::ReplicationFactor => V::Int(p.replication_factor as i64),
        Param::Epoch => interval(p.epoch_max),
        Param::LogOffset => interval(p.log_offset_max),
    }
}

/// Evaluates a compiled predicate on `s`: `Ok(b)`, or why it has no value.
pub fn eval_bool(c: &Compiled, p: &Params, s: &State) -> R<bool> {
    match eval_value(c, p, s)? {
        V::Bool(b) => Ok(b),
        v => Err(EvalError {
            msg: format!("the predicate is not a Boolean (its value is {v})"),
            at: c.body.at,
        }),
    }
}

/// Evaluates a compiled expression of any type (a `--view`, ...).
pub fn eval_value(c: &Compiled, p: &Params, s: &State) -> R<V> {
    let mut ev = Eval {
        p,
        s,
        defs: &c.defs,
        vars: vec![None; 20],
    };
    ev.eval(&c.body, &mut vec![])
}

struct Eval<'a> {
    p: &'a Params,
    s: &'a State,
    defs: &'a [Def],
    vars: Vec<Option<V>>,
}

fn fail<T>(e: &Expr, msg: impl Into<String>) -> R<T> {
    Err(EvalError {
        msg: msg.into(),
        at: e.at,
    })
}

impl Eval<'_> {
    fn bool(&mut self, e: &Expr, env: &mut Vec<V>) -> R<bool> {
        match self.eval(e, env)? {
            V::Bool(b) => Ok(b),
            v => fail(e, format!("expected a Boolean, found {v}")),
        }
    }
    fn int(&mut self, e: &Expr, env: &mut Vec<V>) -> R<i64> {
        match self.eval(e, env)? {
            V::Int(x) => Ok(x),
            v => fail(e, format!("expected a number, found {v}")),
        }
    }
    /// The elements of an enumerable set.
    fn elems(&mut self, e: &Expr, env: &mut Vec<V>) -> R<Vec<V>> {
        match self.eval(e, env)? {
            V::Set(xs) => Ok(xs),
            V::Lazy(l) => fail(e, format!("{} cannot be enumerated", V::Lazy(l))),
            v => fail(e, format!("expected a set, found {v}")),
        }
    }

    fn bound<T>(
        &mut self,
        x: V,
        env: &mut Vec<V>,
        f: impl FnOnce(&mut Self, &mut Vec<V>) -> R<T>,
    ) -> R<T> {
        env.push(x);
        let r = f(self, env);
        env.pop();
        r
    }

    fn eval(&mut self, e: &Expr, env: &mut Vec<V>) -> R<V> {
        Ok(match &e.k {
            K::Bool(b) => V::Bool(*b),
            K::Num(x) => V::Int(*x),
            K::Atom(a) => V::Atom(*a),
            K::Var(i) => {
                if self.vars[*i].is_none() {
                    self.vars[*i] = Some(var(self.s, *i));
                }
                self.vars[*i].clone().unwrap()
            }
            K::Param(q) => param(self.p, *q),
            K::Local(i) => env[*i].clone(),
            K::Call(d, args) => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.eval(a, env)?);
                }
                let def = &self.defs[*d];
                let saved = env.split_off(def.base);
                env.extend(vals);
                let r = self.eval(&def.body, env);
                env.truncate(def.base);
                env.extend(saved);
                r?
            }
            K::App(f, x) => {
                let fv = self.eval(f, env)?;
                let xv = self.eval(x, env)?;
                match fv {
                    V::Fun(kv) => match kv.binary_search_by(|(k, _)| k.cmp(&xv)) {
                        Ok(i) => kv[i].1.clone(),
                        Err(_) => {
                            return fail(e, format!("{xv} is not in the domain of the function"))
                        }
                    },
                    v => return fail(f, format!("{v} is not a function")),
                }
            }
            K::Op(op, args) => self.op(e, *op, args, env)?,
            K::And(items) => {
                for i in items {
                    if !self.bool(i, env)? {
                        return Ok(V::Bool(false));
                    }
                }
                V::Bool(true)
            }
            K::Or(items) => {
                for i in items {
                    if self.bool(i, env)? {
                        return Ok(V::Bool(true));
                    }
                }
                V::Bool(false)
            }
            K::Quant { forall, set, body } => {
                let mut all = true;
                let mut any = false;
                for x in self.elems(set, env)? {
                    let b = self.bound(x, env, |s, env| s.bool(body, env))?;
                    all &= b;
                    any |= b;
                }
                V::Bool(if *forall { all } else { any })
            }
            K::Choose(set, body) => {
                let mut found = vec![];
                for x in self.elems(set, env)? {
                    if self.bound(x.clone(), env, |s, env| s.bool(body, env))? {
                        found.push(x);
                    }
                }
                match found.len() {
                    0 => return fail(e, "no value satisfies the CHOOSE"),
                    1 => found.pop().unwrap(),
                    _ => {
                        return fail(
                            e,
                            "several values satisfy the CHOOSE (TLC's choice among them is \
                             implementation-defined, so it is not supported)",
                        )
                    }
                }
            }
            K::Filter(s, body) => {
                let mut out = vec![];
                for x in self.elems(s, env)? {
                    if self.bound(x.clone(), env, |me, env| me.bool(body, env))? {
                        out.push(x);
                    }
                }
                V::Set(out)
            }
            K::Map(s, body) => {
                let mut out = vec![];
                for x in self.elems(s, env)? {
                    out.push(self.bound(x, env, |me, env| me.eval(body, env))?);
                }
                set(out)
            }
            K::FunLit(s, body) => {
                let mut out = vec![];
                for x in self.elems(s, env)? {
                    let v = self.bound(x.clone(), env, |me, env| me.eval(body, env))?;
                    out.push((x, v));
                }
                V::Fun(out)
            }
            K::If(c, a, b) => {
                if self.bool(c, env)? {
                    self.eval(a, env)?
                } else {
                    self.eval(b, env)?
                }
            }
            K::Case(arms, other) => {
                for (g, v) in arms {
                    if self.bool(g, env)? {
                        return self.eval(v, env);
                    }
                }
                match other {
                    Some(o) => self.eval(o, env)?,
                    None => return fail(e, "no CASE arm applies"),
                }
            }
            K::SetLit(xs) => {
                let mut out = vec![];
                for x in xs {
                    out.push(self.eval(x, env)?);
                }
                set(out)
            }
            K::Tuple(xs) => {
                let mut out = vec![];
                for x in xs {
                    out.push(self.eval(x, env)?);
                }
                seq(out)
            }
            K::EnabledNext => V::Bool(Property::NoDeadlock.violation(self.p, self.s).is_none()),
            K::Action(_) => {
                return fail(e, "an action or temporal formula has no value in one state")
            }
        })
    }

    fn seq_of(&mut self, e: &Expr, env: &mut Vec<V>) -> R<Vec<(V, V)>> {
        match self.eval(e, env)? {
            V::Fun(kv) if is_seq(&kv) => Ok(kv),
            v => fail(e, format!("{v} is not a sequence")),
        }
    }

    fn op(&mut self, e: &Expr, op: Op, a: &[Expr], env: &mut Vec<V>) -> R<V> {
        use Op::*;
        let arith = |me: &mut Self, env: &mut Vec<V>| -> R<(i64, i64)> {
            Ok((me.int(&a[0], env)?, me.int(&a[1], env)?))
        };
        Ok(match op {
            Add | Sub | Mul => {
                let (x, y) = arith(self, env)?;
                let r = match op {
                    Add => x.checked_add(y),
                    Sub => x.checked_sub(y),
                    _ => x.checked_mul(y),
                };
                match r {
                    Some(v) => V::Int(v),
                    None => return fail(e, "arithmetic overflow (beyond 64 bits)"),
                }
            }
            Div | Mod => {
                let (x, y) = arith(self, env)?;
                // TLC: `%` needs a positive divisor, `\div` a nonzero one.
                if y == 0 || (op == Mod && y < 0) {
                    return fail(e, format!("the divisor of {} is {y}", op.name()));
                }
                if op == Mod {
                    V::Int(x.rem_euclid(y))
                } else {
                    let q = x / y;
                    let floor = if x % y != 0 && ((x < 0) != (y < 0)) {
                        q - 1
                    } else {
                        q
                    };
                    V::Int(floor)
                }
            }
            Neg => match self.int(&a[0], env)?.checked_neg() {
                Some(v) => V::Int(v),
                None => return fail(e, "arithmetic overflow (beyond 64 bits)"),
            },
            Lt | Le | Gt | Ge => {
                let (x, y) = arith(self, env)?;
                V::Bool(match op {
                    Lt => x < y,
                    Le => x <= y,
                    Gt => x > y,
                    _ => x >= y,
                })
            }
            Eq | Neq => {
                let x = self.eval(&a[0], env)?;
                let y = self.eval(&a[1], env)?;
                V::Bool((x == y) == (op == Eq))
            }
            Not => V::Bool(!self.bool(&a[0], env)?),
            Implies => V::Bool(!self.bool(&a[0], env)? || self.bool(&a[1], env)?),
            Equiv => V::Bool(self.bool(&a[0], env)? == self.bool(&a[1], env)?),
            In | NotIn => {
                let x = self.eval(&a[0], env)?;
                let s = self.eval(&a[1], env)?;
                V::Bool(member(e, &x, &s)? == (op == In))
            }
            Subseteq => {
                let xs = self.elems(&a[0], env)?;
                let s = self.eval(&a[1], env)?;
                let mut all = true;
                for x in &xs {
                    all &= member(e, x, &s)?;
                }
                V::Bool(all)
            }
            Union => {
                let mut xs = self.elems(&a[0], env)?;
                xs.extend(self.elems(&a[1], env)?);
                set(xs)
            }
            Inter | Minus => {
                let xs = self.elems(&a[0], env)?;
                let s = self.eval(&a[1], env)?;
                let mut out = vec![];
                for x in xs {
                    if member(e, &x, &s)? == (op == Inter) {
                        out.push(x);
                    }
                }
                V::Set(out)
            }
            Powerset => {
                let xs = self.elems(&a[0], env)?;
                if xs.len() > 16 {
                    return fail(
                        e,
                        format!("SUBSET of a set of {} elements is too large", xs.len()),
                    );
                }
                let subsets = (0..1u32 << xs.len())
                    .map(|m| {
                        V::Set(
                            (0..xs.len())
                                .filter(|i| m >> i & 1 == 1)
                                .map(|i| xs[i].clone())
                                .collect(),
                        )
                    })
                    .collect();
                set(subsets)
            }
            BigUnion => {
                let mut out = vec![];
                for s in self.elems(&a[0], env)? {
                    match s {
                        V::Set(xs) => out.extend(xs),
                        v => return fail(e, format!("UNION of a non-set element {v}")),
                    }
                }
                set(out)
            }
            Interval => {
                let (x, y) = arith(self, env)?;
                if y.saturating_sub(x) >= MAX_SET as i64 {
                    // Membership only, as TLC treats a large interval.
                    V::Lazy(Lazy::Range(x, y))
                } else {
                    V::Set((x..=y).map(V::Int).collect())
                }
            }
            Domain => match self.eval(&a[0], env)? {
                V::Fun(kv) => V::Set(kv.into_iter().map(|(k, _)| k).collect()),
                v => return fail(e, format!("DOMAIN of {v}, which is not a function")),
            },
            Len => V::Int(self.seq_of(&a[0], env)?.len() as i64),
            Append => {
                let mut kv = self.seq_of(&a[0], env)?;
                let x = self.eval(&a[1], env)?;
                kv.push((V::Int(kv.len() as i64 + 1), x));
                V::Fun(kv)
            }
            Head | Tail => {
                let kv = self.seq_of(&a[0], env)?;
                if kv.is_empty() {
                    return fail(e, format!("{} of the empty sequence", op.name()));
                }
                if op == Head {
                    kv[0].1.clone()
                } else {
                    seq(kv.into_iter().skip(1).map(|(_, v)| v))
                }
            }
            Cardinality => V::Int(self.elems(&a[0], env)?.len() as i64),
            SeqSet => V::Lazy(Lazy::Seq(Box::new(self.eval(&a[0], env)?))),
            FunSet => {
                let x = self.eval(&a[0], env)?;
                let y = self.eval(&a[1], env)?;
                if !matches!(x, V::Set(_)) {
                    return fail(
                        &a[0],
                        format!("the domain of [A -> B] must be a finite set, found {x}"),
                    );
                }
                V::Lazy(Lazy::FunSet(Box::new(x), Box::new(y)))
            }
            Nat => V::Lazy(Lazy::Nat),
            Int => V::Lazy(Lazy::Int),
            Boolean => V::Set(vec![V::Bool(false), V::Bool(true)]),
        })
    }
}

/// `x \in s`.
fn member(e: &Expr, x: &V, s: &V) -> R<bool> {
    Ok(match s {
        V::Set(xs) => xs.binary_search(x).is_ok(),
        V::Lazy(Lazy::Range(a, b)) => matches!(x, V::Int(v) if a <= v && v <= b),
        V::Lazy(Lazy::Nat) => matches!(x, V::Int(v) if *v >= 0),
        V::Lazy(Lazy::Int) => matches!(x, V::Int(_)),
        V::Lazy(Lazy::Seq(t)) => match x {
            V::Fun(kv) if is_seq(kv) => {
                let mut all = true;
                for (_, v) in kv {
                    all &= member(e, v, t)?;
                }
                all
            }
            _ => false,
        },
        V::Lazy(Lazy::FunSet(a, b)) => match (x, &**a) {
            (V::Fun(kv), V::Set(dom)) => {
                let mut all = kv.len() == dom.len() && kv.iter().zip(dom).all(|((k, _), d)| k == d);
                for (_, v) in kv {
                    all &= member(e, v, b)?;
                }
                all
            }
            _ => false,
        },
        v => return fail(e, format!("\\in applied to {v}, which is not a set")),
    })
}
