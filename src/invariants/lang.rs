//! A small language of state predicates with three interpretations.
//!
//! Candidate invariants are written once, as generic Rust over the trait
//! `Interp`, and read three ways: on a concrete `spec::State` (to filter
//! candidates by reachable states), as Z3 terms over the layout's slots (to
//! prove them), and as TLA+ text (to print the certificate). Numbers are the
//! spec's own values (requests are 61, 62, ...; `next_req` starts at 60).
//! Reading a `nil` value (`pending[c]`, `healer_replicas[r]`,
//! `zk_catchup_index`, `pending_db[c]`) or a sequence past its length gives
//! an unspecified value: candidates guard such reads, and the TLA+ text puts
//! the guard on the left of `=>` or `/\`, which TLC evaluates first.

use crate::layout::Layout;
use crate::params::{Params, REQ_BASE};
use crate::spec::{DbStatus, HealerStatus, State, ZkStatus};
use z3::ast::{Bool, BV};

/// The operations a candidate may use.
pub trait Interp {
    type N: Clone;
    type B: Clone;
    /// A replica id.
    type R: Clone;
    /// A client id.
    type C: Clone;
    /// A sequence position, `1..cap`.
    type P: Clone;

    fn num(&self, k: i64) -> Self::N;
    fn add(&self, a: &Self::N, k: i64) -> Self::N;
    fn plus(&self, a: &Self::N, b: &Self::N) -> Self::N;
    fn times(&self, k: i64, a: &Self::N) -> Self::N;
    fn le(&self, a: &Self::N, b: &Self::N) -> Self::B;
    fn lt(&self, a: &Self::N, b: &Self::N) -> Self::B;
    fn eq(&self, a: &Self::N, b: &Self::N) -> Self::B;
    fn id_eq(&self, a: &Self::R, b: &Self::R) -> Self::B;
    fn not(&self, a: &Self::B) -> Self::B;
    fn and(&self, v: Vec<Self::B>) -> Self::B;
    fn or(&self, v: Vec<Self::B>) -> Self::B;
    fn implies(&self, a: &Self::B, b: &Self::B) -> Self::B;
    fn pos(&self, j: &Self::P) -> Self::N;

    fn forall_r(&self, name: &str, f: &dyn Fn(&Self::R) -> Self::B) -> Self::B;
    fn exists_r(&self, name: &str, f: &dyn Fn(&Self::R) -> Self::B) -> Self::B;
    fn forall_c(&self, name: &str, f: &dyn Fn(&Self::C) -> Self::B) -> Self::B;
    fn forall_p(&self, name: &str, f: &dyn Fn(&Self::P) -> Self::B) -> Self::B;
    fn exists_p(&self, name: &str, f: &dyn Fn(&Self::P) -> Self::B) -> Self::B;
    /// `Cardinality({name \in Replica : f(name)})`
    fn card_r(&self, name: &str, f: &dyn Fn(&Self::R) -> Self::B) -> Self::N;

    fn zk_leader(&self) -> Self::R;
    fn zk_epoch(&self) -> Self::N;
    fn zk_leader_epoch(&self) -> Self::N;
    fn zk_status_is(&self, v: ZkStatus) -> Self::B;
    fn old_leader(&self, r: &Self::R) -> Self::B;
    fn catchup_nil(&self) -> Self::B;
    fn catchup(&self) -> Self::N;
    fn db_len(&self, r: &Self::R) -> Self::N;
    fn db_ent(&self, r: &Self::R, j: &Self::P) -> Self::N;
    fn db_leader(&self, r: &Self::R) -> Self::R;
    fn db_repl(&self, r: &Self::R, r1: &Self::R) -> Self::N;
    fn db_epoch(&self, r: &Self::R) -> Self::N;
    fn db_status_is(&self, r: &Self::R, v: DbStatus) -> Self::B;
    fn next_req(&self) -> Self::N;
    fn client_leader(&self, c: &Self::C) -> Self::R;
    fn cs_len(&self, c: &Self::C) -> Self::N;
    fn cs_ent(&self, c: &Self::C, j: &Self::P) -> Self::N;
    fn pending_nil(&self, c: &Self::C) -> Self::B;
    fn pending(&self, c: &Self::C) -> Self::N;
    fn pending_db_nil(&self, c: &Self::C) -> Self::B;
    fn pending_db(&self, c: &Self::C) -> Self::R;
    fn cle(&self, c: &Self::C) -> Self::N;
    fn healer_status_is(&self, v: HealerStatus) -> Self::B;
    fn healer_epoch(&self) -> Self::N;
    fn hr_nil(&self, r: &Self::R) -> Self::B;
    fn hr(&self, r: &Self::R) -> Self::N;
}

