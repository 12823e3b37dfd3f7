//! Fails the build early, with instructions, when the system's Z3 library
//! is missing (the `z3` crate links to libz3 and would otherwise fail at the
//! very end with an obscure linker error).

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=Z3_SYS_Z3_HEADER");
    println!("cargo:rerun-if-env-changed=LIBRARY_PATH");
    println!("cargo:rerun-if-env-changed=SEMISYNC_SKIP_Z3_CHECK");
    if env::var_os("SEMISYNC_SKIP_Z3_CHECK").is_some() || env::var_os("Z3_SYS_Z3_HEADER").is_some()
    {
        return;
    }
    let mut dirs: Vec<PathBuf> = env::var("LIBRARY_PATH")
        .unwrap_or_default()
        .split(':')
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .collect();
    let triple = format!(
        "{}-linux-gnu",
        env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_else(|_| "x86_64".into())
    );
    for d in [
        "/usr/lib",
        "/usr/local/lib",
        "/usr/lib64",
        "/lib",
        "/opt/homebrew/lib",
    ] {
        dirs.push(PathBuf::from(d));
        dirs.push(PathBuf::from(d).join(&triple));
    }
    let names = ["libz3.so", "libz3.a", "libz3.dylib"];
    let found = dirs
        .iter()
        .any(|d| names.iter().any(|n| d.join(n).exists()));
    if !found {
        eprintln!(
            "\nerror: the Z3 library (libz3) was not found.\n\
             semisync-bmc links to the system's Z3. Install it with:\n\
             \n    sudo apt-get install -y libz3-dev      (Debian, Ubuntu)\
             \n    sudo dnf install z3-devel              (Fedora)\
             \n    brew install z3                        (macOS)\n\
             \nor point LIBRARY_PATH at the directory that holds libz3.so.\n\
             Searched: {}\n",
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        std::process::exit(1);
    }
}
