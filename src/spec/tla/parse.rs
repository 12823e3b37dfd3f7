//! TLA+ text to `Expr`: the tree-sitter-tlaplus grammar gives the syntax
//! tree; this module resolves every name (bound variables, LET and the
//! spec's definitions, variables, constants, model values) and refuses what
//! is not a state expression, with the place and a suggestion.

use super::{string_atom, Def, Expr, Op, Param, K, NIL};
use crate::spec::VAR_NAMES;
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;
use tree_sitter::{Node, Parser};

/// The spec, as `SemiSync.tla` (the copy in `encodings/`).
pub const SPEC_TEXT: &str = include_str!("../../../encodings/SemiSync.tla");

/// An error at a place in the text: `line` and `column` count from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub msg: String,
    pub line: usize,
    pub column: usize,
    /// The source line, for the caret.
    pub source_line: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A long line is shown around the place.
        let chars: Vec<char> = self.source_line.chars().collect();
        let col = self.column.saturating_sub(1).min(chars.len());
        let start = col.saturating_sub(60);
        let end = (col + 40).min(chars.len());
        let shown: String = chars[start..end].iter().collect();
        let (pre, post) = (
            if start > 0 { "..." } else { "" },
            if end < chars.len() { "..." } else { "" },
        );
        write!(
            f,
            "line {}, column {}: {}\n  {pre}{shown}{post}\n  {}^",
            self.line,
            self.column,
            self.msg,
            " ".repeat(col - start + pre.len())
        )
    }
}

/// A predicate ready to evaluate: its definitions (the spec's, then its own
/// LETs) and its body.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub defs: Vec<Def>,
    pub body: Expr,
}

/// An error at a byte offset of the text being lowered.
struct Err0 {
    msg: String,
    at: usize,
}
type R<T> = std::result::Result<T, Err0>;
fn err<T>(at: usize, msg: impl Into<String>) -> R<T> {
    Err(Err0 {
        msg: msg.into(),
        at,
    })
}

#[derive(Clone)]
enum Binding {
    Local(usize),
    Def(usize),
}

/// The spec's definitions, lowered once: a name maps to its definition, or
/// to the reason it is not a state expression.
struct SpecDefs {
    defs: Vec<Def>,
    names: HashMap<String, std::result::Result<usize, String>>,
    order: Vec<String>,
}

const BUILTIN_OPS: [(&str, Op, usize); 6] = [
    ("Len", Op::Len, 1),
    ("Append", Op::Append, 2),
    ("Head", Op::Head, 1),
    ("Tail", Op::Tail, 1),
    ("Cardinality", Op::Cardinality, 1),
    ("Seq", Op::SeqSet, 1),
];

/// Names that are defined before any predicate: the constants and the
/// standard modules' sets.
pub const RESERVED: [&str; 7] = ["nil", "Nat", "Int", "BOOLEAN", "STRING", "TRUE", "FALSE"];

fn param_of(name: &str) -> Option<Param> {
    Some(match name {
        "Client" => Param::Clients,
        "Replica" => Param::Replicas,
        "max_next_req" => Param::MaxNextReq,
        "max_change_leader" => Param::MaxChangeLeader,
        "replication_factor" => Param::ReplicationFactor,
        "Epoch" => Param::Epoch,
        "LogOffset" => Param::LogOffset,
        _ => return None,
    })
}

/// `r3` is replica 3, `c1` client 1 (model values as the configuration
/// names them), when not bound or defined otherwise.
fn model_value(name: &str) -> Option<super::Atom> {
    let (kind, num) = name.split_at(1);
    let k: u32 = num
        .parse()
        .ok()
        .filter(|&k| k >= 1 && !num.starts_with('0'))?;
    match kind {
        "r" if k <= 64 => Some(super::REPLICA_ATOM + k - 1),
        "c" if k <= 64 => Some(super::CLIENT_ATOM + k - 1),
        _ => None,
    }
}

struct Lower<'a> {
    src: &'a str,
    defs: Vec<Def>,
    /// Module-level definitions by name (the spec's; a certificate's own).
    names: HashMap<String, std::result::Result<usize, String>>,
    scope: Vec<(String, Binding)>,
    locals: usize,
    /// Nesting of `expr` calls, bounded so that deep input is an error,
    /// not a stack overflow.
    depth: usize,
    /// Action-level and temporal formulas are read (as `K::Action`, names
    /// resolved, not evaluable): in modules (`check_module`), never in
    /// predicates.
    actions: bool,
}

/// The deepest nesting of expressions accepted.
const MAX_NESTING: usize = 250;

fn parser() -> Parser {
    let mut p = Parser::new();
    p.set_language(&tree_sitter_tlaplus::LANGUAGE.into())
        .expect("the TLA+ grammar loads");
    p
}

/// The syntax tree of a text that holds one module, or the first syntax
/// error (a missing module is reported at `module_at`).
fn parse_module(src: &str, module_at: usize) -> R<tree_sitter::Tree> {
    let tree = parser().parse(src, None).ok_or_else(|| Err0 {
        msg: "the parser gave up".into(),
        at: 0,
    })?;
    if let Some(e) = syntax_error(tree.root_node(), src) {
        return Err(e);
    }
    if first_module(tree.root_node()).is_none() {
        return err(module_at, "syntax error: no MODULE");
    }
    Ok(tree)
}