/// Reads a concrete state.
pub struct Concrete<'a> {
    pub p: &'a Params,
    pub s: &'a State,
}

impl Interp for Concrete<'_> {
    type N = i64;
    type B = bool;
    type R = usize;
    type C = usize;
    type P = usize;

    fn num(&self, k: i64) -> i64 {
        k
    }
    fn add(&self, a: &i64, k: i64) -> i64 {
        a + k
    }
    fn plus(&self, a: &i64, b: &i64) -> i64 {
        a + b
    }
    fn times(&self, k: i64, a: &i64) -> i64 {
        k * a
    }
    fn le(&self, a: &i64, b: &i64) -> bool {
        a <= b
    }
    fn lt(&self, a: &i64, b: &i64) -> bool {
        a < b
    }
    fn eq(&self, a: &i64, b: &i64) -> bool {
        a == b
    }
    fn id_eq(&self, a: &usize, b: &usize) -> bool {
        a == b
    }
    fn not(&self, a: &bool) -> bool {
        !a
    }
    fn and(&self, v: Vec<bool>) -> bool {
        v.into_iter().all(|x| x)
    }
    fn or(&self, v: Vec<bool>) -> bool {
        v.into_iter().any(|x| x)
    }
    fn implies(&self, a: &bool, b: &bool) -> bool {
        !a || *b
    }
    fn pos(&self, j: &usize) -> i64 {
        *j as i64
    }
    fn forall_r(&self, _: &str, f: &dyn Fn(&usize) -> bool) -> bool {
        (0..self.p.replicas).all(|r| f(&r))
    }
    fn exists_r(&self, _: &str, f: &dyn Fn(&usize) -> bool) -> bool {
        (0..self.p.replicas).any(|r| f(&r))
    }
    fn forall_c(&self, _: &str, f: &dyn Fn(&usize) -> bool) -> bool {
        (0..self.p.clients).all(|c| f(&c))
    }
    fn forall_p(&self, _: &str, f: &dyn Fn(&usize) -> bool) -> bool {
        (1..=self.p.seq_cap()).all(|j| f(&j))
    }
    fn exists_p(&self, _: &str, f: &dyn Fn(&usize) -> bool) -> bool {
        (1..=self.p.seq_cap()).any(|j| f(&j))
    }
    fn card_r(&self, _: &str, f: &dyn Fn(&usize) -> bool) -> i64 {
        (0..self.p.replicas).filter(|r| f(r)).count() as i64
    }
    fn zk_leader(&self) -> usize {
        self.s.zk_leader
    }
    fn zk_epoch(&self) -> i64 {
        self.s.zk_epoch as i64
    }
    fn zk_leader_epoch(&self) -> i64 {
        self.s.zk_leader_epoch as i64
    }
    fn zk_status_is(&self, v: ZkStatus) -> bool {
        self.s.zk_status == v
    }
    fn old_leader(&self, r: &usize) -> bool {
        self.s.old_leaders[*r]
    }
    fn catchup_nil(&self) -> bool {
        self.s.zk_catchup_index.is_none()
    }
    fn catchup(&self) -> i64 {
        self.s.zk_catchup_index.unwrap_or(0) as i64
    }
    fn db_len(&self, r: &usize) -> i64 {
        self.s.db[*r].len() as i64
    }
    fn db_ent(&self, r: &usize, j: &usize) -> i64 {
        self.s.db[*r].get(j - 1).map_or(REQ_BASE, |&x| x) as i64
    }
    fn db_leader(&self, r: &usize) -> usize {
        self.s.db_leader[*r]
    }
    fn db_repl(&self, r: &usize, r1: &usize) -> i64 {
        self.s.db_replicated[*r][*r1] as i64
    }
    fn db_epoch(&self, r: &usize) -> i64 {
        self.s.db_epoch[*r] as i64
    }
    fn db_status_is(&self, r: &usize, v: DbStatus) -> bool {
        self.s.db_status[*r] == v
    }
    fn next_req(&self) -> i64 {
        self.s.next_req as i64
    }
    fn client_leader(&self, c: &usize) -> usize {
        self.s.client_leader[*c]
    }
    fn cs_len(&self, c: &usize) -> i64 {
        self.s.client_success[*c].len() as i64
    }
    fn cs_ent(&self, c: &usize, j: &usize) -> i64 {
        self.s.client_success[*c]
            .get(j - 1)
            .map_or(REQ_BASE, |&x| x) as i64
    }
    fn pending_nil(&self, c: &usize) -> bool {
        self.s.pending[*c].is_none()
    }
    fn pending(&self, c: &usize) -> i64 {
        self.s.pending[*c].unwrap_or(REQ_BASE) as i64
    }
    fn pending_db_nil(&self, c: &usize) -> bool {
        self.s.pending_db[*c].is_none()
    }
    fn pending_db(&self, c: &usize) -> usize {
        self.s.pending_db[*c].unwrap_or(0)
    }
    fn cle(&self, c: &usize) -> i64 {
        self.s.client_leader_epoch[*c] as i64
    }
    fn healer_status_is(&self, v: HealerStatus) -> bool {
        self.s.healer_status == v
    }
    fn healer_epoch(&self) -> i64 {
        self.s.healer_epoch as i64
    }
    fn hr_nil(&self, r: &usize) -> bool {
        self.s.healer_replicas[*r].is_none()
    }
    fn hr(&self, r: &usize) -> i64 {
        self.s.healer_replicas[*r].unwrap_or(0) as i64
    }
}

