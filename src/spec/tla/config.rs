//! TLC's configuration file (`MC.cfg`): what TLC would check, read into
//! plain values for the command line to apply (its flags override them).
//!
//! Accepted: `CONSTANT(S)` for `Client`, `Replica` (sets of model values
//! named `c1..cN`, `r1..rN`), `nil = nil`, and the spec's parameters and
//! bounds as the Toolbox overrides them (`max_next_req`, `max_change_leader`,
//! `replication_factor` a number; `Epoch`, `LogOffset` an interval `0..N`;
//! `=` or `<-`); `INVARIANT(S)` and `PROPERTY`/`PROPERTIES` (names);
//! `CHECK_DEADLOCK TRUE|FALSE`; `SPECIFICATION Spec|FairSpec`, `INIT Init`,
//! `NEXT Next`; `SYMMETRY` of any name (symmetry is handled by the engines
//! themselves). Anything else is an error with its line.

use std::fmt;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    pub clients: Option<usize>,
    pub replicas: Option<usize>,
    pub max_req: Option<u32>,
    pub max_leader_changes: Option<u32>,
    pub replication_factor: Option<usize>,
    pub epoch_max: Option<u32>,
    pub log_offset_max: Option<u32>,
    pub invariants: Vec<String>,
    /// The line of each of `invariants`.
    pub invariant_lines: Vec<usize>,
    pub properties: Vec<String>,
    pub check_deadlock: Option<bool>,
    /// `SPECIFICATION FairSpec` (or `Spec`: false).
    pub fair: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub line: usize,
    pub msg: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.msg)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Num(u64),
    Sym(&'static str),
}

const KEYWORDS: [&str; 20] = [
    "CONSTANT",
    "CONSTANTS",
    "INVARIANT",
    "INVARIANTS",
    "PROPERTY",
    "PROPERTIES",
    "SPECIFICATION",
    "INIT",
    "NEXT",
    "SYMMETRY",
    "CHECK_DEADLOCK",
    "VIEW",
    "CONSTRAINT",
    "CONSTRAINTS",
    "ACTION_CONSTRAINT",
    "ACTION_CONSTRAINTS",
    "ALIAS",
    "POSTCONDITION",
    "TYPE",
    "TYPE_CONSTRAINT",
];

fn err<T>(line: usize, msg: impl Into<String>) -> Result<T, ConfigError> {
    Err(ConfigError {
        line,
        msg: msg.into(),
    })
}

/// Tokens with their line numbers; comments (`\*` to the end of the line,
/// `(* ... *)`) dropped.
fn tokens(text: &str) -> Result<Vec<(Tok, usize)>, ConfigError> {
    let cs: Vec<char> = text.chars().collect();
    let mut out = vec![];
    let (mut i, mut line) = (0, 1);
    while i < cs.len() {
        let c = cs[i];
        let next = cs.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c == '\\' && next == Some('*') {
            while i < cs.len() && cs[i] != '\n' {
                i += 1;
            }
        } else if c == '(' && next == Some('*') {
            let start = line;
            i += 2;
            loop {
                if i + 1 >= cs.len() {
                    return err(start, "a comment (* ... is not closed");
                }
                if cs[i] == '*' && cs[i + 1] == ')' {
                    i += 2;
                    break;
                }
                if cs[i] == '\n' {
                    line += 1;
                }
                i += 1;
            }
        } else if c.is_ascii_digit() {
            let s = i;
            while i < cs.len() && cs[i].is_ascii_digit() {
                i += 1;
            }
            let t: String = cs[s..i].iter().collect();
            match t.parse() {
                Ok(n) => out.push((Tok::Num(n), line)),
                Err(_) => return err(line, format!("number {t} is too large")),
            }
        } else if c.is_ascii_alphabetic() || c == '_' {
            let s = i;
            while i < cs.len() && (cs[i].is_ascii_alphanumeric() || cs[i] == '_') {
                i += 1;
            }
            out.push((Tok::Word(cs[s..i].iter().collect()), line));
        } else {
            let two: String = cs[i..(i + 2).min(cs.len())].iter().collect();
            let sym = match (c, two.as_str()) {
                (_, "<-") => "<-",
                (_, "..") => "..",
                ('=', _) => "=",
                ('{', _) => "{",
                ('}', _) => "}",
                (',', _) => ",",
                _ => return err(line, format!("unexpected character {c:?}")),
            };
            i += sym.len();
            out.push((Tok::Sym(sym), line));
        }
    }
    Ok(out)
}

struct P {
    toks: Vec<(Tok, usize)>,
    i: usize,
}

