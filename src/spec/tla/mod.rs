//! State predicates written in TLA+: `--inv 'EXPR'`, `--reach 'EXPR'`, the
//! values of a TLC configuration file, and certificates read back.
//!
//! One parse (`parse`: the TLA+ community's tree-sitter grammar, lowered to
//! the `Expr` below with every name resolved), three readings: concrete
//! evaluation on a `spec::State` (`eval`), a Z3 term over the layout's slots
//! (`symbolic::pred`), and the source text for printing. The spec's own
//! definitions (`Quorum`, `TerminateCond`, `Consistent`, `dbStatusFromZK`,
//! ...) are read from `encodings/SemiSync.tla`, not restated; the numeric
//! parameters and the bounds (`max_next_req`, `max_change_leader`,
//! `replication_factor`, `Epoch`, `LogOffset`) are overridden by the run's
//! parameters, as the TLA+ Toolbox's definition overrides set them.
//!
//! Semantics where TLA+ leaves room or TLC would stop with an error:
//! an expression that TLC cannot evaluate (`nil < 3`, `f[x]` outside
//! `DOMAIN f`, `Len` of a set, a CHOOSE with no value) is an *evaluation
//! error*, which both readings compute exactly: `/\`, `\/`, `=>`, `IF` and
//! `CASE` evaluate left to right and stop as TLC does; a quantifier, a set
//! constructor or an operator argument evaluates every element (stricter
//! than TLC, which may stop early). A state where a checked predicate has an
//! evaluation error violates it. `CHOOSE` is accepted only where one value
//! satisfies it (TLC's choice among several is implementation-defined).
//! Values of different kinds are unequal (TLC raises an error comparing a
//! number with a string; here `1 = "a"` is FALSE).

pub mod config;
pub mod eval;
pub mod parse;

pub use eval::{eval_bool, eval_value, EvalError, V};
pub use parse::{check_module, compile, Compiled, ModuleDef, ParseError, RESERVED};

use std::sync::{Arc, OnceLock, RwLock};

/// A value that is not a number, a set or a function: a model value (`nil`,
/// `r1`, `c2`) or a string. Both readings number them the same way.
pub type Atom = u32;
pub const NIL: Atom = 0;
/// `r1` is `REPLICA_ATOM`, `r2` the next, ... (up to 64 replicas).
pub const REPLICA_ATOM: Atom = 1;
/// `c1` is `CLIENT_ATOM`, ...
pub const CLIENT_ATOM: Atom = 65;
/// Strings are numbered from here, in the order they are first met (the
/// spec's status strings first).
pub const STRING_ATOM: Atom = 129;

/// The spec's status strings, in the order of their enums' codes.
pub const ZK_STATUS: [&str; 3] = ["Normal", "ChangingLeader", "WaitReplicaLog"];
pub const DB_STATUS: [&str; 3] = ["Writable", "Replica", "Frozen"];
pub const HEALER_STATUS: [&str; 3] = ["Init", "UpdatingLeader", "WaitReplica"];

fn strings() -> &'static RwLock<Vec<String>> {
    static S: OnceLock<RwLock<Vec<String>>> = OnceLock::new();
    S.get_or_init(|| {
        RwLock::new(
            ZK_STATUS
                .iter()
                .chain(&DB_STATUS)
                .chain(&HEALER_STATUS)
                .map(|s| s.to_string())
                .collect(),
        )
    })
}

/// The atom of a string (numbered on first sight, the same in every thread).
pub fn string_atom(s: &str) -> Atom {
    if let Some(i) = strings().read().unwrap().iter().position(|x| x == s) {
        return STRING_ATOM + i as Atom;
    }
    let mut w = strings().write().unwrap();
    if let Some(i) = w.iter().position(|x| x == s) {
        return STRING_ATOM + i as Atom;
    }
    w.push(s.to_string());
    STRING_ATOM + (w.len() - 1) as Atom
}

/// An atom as TLA+ text: `nil`, `r2`, `c1`, `"Normal"`.
pub fn atom_text(a: Atom) -> String {
    match a {
        NIL => "nil".into(),
        a if a < CLIENT_ATOM => format!("r{}", a - REPLICA_ATOM + 1),
        a if a < STRING_ATOM => format!("c{}", a - CLIENT_ATOM + 1),
        a => match strings().read().unwrap().get((a - STRING_ATOM) as usize) {
            Some(s) => format!("{s:?}"),
            None => format!("<atom {a}>"),
        },
    }
}