/// A replica id in the symbolic reading: a known index, or a term.
#[derive(Clone)]
pub enum SymId {
    K(usize),
    S(BV),
}

/// Reads the slots of a symbolic state. Numbers are signed bit-vectors of
/// one common width, wide enough that no candidate's arithmetic wraps.
pub struct Symbolic<'a> {
    pub p: &'a Params,
    pub l: &'a Layout,
    pub s: &'a [BV],
    pub w: u32,
}

impl<'a> Symbolic<'a> {
    pub fn new(p: &'a Params, l: &'a Layout, s: &'a [BV]) -> Symbolic<'a> {
        let widest = l.slots.iter().map(|s| s.width).max().unwrap_or(1);
        // Room for the request base (60), a sum of two terms and a product
        // by a small constant, signed.
        let w = widest.max(7) + 5;
        Symbolic { p, l, s, w }
    }
    fn slot(&self, i: usize) -> BV {
        let x = &self.s[i];
        x.zero_ext(self.w - x.get_size())
    }
    fn req_slot(&self, i: usize) -> BV {
        self.slot(i).bvadd(BV::from_i64(REQ_BASE as i64, self.w))
    }
    fn flag(&self, i: usize) -> Bool {
        self.s[i].eq(BV::from_u64(1, 1))
    }
    fn code(&self, i: usize, v: u64) -> Bool {
        self.s[i].eq(BV::from_u64(v, self.s[i].get_size()))
    }
    /// `vals[id]` through an ite chain for a symbolic id.
    fn pick<T: Clone>(
        &self,
        id: &SymId,
        get: impl Fn(usize) -> T,
        ite: impl Fn(&Bool, &T, &T) -> T,
    ) -> T {
        match id {
            SymId::K(r) => get(*r),
            SymId::S(x) => {
                let n = self.p.replicas;
                let mut acc = get(n - 1);
                for r in (0..n - 1).rev() {
                    let is = x.eq(BV::from_u64(r as u64, x.get_size()));
                    acc = ite(&is, &get(r), &acc);
                }
                acc
            }
        }
    }
    fn pick_n(&self, id: &SymId, get: impl Fn(usize) -> BV) -> BV {
        self.pick(id, get, |c, a, b| c.ite(a, b))
    }
    fn pick_b(&self, id: &SymId, get: impl Fn(usize) -> Bool) -> Bool {
        self.pick(id, get, |c, a, b| c.ite(a, b))
    }
    fn id_term(&self, id: &SymId) -> BV {
        match id {
            SymId::K(r) => BV::from_u64(*r as u64, self.p.w_replica()),
            SymId::S(x) => x.clone(),
        }
    }
}

impl Interp for Symbolic<'_> {
    type N = BV;
    type B = Bool;
    type R = SymId;
    type C = usize;
    type P = usize;