/// The first syntax error in the tree: its byte offset and a message.
fn syntax_error(root: Node, src: &str) -> Option<Err0> {
    let mut stack = vec![root];
    let mut first: Option<Node> = None;
    while let Some(n) = stack.pop() {
        if !n.has_error() {
            continue;
        }
        if n.is_error() || n.is_missing() {
            if first.is_none_or(|f| n.start_byte() < f.start_byte()) {
                first = Some(n);
            }
            continue;
        }
        let mut c = n.walk();
        for ch in n.children(&mut c) {
            stack.push(ch);
        }
    }
    let n = first?;
    let msg = if n.is_missing() {
        format!("syntax error: missing {}", n.kind())
    } else {
        let text = &src[n.start_byte()..n.end_byte()];
        let word: String = text
            .split_whitespace()
            .next()
            .unwrap_or("")
            .chars()
            .take(20)
            .collect();
        if word.is_empty() {
            "syntax error: the expression is incomplete".to_string()
        } else {
            format!("syntax error at '{word}'")
        }
    };
    Some(Err0 {
        msg,
        at: n.start_byte(),
    })
}

fn spec_defs() -> &'static SpecDefs {
    static D: OnceLock<SpecDefs> = OnceLock::new();
    D.get_or_init(|| {
        let tree = parse_module(SPEC_TEXT, 0)
            .unwrap_or_else(|e| panic!("encodings/SemiSync.tla must parse: {}", e.msg));
        let mut l = Lower::new(SPEC_TEXT);
        let mut order = vec![];
        let module = first_module(tree.root_node()).expect("one module");
        let mut c = module.walk();
        for n in module.named_children(&mut c) {
            if n.kind() == "operator_definition" {
                let name = l.text(n.child_by_field_name("name").unwrap()).to_string();
                order.push(name.clone());
                let r = l.definition(n).map_err(|e| e.msg);
                l.names.insert(name, r);
            }
        }
        SpecDefs {
            defs: l.defs,
            names: l.names,
            order,
        }
    })
}

fn first_module(root: Node) -> Option<Node> {
    let mut c = root.walk();
    let m = root.named_children(&mut c).find(|n| n.kind() == "module");
    m
}

/// The spec's definition names, in the order of the module.
pub fn spec_definition_names() -> Vec<String> {
    spec_defs().order.clone()
}

/// Byte offset to (line, column, line text), counting from 1.
fn place(src: &str, at: usize) -> (usize, usize, String) {
    let at = at.min(src.len());
    let before = &src[..at];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let end = src[start..].find('\n').map_or(src.len(), |i| start + i);
    let column = src[start..at].chars().count() + 1;
    (line, column, src[start..end].to_string())
}

