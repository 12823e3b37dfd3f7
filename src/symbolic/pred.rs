//! The symbolic reading of a TLA+ predicate (`spec::tla`): Z3 terms over
//! one state's slots, with the same values and the same evaluation errors
//! as the concrete reading (`spec::tla::eval`).
//!
//! Values: a scalar (a number, a string or a model value, possibly either:
//! `pending[c]` is a number or `nil`) is a tag and two bit-vectors; a set is
//! a list of guarded elements (an element is in the set when its guard
//! holds; duplicates are allowed); a function is a list of guarded
//! (key, value) pairs with distinct keys; `Nat`, `Int`, `Seq(S)` and
//! `[A -> B]` are known by membership only. Evaluation carries the path
//! condition under which it is reached, so that an evaluation error is
//! recorded exactly where the concrete reading would stop: `/\`, `\/`,
//! `=>`, `IF` and `CASE` narrow the path as TLC evaluates them.

use super::{and, c as bvc, or};
use crate::layout::Layout;
use crate::params::{Params, REQ_BASE};
use crate::spec::tla::{self, eval::MAX_SET, Atom, Compiled, Def, Expr, Op, Param, K};
use z3::ast::{Bool, BV};

/// Width of numbers: signed, with intervals checked at encoding time so
/// that no arithmetic wraps.
const W: u32 = 32;
/// Width of atoms.
const WA: u32 = 16;
const TRUE_ATOM: u64 = 0xFFF1;
const FALSE_ATOM: u64 = 0xFFF0;
/// A slot code that names no status (only in states no run reaches).
const JUNK_ATOM: u64 = 0xFFFF;
const LIMIT: i64 = i32::MAX as i64;

#[derive(Clone)]
pub struct Sc {
    is_int: Bool,
    int: BV,
    atom: BV,
    lo: i64,
    hi: i64,
}

#[derive(Clone)]
pub enum SV {
    Bool(Bool),
    Sc(Sc),
    Set(Vec<(Bool, SV)>),
    Fun(Vec<(Bool, SV, SV)>),
    Lazy(Lz),
    /// The value after an evaluation error (recorded under its path): any
    /// use of it is unreachable without that error.
    Poison,
}

#[derive(Clone)]
pub enum Lz {
    /// `a..b` too large to list (membership only, as TLC does).
    Range(i64, i64),
    Nat,
    Int,
    Seq(Box<SV>),
    FunSet(Box<SV>, Box<SV>),
}

/// An expression the symbolic reading cannot encode (the message says
/// why); the explicit engine can still check it.
type R<T> = Result<T, String>;

fn tt() -> Bool {
    Bool::from_bool(true)
}
fn ff() -> Bool {
    Bool::from_bool(false)
}
fn and2(a: &Bool, b: &Bool) -> Bool {
    match (a.as_bool(), b.as_bool()) {
        (Some(true), _) => b.clone(),
        (_, Some(true)) => a.clone(),
        (Some(false), _) | (_, Some(false)) => ff(),
        _ => Bool::and(&[a, b]),
    }
}
fn or2(a: &Bool, b: &Bool) -> Bool {
    match (a.as_bool(), b.as_bool()) {
        (Some(false), _) => b.clone(),
        (_, Some(false)) => a.clone(),
        (Some(true), _) | (_, Some(true)) => tt(),
        _ => Bool::or(&[a, b]),
    }
}
fn not(a: &Bool) -> Bool {
    match a.as_bool() {
        Some(b) => Bool::from_bool(!b),
        None => a.not(),
    }
}
fn all(v: Vec<Bool>) -> Bool {
    let v: Vec<Bool> = v
        .into_iter()
        .filter(|b| b.as_bool() != Some(true))
        .collect();
    if v.iter().any(|b| b.as_bool() == Some(false)) {
        return ff();
    }
    and(&v)
}
fn any(v: Vec<Bool>) -> Bool {
    let v: Vec<Bool> = v
        .into_iter()
        .filter(|b| b.as_bool() != Some(false))
        .collect();
    if v.iter().any(|b| b.as_bool() == Some(true)) {
        return tt();
    }
    or(&v)
}
fn ite_bool(c: &Bool, a: &Bool, b: &Bool) -> Bool {
    match c.as_bool() {
        Some(true) => a.clone(),
        Some(false) => b.clone(),
        None if a == b => a.clone(),
        None => c.ite(a, b),
    }
}
fn ite_bv(c: &Bool, a: &BV, b: &BV) -> BV {
    match c.as_bool() {
        Some(true) => a.clone(),
        Some(false) => b.clone(),
        None if a == b => a.clone(),
        None => c.ite(a, b),
    }
}

