//! `--inv` and `--reach` text to properties: the built-in names, the
//! spec's definitions by name, and predicates in TLA+ (`spec::tla`).

use semisync_bmc::error::{Error, Result};
use semisync_bmc::params::Params;
use semisync_bmc::spec::tla::{self, Predicate};
use semisync_bmc::spec::{init_states, Property};
use semisync_bmc::symbolic::{pred, Encoding};

/// A comma-separated list of names (`TypeOK,Consistent`), not an
/// expression.
fn name_list(text: &str) -> Option<Vec<&str>> {
    let names: Vec<&str> = text.split(',').map(str::trim).collect();
    names
        .iter()
        // TRUE, Nat, ... are expressions, not property names.
        .all(|n| tla::is_identifier(n) && !tla::RESERVED.contains(n))
        .then_some(names)
}

/// At most 80 characters of a predicate, for messages.
fn short(text: &str) -> String {
    if text.chars().count() <= 80 {
        text.to_string()
    } else {
        text.chars().take(77).collect::<String>() + "..."
    }
}

/// The properties one `--inv` (or `--reach`) value asks for.
/// `symbolic`: the run uses the symbolic engine, which must encode it.
pub fn properties(text: &str, reach: bool, p: &Params, symbolic: bool) -> Result<Vec<Property>> {
    let flag = if reach { "--reach" } else { "--inv" };
    if !reach {
        if let Some(names) = name_list(text) {
            let mut v = vec![];
            for n in names {
                v.push(match n.parse::<Property>() {
                    Ok(q) => q,
                    Err(_) if n == "Finish" => {
                        return Err(Error::usage(
                            "Finish is a temporal property: check it with --temporal Finish",
                        ))
                    }
                    Err(_) => user(n, Some(n), false, p, flag, symbolic)?,
                });
            }
            return Ok(v);
        }
    }
    Ok(vec![user(text, None, reach, p, flag, symbolic)?])
}

/// Compiles, checks and registers one predicate.
fn user(
    text: &str,
    name: Option<&str>,
    reach: bool,
    p: &Params,
    flag: &str,
    symbolic: bool,
) -> Result<Property> {
    let (own, compiled) =
        tla::compile(text).map_err(|e| Error::usage(format!("{flag} {:?}: {e}", short(text))))?;
    let expr_text = match &own {
        Some(_) => text[text.find("==").unwrap() + 2..].to_string(),
        None => text.to_string(),
    };
    let name = match own.as_deref().or(name) {
        Some(n) => {
            let builtin = ["TypeOK", "Consistent", "Inv", "NoDeadlock", "Finish"];
            // A name of one's own (`Name == EXPR`) may not be one the spec,
            // the certificates (IndInv, IndInv_k) or another property use.
            if name.is_none()
                && (builtin.contains(&n)
                    || n.starts_with("IndInv")
                    || n.starts_with("Lemma_")
                    || tla::parse::spec_definition_names().iter().any(|d| d == n)
                    || semisync_bmc::spec::VAR_NAMES.contains(&n))
            {
                return Err(Error::usage(format!(
                    "{flag}: '{n}' is already defined (by the spec, a built-in property, the \
                     certificates or the lemma library); choose another name"
                )));
            }
            n.to_string()
        }
        None => match tla::find(&expr_text, reach) {
            Some(i) => return Ok(Property::User(i)),
            None => tla::next_name(if reach { "Reach" } else { "Pred" }),
        },
    };
    // A predicate that is not a Boolean fails on the initial states.
    for s in init_states(p) {
        if let Err(e) = tla::eval_bool(&compiled, p, &s) {
            if e.msg.starts_with("the predicate is not a Boolean") {
                return Err(Error::usage(format!("{flag} {:?}: {e}", short(text))));
            }
        }
    }
    // The symbolic reading must encode it (the explicit engine always can).
    let enc = Encoding::new(p);
    if let (true, Err(e)) = (
        symbolic,
        pred::predicate(&compiled, p, &enc.layout, &enc.state(0)),
    ) {
        return Err(Error::usage(format!(
            "{flag} {:?}: the symbolic engine cannot encode it: {e} (--engine explicit can check it)",
            short(text)
        )));
    }
    if let Some(i) = tla::find_name(&name) {
        let q = tla::predicate(i);
        if q.text != expr_text || q.reach != reach {
            return Err(Error::usage(format!(
                "{flag}: two properties are named '{name}'; name them apart ('Name == EXPR')"
            )));
        }
    }
    let i = tla::register(Predicate {
        name: tla::leak(name),
        text: expr_text,
        reach,
        compiled,
    });
    Ok(Property::User(i))
}