/// Compiles a state expression as a user writes it on the command line:
/// `EXPR`, or `Name == EXPR` (the name is returned). Several lines are
/// allowed (junction lists align as in a module).
pub fn compile(text: &str) -> std::result::Result<(Option<String>, Compiled), ParseError> {
    let (name, expr) = split_name(text);
    // A named predicate is a definition of its own, as in a module (so
    // that its junction lists align as the user aligned them); an
    // unnamed one goes on lines of its own, indented by two.
    let (head, line_off, col_off) = if name.is_some() {
        ("---- MODULE UserPredicate ----\n".to_string(), 1, 0)
    } else {
        (
            "---- MODULE UserPredicate ----\nUserPredicate ==\n".to_string(),
            2,
            2,
        )
    };
    let body: String = if name.is_some() {
        text.to_string()
    } else {
        text.split('\n')
            .map(|l| format!("  {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let wrapped = format!("{head}{body}\n====\n");
    let head = head.as_str();
    let user_err = |e: Err0| -> ParseError {
        // An error in the wrapper (an empty or cut expression) is at the start.
        let (line, col, _) = place(&wrapped, e.at.max(head.len()));
        let line = line.saturating_sub(line_off).max(1);
        let column = col.saturating_sub(col_off).max(1);
        let lines: Vec<&str> = text.split('\n').collect();
        let (line, source_line) = match lines.get(line - 1) {
            Some(l) => (line, l.to_string()),
            None => (lines.len(), lines.last().copied().unwrap_or("").to_string()),
        };
        let msg = if e.at < head.len() && e.msg.starts_with("syntax error") {
            "syntax error: the expression is incomplete or malformed".to_string()
        } else {
            e.msg
        };
        ParseError {
            msg,
            line,
            column,
            source_line,
        }
    };
    if expr.trim().is_empty() {
        return Err(user_err(Err0 {
            msg: "empty expression".into(),
            at: head.len(),
        }));
    }
    let tree = parse_module(&wrapped, head.len()).map_err(user_err)?;
    let module = first_module(tree.root_node()).expect("parse_module saw it");
    let mut c = module.walk();
    let defs: Vec<Node> = module
        .named_children(&mut c)
        .filter(|n| n.kind() == "operator_definition")
        .collect();
    if defs.len() != 1 {
        return Err(user_err(Err0 {
            msg: "expected one expression (a definition or a module-level keyword was found)"
                .into(),
            at: head.len(),
        }));
    }
    let mut l = Lower::new(&wrapped);
    let spec = spec_defs();
    l.defs = spec.defs.clone();
    l.names = spec.names.clone();
    let d = defs[0];
    let body = d.child_by_field_name("definition").unwrap();
    let e = l.expr(body).map_err(user_err)?;
    Ok((
        name,
        Compiled {
            defs: l.defs,
            body: e,
        },
    ))
}

/// `Name == EXPR` -> (Some(Name), EXPR); otherwise (None, text).
fn split_name(text: &str) -> (Option<String>, &str) {
    if let Some(i) = text.find("==") {
        let name = text[..i].trim();
        if super::is_identifier(name) {
            return (Some(name.to_string()), &text[i + 2..]);
        }
    }
    (None, text)
}

/// The Levenshtein distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

impl<'a> Lower<'a> {
    fn new(src: &'a str) -> Lower<'a> {
        Lower {
            src,
            defs: vec![],
            names: HashMap::new(),
            scope: vec![],
            locals: 0,
            depth: 0,
            actions: false,
        }
    }

    fn text(&self, n: Node) -> &'a str {
        &self.src[n.start_byte()..n.end_byte()]
    }

    fn e(&self, n: Node, k: K) -> Expr {
        Expr {
            k,
            at: n.start_byte(),
        }
    }

    /// Every name the user could have meant.
    fn known_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.scope.iter().map(|(n, _)| n.clone()).collect();
        v.extend(VAR_NAMES.iter().map(|s| s.to_string()));
        v.extend(self.names.keys().cloned());
        v.extend(BUILTIN_OPS.iter().map(|(n, _, _)| n.to_string()));
        v.extend(
            [
                "Client", "Replica", "nil", "Nat", "Int", "BOOLEAN", "TRUE", "FALSE",
            ]
            .map(String::from),
        );
        v
    }

    fn unknown(&self, n: Node, name: &str) -> Err0 {
        let best = self
            .known_names()
            .into_iter()
            .map(|k| (distance(&k.to_lowercase(), &name.to_lowercase()), k))
            .min();
        let hint = match best {
            Some((d, k)) if d <= 2.max(name.len() / 3) => format!(" (did you mean '{k}'?)"),
            _ => String::new(),
        };
        Err0 {
            msg: format!("unknown name '{name}'{hint}"),
            at: n.start_byte(),
        }
    }

    /// Binds a new name; SANY rejects a name that is already defined.
    fn bind(&mut self, n: Node, name: &str, b: Binding) -> R<()> {
        let taken = self.scope.iter().any(|(m, _)| m == name)
            || VAR_NAMES.contains(&name)
            || param_of(name).is_some()
            || RESERVED.contains(&name)
            || self.names.contains_key(name)
            || BUILTIN_OPS.iter().any(|(m, _, _)| *m == name);
        if taken {
            return err(
                n.start_byte(),
                format!(
                    "multiply-defined symbol '{name}': the name is already defined here \
                     (TLA+ forbids reusing a name in a nested scope)"
                ),
            );
        }
        self.scope.push((name.to_string(), b));
        Ok(())
    }

    fn bind_local(&mut self, n: Node) -> R<()> {
        let name = self.text(n).to_string();
        let i = self.locals;
        self.bind(n, &name, Binding::Local(i))?;
        self.locals += 1;
        Ok(())
    }

    fn unbind(&mut self, count: usize, locals: usize) {
        self.scope.truncate(self.scope.len() - count);
        self.locals -= locals;
    }

    /// `name(params) == body` (at module level or in a LET).
    fn definition(&mut self, n: Node) -> R<usize> {
        let name = self
            .text(n.child_by_field_name("name").unwrap())
            .to_string();
        let mut c = n.walk();
        let params: Vec<Node> = n
            .children_by_field_name("parameter", &mut c)
            .filter(|x| x.is_named())
            .collect();
        let base = self.locals;
        for &p in &params {
            if p.kind() != "identifier" {
                return err(
                    p.start_byte(),
                    "operator parameters (higher-order definitions) are not supported",
                );
            }
            self.bind_local(p)?;
        }
        let body = self.expr(n.child_by_field_name("definition").unwrap());
        self.unbind(params.len(), params.len());
        let body = body?;
        self.defs.push(Def {
            name,
            params: params.len(),
            base,
            body,
        });
        Ok(self.defs.len() - 1)
    }

    fn lookup(&self, name: &str) -> Option<&Binding> {
        self.scope
            .iter()
            .rev()
            .find(|(m, _)| m == name)
            .map(|(_, b)| b)
    }

    fn call(&self, n: Node, name: &str, def: usize, args: Vec<Expr>) -> R<Expr> {
        let want = self.defs[def].params;
        if want != args.len() {
            return err(
                n.start_byte(),
                format!("'{name}' takes {want} argument(s), {} given", args.len()),
            );
        }
        Ok(self.e(n, K::Call(def, args)))
    }

    fn module_def(&self, n: Node, name: &str) -> Option<R<usize>> {
        match self.names.get(name)? {
            Ok(i) => Some(Ok(*i)),
            Err(_) if self.actions => Some(Ok(usize::MAX)),
            Err(why) => Some(err(
                n.start_byte(),
                format!("'{name}' is not a state expression: {why}"),
            )),
        }
    }

    fn identifier(&self, n: Node) -> R<Expr> {
        let name = self.text(n);
        if let Some(b) = self.lookup(name) {
            return match b.clone() {
                Binding::Local(i) => Ok(self.e(n, K::Local(i))),
                Binding::Def(d) => self.call(n, name, d, vec![]),
            };
        }
        if let Some(i) = VAR_NAMES.iter().position(|v| *v == name) {
            return Ok(self.e(n, K::Var(i)));
        }
        if let Some(p) = param_of(name) {
            return Ok(self.e(n, K::Param(p)));
        }
        if name == "nil" {
            return Ok(self.e(n, K::Atom(NIL)));
        }
        if let Some(d) = self.module_def(n, name) {
            return match d? {
                // One of the spec's actions or temporal formulas.
                usize::MAX => Ok(self.e(n, K::Action(vec![]))),
                d => self.call(n, name, d, vec![]),
            };
        }
        if let Some(a) = model_value(name) {
            return Ok(self.e(n, K::Atom(a)));
        }
        if BUILTIN_OPS.iter().any(|(m, _, _)| *m == name) {
            return err(n.start_byte(), format!("'{name}' needs arguments"));
        }
        Err(self.unknown(n, name))
    }

    fn op(&self, n: Node, op: Op, args: Vec<Expr>) -> Expr {
        self.e(n, K::Op(op, args))
    }

    fn children(n: Node) -> Vec<Node> {
        let mut c = n.walk();
        let v: Vec<Node> = n.named_children(&mut c).filter(|c| !c.is_extra()).collect();
        v
    }

    /// `x \in S` bounds of a quantifier: (names, set) pairs in order.
    fn bounds<'t>(&mut self, bs: &[Node<'t>]) -> R<Vec<(Vec<Node<'t>>, Expr)>> {
        let mut out = vec![];
        for &b in bs {
            if b.kind() != "quantifier_bound" {
                return err(b.start_byte(), "expected 'x \\in S'");
            }
            let mut c = b.walk();
            let intros: Vec<Node> = b
                .children_by_field_name("intro", &mut c)
                .filter(|x| x.is_named())
                .collect();
            let mut names = vec![];
            for i in intros {
                if i.kind() != "identifier" {
                    return err(
                        i.start_byte(),
                        "tuples of bound names (<<x, y>> \\in S) are not supported",
                    );
                }
                names.push(i);
            }
            let set = self.expr(b.child_by_field_name("set").unwrap())?;
            out.push((names, set));
        }
        Ok(out)
    }

    /// Lowers a binder over `bounds`: binds every name, lowers the body
    /// with `f`, and nests one `wrap` per name (innermost last).
    fn binder(
        &mut self,
        bounds: &[Node],
        body: impl FnOnce(&mut Self) -> R<Expr>,
        wrap: impl Fn(Expr, Expr) -> K,
        at: usize,
    ) -> R<Expr> {
        // Sets are lowered where they stand: S of `\A x \in S, y \in T`
        // sees no bound name, T sees x (as TLA+ scopes them).
        let mut sets = vec![];
        let mut bound = 0;
        let mut res = Ok(());
        for &b in bounds {
            let bs = match self.bounds(&[b]) {
                Ok(bs) => bs,
                Err(e) => {
                    res = Err(e);
                    break;
                }
            };
            for (names, set) in bs {
                for nm in names {
                    if let Err(e) = self.bind_local(nm) {
                        res = Err(e);
                        break;
                    }
                    bound += 1;
                    sets.push(set.clone());
                }
            }
            if res.is_err() {
                break;
            }
        }
        let result = res.and_then(|_| body(self));
        self.unbind(bound, bound);
        let mut e = result?;
        for set in sets.into_iter().rev() {
            e = Expr {
                k: wrap(set, e),
                at,
            };
        }
        Ok(e)
    }

    fn expr(&mut self, n: Node) -> R<Expr> {
        if self.depth >= MAX_NESTING {
            return err(
                n.start_byte(),
                format!("the expression is nested more than {MAX_NESTING} deep"),
            );
        }
        self.depth += 1;
        let r = self.expr_at(n);
        self.depth -= 1;
        r
    }

    fn expr_at(&mut self, n: Node) -> R<Expr> {
        let at = n.start_byte();
        let kids = Self::children(n);
        match n.kind() {
            "parentheses" => self.expr(kids[0]),
            "nat_number" => {
                let t = self.text(n);
                match t.parse::<i64>() {
                    Ok(v) if v <= i32::MAX as i64 => Ok(self.e(n, K::Num(v))),
                    _ => err(
                        at,
                        format!("number {t} is too large (at most {})", i32::MAX),
                    ),
                }
            }
            "string" => {
                let t = self.text(n);
                let inner = &t[1..t.len() - 1];
                let mut s = String::new();
                let mut chars = inner.chars();
                while let Some(c) = chars.next() {
                    if c != '\\' {
                        s.push(c);
                        continue;
                    }
                    match chars.next() {
                        Some('n') => s.push('\n'),
                        Some('t') => s.push('\t'),
                        Some('r') => s.push('\r'),
                        Some('f') => s.push('\u{c}'),
                        Some(o) => s.push(o),
                        None => s.push('\\'),
                    }
                }
                Ok(self.e(n, K::Atom(string_atom(&s))))
            }
            "boolean" => Ok(self.e(n, K::Bool(self.text(n) == "TRUE"))),
            "nat_number_set" => Ok(self.op(n, Op::Nat, vec![])),
            "int_number_set" => Ok(self.op(n, Op::Int, vec![])),
            "boolean_set" => Ok(self.op(n, Op::Boolean, vec![])),
            "identifier_ref" => self.identifier(n),
            "bound_op" => {
                let name_node = n.child_by_field_name("name").unwrap();
                let name = self.text(name_node);
                let mut c = n.walk();
                let ps: Vec<Node> = n
                    .children_by_field_name("parameter", &mut c)
                    .filter(|x| x.is_named())
                    .collect();
                let mut args = vec![];
                for p in ps {
                    args.push(self.expr(p)?);
                }
                if let Some(Binding::Def(d)) = self.lookup(name).cloned() {
                    return self.call(n, name, d, args);
                }
                if let Some(d) = self.module_def(name_node, name) {
                    return match d? {
                        // One of the spec's actions with arguments.
                        usize::MAX => Ok(self.e(n, K::Action(args))),
                        d => self.call(n, name, d, args),
                    };
                }
                if let Some((_, op, k)) = BUILTIN_OPS.iter().find(|(m, _, _)| *m == name) {
                    if *k != args.len() {
                        return err(
                            at,
                            format!("'{name}' takes {k} argument(s), {} given", args.len()),
                        );
                    }
                    return Ok(self.op(n, *op, args));
                }
                if [
                    "SubSeq",
                    "SelectSeq",
                    "IsFiniteSet",
                    "Permutations",
                    "ToString",
                    "Print",
                    "Assert",
                ]
                .contains(&name)
                {
                    return err(at, format!("'{name}' is not supported in predicates"));
                }
                if self.lookup(name).is_some() || VAR_NAMES.contains(&name) {
                    return err(
                        at,
                        format!("'{name}' is not an operator: write {name}[x] to apply a function"),
                    );
                }
                Err(self.unknown(name_node, name))
            }
            "function_evaluation" => {
                if kids.len() != 2 {
                    return err(
                        at,
                        "f[x, y] (a function of several arguments) is not supported",
                    );
                }
                let f = self.expr(kids[0])?;
                let x = self.expr(kids[1])?;
                Ok(self.e(n, K::App(Box::new(f), Box::new(x))))
            }
            "bound_infix_op" => {
                let sym = n.child_by_field_name("symbol").unwrap();
                let lhs = n.child_by_field_name("lhs").unwrap();
                let rhs = n.child_by_field_name("rhs").unwrap();
                // SANY refuses `a /\ b \/ c` without parentheses.
                let other = match sym.kind() {
                    "land" => Some("lor"),
                    "lor" => Some("land"),
                    _ => None,
                };
                for side in [lhs, rhs] {
                    let mixed = side.kind() == "bound_infix_op"
                        && side.child_by_field_name("symbol").map(|s| s.kind()) == other;
                    if mixed {
                        return err(
                            at,
                            "/\\ and \\/ mixed without parentheses (TLA+ gives them the same \
                             precedence and SANY rejects this): add parentheses or use a \
                             junction list",
                        );
                    }
                }
                let op = match sym.kind() {
                    "land" => {
                        let (a, b) = (self.expr(lhs)?, self.expr(rhs)?);
                        return Ok(self.e(n, K::And(vec![a, b])));
                    }
                    "lor" => {
                        let (a, b) = (self.expr(lhs)?, self.expr(rhs)?);
                        return Ok(self.e(n, K::Or(vec![a, b])));
                    }
                    "implies" => Op::Implies,
                    "equiv" | "iff" => Op::Equiv,
                    "eq" => Op::Eq,
                    "neq" => Op::Neq,
                    "lt" => Op::Lt,
                    "leq" => Op::Le,
                    "gt" => Op::Gt,
                    "geq" => Op::Ge,
                    "plus" => Op::Add,
                    "minus" => Op::Sub,
                    "mul" => Op::Mul,
                    "div" => Op::Div,
                    "mod" => Op::Mod,
                    "in" => Op::In,
                    "notin" => Op::NotIn,
                    "subseteq" => Op::Subseteq,
                    "cup" => Op::Union,
                    "cap" => Op::Inter,
                    "setminus" => Op::Minus,
                    "dots_2" => Op::Interval,
                    "leads_to" if self.actions => {
                        let (a, b) = (self.expr(lhs)?, self.expr(rhs)?);
                        return Ok(self.e(n, K::Action(vec![a, b])));
                    }
                    "leads_to" => {
                        return err(
                            at,
                            "'~>' is a temporal operator: a state predicate is needed here",
                        )
                    }
                    other => {
                        return err(
                            sym.start_byte(),
                            format!(
                                "the operator '{}' ({other}) is not supported in predicates",
                                self.text(sym)
                            ),
                        )
                    }
                };
                let (a, b) = (self.expr(lhs)?, self.expr(rhs)?);
                Ok(self.op(n, op, vec![a, b]))
            }
            "bound_prefix_op" => {
                let sym = n.child_by_field_name("symbol").unwrap();
                let rhs = n.child_by_field_name("rhs").unwrap();
                if self.actions
                    && matches!(
                        sym.kind(),
                        "enabled" | "unchanged" | "always" | "eventually"
                    )
                {
                    if sym.kind() == "enabled" && self.text(rhs).trim() == "Next" {
                        return Ok(self.e(n, K::EnabledNext));
                    }
                    let a = self.expr(rhs)?;
                    return Ok(self.e(n, K::Action(vec![a])));
                }
                let op = match sym.kind() {
                    "lnot" => Op::Not,
                    "negative" => Op::Neg,
                    "powerset" => Op::Powerset,
                    "union" => Op::BigUnion,
                    "domain" => Op::Domain,
                    "enabled" => {
                        return err(at, "ENABLED is not supported in predicates (use --deadlock for ENABLED Next, --coverage for one action)")
                    }
                    "unchanged" => {
                        return err(at, "UNCHANGED makes an action, not a state predicate")
                    }
                    "always" | "eventually" => {
                        return err(at, "a temporal operator ([] or <>) where a state predicate is needed")
                    }
                    other => {
                        return err(at, format!("the operator '{}' ({other}) is not supported in predicates", self.text(sym)))
                    }
                };
                let a = self.expr(rhs)?;
                Ok(self.op(n, op, vec![a]))
            }
            "bound_postfix_op" => {
                let sym = n.child_by_field_name("symbol").unwrap();
                if sym.kind() == "prime" && self.actions {
                    let a = self.expr(n.child_by_field_name("lhs").unwrap())?;
                    return Ok(self.e(n, K::Action(vec![a])));
                }
                if sym.kind() == "prime" {
                    return err(at, format!(
                        "'{}' is primed: an action, not a state predicate (a predicate reads one state)",
                        self.text(n)
                    ));
                }
                err(
                    at,
                    format!(
                        "the operator '{}' is not supported in predicates",
                        self.text(sym)
                    ),
                )
            }
            "bounded_quantification" => {
                let q = n.child_by_field_name("quantifier").unwrap();
                let forall = match q.kind() {
                    "forall" => true,
                    "exists" => false,
                    _ => {
                        return err(
                            at,
                            "temporal quantifiers (\\AA, \\EE) are not state predicates",
                        )
                    }
                };
                let mut c = n.walk();
                let bs: Vec<Node> = n
                    .children_by_field_name("bound", &mut c)
                    .filter(|x| x.is_named())
                    .collect();
                let body = n.child_by_field_name("expression").unwrap();
                self.binder(
                    &bs,
                    |l| l.expr(body),
                    |set, body| K::Quant {
                        forall,
                        set: Box::new(set),
                        body: Box::new(body),
                    },
                    at,
                )
            }
            "unbounded_quantification" => err(
                at,
                "an unbounded quantifier cannot be evaluated: bound it (\\A x \\in S : ...)",
            ),
            "choose" => {
                let intro = n.child_by_field_name("intro").unwrap();
                let Some(set) = n.child_by_field_name("set") else {
                    return err(at, "CHOOSE needs a bound: CHOOSE x \\in S : P");
                };
                if intro.kind() != "identifier" {
                    return err(intro.start_byte(), "CHOOSE <<x, y>> is not supported");
                }
                let s = self.expr(set)?;
                let body = n.child_by_field_name("expression").unwrap();
                self.bind_local(intro)?;
                let b = self.expr(body);
                self.unbind(1, 1);
                Ok(self.e(n, K::Choose(Box::new(s), Box::new(b?))))
            }
            "set_filter" => {
                let g = n.child_by_field_name("generator").unwrap();
                let f = n.child_by_field_name("filter").unwrap();
                let e = self.binder(
                    &[g],
                    |l| l.expr(f),
                    |s, b| K::Filter(Box::new(s), Box::new(b)),
                    at,
                )?;
                if matches!(&e.k, K::Filter(_, inner) if matches!(inner.k, K::Filter(..))) {
                    return err(at, "{x, y \\in S : P} is not supported: use one bound name");
                }
                Ok(e)
            }
            "set_map" => {
                let map = n.child_by_field_name("map").unwrap();
                let mut c = n.walk();
                let gs: Vec<Node> = n
                    .children_by_field_name("generator", &mut c)
                    .filter(|x| x.is_named())
                    .collect();
                let single = gs.len() == 1 && {
                    let mut c2 = gs[0].walk();
                    let k = gs[0]
                        .children_by_field_name("intro", &mut c2)
                        .filter(|x| x.is_named())
                        .count();
                    k == 1
                };
                if !single {
                    return err(
                        at,
                        "{e : x \\in S, y \\in T} is not supported: use one bound name",
                    );
                }
                self.binder(
                    &gs,
                    |l| l.expr(map),
                    |s, b| K::Map(Box::new(s), Box::new(b)),
                    at,
                )
            }
            "function_literal" => {
                let bs: Vec<Node> = kids
                    .iter()
                    .copied()
                    .filter(|k| k.kind() == "quantifier_bound")
                    .collect();
                let body = *kids.last().unwrap();
                let single = bs.len() == 1 && {
                    let mut c2 = bs[0].walk();
                    let k = bs[0]
                        .children_by_field_name("intro", &mut c2)
                        .filter(|x| x.is_named())
                        .count();
                    k == 1
                };
                if !single {
                    return err(at, "functions of several arguments are not supported");
                }
                self.binder(
                    &bs,
                    |l| l.expr(body),
                    |s, b| K::FunLit(Box::new(s), Box::new(b)),
                    at,
                )
            }
            "finite_set_literal" => {
                let mut v = vec![];
                for k in kids {
                    v.push(self.expr(k)?);
                }
                Ok(self.e(n, K::SetLit(v)))
            }
            "tuple_literal" => {
                let mut v = vec![];
                for k in kids {
                    if k.kind() == "langle_bracket" || k.kind() == "rangle_bracket" {
                        continue;
                    }
                    v.push(self.expr(k)?);
                }
                Ok(self.e(n, K::Tuple(v)))
            }
            "set_of_functions" => {
                let parts: Vec<Node> = kids.into_iter().filter(|k| k.kind() != "maps_to").collect();
                let (a, b) = (self.expr(parts[0])?, self.expr(parts[1])?);
                Ok(self.op(n, Op::FunSet, vec![a, b]))
            }
            "if_then_else" => {
                let c = self.expr(n.child_by_field_name("if").unwrap())?;
                let t = self.expr(n.child_by_field_name("then").unwrap())?;
                let e = self.expr(n.child_by_field_name("else").unwrap())?;
                Ok(self.e(n, K::If(Box::new(c), Box::new(t), Box::new(e))))
            }
            "case" => {
                let mut arms = vec![];
                let mut other = None;
                for k in kids {
                    let parts: Vec<Node> = Self::children(k)
                        .into_iter()
                        .filter(|x| x.kind() != "case_arrow")
                        .collect();
                    match k.kind() {
                        "case_arm" => arms.push((self.expr(parts[0])?, self.expr(parts[1])?)),
                        "other_arm" => other = Some(Box::new(self.expr(parts[0])?)),
                        _ => {}
                    }
                }
                Ok(self.e(n, K::Case(arms, other)))
            }
            "let_in" => {
                let mut c = n.walk();
                let ds: Vec<Node> = n
                    .children_by_field_name("definitions", &mut c)
                    .filter(|x| x.is_named())
                    .collect();
                let mut bound = 0;
                let mut res = Ok(());
                for d in ds {
                    if d.kind() != "operator_definition" {
                        res = err(
                            d.start_byte(),
                            "only operator definitions are supported in LET",
                        );
                        break;
                    }
                    let name_node = d.child_by_field_name("name").unwrap();
                    let name = self.text(name_node).to_string();
                    match self
                        .definition(d)
                        .and_then(|i| self.bind(name_node, &name, Binding::Def(i)))
                    {
                        Ok(()) => bound += 1,
                        Err(e) => {
                            res = Err(e);
                            break;
                        }
                    }
                }
                let body =
                    res.and_then(|_| self.expr(n.child_by_field_name("expression").unwrap()));
                self.unbind(bound, 0);
                body
            }
            "conj_list" | "disj_list" => {
                let mut v = vec![];
                for item in kids {
                    let inner: Vec<Node> = Self::children(item)
                        .into_iter()
                        .filter(|x| x.kind() != "bullet_conj" && x.kind() != "bullet_disj")
                        .collect();
                    v.push(self.expr(inner[0])?);
                }
                Ok(self.e(
                    n,
                    if n.kind() == "conj_list" {
                        K::And(v)
                    } else {
                        K::Or(v)
                    },
                ))
            }
            "except" => err(
                at,
                "EXCEPT builds a new function for an action; it is not supported in predicates",
            ),
            "record_literal" | "record_value" | "set_of_records" => {
                err(at, "records are not supported (the spec has none)")
            }
            "string_set" => err(
                at,
                "STRING cannot be enumerated; compare with string literals instead",
            ),
            "real_number" | "real_number_set" => err(at, "real numbers are not supported"),
            "lambda" => err(at, "LAMBDA is not supported"),
            "prefixed_op" | "subexpression" => err(
                at,
                "module and subexpression references (M!Op) are not supported",
            ),
            "step_expr_or_stutter" | "step_expr_no_stutter" | "fairness" if self.actions => {
                let mut parts = vec![];
                for c in Self::children(n) {
                    if c.kind().contains("bracket") || c.kind().contains("comment") {
                        continue;
                    }
                    parts.push(self.expr(c)?);
                }
                Ok(self.e(n, K::Action(parts)))
            }
            "step_expr_or_stutter" | "step_expr_no_stutter" | "fairness" => err(
                at,
                "an action or temporal formula where a state predicate is needed",
            ),
            "bound_nonfix_op" => err(
                at,
                "operators written as names (\\o, ...) are not supported",
            ),
            other => err(
                at,
                format!(
                    "'{}' ({other}) is not supported in predicates",
                    self.text(n).chars().take(30).collect::<String>()
                ),
            ),
        }
    }
}

