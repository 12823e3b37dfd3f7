//! `scripts/compare-bounds` against the real binary on a small grid.

use std::process::Command;

#[test]
fn compare_bounds_tabulates_a_grid_and_draws_a_png() {
    let out = std::env::temp_dir().join(format!("semisync-bmc-cb-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/compare-bounds");
    let o = Command::new("python3")
        .args([
            script,
            "--bmc",
            env!("CARGO_BIN_EXE_bmc"),
            "-j",
            "2",
            "--depth",
            "6",
        ])
        .args([
            "--log-offset-max",
            "2,20",
            "--replicas",
            "3,4",
            "--inv",
            "TypeOK",
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("python3 runs the script");
    let md = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{md}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 4, "{csv}");
    // LogOffset 0..2 is left at depth 5 whatever the replica count; 0..20 is not.
    assert_eq!(
        rows.iter()
            .filter(|r| r.contains(",TypeOK,violated,5,"))
            .count(),
        2,
        "{csv}"
    );
    assert_eq!(
        rows.iter()
            .filter(|r| r.contains(",TypeOK,holds_up_to,6,"))
            .count(),
        2,
        "{csv}"
    );
    assert!(md.contains("violated@5"), "{md}");
    let png = std::fs::read(out.join("plot.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}

/// Predicates and `--reach` sweep like any property: a named predicate is
/// a column under its name, a witness is `reached@K`.
#[test]
fn compare_bounds_sweeps_user_predicates() {
    let out = std::env::temp_dir().join(format!("semisync-bmc-cb2-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/compare-bounds");
    let o = Command::new("python3")
        .arg(script)
        .args([
            "--bmc",
            env!("CARGO_BIN_EXE_bmc"),
            "--depth",
            "8",
            "--max-req",
            "1,4",
        ])
        .args([
            "--inv",
            r"Two == \A c \in Client : Len(client_success[c]) < 2",
        ])
        .args([
            "--reach",
            r#"Wait == zk_status = "WaitReplicaLog""#,
            "--out",
        ])
        .arg(&out)
        .output()
        .expect("python3 runs the script");
    let md = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{md}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    // One request cannot give two successes; four can, at depth 6.
    assert!(csv.contains(",Two,holds_up_to,8,"), "{csv}");
    assert!(csv.contains(",Two,violated,6,"), "{csv}");
    assert_eq!(csv.matches(",Wait,reached,7,").count(), 2, "{csv}");
    assert!(
        md.contains("| Two | Wait |") && md.contains("reached@7"),
        "{md}"
    );
}