fn int(k: i64) -> SV {
    SV::Sc(Sc {
        is_int: tt(),
        int: BV::from_i64(k, W),
        atom: bvc(0, WA),
        lo: k,
        hi: k,
    })
}
fn int_term(x: BV, lo: i64, hi: i64) -> R<SV> {
    if lo < -LIMIT || hi > LIMIT {
        return Err(format!(
            "arithmetic whose value may leave -{LIMIT}..{LIMIT} cannot be encoded"
        ));
    }
    Ok(SV::Sc(Sc {
        is_int: tt(),
        int: x,
        atom: bvc(0, WA),
        lo,
        hi,
    }))
}
fn atom(a: Atom) -> SV {
    atom_term(bvc(a as u64, WA))
}
fn atom_term(a: BV) -> SV {
    SV::Sc(Sc {
        is_int: ff(),
        int: BV::from_i64(0, W),
        atom: a,
        lo: 0,
        hi: 0,
    })
}
fn bool_sc(b: &Bool) -> Sc {
    Sc {
        is_int: ff(),
        int: BV::from_i64(0, W),
        atom: ite_bv(b, &bvc(TRUE_ATOM, WA), &bvc(FALSE_ATOM, WA)),
        lo: 0,
        hi: 0,
    }
}

/// Two values built the same way (the same Z3 terms).
fn same(a: &SV, b: &SV) -> bool {
    match (a, b) {
        (SV::Bool(x), SV::Bool(y)) => x == y,
        (SV::Sc(x), SV::Sc(y)) => x.is_int == y.is_int && x.int == y.int && x.atom == y.atom,
        (SV::Set(x), SV::Set(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((g, u), (h, v))| g == h && same(u, v))
        }
        (SV::Fun(x), SV::Fun(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((g, k, u), (h, l, v))| g == h && same(k, l) && same(u, v))
        }
        _ => false,
    }
}

/// `IF c THEN a ELSE b` on values.
fn merge(c: &Bool, a: SV, b: SV) -> R<SV> {
    match c.as_bool() {
        Some(true) => return Ok(a),
        Some(false) => return Ok(b),
        None => {}
    }
    Ok(match (a, b) {
        (SV::Poison, x) | (x, SV::Poison) => x,
        (SV::Bool(x), SV::Bool(y)) => SV::Bool(ite_bool(c, &x, &y)),
        (SV::Bool(x), SV::Sc(y)) => merge_sc(c, &bool_sc(&x), &y),
        (SV::Sc(x), SV::Bool(y)) => merge_sc(c, &x, &bool_sc(&y)),
        (SV::Sc(x), SV::Sc(y)) => merge_sc(c, &x, &y),
        (SV::Set(x), SV::Set(y)) => {
            if x.len() == y.len() && x.iter().zip(&y).all(|((_, u), (_, v))| same(u, v)) {
                SV::Set(
                    x.into_iter()
                        .zip(y)
                        .map(|((g, u), (h, _))| (ite_bool(c, &g, &h), u))
                        .collect(),
                )
            } else {
                let nc = not(c);
                let mut v: Vec<(Bool, SV)> = x.into_iter().map(|(g, u)| (and2(c, &g), u)).collect();
                v.extend(y.into_iter().map(|(h, u)| (and2(&nc, &h), u)));
                SV::Set(v)
            }
        }
        (SV::Fun(x), SV::Fun(y)) => {
            if x.len() == y.len() && x.iter().zip(&y).all(|((_, k, _), (_, l, _))| same(k, l)) {
                let mut v = vec![];
                for ((g, k, u), (h, _, w)) in x.into_iter().zip(y) {
                    v.push((ite_bool(c, &g, &h), k, merge(c, u, w)?));
                }
                SV::Fun(v)
            } else {
                let nc = not(c);
                let mut v: Vec<(Bool, SV, SV)> =
                    x.into_iter().map(|(g, k, u)| (and2(c, &g), k, u)).collect();
                v.extend(y.into_iter().map(|(h, k, u)| (and2(&nc, &h), k, u)));
                SV::Fun(v)
            }
        }
        (x, y) if same(&x, &y) => x,
        _ => {
            return Err(
                "a value that is of different kinds on different paths (a set or a \
                 function on one, a number or a set on another) cannot be encoded"
                    .into(),
            )
        }
    })
}

fn merge_sc(c: &Bool, x: &Sc, y: &Sc) -> SV {
    SV::Sc(Sc {
        is_int: ite_bool(c, &x.is_int, &y.is_int),
        int: ite_bv(c, &x.int, &y.int),
        atom: ite_bv(c, &x.atom, &y.atom),
        lo: x.lo.min(y.lo),
        hi: x.hi.max(y.hi),
    })
}

/// `a = b`.
fn eq(a: &SV, b: &SV) -> R<Bool> {
    Ok(match (a, b) {
        (SV::Poison, _) | (_, SV::Poison) => ff(),
        (SV::Bool(x), SV::Bool(y)) => {
            if x == y {
                tt()
            } else {
                x.iff(y)
            }
        }
        (SV::Bool(x), SV::Sc(y)) => eq_sc(&bool_sc(x), y),
        (SV::Sc(x), SV::Bool(y)) => eq_sc(x, &bool_sc(y)),
        (SV::Sc(x), SV::Sc(y)) => eq_sc(x, y),
        (SV::Set(_), SV::Set(_)) => and2(&subset(a, b)?, &subset(b, a)?),
        (SV::Fun(x), SV::Fun(y)) => and2(&entries_in(x, y)?, &entries_in(y, x)?),
        (SV::Lazy(_), _) | (_, SV::Lazy(_)) => {
            return Err("comparing Nat, Int, Seq(S) or [A -> B] with = cannot be encoded".into())
        }
        _ => ff(),
    })
}