/// A definition of a module read by `check_module`.
#[derive(Clone, Debug)]
pub struct ModuleDef {
    pub name: String,
    /// How many parameters it takes (a predicate takes none).
    pub arity: usize,
    /// The body's text as written.
    pub text: String,
    pub compiled: Compiled,
}

impl ModuleDef {
    /// An action-level or temporal definition: read, but without a value
    /// in one state.
    pub fn is_action(&self) -> bool {
        self.uses(&|k| matches!(k, K::Action(_)))
    }

    /// Reads `ENABLED Next` (which the symbolic reading does not take).
    pub fn uses_enabled(&self) -> bool {
        self.uses(&|k| matches!(k, K::EnabledNext))
    }

    fn uses(&self, hit: &dyn Fn(&K) -> bool) -> bool {
        fn has(e: &Expr, defs: &[Def], hit: &dyn Fn(&K) -> bool, seen: &mut Vec<usize>) -> bool {
            let mut found = false;
            e.visit(&mut |x| match &x.k {
                k if hit(k) => found = true,
                K::Call(d, _) if !seen.contains(d) => {
                    seen.push(*d);
                    found |= has(&defs[*d].body, defs, hit, seen);
                }
                _ => {}
            });
            found
        }
        has(&self.compiled.body, &self.compiled.defs, hit, &mut vec![])
    }
}