impl P {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.i).map(|(t, _)| t)
    }
    fn line(&self) -> usize {
        self.toks
            .get(self.i)
            .or(self.toks.last())
            .map_or(1, |(_, l)| *l)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.i).map(|(t, _)| t.clone());
        self.i += 1;
        t
    }
    fn at_keyword(&self) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if KEYWORDS.contains(&w.as_str()))
    }
    fn word(&mut self, what: &str) -> Result<String, ConfigError> {
        let line = self.line();
        match self.next() {
            Some(Tok::Word(w)) if !KEYWORDS.contains(&w.as_str()) => Ok(w),
            Some(t) => err(line, format!("expected {what}, found {}", show(&t))),
            None => err(line, format!("expected {what} at the end of the file")),
        }
    }
    fn sym(&mut self, s: &str) -> Result<(), ConfigError> {
        let line = self.line();
        match self.next() {
            Some(Tok::Sym(x)) if x == s => Ok(()),
            Some(t) => err(line, format!("expected '{s}', found {}", show(&t))),
            None => err(line, format!("expected '{s}' at the end of the file")),
        }
    }
    fn num(&mut self) -> Result<u64, ConfigError> {
        let line = self.line();
        match self.next() {
            Some(Tok::Num(n)) => Ok(n),
            Some(t) => err(line, format!("expected a number, found {}", show(&t))),
            None => err(line, "expected a number at the end of the file"),
        }
    }
}

fn show(t: &Tok) -> String {
    match t {
        Tok::Word(w) => format!("'{w}'"),
        Tok::Num(n) => n.to_string(),
        Tok::Sym(s) => format!("'{s}'"),
    }
}

/// `{x1, ..., xN}` with the model values named `prefix1..prefixN`: N.
fn model_set(p: &mut P, prefix: &str, what: &str) -> Result<usize, ConfigError> {
    let line = p.line();
    p.sym("{")?;
    let mut names = vec![];
    if p.peek() != Some(&Tok::Sym("}")) {
        loop {
            names.push(p.word("a model value")?);
            if p.peek() == Some(&Tok::Sym(",")) {
                p.next();
            } else {
                break;
            }
        }
    }
    p.sym("}")?;
    let mut want: Vec<String> = (1..=names.len()).map(|k| format!("{prefix}{k}")).collect();
    let mut got = names.clone();
    got.sort();
    want.sort();
    if names.is_empty() || got != want {
        return err(
            line,
            format!(
                "{what} must be a set of model values named {prefix}1, {prefix}2, ... (the \
                 names semisync-bmc gives them in traces), found {{{}}}",
                names.join(", ")
            ),
        );
    }
    Ok(names.len())
}

fn small<T: TryFrom<u64>>(n: u64, line: usize) -> Result<T, ConfigError> {
    T::try_from(n).or_else(|_| err(line, format!("{n} is too large")))
}