/// `a = b` on bit-vectors, folded when both are numerals.
fn bv_eq(a: &BV, b: &BV) -> Bool {
    if a == b {
        return tt();
    }
    match (a.as_u64(), b.as_u64()) {
        (Some(x), Some(y)) => Bool::from_bool(x == y),
        _ => a.eq(b),
    }
}

fn eq_sc(x: &Sc, y: &Sc) -> Bool {
    let tags = match (x.is_int.as_bool(), y.is_int.as_bool()) {
        (Some(a), Some(b)) => Bool::from_bool(a == b),
        _ if x.is_int == y.is_int => tt(),
        _ => x.is_int.iff(&y.is_int),
    };
    if tags.as_bool() == Some(false) {
        return ff();
    }
    all(vec![tags, bv_eq(&x.int, &y.int), bv_eq(&x.atom, &y.atom)])
}

/// Every (key, value) of `x` is in `y`.
fn entries_in(x: &[(Bool, SV, SV)], y: &[(Bool, SV, SV)]) -> R<Bool> {
    let mut v = vec![];
    for (g, k, u) in x {
        let mut found = vec![];
        for (h, l, w) in y {
            found.push(all(vec![h.clone(), eq(k, l)?, eq(u, w)?]));
        }
        v.push(g.implies(&any(found)));
    }
    Ok(all(v))
}

/// Every element of the set `a` is in `b` (both enumerated sets).
fn subset(a: &SV, b: &SV) -> R<Bool> {
    let (SV::Set(x), SV::Set(_)) = (a, b) else {
        unreachable!("subset of sets")
    };
    let mut v = vec![];
    for (g, e) in x {
        v.push(g.implies(&member_set(e, b)?));
    }
    Ok(all(v))
}

fn member_set(x: &SV, s: &SV) -> R<Bool> {
    let SV::Set(ys) = s else { unreachable!() };
    let mut v = vec![];
    for (g, y) in ys {
        let e = eq(x, y)?;
        v.push(and2(g, &e));
    }
    Ok(any(v))
}

/// The number of entries of a function whose guard holds.
fn count(guards: &[Bool]) -> BV {
    let mut acc = BV::from_i64(0, W);
    for g in guards {
        match g.as_bool() {
            Some(true) => acc = acc.bvadd(BV::from_i64(1, W)),
            Some(false) => {}
            None => acc = acc.bvadd(g.ite(&BV::from_i64(1, W), &BV::from_i64(0, W))),
        }
    }
    acc
}

/// The number of a function's entries (of a sequence: its length).
fn entries(f: &[(Bool, SV, SV)]) -> BV {
    count(&f.iter().map(|(g, _, _)| g.clone()).collect::<Vec<_>>())
}

/// The function is a sequence: its keys are `1..n`, n its number of
/// entries (keys are distinct).
fn is_seq(f: &[(Bool, SV, SV)]) -> Bool {
    let n = entries(f);
    let mut v = vec![];
    for (g, k, _) in f {
        let ok = match k {
            SV::Sc(k) => all(vec![
                k.is_int.clone(),
                k.int.bvsge(BV::from_i64(1, W)),
                k.int.bvsle(&n),
            ]),
            _ => ff(),
        };
        v.push(g.implies(&ok));
    }
    all(v)
}

/// Reads one predicate over one state's slots.
pub struct Reading<'a> {
    p: &'a Params,
    l: &'a Layout,
    s: &'a [BV],
    defs: &'a [Def],
    errs: Vec<Bool>,
    vars: Vec<Option<SV>>,
}

/// The predicate's value and the condition under which evaluating it is
/// an error, in state `s`.
pub fn predicate(c: &Compiled, p: &Params, l: &Layout, s: &[BV]) -> R<(Bool, Bool)> {
    let mut r = Reading::new(c, p, l, s);
    let v = r.eval(&c.body, &mut vec![], &tt())?;
    let b = r.to_bool(v, &tt());
    // Constant folding here keeps the solver's terms small (the generic
    // values leave many constant tags and atoms behind).
    Ok((super::simplify(&b), super::simplify(&any(r.errs))))
}