    fn num(&self, k: i64) -> BV {
        BV::from_i64(k, self.w)
    }
    fn add(&self, a: &BV, k: i64) -> BV {
        a.bvadd(BV::from_i64(k, self.w))
    }
    fn plus(&self, a: &BV, b: &BV) -> BV {
        a.bvadd(b)
    }
    fn times(&self, k: i64, a: &BV) -> BV {
        a.bvmul(BV::from_i64(k, self.w))
    }
    fn le(&self, a: &BV, b: &BV) -> Bool {
        a.bvsle(b)
    }
    fn lt(&self, a: &BV, b: &BV) -> Bool {
        a.bvslt(b)
    }
    fn eq(&self, a: &BV, b: &BV) -> Bool {
        a.eq(b)
    }
    fn id_eq(&self, a: &SymId, b: &SymId) -> Bool {
        match (a, b) {
            (SymId::K(x), SymId::K(y)) => Bool::from_bool(x == y),
            _ => self.id_term(a).eq(self.id_term(b)),
        }
    }
    fn not(&self, a: &Bool) -> Bool {
        a.not()
    }
    fn and(&self, v: Vec<Bool>) -> Bool {
        match v.len() {
            0 => Bool::from_bool(true),
            1 => v[0].clone(),
            _ => Bool::and(&v),
        }
    }
    fn or(&self, v: Vec<Bool>) -> Bool {
        match v.len() {
            0 => Bool::from_bool(false),
            1 => v[0].clone(),
            _ => Bool::or(&v),
        }
    }
    fn implies(&self, a: &Bool, b: &Bool) -> Bool {
        a.implies(b)
    }
    fn pos(&self, j: &usize) -> BV {
        self.num(*j as i64)
    }
    fn forall_r(&self, _: &str, f: &dyn Fn(&SymId) -> Bool) -> Bool {
        self.and((0..self.p.replicas).map(|r| f(&SymId::K(r))).collect())
    }
    fn exists_r(&self, _: &str, f: &dyn Fn(&SymId) -> Bool) -> Bool {
        self.or((0..self.p.replicas).map(|r| f(&SymId::K(r))).collect())
    }
    fn forall_c(&self, _: &str, f: &dyn Fn(&usize) -> Bool) -> Bool {
        self.and((0..self.p.clients).map(|c| f(&c)).collect())
    }
    fn forall_p(&self, _: &str, f: &dyn Fn(&usize) -> Bool) -> Bool {
        self.and((1..=self.p.seq_cap()).map(|j| f(&j)).collect())
    }
    fn exists_p(&self, _: &str, f: &dyn Fn(&usize) -> Bool) -> Bool {
        self.or((1..=self.p.seq_cap()).map(|j| f(&j)).collect())
    }
    fn card_r(&self, _: &str, f: &dyn Fn(&SymId) -> Bool) -> BV {
        let mut acc = self.num(0);
        for r in 0..self.p.replicas {
            acc = acc.bvadd(f(&SymId::K(r)).ite(&self.num(1), &self.num(0)));
        }
        acc
    }
    fn zk_leader(&self) -> SymId {
        SymId::S(self.s[self.l.zk_leader].clone())
    }
    fn zk_epoch(&self) -> BV {
        self.slot(self.l.zk_epoch)
    }
    fn zk_leader_epoch(&self) -> BV {
        self.slot(self.l.zk_leader_epoch)
    }
    fn zk_status_is(&self, v: ZkStatus) -> Bool {
        self.code(self.l.zk_status, v as u64)
    }
    fn old_leader(&self, r: &SymId) -> Bool {
        self.pick_b(r, |r| self.flag(self.l.old_leaders[r]))
    }
    fn catchup_nil(&self) -> Bool {
        self.flag(self.l.catchup_nil)
    }
    fn catchup(&self) -> BV {
        self.slot(self.l.catchup)
    }
    fn db_len(&self, r: &SymId) -> BV {
        self.pick_n(r, |r| self.slot(self.l.db_len[r]))
    }
    fn db_ent(&self, r: &SymId, j: &usize) -> BV {
        self.pick_n(r, |r| self.req_slot(self.l.db_ent[r][j - 1]))
    }
    fn db_leader(&self, r: &SymId) -> SymId {
        match r {
            SymId::K(r) => SymId::S(self.s[self.l.db_leader[*r]].clone()),
            _ => SymId::S(self.pick(
                r,
                |r| self.s[self.l.db_leader[r]].clone(),
                |c, a, b| c.ite(a, b),
            )),
        }
    }
    fn db_repl(&self, r: &SymId, r1: &SymId) -> BV {
        self.pick_n(r, |r| {
            self.pick_n(r1, |r1| self.slot(self.l.db_repl[r][r1]))
        })
    }
    fn db_epoch(&self, r: &SymId) -> BV {
        self.pick_n(r, |r| self.slot(self.l.db_epoch[r]))
    }
    fn db_status_is(&self, r: &SymId, v: DbStatus) -> Bool {
        self.pick_b(r, |r| self.code(self.l.db_status[r], v as u64))
    }
    fn next_req(&self) -> BV {
        self.req_slot(self.l.next_req)
    }
    fn client_leader(&self, c: &usize) -> SymId {
        SymId::S(self.s[self.l.client_leader[*c]].clone())
    }
    fn cs_len(&self, c: &usize) -> BV {
        self.slot(self.l.cs_len[*c])
    }
    fn cs_ent(&self, c: &usize, j: &usize) -> BV {
        self.req_slot(self.l.cs_ent[*c][j - 1])
    }
    fn pending_nil(&self, c: &usize) -> Bool {
        self.flag(self.l.pending_nil[*c])
    }
    fn pending(&self, c: &usize) -> BV {
        self.req_slot(self.l.pending[*c])
    }
    fn pending_db_nil(&self, c: &usize) -> Bool {
        self.flag(self.l.pending_db_nil[*c])
    }
    fn pending_db(&self, c: &usize) -> SymId {
        SymId::S(self.s[self.l.pending_db[*c]].clone())
    }
    fn cle(&self, c: &usize) -> BV {
        self.slot(self.l.cle[*c])
    }
    fn healer_status_is(&self, v: HealerStatus) -> Bool {
        self.code(self.l.healer_status, v as u64)
    }
    fn healer_epoch(&self) -> BV {
        self.slot(self.l.healer_epoch)
    }
    fn hr_nil(&self, r: &SymId) -> Bool {
        self.pick_b(r, |r| self.flag(self.l.hr_nil[r]))
    }
    fn hr(&self, r: &SymId) -> BV {
        self.pick_n(r, |r| self.slot(self.l.hr[r]))
    }
}

