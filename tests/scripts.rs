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
