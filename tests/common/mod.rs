//! Shared test support: a small deterministic generator of well-formed
//! states, and the configurations the tests use.
#![allow(dead_code)]

use semisync_bmc::params::{Params, REQ_BASE};
use semisync_bmc::spec::{DbStatus, HealerStatus, State, ZkStatus};
use std::process::{Command, Output};

/// Runs the `bmc` binary built for these tests.
pub fn bmc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bmc"))
        .args(args)
        .output()
        .expect("run bmc")
}

/// The small configuration of many tests (11,760 reachable states).
pub const SMALL: [&str; 6] = [
    "--clients",
    "1",
    "--max-req",
    "1",
    "--max-leader-changes",
    "2",
];

/// The parameters of `SMALL`.
pub fn small() -> Params {
    Params {
        clients: 1,
        max_req: 1,
        max_leader_changes: 2,
        ..Params::default()
    }
}

/// A fresh scratch directory for one test (`tag` tells them apart).
pub fn scratch_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("semisync-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// xorshift64*: deterministic, no dependency.
pub struct Rng(u64);
impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `0..=hi`.
    pub fn upto(&mut self, hi: u64) -> u64 {
        self.next() % (hi + 1)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.next() % den < num
    }
}

/// A random state that is well formed (what `TypeOK`-shaped states of the
/// spec look like, with the invariants the interpreter relies on: `pending`
/// and `pending_db` are nil together, `zk_catchup_index` is set while
/// `zk_status = "WaitReplicaLog"`, sequences no longer than the requests
/// issued) but otherwise arbitrary: most are unreachable. Small value ranges
/// make ties, empty logs, nil fields and frozen replicas common.
pub fn random_state(p: &Params, rng: &mut Rng) -> State {
    let (nr, nc, m) = (p.replicas, p.clients, p.max_req as u64);
    let issued = rng.upto(m);
    let small = |rng: &mut Rng| rng.upto(issued.min(3)) as u32;
    let epoch = |rng: &mut Rng| 1 + rng.upto(5) as u32;
    let zk_status = ZkStatus::ALL[rng.below(3)];
    let log = |rng: &mut Rng, max_len: u64| -> Vec<u32> {
        let n = rng.upto(max_len);
        (0..n)
            .map(|_| REQ_BASE + 1 + rng.upto(m.max(1) - 1) as u32)
            .collect()
    };
    let mut s = State {
        zk_leader: rng.below(nr),
        zk_epoch: epoch(rng),
        zk_leader_epoch: 1 + rng.upto(p.max_leader_changes as u64 - 1) as u32,
        zk_status,
        old_leaders: (0..nr).map(|_| rng.chance(1, 3)).collect(),
        zk_catchup_index: if zk_status == ZkStatus::WaitReplicaLog || rng.chance(1, 2) {
            Some(small(rng))
        } else {
            None
        },
        db: (0..nr).map(|_| log(rng, issued)).collect(),
        db_leader: (0..nr).map(|_| rng.below(nr)).collect(),
        db_replicated: (0..nr)
            .map(|_| (0..nr).map(|_| small(rng)).collect())
            .collect(),
        db_epoch: (0..nr).map(|_| epoch(rng) - 1).collect(),
        db_status: (0..nr).map(|_| DbStatus::ALL[rng.below(3)]).collect(),
        next_req: REQ_BASE + issued as u32,
        client_leader: (0..nc).map(|_| rng.below(nr)).collect(),
        client_success: (0..nc).map(|_| log(rng, issued.min(m - 1))).collect(),
        pending: vec![None; nc],
        pending_db: vec![None; nc],
        client_leader_epoch: (0..nc)
            .map(|_| rng.upto(p.max_leader_changes as u64) as u32)
            .collect(),
        healer_status: HealerStatus::ALL[rng.below(3)],
        healer_epoch: epoch(rng) - 1,
        healer_replicas: (0..nr)
            .map(|_| {
                if rng.chance(1, 3) {
                    None
                } else {
                    Some(small(rng))
                }
            })
            .collect(),
    };
    for c in 0..nc {
        if issued > 0 && rng.chance(1, 2) {
            // Often a request that sits in its leader's log, so that
            // DBResponse is enabled.
            let ld = rng.below(nr);
            let req = match s.db[ld].last() {
                Some(&x) if rng.chance(2, 3) => x,
                _ => REQ_BASE + 1 + rng.upto(issued - 1) as u32,
            };
            s.pending[c] = Some(req);
            s.pending_db[c] = Some(ld);
        }
    }
    s
}

/// Parameter sets of different shapes for the differential tests.
pub fn shapes() -> Vec<Params> {
    let d = Params::default();
    vec![
        d.clone(),
        Params {
            clients: 1,
            replicas: 4,
            replication_factor: 3,
            max_req: 2,
            ..d.clone()
        },
        Params {
            clients: 1,
            replicas: 2,
            replication_factor: 1,
            max_req: 2,
            max_leader_changes: 2,
            ..d.clone()
        },
        Params {
            clients: 3,
            replicas: 4,
            max_req: 3,
            epoch_max: 3,
            log_offset_max: 1,
            ..d.clone()
        },
        Params {
            clients: 2,
            replicas: 5,
            replication_factor: 3,
            max_req: 1,
            ..d
        },
    ]
}