/// Parses a TLC configuration file.
pub fn parse(text: &str) -> Result<Config, ConfigError> {
    let mut p = P {
        toks: tokens(text)?,
        i: 0,
    };
    let mut c = Config::default();
    while let Some(t) = p.next() {
        let line = p.toks[p.i - 1].1;
        let Tok::Word(kw) = t else {
            return err(
                line,
                format!(
                    "expected a keyword (CONSTANTS, INVARIANT, ...), found {}",
                    show(&t)
                ),
            );
        };
        match kw.as_str() {
            "CONSTANT" | "CONSTANTS" => {
                while !p.at_keyword() && p.peek().is_some() {
                    let line = p.line();
                    let name = p.word("a constant's name")?;
                    match p.next() {
                        Some(Tok::Sym("=")) | Some(Tok::Sym("<-")) => {}
                        _ => return err(line, format!("expected '=' or '<-' after {name}")),
                    }
                    match name.as_str() {
                        "Client" => c.clients = Some(model_set(&mut p, "c", "Client")?),
                        "Replica" => c.replicas = Some(model_set(&mut p, "r", "Replica")?),
                        "nil" => {
                            let v = p.word("nil")?;
                            if v != "nil" {
                                return err(line, "nil must be a model value: nil = nil");
                            }
                        }
                        "max_next_req" => c.max_req = Some(small(p.num()?, line)?),
                        "max_change_leader" => c.max_leader_changes = Some(small(p.num()?, line)?),
                        "replication_factor" => c.replication_factor = Some(small(p.num()?, line)?),
                        "Epoch" | "LogOffset" => {
                            let lo = p.num()?;
                            p.sym("..")?;
                            let hi = p.num()?;
                            if lo != 0 {
                                return err(
                                    line,
                                    format!("{name} must start at 0 (0..N), found {lo}..{hi}"),
                                );
                            }
                            let hi = Some(small(hi, line)?);
                            if name == "Epoch" {
                                c.epoch_max = hi
                            } else {
                                c.log_offset_max = hi
                            }
                        }
                        other => {
                            return err(
                                line,
                                format!(
                                    "unknown constant '{other}': the spec's are Client, Replica, \
                                     nil, max_next_req, max_change_leader, replication_factor, \
                                     Epoch, LogOffset"
                                ),
                            )
                        }
                    }
                }
            }
            "INVARIANT" | "INVARIANTS" | "PROPERTY" | "PROPERTIES" => {
                let mut any = false;
                while !p.at_keyword() && p.peek().is_some() {
                    let line = p.line();
                    let name = p.word("a definition's name")?;
                    if kw.starts_with("INVARIANT") {
                        c.invariants.push(name);
                        c.invariant_lines.push(line);
                    } else {
                        c.properties.push(name);
                    }
                    any = true;
                }
                if !any {
                    return err(line, format!("{kw} names no definition"));
                }
            }
            "CHECK_DEADLOCK" => {
                let line = p.line();
                c.check_deadlock = Some(match p.word("TRUE or FALSE")?.as_str() {
                    "TRUE" => true,
                    "FALSE" => false,
                    w => {
                        return err(
                            line,
                            format!("CHECK_DEADLOCK is TRUE or FALSE, found '{w}'"),
                        )
                    }
                });
            }
            "SPECIFICATION" => {
                let line = p.line();
                c.fair = Some(match p.word("Spec or FairSpec")?.as_str() {
                    "Spec" => false,
                    "FairSpec" => true,
                    w => {
                        return err(
                            line,
                            format!("SPECIFICATION must be Spec or FairSpec, found '{w}'"),
                        )
                    }
                });
            }
            "INIT" | "NEXT" => {
                let line = p.line();
                let want = if kw == "INIT" { "Init" } else { "Next" };
                let w = p.word(want)?;
                if w != want {
                    return err(
                        line,
                        format!("{kw} must be the spec's own {want}, found '{w}'"),
                    );
                }
            }
            "SYMMETRY" => {
                p.word("a symmetry set's definition")?;
            }
            other if KEYWORDS.contains(&other) => {
                return err(line, format!("{other} is not supported by semisync-bmc"));
            }
            other => {
                return err(
                    line,
                    format!("expected a keyword (CONSTANTS, INVARIANT, ...), found '{other}'"),
                );
            }
        }
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_specs_own_mc_cfg() {
        let c = parse(include_str!("../../../encodings/MC.cfg")).unwrap();
        assert_eq!(c.clients, Some(2));
        assert_eq!(c.replicas, Some(3));
        assert_eq!(c.invariants, vec!["TypeOK", "Consistent", "Inv"]);
        assert_eq!(c.check_deadlock, Some(false));
        assert_eq!(c.fair, Some(false));
    }

    #[test]
    fn every_form_and_every_error_with_its_line() {
        let c = parse(
            "(* a block\n comment *) CONSTANTS Client = {c2, c1} Replica = {r1,r2,r3,r4}\n\
             max_next_req <- 3 Epoch = 0..9 LogOffset = 0..7 nil = nil\n\
             max_change_leader = 2 replication_factor = 3\n\
             INVARIANTS TypeOK Consistent \\* trailing\nPROPERTY Finish\n\
             SPECIFICATION FairSpec INIT Init NEXT Next SYMMETRY Perms CHECK_DEADLOCK TRUE",
        )
        .unwrap();
        assert_eq!(
            (
                c.clients,
                c.replicas,
                c.max_req,
                c.epoch_max,
                c.log_offset_max
            ),
            (Some(2), Some(4), Some(3), Some(9), Some(7))
        );
        assert_eq!(
            (c.max_leader_changes, c.replication_factor),
            (Some(2), Some(3))
        );
        assert_eq!(c.properties, vec!["Finish"]);
        assert_eq!((c.check_deadlock, c.fair), (Some(true), Some(true)));
        for (text, line, part) in [
            ("CONSTANTS\n Client = {a, b}", 2, "named c1, c2"),
            ("CONSTANTS\n\n Foo = 1", 3, "unknown constant 'Foo'"),
            ("INVARIANT TypeOK\nCONSTRAINT Small", 2, "not supported"),
            ("CHECK_DEADLOCK maybe", 1, "TRUE or FALSE"),
            ("SPECIFICATION Other", 1, "Spec or FairSpec"),
            ("NEXT\n MyNext", 2, "the spec's own Next"),
            ("CONSTANTS Epoch = 1..5", 1, "must start at 0"),
            ("CONSTANTS max_next_req = x", 1, "expected a number"),
            ("INVARIANT", 1, "names no definition"),
            ("(* open", 1, "not closed"),
            ("CONSTANTS Client = {c1} ;", 1, "unexpected character"),
            ("Hello", 1, "expected a keyword"),
        ] {
            let e = parse(text).unwrap_err();
            assert_eq!(e.line, line, "{text}: {e}");
            assert!(e.msg.contains(part), "{text}: {e}");
        }
    }
}
