//! The layers of `src/` import only downward (see docs/architecture.md):
//! every `crate::X` path in a module names a layer below it (or itself).

use std::path::Path;

/// Layer order, lowest first. A module may use the modules of lower rank.
const LAYERS: &[(&str, usize)] = &[
    ("error", 0),
    ("interrupt", 0),
    ("params", 1),
    ("spec", 2),
    ("trace", 3),
    ("layout", 3),
    ("symbolic", 4),
    ("invariants", 5),
    ("engine", 6),
    ("check", 7),
    ("report", 8),
];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

/// The module path of a file under `src/`: `engine/prove/kind.rs` is
/// `[engine, prove, kind]`, `engine/mod.rs` is `[engine]`.
fn module_path(rel: &str) -> Vec<String> {
    rel.trim_end_matches(".rs")
        .split('/')
        .filter(|c| *c != "mod")
        .map(String::from)
        .collect()
}

/// The top-level module that `super::super::x` (`ups` times `super`) names
/// from a file at `path`, if the chain leaves the file's own top-level
/// module.
fn super_target(path: &[String], ups: usize, next: &str) -> Option<String> {
    (ups >= path.len()).then(|| next.to_string())
}

/// `(file, line number, the module used)` for every upward or unknown use
/// in `source`, a file of module `module` (`rel` its path under `src/`):
/// `crate::x` paths, and `super::` chains that climb out of the file's
/// top-level module (up to the file's unit tests, whose `super` is the
/// file itself).
fn violations(module: &str, file: &str, source: &str) -> Vec<String> {
    let own = rank(module).unwrap_or_else(|| panic!("{file}: module {module} has no layer"));
    let path = module_path(file);
    let mut out = vec![];
    let mut in_tests = false;
    for (n, line) in source.lines().enumerate() {
        if line.trim_start().starts_with("//") {
            continue;
        }
        in_tests |= line.trim_start().starts_with("#[cfg(test)]");
        let mut rest = line;
        while let Some(i) = rest.find("super::").filter(|_| !in_tests) {
            let mut ups = 0;
            while rest[i..].starts_with(&"super::".repeat(ups + 1)) {
                ups += 1;
            }
            rest = &rest[i + "super::".len() * ups..];
            let next: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '*' || *c == '{')
                .collect();
            if let Some(used) = super_target(&path, ups, &next) {
                if used != module && !rank(&used).is_some_and(|r| r < own) {
                    out.push(format!("{file}:{}: {module} uses super::{used}", n + 1));
                }
            }
        }
        let mut rest = line;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let used: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let ok = used == module || rank(&used).is_some_and(|r| r < own);
            if !ok {
                out.push(format!("{file}:{}: {module} uses crate::{used}", n + 1));
            }
        }
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn layers_import_only_downward() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    rust_files(&src, &mut files);
    let mut bad = vec![];
    let mut checked = 0;
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        // The binary's edge (main, cli) may use every layer; lib.rs lists them.
        if ["main", "cli", "lib"].contains(&module.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        bad.extend(violations(&module, &rel.display().to_string(), &text));
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} files found under src/");
    assert!(bad.is_empty(), "upward imports:\n{}", bad.join("\n"));
}

#[test]
fn every_module_of_lib_rs_has_a_layer() {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let mods: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    assert_eq!(mods.len(), LAYERS.len(), "{mods:?}");
    for m in mods {
        assert!(
            rank(m).is_some(),
            "src/lib.rs declares {m}, which has no layer here"
        );
    }
}

#[test]
fn an_upward_import_is_caught() {
    let v = violations(
        "engine",
        "engine/bmc.rs",
        "use crate::spec::Property;\n// crate::report in a comment\nuse crate::check::bmc::BmcPlan;\n",
    );
    assert_eq!(v, ["engine/bmc.rs:3: engine uses crate::check"]);
    assert!(violations(
        "symbolic",
        "x.rs",
        "fn f() { crate::symbolic::por::verify(p) }"
    )
    .is_empty());
}
