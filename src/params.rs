//! The spec's parameters and bounds, their validation, and the bit widths
//! they imply for the symbolic encoding and the packed explicit states.

use crate::error::{Error, Result};

/// Parameters of one model-checking run: the constants of `SemiSync.tla`
/// that the spec fixes (`max_next_req`, ...) made adjustable, and the upper
/// ends of the bounded ranges `Epoch` and `LogOffset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    /// |Client|
    pub clients: usize,
    /// |Replica|
    pub replicas: usize,
    /// `max_next_req`: requests are 61 .. 60 + max_req.
    pub max_req: u32,
    /// `max_change_leader`: highest `zk_leader_epoch`.
    pub max_leader_changes: u32,
    /// `replication_factor`: quorum size.
    pub replication_factor: usize,
    /// Upper end of `Epoch == 0..epoch_max`.
    pub epoch_max: u32,
    /// Upper end of `LogOffset == 0..log_offset_max`.
    pub log_offset_max: u32,
}

/// The first request number minus one: `ReqSet == 60..(60 + max_next_req)`.
pub const REQ_BASE: u32 = 60;
/// The upper end of `zk_epoch`'s range in `TypeOK` (`1..30`).
pub const ZK_EPOCH_TYPE_MAX: u32 = 30;
/// Largest values accepted on the command line; they keep every field well
/// inside 64 bits and the trace names short.
pub const MAX_REPLICAS: usize = 16;
pub const MAX_CLIENTS: usize = 16;
pub const MAX_REQ: u32 = 60;
pub const MAX_LEADER_CHANGES: u32 = 60;
pub const MAX_BOUND: u32 = 1000;

impl Default for Params {
    /// The standard configuration of `MC.cfg` and `SemiSync.tla`.
    fn default() -> Self {
        Params {
            clients: 2,
            replicas: 3,
            max_req: 4,
            max_leader_changes: 4,
            replication_factor: 2,
            epoch_max: 20,
            log_offset_max: 20,
        }
    }
}

/// The model value of replica `r` (0-based): `r1`, `r2`, ...
pub fn replica_name(r: usize) -> String {
    format!("r{}", r + 1)
}
/// The model value of client `c` (0-based): `c1`, `c2`, ...
pub fn client_name(c: usize) -> String {
    format!("c{}", c + 1)
}
/// `{a, b}` in TLA+ syntax.
pub fn set_of(items: &[String]) -> String {
    format!("{{{}}}", items.join(", "))
}

/// Number of bits needed to represent every value in `0..=max`.
pub fn bits_for(max: u64) -> u32 {
    (64 - max.leading_zeros()).max(1)
}

impl Params {
    /// Rejects combinations that the spec cannot start from or that make no
    /// sense, with a message that names the option.
    pub fn validate(&self) -> Result<()> {
        let err = |m: String| Err(Error::Usage(m));
        if self.replicas == 0 || self.replicas > MAX_REPLICAS {
            return err(format!(
                "--replicas must be between 1 and {MAX_REPLICAS}, got {}",
                self.replicas
            ));
        }
        if self.clients == 0 || self.clients > MAX_CLIENTS {
            return err(format!(
                "--clients must be between 1 and {MAX_CLIENTS}, got {}",
                self.clients
            ));
        }
        if self.replication_factor == 0 || self.replication_factor > self.replicas {
            return err(format!(
                "--replication-factor must be between 1 and the number of replicas ({}), got {}: \
                 a quorum is a set of exactly replication_factor replicas",
                self.replicas, self.replication_factor
            ));
        }
        if self.max_req == 0 || self.max_req > MAX_REQ {
            return err(format!(
                "--max-req must be between 1 and {MAX_REQ}, got {}",
                self.max_req
            ));
        }
        if self.max_leader_changes == 0 || self.max_leader_changes > MAX_LEADER_CHANGES {
            return err(format!(
                "--max-leader-changes must be between 1 and {MAX_LEADER_CHANGES}, got {}: \
                 the initial zk_leader_epoch = 1 must lie in 1..max_change_leader",
                self.max_leader_changes
            ));
        }
        if self.epoch_max == 0 || self.epoch_max > MAX_BOUND {
            return err(format!(
                "--epoch-max must be between 1 and {MAX_BOUND}, got {}: \
                 the initial db_epoch, client_leader_epoch and healer_epoch are 1",
                self.epoch_max
            ));
        }
        if self.log_offset_max > MAX_BOUND {
            return err(format!(
                "--log-offset-max must be at most {MAX_BOUND}, got {}",
                self.log_offset_max
            ));
        }
        Ok(())
    }