/// A parameter of the run that a name of the spec stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// `Client`
    Clients,
    /// `Replica`
    Replicas,
    MaxNextReq,
    MaxChangeLeader,
    ReplicationFactor,
    /// `Epoch == 0..epoch_max`
    Epoch,
    /// `LogOffset == 0..log_offset_max`
    LogOffset,
}

/// Built-in operators (of TLA+ and the standard modules the spec extends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Neg,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Neq,
    Not,
    Implies,
    Equiv,
    In,
    NotIn,
    Subseteq,
    Union,
    Inter,
    Minus,
    /// `SUBSET S`
    Powerset,
    /// `UNION S`
    BigUnion,
    /// `a..b`
    Interval,
    Domain,
    Len,
    Append,
    Head,
    Tail,
    Cardinality,
    /// `Seq(S)`
    SeqSet,
    /// `[A -> B]`
    FunSet,
    Nat,
    Int,
    Boolean,
}

impl Op {
    /// Operators whose value is a lazy set (membership only).
    pub fn name(self) -> &'static str {
        use Op::*;
        match self {
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "\\div",
            Mod => "%",
            Neg => "-",
            Lt => "<",
            Le => "<=",
            Gt => ">",
            Ge => ">=",
            Eq => "=",
            Neq => "/=",
            Not => "~",
            Implies => "=>",
            Equiv => "<=>",
            In => "\\in",
            NotIn => "\\notin",
            Subseteq => "\\subseteq",
            Union => "\\union",
            Inter => "\\intersect",
            Minus => "\\",
            Powerset => "SUBSET",
            BigUnion => "UNION",
            Interval => "..",
            Domain => "DOMAIN",
            Len => "Len",
            Append => "Append",
            Head => "Head",
            Tail => "Tail",
            Cardinality => "Cardinality",
            SeqSet => "Seq",
            FunSet => "->",
            Nat => "Nat",
            Int => "Int",
            Boolean => "BOOLEAN",
        }
    }
}

/// A resolved expression. `at` is the byte offset of its text in the
/// source it came from (for evaluation errors).
#[derive(Clone, Debug)]
pub struct Expr {
    pub k: K,
    pub at: usize,
}

#[derive(Clone, Debug)]
pub enum K {
    Bool(bool),
    Num(i64),
    Atom(Atom),
    /// A variable, by its index in `spec::VAR_NAMES`.
    Var(usize),
    Param(Param),
    /// A bound name: its absolute position in the environment.
    Local(usize),
    /// A definition applied to arguments (evaluated first).
    Call(usize, Vec<Expr>),
    /// `f[x]`
    App(Box<Expr>, Box<Expr>),
    Op(Op, Vec<Expr>),
    /// `/\` of the items, left to right, stopping at the first FALSE.
    And(Vec<Expr>),
    /// `\/` of the items, left to right, stopping at the first TRUE.
    Or(Vec<Expr>),
    /// `\A x \in S : body` (`forall`) or `\E`; `x` is the next local.
    Quant {
        forall: bool,
        set: Box<Expr>,
        body: Box<Expr>,
    },
    /// `CHOOSE x \in S : body`
    Choose(Box<Expr>, Box<Expr>),
    /// `{x \in S : body}`
    Filter(Box<Expr>, Box<Expr>),
    /// `{body : x \in S}`
    Map(Box<Expr>, Box<Expr>),
    /// `[x \in S |-> body]`
    FunLit(Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// Arms in order, then `OTHER`.
    Case(Vec<(Expr, Expr)>, Option<Box<Expr>>),
    SetLit(Vec<Expr>),
    Tuple(Vec<Expr>),
    /// `ENABLED Next`: some action of the spec has a successor (only in
    /// modules read by `check_module`: certificates' `NoDeadlock`).
    EnabledNext,
    /// An action-level or temporal formula (primes, `[]`, `<>`, `~>`,
    /// `[A]_v`, `<<A>>_v`, `WF`/`SF`, `UNCHANGED`, `ENABLED`, or a name of
    /// the spec's actions): its names are resolved, its parts kept, but it
    /// has no value in one state. Only in modules read by `check_module`.
    Action(Vec<Expr>),
}

/// A definition: `name(params) == body`. `base` is the number of locals in
/// scope where it is defined (0 for the module's; a LET inside quantifiers
/// sees the quantifiers' variables below `base`); its parameters are the
/// locals `base..base + params`.
#[derive(Clone, Debug)]
pub struct Def {
    pub name: String,
    pub params: usize,
    pub base: usize,
    pub body: Expr,
}

/// A user predicate checked as a property: `--inv` (the state must satisfy
/// it) or `--reach` (find a state that does).
#[derive(Debug)]
pub struct Predicate {
    /// The name reports use: the user's (`Name == EXPR`) or `Inv1`, `Reach1`.
    pub name: &'static str,
    /// The expression as the user wrote it.
    pub text: String,
    pub reach: bool,
    pub compiled: Compiled,
}

fn registry() -> &'static RwLock<Vec<Arc<Predicate>>> {
    static R: OnceLock<RwLock<Vec<Arc<Predicate>>>> = OnceLock::new();
    R.get_or_init(|| RwLock::new(vec![]))
}

