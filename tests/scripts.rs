//! `scripts/compare-bounds` against the real binary: small grids on a
//! local Dask cluster of two worker processes and on a running cluster
//! (a scheduler and two workers started here), the results cache, and
//! what happens to failed, timed-out and foreign-binary runs.

mod common;

use common::scratch_dir;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/compare-bounds");

/// True when python3 has Dask distributed and matplotlib. Under CI they
/// must be there (`.ci/run` installs scripts/requirements.txt); elsewhere
/// the tests say on stderr that they are skipped.
fn have_python_libraries() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import distributed, matplotlib"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "python3 lacks dask[distributed] or matplotlib on this CI machine: \
                 .ci/run should have installed scripts/requirements.txt"
            );
        }
        eprintln!(
            "SKIPPED: the sweep tests need python3 -m pip install -r scripts/requirements.txt"
        );
    }
    ok
}

fn sweep(args: &[&str], out: &Path, cache: &Path) -> Output {
    Command::new("python3")
        .arg(SCRIPT)
        .args(["--bmc", env!("CARGO_BIN_EXE_bmc")])
        .args(args)
        .arg("--out")
        .arg(out)
        .arg("--cache")
        .arg(cache)
        .output()
        .expect("python3 runs the script")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n{}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// results.csv as one map per row (the script's own columns).
fn rows(out: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let o = Command::new("python3")
        .args([
            "-c",
            "import csv, json, sys; print(json.dumps(list(csv.DictReader(open(sys.argv[1])))))",
        ])
        .arg(out.join("results.csv"))
        .output()
        .expect("python3 reads the CSV");
    serde_json::from_slice(&o.stdout).expect("rows as JSON")
}

fn distinct(rows: &[std::collections::HashMap<String, String>], col: &str) -> usize {
    let mut v: Vec<&str> = rows.iter().map(|r| r[col].as_str()).collect();
    v.sort();
    v.dedup();
    v.len()
}

#[test]
fn compare_bounds_runs_a_grid_on_a_local_cluster_of_two_workers() {
    if !have_python_libraries() {
        return;
    }
    let dir = scratch_dir("cb-local");
    let (out, cache) = (dir.join("out"), dir.join("cache"));
    let args = [
        "-j",
        "2",
        "--depth",
        "6",
        "--log-offset-max",
        "2,20",
        "--replicas",
        "3,4",
        "--inv",
        "TypeOK",
    ];
    let o = sweep(&args, &out, &cache);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("local Dask cluster of 2 worker"),
        "{}",
        text(&o)
    );
    let r = rows(&out);
    assert_eq!(r.len(), 4, "{r:?}");
    // LogOffset 0..2 is left at depth 5 whatever the replica count; 0..20 is not.
    let verdicts: Vec<(&str, &str)> = r
        .iter()
        .map(|x| (x["verdict"].as_str(), x["depth"].as_str()))
        .collect();
    assert_eq!(
        verdicts,
        [
            ("violated", "5"),
            ("holds_up_to", "6"),
            ("violated", "5"),
            ("holds_up_to", "6")
        ]
    );
    assert_eq!(distinct(&r, "worker"), 2, "both workers ran: {r:?}");
    assert!(r.iter().all(|x| x["cached"].is_empty()));
    assert!(r.iter().all(|x| x["peak_mib"].parse::<u32>().unwrap() > 1));
    let md = String::from_utf8_lossy(&o.stdout);
    assert!(md.contains("violated@5"), "{md}");
    let png = std::fs::read(out.join("plot.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let svg = std::fs::read_to_string(out.join("plot.svg")).unwrap();
    assert!(svg.contains("<svg") && svg.contains("depth"), "an SVG plot");

    // The same sweep again: nothing runs, every row comes from the cache.
    let again = sweep(&args, &out, &cache);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("nothing to run (4 from the cache)"),
        "{}",
        text(&again)
    );
    let r2 = rows(&out);
    assert!(r2.iter().all(|x| x["cached"] == "yes"), "{r2:?}");
    let strip = |rs: &[std::collections::HashMap<String, String>]| {
        rs.iter()
            .map(|x| {
                (
                    x["verdict"].clone(),
                    x["depth"].clone(),
                    x["detail"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&r), strip(&r2));
}

/// Predicates and `--reach` sweep like any property: a named predicate is
/// a column under its name, a witness is `reached@K`; `-q` leaves only
/// the closing summary on stderr.
#[test]
fn compare_bounds_sweeps_user_predicates() {
    if !have_python_libraries() {
        return;
    }
    let dir = scratch_dir("cb-pred");
    let args = [
        "--depth",
        "8",
        "--max-req",
        "1,4",
        "--inv",
        r"Two == \A c \in Client : Len(client_success[c]) < 2",
        "--reach",
        r#"Wait == zk_status = "WaitReplicaLog""#,
        "--no-cache",
        "-q",
    ];
    let o = sweep(&args, &dir.join("out"), &dir.join("cache"));
    let md = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let csv = std::fs::read_to_string(dir.join("out/results.csv")).unwrap();
    // One request cannot give two successes; four can, at depth 6.
    assert!(csv.contains(",Two,holds_up_to,8,"), "{csv}");
    assert!(csv.contains(",Two,violated,6,"), "{csv}");
    assert_eq!(csv.matches(",Wait,reached,7,").count(), 2, "{csv}");
    assert!(
        md.contains("| Two | Wait |") && md.contains("reached@7"),
        "{md}"
    );
    assert!(!dir.join("cache").exists(), "--no-cache writes no cache");
    // -q: no progress, only the closing summary.
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("[1/2]") && !err.contains("running"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// Every file under `dir` with its size (for failure messages).
fn listing(dir: &Path) -> String {
    let mut out = String::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let len = e.metadata().map(|m| m.len()).unwrap_or(0);
                out += &format!("{} ({len} bytes)\n", p.display());
            }
        }
    }
    out
}

/// A scheduler and two workers, killed when dropped.
struct Cluster {
    procs: Vec<Child>,
    file: PathBuf,
}

impl Cluster {
    fn start(dir: &Path) -> Cluster {
        let file = dir.join("scheduler.json");
        let spawn = |args: &[&str], log: &str| {
            Command::new("python3")
                .args(args)
                .arg("--scheduler-file")
                .arg(&file)
                .args(["--no-dashboard"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(dir.join(log)).unwrap())
                .spawn()
                .expect("python3 starts a Dask process")
        };
        let mut c = Cluster {
            procs: vec![spawn(
                &["-m", "distributed.cli.dask_scheduler", "--port", "0"],
                "scheduler.log",
            )],
            file: file.clone(),
        };
        let t0 = Instant::now();
        while !file.exists() {
            assert!(t0.elapsed() < Duration::from_secs(60), "no scheduler file");
            std::thread::sleep(Duration::from_millis(100));
        }
        for i in 0..2 {
            c.procs.push(spawn(
                &["-m", "distributed.cli.dask_worker", "--nthreads", "1"],
                &format!("worker{i}.log"),
            ));
        }
        // Wait until both workers have registered.
        let probe = "import sys\nfrom distributed import Client\n\
                     c = Client(scheduler_file=sys.argv[1], timeout='30s')\n\
                     c.wait_for_workers(2, timeout=60)\nprint(len(c.scheduler_info()['workers']))";
        let o = Command::new("python3")
            .args(["-c", probe])
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&o.stdout).trim(),
            "2",
            "{}",
            text(&o)
        );
        c
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for p in self.procs.iter_mut().rev() {
            let _ = p.kill();
            let _ = p.wait();
        }
    }
}

/// `--cluster` submits to a running cluster: results from both workers,
/// a failed run and a timed-out run reported as such (never dropped, never
/// cached, run again next time), a worker with another build refused.
#[test]
fn compare_bounds_on_a_running_cluster_with_failures_and_the_cache() {
    if !have_python_libraries() {
        return;
    }
    let dir = scratch_dir("cb-cluster");
    let cluster = Cluster::start(&dir);
    let (out, cache) = (dir.join("out"), dir.join("cache"));
    let sched = cluster.file.to_str().unwrap();
    let args = [
        "--cluster",
        sched,
        "--job-timeout",
        "8",
        "--config",
        "bad: --clients 0",
        "--config",
        "slow: --depth 60 --inv Consistent --no-invariant",
        "--config",
        "r3: --depth 5 --inv Inv",
        "--config",
        "r4: --replicas 4 --depth 10 --inv Consistent",
    ];
    let o = sweep(&args, &out, &cache);
    // An errored run makes the sweep exit 1, after writing every table.
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("(2 workers)"),
        "{}",
        text(&o)
    );
    let r = rows(&out);
    let by = |name: &str| r.iter().find(|x| x["name"] == name).unwrap();
    assert_eq!(by("bad")["verdict"], "error");
    assert!(by("bad")["error"].contains("--clients"), "{r:?}");
    assert_eq!(by("slow")["verdict"], "timeout");
    assert!(by("slow")["error"].contains("--job-timeout 8"), "{r:?}");
    assert_eq!(
        (by("r3")["verdict"].as_str(), by("r3")["depth"].as_str()),
        ("holds_up_to", "5")
    );
    // The 4-replica lost write, at its known depth.
    assert_eq!(
        (by("r4")["verdict"].as_str(), by("r4")["depth"].as_str()),
        ("violated", "10")
    );
    assert_eq!(distinct(&r, "worker"), 2, "both workers ran: {r:?}");
    let md = std::fs::read_to_string(out.join("results.md")).unwrap();
    assert!(
        md.contains("TIMEOUT: killed after --job-timeout 8 s"),
        "{md}"
    );

    // Again: the two finished runs come from the cache, the error and the
    // timeout run again.
    let again = sweep(&args, &out, &cache);
    assert_eq!(again.status.code(), Some(1), "{}", text(&again));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("2 run(s) of") && err.contains("2 from the cache"),
        "{err}\n--- the first sweep ---\n{}\n--- the cache ---\n{}",
        text(&o),
        listing(&cache)
    );
    let r2 = rows(&out);
    let cached: Vec<&str> = r2
        .iter()
        .filter(|x| x["cached"] == "yes")
        .map(|x| x["name"].as_str())
        .collect();
    assert_eq!(cached, ["r3", "r4"], "{r2:?}");

    // A worker whose binary is another build gives an error row.
    let other = dir.join("bmc-other");
    let mut bytes = std::fs::read(env!("CARGO_BIN_EXE_bmc")).unwrap();
    bytes.extend_from_slice(b"another build");
    std::fs::write(&other, bytes).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o755)).unwrap();
    let foreign = sweep(
        &[
            "--cluster",
            sched,
            "--worker-bmc",
            other.to_str().unwrap(),
            "--no-cache",
            "--config",
            "r3: --depth 3",
        ],
        &dir.join("out-foreign"),
        &cache,
    );
    assert_eq!(foreign.status.code(), Some(1), "{}", text(&foreign));
    let rf = rows(&dir.join("out-foreign"));
    assert!(
        rf.iter()
            .all(|x| x["verdict"] == "error" && x["error"].contains("another bmc build")),
        "{rf:?}"
    );
    drop(cluster);
}