impl<'a> Reading<'a> {
    fn new(c: &'a Compiled, p: &'a Params, l: &'a Layout, s: &'a [BV]) -> Reading<'a> {
        Reading {
            p,
            l,
            s,
            defs: &c.defs,
            errs: vec![],
            vars: vec![None; 20],
        }
    }

    fn error(&mut self, path: &Bool, cond: Bool) {
        let e = and2(path, &cond);
        if e.as_bool() != Some(false) {
            self.errs.push(e);
        }
    }

    fn to_bool(&mut self, v: SV, path: &Bool) -> Bool {
        match v {
            SV::Bool(b) => b,
            SV::Sc(x) => {
                let is_t = x.atom.eq(bvc(TRUE_ATOM, WA));
                let is_f = x.atom.eq(bvc(FALSE_ATOM, WA));
                let ok = and2(&not(&x.is_int), &or2(&is_t, &is_f));
                self.error(path, not(&ok));
                is_t
            }
            SV::Poison => ff(),
            _ => {
                self.error(path, tt());
                ff()
            }
        }
    }

    fn to_int(&mut self, v: SV, path: &Bool) -> (BV, i64, i64) {
        match v {
            SV::Sc(x) => {
                self.error(path, not(&x.is_int));
                (x.int, x.lo, x.hi)
            }
            SV::Poison => (BV::from_i64(0, W), 0, 0),
            _ => {
                self.error(path, tt());
                (BV::from_i64(0, W), 0, 0)
            }
        }
    }

    fn elems(&mut self, v: SV, path: &Bool) -> Vec<(Bool, SV)> {
        match v {
            SV::Set(xs) => xs,
            SV::Poison => vec![],
            _ => {
                self.error(path, tt());
                vec![]
            }
        }
    }

    fn member(&mut self, x: &SV, s: &SV, path: &Bool) -> R<Bool> {
        Ok(match s {
            SV::Set(_) => member_set(x, s)?,
            SV::Poison => ff(),
            SV::Lazy(Lz::Range(lo, hi)) => match x {
                SV::Sc(x) => all(vec![
                    x.is_int.clone(),
                    x.int.bvsge(BV::from_i64(*lo, W)),
                    x.int.bvsle(BV::from_i64(*hi, W)),
                ]),
                _ => ff(),
            },
            SV::Lazy(Lz::Nat) => match x {
                SV::Sc(x) => and2(&x.is_int, &x.int.bvsge(BV::from_i64(0, W))),
                _ => ff(),
            },
            SV::Lazy(Lz::Int) => match x {
                SV::Sc(x) => x.is_int.clone(),
                _ => ff(),
            },
            SV::Lazy(Lz::Seq(t)) => match x {
                SV::Fun(f) => {
                    // Elements are looked at only in a sequence.
                    let isq = is_seq(f);
                    let inner = and2(path, &isq);
                    let mut v = vec![isq];
                    for (g, _, u) in f {
                        let m = self.member(u, t, &and2(&inner, g))?;
                        v.push(g.implies(&m));
                    }
                    all(v)
                }
                _ => ff(),
            },
            SV::Lazy(Lz::FunSet(a, b)) => match x {
                SV::Fun(f) => {
                    let dom = SV::Set(f.iter().map(|(g, k, _)| (g.clone(), k.clone())).collect());
                    let mut v = vec![eq(&dom, a)?];
                    for (g, _, u) in f {
                        let m = self.member(u, b, &and2(path, g))?;
                        v.push(g.implies(&m));
                    }
                    all(v)
                }
                _ => ff(),
            },
            _ => {
                self.error(path, tt());
                ff()
            }
        })
    }

    fn bound<T>(
        &mut self,
        x: SV,
        env: &mut Vec<SV>,
        f: impl FnOnce(&mut Self, &mut Vec<SV>) -> R<T>,
    ) -> R<T> {
        env.push(x);
        let r = f(self, env);
        env.pop();
        r
    }

    fn slot(&self, i: usize) -> (BV, i64) {
        let x = &self.s[i];
        let w = x.get_size();
        (x.zero_ext(W - w), (1i64 << w) - 1)
    }
    fn num(&self, i: usize) -> SV {
        let (x, hi) = self.slot(i);
        int_term(x, 0, hi).expect("slots are narrow")
    }
    fn req(&self, i: usize) -> SV {
        let (x, hi) = self.slot(i);
        let b = REQ_BASE as i64;
        int_term(x.bvadd(BV::from_i64(b, W)), b, b + hi).expect("slots are narrow")
    }
    fn replica_id(&self, i: usize) -> SV {
        let x = &self.s[i];
        atom_term(
            x.zero_ext(WA - x.get_size())
                .bvadd(bvc(tla::REPLICA_ATOM as u64, WA)),
        )
    }
    fn status(&self, i: usize, base: u64) -> SV {
        let x = &self.s[i];
        let code = x.zero_ext(WA - x.get_size());
        let a = code.bvadd(bvc(tla::STRING_ATOM as u64 + base, WA));
        let junk = x.eq(bvc(3, x.get_size()));
        atom_term(junk.ite(&bvc(JUNK_ATOM, WA), &a))
    }
    fn flag(&self, i: usize) -> Bool {
        self.s[i].eq(bvc(1, 1))
    }
    fn nil_or(&self, nil: usize, v: SV) -> SV {
        merge(&self.flag(nil), atom(tla::NIL), v).expect("scalars merge")
    }
    fn seq(&self, len: usize, ents: &[usize]) -> SV {
        let (n, _) = self.slot(len);
        SV::Fun(
            ents.iter()
                .enumerate()
                .map(|(j, &e)| {
                    let k = j as i64 + 1;
                    (BV::from_i64(k, W).bvsle(&n), int(k), self.req(e))
                })
                .collect(),
        )
    }
    fn over(&self, n: usize, key: fn(usize) -> SV, f: impl Fn(usize) -> SV) -> SV {
        SV::Fun((0..n).map(|i| (tt(), key(i), f(i))).collect())
    }

    fn var(&mut self, i: usize) -> SV {
        if let Some(v) = &self.vars[i] {
            return v.clone();
        }
        let l = self.l;
        let (nr, nc) = (self.p.replicas, self.p.clients);
        let rk = |r: usize| atom(tla::REPLICA_ATOM + r as Atom);
        let ck = |c: usize| atom(tla::CLIENT_ATOM + c as Atom);
        let v = match i {
            0 => self.replica_id(l.zk_leader),
            1 => self.num(l.zk_epoch),
            2 => self.num(l.zk_leader_epoch),
            3 => self.status(l.zk_status, 0),
            4 => SV::Set(
                (0..nr)
                    .map(|r| (self.flag(l.old_leaders[r]), rk(r)))
                    .collect(),
            ),
            5 => self.nil_or(l.catchup_nil, self.num(l.catchup)),
            6 => self.over(nr, rk, |r| self.seq(l.db_len[r], &l.db_ent[r])),
            7 => self.over(nr, rk, |r| self.replica_id(l.db_leader[r])),
            8 => self.over(nr, rk, |r| {
                self.over(nr, rk, |r1| self.num(l.db_repl[r][r1]))
            }),
            9 => self.over(nr, rk, |r| self.num(l.db_epoch[r])),
            10 => self.over(nr, rk, |r| self.status(l.db_status[r], 3)),
            11 => self.req(l.next_req),
            12 => self.over(nc, ck, |c| self.replica_id(l.client_leader[c])),
            13 => self.over(nc, ck, |c| self.seq(l.cs_len[c], &l.cs_ent[c])),
            14 => self.over(nc, ck, |c| {
                self.nil_or(l.pending_nil[c], self.req(l.pending[c]))
            }),
            15 => self.over(nc, ck, |c| {
                self.nil_or(l.pending_db_nil[c], self.replica_id(l.pending_db[c]))
            }),
            16 => self.over(nc, ck, |c| self.num(l.cle[c])),
            17 => self.status(l.healer_status, 6),
            18 => self.num(l.healer_epoch),
            19 => self.over(nr, rk, |r| self.nil_or(l.hr_nil[r], self.num(l.hr[r]))),
            _ => unreachable!("20 variables"),
        };
        self.vars[i] = Some(v.clone());
        v
    }

    fn param(&self, q: Param) -> SV {
        let p = self.p;
        let ints = |hi: u32| SV::Set((0..=hi as i64).map(|k| (tt(), int(k))).collect());
        match q {
            Param::Clients => SV::Set(
                (0..p.clients)
                    .map(|c| (tt(), atom(tla::CLIENT_ATOM + c as Atom)))
                    .collect(),
            ),
            Param::Replicas => SV::Set(
                (0..p.replicas)
                    .map(|r| (tt(), atom(tla::REPLICA_ATOM + r as Atom)))
                    .collect(),
            ),
            Param::MaxNextReq => int(p.max_req as i64),
            Param::MaxChangeLeader => int(p.max_leader_changes as i64),
            Param::ReplicationFactor => int(p.replication_factor as i64),
            Param::Epoch => ints(p.epoch_max),
            Param::LogOffset => ints(p.log_offset_max),
        }
    }

    fn bool_of(&mut self, e: &Expr, env: &mut Vec<SV>, path: &Bool) -> R<Bool> {
        let v = self.eval(e, env, path)?;
        Ok(self.to_bool(v, path))
    }
    fn int_of(&mut self, e: &Expr, env: &mut Vec<SV>, path: &Bool) -> R<(BV, i64, i64)> {
        let v = self.eval(e, env, path)?;
        Ok(self.to_int(v, path))
    }
    fn elems_of(&mut self, e: &Expr, env: &mut Vec<SV>, path: &Bool) -> R<Vec<(Bool, SV)>> {
        let v = self.eval(e, env, path)?;
        Ok(self.elems(v, path))
    }

    fn eval(&mut self, e: &Expr, env: &mut Vec<SV>, path: &Bool) -> R<SV> {
        Ok(match &e.k {
            K::Bool(b) => SV::Bool(Bool::from_bool(*b)),
            K::Num(k) => int(*k),
            K::Atom(a) => atom(*a),
            K::Var(i) => self.var(*i),
            K::Param(q) => self.param(*q),
            K::Local(i) => env[*i].clone(),
            K::Call(d, args) => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.eval(a, env, path)?);
                }
                let def = &self.defs[*d];
                let saved = env.split_off(def.base);
                env.extend(vals);
                let r = self.eval(&def.body, env, path);
                env.truncate(def.base);
                env.extend(saved);
                r?
            }
            K::App(f, x) => {
                let fv = self.eval(f, env, path)?;
                let xv = self.eval(x, env, path)?;
                self.apply(fv, &xv, path)?
            }
            K::Op(op, args) => self.op(*op, args, env, path)?,
            K::And(items) | K::Or(items) => {
                let is_and = matches!(e.k, K::And(_));
                let mut p = path.clone();
                let mut bs = vec![];
                for i in items {
                    let b = self.bool_of(i, env, &p)?;
                    p = and2(&p, &if is_and { b.clone() } else { not(&b) });
                    bs.push(b);
                }
                SV::Bool(if is_and { all(bs) } else { any(bs) })
            }
            K::Quant { forall, set, body } => {
                let xs = self.elems_of(set, env, path)?;
                let mut bs = vec![];
                for (g, x) in xs {
                    let p = and2(path, &g);
                    let b = self.bound(x, env, |me, env| me.bool_of(body, env, &p))?;
                    bs.push(if *forall { g.implies(&b) } else { and2(&g, &b) });
                }
                SV::Bool(if *forall { all(bs) } else { any(bs) })
            }
            K::Choose(set, body) => {
                let xs = self.elems_of(set, env, path)?;
                let mut sat = vec![];
                for (g, x) in xs {
                    let p = and2(path, &g);
                    let b = self.bound(x.clone(), env, |me, env| me.bool_of(body, env, &p))?;
                    sat.push((and2(&g, &b), x));
                }
                self.error(
                    path,
                    not(&any(sat.iter().map(|(s, _)| s.clone()).collect())),
                );
                let mut many = vec![];
                for i in 0..sat.len() {
                    for j in i + 1..sat.len() {
                        let differ = not(&eq(&sat[i].1, &sat[j].1)?);
                        many.push(all(vec![sat[i].0.clone(), sat[j].0.clone(), differ]));
                    }
                }
                self.error(path, any(many));
                let mut acc = SV::Poison;
                for (s, x) in sat.into_iter().rev() {
                    acc = merge(&s, x, acc)?;
                }
                acc
            }
            K::Filter(set, body) => {
                let xs = self.elems_of(set, env, path)?;
                let mut out = vec![];
                for (g, x) in xs {
                    let p = and2(path, &g);
                    let b = self.bound(x.clone(), env, |me, env| me.bool_of(body, env, &p))?;
                    out.push((and2(&g, &b), x));
                }
                SV::Set(out)
            }
            K::Map(set, body) => {
                let xs = self.elems_of(set, env, path)?;
                let mut out = vec![];
                for (g, x) in xs {
                    let p = and2(path, &g);
                    let v = self.bound(x, env, |me, env| me.eval(body, env, &p))?;
                    out.push((g, v));
                }
                SV::Set(out)
            }
            K::FunLit(set, body) => {
                let xs = self.elems_of(set, env, path)?;
                let mut out: Vec<(Bool, SV, SV)> = vec![];
                for (g, x) in xs {
                    let p = and2(path, &g);
                    let v = self.bound(x.clone(), env, |me, env| me.eval(body, env, &p))?;
                    // One entry per key: an element listed twice is one key.
                    let mut first = vec![g];
                    for (h, k, _) in &out {
                        first.push(not(&and2(h, &eq(k, &x)?)));
                    }
                    out.push((all(first), x, v));
                }
                SV::Fun(out)
            }
            K::If(c, a, b) => {
                let cb = self.bool_of(c, env, path)?;
                let va = self.eval(a, env, &and2(path, &cb))?;
                let vb = self.eval(b, env, &and2(path, &not(&cb)))?;
                merge(&cb, va, vb)?
            }
            K::Case(arms, other) => {
                let mut p = path.clone();
                let mut taken = vec![];
                for (g, v) in arms {
                    let gb = self.bool_of(g, env, &p)?;
                    let val = self.eval(v, env, &and2(&p, &gb))?;
                    taken.push((and2(&p, &gb), val));
                    p = and2(&p, &not(&gb));
                }
                let mut acc = match other {
                    Some(o) => self.eval(o, env, &p)?,
                    None => {
                        self.error(&p, tt());
                        SV::Poison
                    }
                };
                for (c, v) in taken.into_iter().rev() {
                    acc = merge(&c, v, acc)?;
                }
                acc
            }
            K::SetLit(xs) => {
                let mut out = vec![];
                for x in xs {
                    out.push((tt(), self.eval(x, env, path)?));
                }
                SV::Set(out)
            }
            K::Tuple(xs) => {
                let mut out = vec![];
                for (i, x) in xs.iter().enumerate() {
                    out.push((tt(), int(i as i64 + 1), self.eval(x, env, path)?));
                }
                SV::Fun(out)
            }
            K::EnabledNext | K::Action(_) => {
                return Err(
                    "ENABLED and action or temporal formulas are not read symbolically".into(),
                )
            }
        })
    }

    /// `f[x]`
    fn apply(&mut self, f: SV, x: &SV, path: &Bool) -> R<SV> {
        let SV::Fun(entries) = f else {
            if !matches!(f, SV::Poison) {
                self.error(path, tt());
            }
            return Ok(SV::Poison);
        };
        let mut found = vec![];
        for (g, k, _) in &entries {
            found.push(and2(g, &eq(k, x)?));
        }
        self.error(path, not(&any(found.clone())));
        let mut acc = SV::Poison;
        for ((_, _, v), hit) in entries.into_iter().zip(found).rev() {
            acc = merge(&hit, v, acc)?;
        }
        Ok(acc)
    }

    /// The entries of a sequence, with the error where it is not one.
    fn seq_of(
        &mut self,
        e: &Expr,
        env: &mut Vec<SV>,
        path: &Bool,
    ) -> R<Option<Vec<(Bool, SV, SV)>>> {
        match self.eval(e, env, path)? {
            SV::Fun(f) => {
                self.error(path, not(&is_seq(&f)));
                Ok(Some(f))
            }
            SV::Poison => Ok(None),
            _ => {
                self.error(path, tt());
                Ok(None)
            }
        }
    }

    fn op(&mut self, op: Op, a: &[Expr], env: &mut Vec<SV>, path: &Bool) -> R<SV> {
        use Op::*;
        Ok(match op {
            Add | Sub | Mul | Div | Mod | Lt | Le | Gt | Ge => {
                let (x, xl, xh) = self.int_of(&a[0], env, path)?;
                let (y, yl, yh) = self.int_of(&a[1], env, path)?;
                match op {
                    Add => int_term(x.bvadd(&y), xl + yl, xh + yh)?,
                    Sub => int_term(x.bvsub(&y), xl - yh, xh - yl)?,
                    Mul => {
                        let c = [xl * yl, xl * yh, xh * yl, xh * yh];
                        int_term(
                            x.bvmul(&y),
                            *c.iter().min().unwrap(),
                            *c.iter().max().unwrap(),
                        )?
                    }
                    Div | Mod => {
                        let zero = BV::from_i64(0, W);
                        // TLC: `%` needs a positive divisor, `\div` a nonzero one.
                        let ok = if op == Mod {
                            y.bvsgt(&zero)
                        } else {
                            not(&y.eq(&zero))
                        };
                        self.error(path, not(&ok));
                        let d = ok.ite(&y, &BV::from_i64(1, W));
                        if op == Mod {
                            int_term(x.bvsmod(&d), 0, (yh - 1).max(0))?
                        } else {
                            // Floor division: truncate, then one down when
                            // inexact and the signs differ.
                            let q = x.bvsdiv(&d);
                            let inexact = and2(
                                &not(&x.bvsrem(&d).eq(&zero)),
                                &not(&x.bvslt(&zero).iff(d.bvslt(&zero))),
                            );
                            let m = xl.abs().max(xh.abs());
                            int_term(inexact.ite(&q.bvsub(BV::from_i64(1, W)), &q), -m - 1, m + 1)?
                        }
                    }
                    Lt => SV::Bool(x.bvslt(&y)),
                    Le => SV::Bool(x.bvsle(&y)),
                    Gt => SV::Bool(x.bvsgt(&y)),
                    _ => SV::Bool(x.bvsge(&y)),
                }
            }
            Neg => {
                let (x, l, h) = self.int_of(&a[0], env, path)?;
                int_term(x.bvneg(), -h, -l)?
            }
            Eq | Neq => {
                let x = self.eval(&a[0], env, path)?;
                let y = self.eval(&a[1], env, path)?;
                let b = eq(&x, &y)?;
                SV::Bool(if op == Eq { b } else { not(&b) })
            }
            Not => SV::Bool(not(&self.bool_of(&a[0], env, path)?)),
            Implies => {
                let x = self.bool_of(&a[0], env, path)?;
                let y = self.bool_of(&a[1], env, &and2(path, &x))?;
                SV::Bool(or2(&not(&x), &y))
            }
            Equiv => {
                let x = self.bool_of(&a[0], env, path)?;
                let y = self.bool_of(&a[1], env, path)?;
                SV::Bool(x.iff(&y))
            }
            In | NotIn => {
                let x = self.eval(&a[0], env, path)?;
                let s = self.eval(&a[1], env, path)?;
                let b = self.member(&x, &s, path)?;
                SV::Bool(if op == In { b } else { not(&b) })
            }
            Subseteq => {
                let xs = self.elems_of(&a[0], env, path)?;
                let s = self.eval(&a[1], env, path)?;
                let mut v = vec![];
                for (g, x) in xs {
                    let m = self.member(&x, &s, &and2(path, &g))?;
                    v.push(g.implies(&m));
                }
                SV::Bool(all(v))
            }
            Union => {
                let mut xs = self.elems_of(&a[0], env, path)?;
                xs.extend(self.elems_of(&a[1], env, path)?);
                SV::Set(xs)
            }
            Inter | Minus => {
                let xs = self.elems_of(&a[0], env, path)?;
                let s = self.eval(&a[1], env, path)?;
                let mut out = vec![];
                for (g, x) in xs {
                    let m = self.member(&x, &s, &and2(path, &g))?;
                    let keep = if op == Inter { m } else { not(&m) };
                    out.push((and2(&g, &keep), x));
                }
                SV::Set(out)
            }
            Powerset => {
                let xs = self.elems_of(&a[0], env, path)?;
                if xs.len() > 16 {
                    return Err(format!(
                        "SUBSET of a set of up to {} elements cannot be encoded",
                        xs.len()
                    ));
                }
                let mut out = vec![];
                for m in 0..1u32 << xs.len() {
                    let chosen: Vec<usize> = (0..xs.len()).filter(|i| m >> i & 1 == 1).collect();
                    let g = all(chosen.iter().map(|&i| xs[i].0.clone()).collect());
                    let set = SV::Set(chosen.iter().map(|&i| (tt(), xs[i].1.clone())).collect());
                    out.push((g, set));
                }
                SV::Set(out)
            }
            BigUnion => {
                let xs = self.elems_of(&a[0], env, path)?;
                let mut out = vec![];
                for (g, s) in xs {
                    let p = and2(path, &g);
                    for (h, y) in self.elems(s, &p) {
                        out.push((and2(&g, &h), y));
                    }
                }
                SV::Set(out)
            }
            Interval => {
                let (x, xl, xh) = self.int_of(&a[0], env, path)?;
                let (y, yl, yh) = self.int_of(&a[1], env, path)?;
                if xl == xh && yl == yh {
                    if yl - xl >= MAX_SET as i64 {
                        SV::Lazy(Lz::Range(xl, yl))
                    } else {
                        SV::Set((xl..=yl).map(|k| (tt(), int(k))).collect())
                    }
                } else {
                    if yh - xl > 4096 {
                        return Err(
                            "an interval a..b whose ends may lie far apart cannot be encoded"
                                .into(),
                        );
                    }
                    let mut out = vec![];
                    for k in xl..=yh {
                        let kk = BV::from_i64(k, W);
                        out.push((and2(&x.bvsle(&kk), &kk.bvsle(&y)), int(k)));
                    }
                    SV::Set(out)
                }
            }
            Domain => match self.eval(&a[0], env, path)? {
                SV::Fun(f) => SV::Set(f.into_iter().map(|(g, k, _)| (g, k)).collect()),
                SV::Poison => SV::Poison,
                _ => {
                    self.error(path, tt());
                    SV::Poison
                }
            },
            Len => match self.seq_of(&a[0], env, path)? {
                Some(f) => {
                    let n = f.len() as i64;
                    int_term(entries(&f), 0, n)?
                }
                None => SV::Poison,
            },
            Append => {
                let s = self.seq_of(&a[0], env, path)?;
                let x = self.eval(&a[1], env, path)?;
                match s {
                    Some(mut f) => {
                        let n = f.len() as i64;
                        let len = entries(&f);
                        f.push((tt(), int_term(len.bvadd(BV::from_i64(1, W)), 1, n + 1)?, x));
                        SV::Fun(f)
                    }
                    None => SV::Poison,
                }
            }
            Head | Tail => match self.seq_of(&a[0], env, path)? {
                Some(f) => {
                    let len = entries(&f);
                    self.error(path, len.eq(BV::from_i64(0, W)));
                    if op == Head {
                        let p = and2(path, &not(&len.eq(BV::from_i64(0, W))));
                        self.apply(SV::Fun(f), &int(1), &p)?
                    } else {
                        let mut out = vec![];
                        for (g, k, v) in f {
                            let SV::Sc(k) = k else { continue };
                            let one = BV::from_i64(1, W);
                            let key = int_term(k.int.bvsub(&one), k.lo - 1, k.hi - 1)?;
                            out.push((and2(&g, &k.int.bvsgt(&one)), key, v));
                        }
                        SV::Fun(out)
                    }
                }
                None => SV::Poison,
            },
            Cardinality => {
                let xs = self.elems_of(&a[0], env, path)?;
                let mut firsts = vec![];
                for i in 0..xs.len() {
                    let mut v = vec![xs[i].0.clone()];
                    for j in 0..i {
                        v.push(not(&and2(&xs[j].0, &eq(&xs[j].1, &xs[i].1)?)));
                    }
                    firsts.push(all(v));
                }
                int_term(count(&firsts), 0, xs.len() as i64)?
            }
            SeqSet => SV::Lazy(Lz::Seq(Box::new(self.eval(&a[0], env, path)?))),
            FunSet => {
                let x = self.eval(&a[0], env, path)?;
                let y = self.eval(&a[1], env, path)?;
                match x {
                    SV::Set(_) => SV::Lazy(Lz::FunSet(Box::new(x), Box::new(y))),
                    SV::Poison => SV::Poison,
                    _ => {
                        self.error(path, tt());
                        SV::Poison
                    }
                }
            }
            Nat => SV::Lazy(Lz::Nat),
            Int => SV::Lazy(Lz::Int),
            Boolean => SV::Set(vec![(tt(), SV::Bool(ff())), (tt(), SV::Bool(tt()))]),
        })
    }
}