    /// The highest `zk_epoch` any run can reach: each leader change adds at
    /// most three (`ReadyToChangeZKLeader`, `HealerUpdateLeader`,
    /// `HealerUpdateToNormal`) and there are at most `max_change_leader - 1`.
    pub fn natural_epoch_max(&self) -> u32 {
        1 + 3 * (self.max_leader_changes - 1)
    }

    /// Capacity of every sequence (`db[r]`, `client_success[c]`). A log is
    /// strictly increasing (requests are appended in the order they are
    /// issued, and `Replicate` copies a prefix of its leader's log), so it
    /// never holds more than `max_next_req` entries; each request succeeds
    /// at most once, so neither does `client_success[c]`. (An earlier
    /// comment here said each request sits at one fixed position; that is
    /// false: after a failover a new, shorter leader log takes new requests
    /// at positions an old leader used.) `--prove` does not rely on this
    /// argument: it proves `CapOk` (no action is ever disabled by the
    /// capacity) as part of every proof, and checks it in the base case.
    pub fn seq_cap(&self) -> usize {
        self.max_req as usize
    }

    /// Width of a replica id.
    pub fn w_replica(&self) -> u32 {
        bits_for(self.replicas as u64 - 1)
    }
    /// Width of a request number, stored as `value - 60`.
    pub fn w_req(&self) -> u32 {
        bits_for(self.max_req as u64 + 1)
    }
    /// Width of every epoch-like number: wide enough for its declared range,
    /// for every reachable value and one more, so that a value leaving the
    /// declared range is seen as a `TypeOK` violation and never wraps.
    pub fn w_epoch(&self) -> u32 {
        let m = ZK_EPOCH_TYPE_MAX
            .max(self.epoch_max)
            .max(self.natural_epoch_max())
            .max(self.max_leader_changes);
        bits_for(m as u64 + 1)
    }
    /// Width of log lengths and offsets.
    pub fn w_offset(&self) -> u32 {
        bits_for(self.log_offset_max.max(self.max_req) as u64 + 1)
    }

    /// Every quorum: the subsets of `Replica` of size `replication_factor`,
    /// as sorted replica indices.
    pub fn quorums(&self) -> Vec<Vec<usize>> {
        use itertools::Itertools;
        (0..self.replicas)
            .combinations(self.replication_factor)
            .collect()
    }

    /// One line naming the parameters, as TLC names constants.
    pub fn describe(&self) -> String {
        format!(
            "Client = {}, Replica = {}, max_next_req = {}, max_change_leader = {}, \
             replication_factor = {}, Epoch = 0..{}, LogOffset = 0..{}",
            set_of(&(0..self.clients).map(client_name).collect::<Vec<_>>()),
            set_of(&(0..self.replicas).map(replica_name).collect::<Vec<_>>()),
            self.max_req,
            self.max_leader_changes,
            self.replication_factor,
            self.epoch_max,
            self.log_offset_max
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_configuration_is_valid_and_narrow() {
        let p = Params::default();
        assert!(p.validate().is_ok());
        assert_eq!(p.w_replica(), 2);
        assert_eq!(p.w_req(), 3);
        assert_eq!(p.w_epoch(), 5);
        assert_eq!(p.w_offset(), 5);
        assert_eq!(p.quorums().len(), 3);
        assert_eq!(p.natural_epoch_max(), 10);
    }

    #[test]
    fn impossible_values_are_rejected() {
        let bad = [
            Params {
                replicas: 0,
                ..Params::default()
            },
            Params {
                clients: 0,
                ..Params::default()
            },
            Params {
                replication_factor: 4,
                ..Params::default()
            },
            Params {
                replication_factor: 0,
                ..Params::default()
            },
            Params {
                epoch_max: 0,
                ..Params::default()
            },
            Params {
                max_leader_changes: 0,
                ..Params::default()
            },
            Params {
                max_req: 0,
                ..Params::default()
            },
        ];
        for p in bad {
            assert!(p.validate().is_err(), "{p:?} accepted");
        }
    }

    #[test]
    fn bits_for_counts_exactly() {
        assert_eq!(bits_for(0), 1);
        assert_eq!(bits_for(1), 1);
        assert_eq!(bits_for(2), 2);
        assert_eq!(bits_for(31), 5);
        assert_eq!(bits_for(32), 6);
    }
}