/// Registers a predicate for the rest of the process and returns its
/// index (what `Property::User` holds); the same name, text and kind
/// registered twice is one predicate.
pub fn register(p: Predicate) -> u16 {
    let mut r = registry().write().unwrap();
    if let Some(i) = r
        .iter()
        .position(|q| q.name == p.name && q.text == p.text && q.reach == p.reach)
    {
        return i as u16;
    }
    r.push(Arc::new(p));
    (r.len() - 1) as u16
}

/// A predicate of this text and kind registered before, whatever its name.
pub fn find(text: &str, reach: bool) -> Option<u16> {
    let r = registry().read().unwrap();
    r.iter()
        .position(|q| q.text == text && q.reach == reach)
        .map(|i| i as u16)
}

/// The predicate registered under `name`.
pub fn find_name(name: &str) -> Option<u16> {
    let r = registry().read().unwrap();
    r.iter().position(|q| q.name == name).map(|i| i as u16)
}

/// `Pred1`, `Pred2`, ... (or `Reach1`, ...): the next unused name.
pub fn next_name(prefix: &str) -> String {
    let r = registry().read().unwrap();
    (1..)
        .map(|k| format!("{prefix}{k}"))
        .find(|n| r.iter().all(|q| q.name != n))
        .unwrap()
}

pub fn predicate(i: u16) -> Arc<Predicate> {
    registry().read().unwrap()[i as usize].clone()
}

/// A TLA+ identifier (also a module name): letters, digits and `_`, with
/// at least one letter.
pub fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s.chars().any(|c| c.is_ascii_alphabetic())
}

/// Leaks a name so that it lives as long as the registry (the process).
pub fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

impl Expr {
    /// Every sub-expression, this one first.
    pub fn visit(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        let mut go = |e: &Expr| e.visit(f);
        match &self.k {
            K::Bool(_)
            | K::Num(_)
            | K::Atom(_)
            | K::Var(_)
            | K::Param(_)
            | K::Local(_)
            | K::EnabledNext => {}
            K::Call(_, xs)
            | K::Action(xs)
            | K::Op(_, xs)
            | K::And(xs)
            | K::Or(xs)
            | K::SetLit(xs)
            | K::Tuple(xs) => xs.iter().for_each(go),
            K::App(a, b)
            | K::Quant {
                set: a, body: b, ..
            }
            | K::Choose(a, b)
            | K::Filter(a, b)
            | K::Map(a, b)
            | K::FunLit(a, b) => {
                go(a);
                go(b)
            }
            K::If(a, b, c) => {
                go(a);
                go(b);
                go(c)
            }
            K::Case(arms, other) => {
                for (g, v) in arms {
                    go(g);
                    go(v);
                }
                if let Some(o) = other {
                    go(o)
                }
            }
        }
    }
}

impl Compiled {
    /// The predicate names a replica or a client (`r1`, `c2`): it is not
    /// symmetric under their permutations, so neither symmetry reduction
    /// nor symmetry breaking may be used with it.
    pub fn names_ids(&self) -> bool {
        let is_id = |a: &Atom| (REPLICA_ATOM..STRING_ATOM).contains(a);
        let mut found = false;
        let mut called = vec![false; self.defs.len()];
        self.body.visit(&mut |x| match &x.k {
            K::Atom(a) if is_id(a) => found = true,
            K::Call(d, _) => called[*d] = true,
            _ => {}
        });
        let mut done = vec![false; self.defs.len()];
        while let Some(d) = (0..self.defs.len()).find(|&d| called[d] && !done[d]) {
            done[d] = true;
            self.defs[d].body.visit(&mut |x| match &x.k {
                K::Atom(a) if is_id(a) => found = true,
                K::Call(c, _) => called[*c] = true,
                _ => {}
            });
        }
        found
    }
}