/// A concrete value as a symbolic constant.
fn constant(v: &tla::V) -> R<SV> {
    use tla::V;
    Ok(match v {
        V::Bool(b) => SV::Bool(Bool::from_bool(*b)),
        V::Int(k) => int(*k),
        V::Atom(a) => atom(*a),
        V::Set(xs) => SV::Set(
            xs.iter()
                .map(|x| Ok((tt(), constant(x)?)))
                .collect::<R<_>>()?,
        ),
        V::Fun(kv) => SV::Fun(
            kv.iter()
                .map(|(k, x)| Ok((tt(), constant(k)?, constant(x)?)))
                .collect::<R<_>>()?,
        ),
        V::Lazy(_) => return Err("a view whose value is Nat, Int, Seq(S) or [A -> B]".into()),
    })
}

/// `--view`: the expression's value in `s` differs from `seen` (the
/// value, or the evaluation error, of a state already reported).
pub fn differs(
    c: &Compiled,
    p: &Params,
    l: &Layout,
    s: &[BV],
    seen: &Result<tla::V, tla::EvalError>,
) -> R<Bool> {
    let mut r = Reading::new(c, p, l, s);
    let v = r.eval(&c.body, &mut vec![], &tt())?;
    let err = any(r.errs);
    Ok(match seen {
        Ok(x) => or2(&err, &not(&eq(&v, &constant(x)?)?)),
        Err(_) => not(&err),
    })
}