/// Renders TLA+ text. Every compound is parenthesized. Each binder of one
/// candidate gets a name no other binder of it has (`j`, then `j_2`, ...):
/// TLA+ (SANY) rejects a name bound twice in nested scopes, and a part
/// rendered before its enclosing binder (a shape computes its pieces
/// first) cannot know which names will enclose it.
#[derive(Default)]
pub struct Text {
    used: std::cell::RefCell<Vec<String>>,
}

impl Text {
    /// Binds an unused variant of `n` while `f` renders the body.
    fn bind(&self, n: &str, f: &dyn Fn(&String) -> String) -> (String, String) {
        let name = {
            let mut used = self.used.borrow_mut();
            let mut k = 1;
            let mut name = n.to_string();
            while used.contains(&name) {
                k += 1;
                name = format!("{n}_{k}");
            }
            used.push(name.clone());
            name
        };
        let body = f(&name);
        (name, body)
    }
}

fn paren(s: String) -> String {
    format!("({s})")
}

impl Interp for Text {
    type N = String;
    type B = String;
    type R = String;
    type C = String;
    type P = String;

    fn num(&self, k: i64) -> String {
        k.to_string()
    }
    fn add(&self, a: &String, k: i64) -> String {
        match k {
            0 => a.clone(),
            k if k > 0 => paren(format!("{a} + {k}")),
            k => paren(format!("{a} - {}", -k)),
        }
    }
    fn plus(&self, a: &String, b: &String) -> String {
        paren(format!("{a} + {b}"))
    }
    fn times(&self, k: i64, a: &String) -> String {
        paren(format!("{k} * {a}"))
    }
    fn le(&self, a: &String, b: &String) -> String {
        paren(format!("{a} <= {b}"))
    }
    fn lt(&self, a: &String, b: &String) -> String {
        paren(format!("{a} < {b}"))
    }
    fn eq(&self, a: &String, b: &String) -> String {
        paren(format!("{a} = {b}"))
    }
    fn id_eq(&self, a: &String, b: &String) -> String {
        paren(format!("{a} = {b}"))
    }
    fn not(&self, a: &String) -> String {
        format!("~{a}")
    }
    fn and(&self, v: Vec<String>) -> String {
        match v.len() {
            0 => "TRUE".into(),
            1 => v[0].clone(),
            _ => paren(v.join(" /\\ ")),
        }
    }
    fn or(&self, v: Vec<String>) -> String {
        match v.len() {
            0 => "FALSE".into(),
            1 => v[0].clone(),
            _ => paren(v.join(" \\/ ")),
        }
    }
    fn implies(&self, a: &String, b: &String) -> String {
        paren(format!("{a} => {b}"))
    }
    fn pos(&self, j: &String) -> String {
        j.clone()
    }
    fn forall_r(&self, n: &str, f: &dyn Fn(&String) -> String) -> String {
        let (n, body) = self.bind(n, f);
        paren(format!("\\A {n} \\in Replica : {body}"))
    }
    fn exists_r(&self, n: &str, f: &dyn Fn(&String) -> String) -> String {
        let (n, body) = self.bind(n, f);
        paren(format!("\\E {n} \\in Replica : {body}"))
    }
    fn forall_c(&self, n: &str, f: &dyn Fn(&String) -> String) -> String {
        let (n, body) = self.bind(n, f);
        paren(format!("\\A {n} \\in Client : {body}"))
    }
    fn forall_p(&self, n: &str, f: &dyn Fn(&String) -> String) -> String {
        let (n, body) = self.bind(n, f);
        // Positions up to the capacity, max_next_req (Params::seq_cap): by
        // name, so that a lemma printed once reads right for any bound.
        paren(format!("\\A {n} \\in 1..max_next_req : {body}"))
    }
    fn exists_p(&self, n: &str, f: &dyn Fn(&String) -> String) -> String {
        let (n, body) = self.bind(n, f);
        paren(format!("\\E {n} \\in 1..max_next_req : {body}"))
    }
    fn card_r(&self, n: &str, f: &dyn Fn(&String) -> String) -> String {
        let (n, body) = self.bind(n, f);
        format!("Cardinality({{{n} \\in Replica : {body}}})")
    }
    fn zk_leader(&self) -> String {
        "zk_leader".into()
    }
    fn zk_epoch(&self) -> String {
        "zk_epoch".into()
    }
    fn zk_leader_epoch(&self) -> String {
        "zk_leader_epoch".into()
    }
    fn zk_status_is(&self, v: ZkStatus) -> String {
        paren(format!("zk_status = \"{}\"", v.name()))
    }
    fn old_leader(&self, r: &String) -> String {
        paren(format!("{r} \\in old_leaders"))
    }
    fn catchup_nil(&self) -> String {
        "(zk_catchup_index = nil)".into()
    }
    fn catchup(&self) -> String {
        "zk_catchup_index".into()
    }
    fn db_len(&self, r: &String) -> String {
        format!("Len(db[{r}])")
    }
    fn db_ent(&self, r: &String, j: &String) -> String {
        format!("db[{r}][{j}]")
    }
    fn db_leader(&self, r: &String) -> String {
        format!("db_leader[{r}]")
    }
    fn db_repl(&self, r: &String, r1: &String) -> String {
        format!("db_replicated[{r}][{r1}]")
    }
    fn db_epoch(&self, r: &String) -> String {
        format!("db_epoch[{r}]")
    }
    fn db_status_is(&self, r: &String, v: DbStatus) -> String {
        paren(format!("db_status[{r}] = \"{}\"", v.name()))
    }
    fn next_req(&self) -> String {
        "next_req".into()
    }
    fn client_leader(&self, c: &String) -> String {
        format!("client_leader[{c}]")
    }
    fn cs_len(&self, c: &String) -> String {
        format!("Len(client_success[{c}])")
    }
    fn cs_ent(&self, c: &String, j: &String) -> String {
        format!("client_success[{c}][{j}]")
    }
    fn pending_nil(&self, c: &String) -> String {
        paren(format!("pending[{c}] = nil"))
    }
    fn pending(&self, c: &String) -> String {
        format!("pending[{c}]")
    }
    fn pending_db_nil(&self, c: &String) -> String {
        paren(format!("pending_db[{c}] = nil"))
    }
    fn pending_db(&self, c: &String) -> String {
        format!("pending_db[{c}]")
    }
    fn cle(&self, c: &String) -> String {
        format!("client_leader_epoch[{c}]")
    }
    fn healer_status_is(&self, v: HealerStatus) -> String {
        paren(format!("healer_status = \"{}\"", v.name()))
    }
    fn healer_epoch(&self) -> String {
        "healer_epoch".into()
    }
    fn hr_nil(&self, r: &String) -> String {
        paren(format!("healer_replicas[{r}] = nil"))
    }
    fn hr(&self, r: &String) -> String {
        format!("healer_replicas[{r}]")
    }
}