/// Reads a module that extends SemiSync (a certificate) as SANY would:
/// syntax, every name defined before use, no name defined twice (also in
/// nested scopes). Definitions may be action-level or temporal (primes,
/// `[][A]_v`, `ENABLED`, the spec's actions by name): their names are
/// resolved and their parts read, but they have no value in a state
/// (`ModuleDef::is_action`); `ENABLED Next` has one. `THEOREM`s are checked
/// for syntax only. Returns the module's definitions, compiled, by name.
pub fn check_module(text: &str) -> std::result::Result<Vec<ModuleDef>, ParseError> {
    let to_user = |e: Err0| {
        let (line, column, source_line) = place(text, e.at);
        ParseError {
            msg: e.msg,
            line,
            column,
            source_line,
        }
    };
    let tree = parse_module(text, 0).map_err(to_user)?;
    let module = first_module(tree.root_node()).expect("parse_module saw it");
    let mut l = Lower::new(text);
    l.actions = true;
    let spec = spec_defs();
    let mut extends_spec = false;
    let mut out = vec![];
    let mut c = module.walk();
    for n in module.named_children(&mut c) {
        match n.kind() {
            "extends" => {
                let mut c2 = n.walk();
                for m in n.named_children(&mut c2) {
                    if m.is_extra() || m.kind().contains("comment") {
                        continue;
                    }
                    match l.text(m) {
                        "SemiSync" => extends_spec = true,
                        "TLC" | "Naturals" | "Sequences" | "FiniteSets" | "Integers" => {}
                        other => {
                            return Err(to_user(Err0 {
                                msg: format!("unknown module '{other}'"),
                                at: m.start_byte(),
                            }))
                        }
                    }
                }
                if extends_spec {
                    l.defs = spec.defs.clone();
                    l.names = spec.names.clone();
                }
            }
            "operator_definition" => {
                let name_node = n.child_by_field_name("name").unwrap();
                let name = l.text(name_node).to_string();
                if l.names.contains_key(&name)
                    || VAR_NAMES.contains(&name.as_str())
                    || param_of(&name).is_some()
                    || RESERVED.contains(&name.as_str())
                    || BUILTIN_OPS.iter().any(|(m, _, _)| *m == name)
                {
                    return Err(to_user(Err0 {
                        msg: format!("multiply-defined symbol '{name}'"),
                        at: name_node.start_byte(),
                    }));
                }
                let i = l.definition(n).map_err(to_user)?;
                l.names.insert(name.clone(), Ok(i));
                let body = n.child_by_field_name("definition").unwrap();
                out.push(ModuleDef {
                    name,
                    arity: l.defs[i].params,
                    text: l.text(body).to_string(),
                    compiled: Compiled {
                        defs: vec![],
                        body: l.defs[i].body.clone(),
                    },
                });
            }
            "theorem" | "header_line" | "double_line" | "single_line" | "identifier"
            | "comment" | "block_comment" => {}
            other => {
                return Err(to_user(Err0 {
                    msg: format!("'{other}' is not expected in a certificate"),
                    at: n.start_byte(),
                }))
            }
        }
    }
    if !extends_spec {
        return Err(to_user(Err0 {
            msg: "the module must EXTEND SemiSync".into(),
            at: module.start_byte(),
        }));
    }
    for d in &mut out {
        d.compiled.defs = l.defs.clone();
    }
    Ok(out)
}
