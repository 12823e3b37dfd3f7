//! Distinct packed states with their breadth-first parent links, and the
//! packing to a canonical representative under symmetry.
//!
//! States are packed into `Layout::words()` machine words and kept in one
//! flat arena; the seen-set is an open-addressing table of `u32` indices into
//! that arena, so a state costs its packed words plus a few bytes of parent
//! link and table slot. With `symmetry`, each state is replaced by the least
//! packed form among its images under every permutation of replicas and of
//! clients (the spec's `Perms`, extended to clients).

use crate::layout::Layout;
use crate::params::Params;
use crate::spec::{DbStatus, State};
use itertools::Itertools;

const EMPTY: u32 = u32::MAX;

/// Distinct packed states with their BFS parent links.
pub struct StateStore {
    words: usize,
    arena: Vec<u64>,
    parent: Vec<u32>,
    table: Vec<u32>,
}

fn hash_words(w: &[u64]) -> u64 {
    let mut h: u64 = 0x9E37_79B9_7F4A_7C15;
    for &x in w {
        h = (h ^ x).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        h ^= h >> 32;
    }
    h
}

impl StateStore {
    pub fn new(words: usize) -> StateStore {
        StateStore {
            words,
            arena: vec![],
            parent: vec![],
            table: vec![EMPTY; 1 << 12],
        }
    }
    pub fn len(&self) -> usize {
        self.parent.len()
    }
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }
    pub fn get(&self, i: u32) -> &[u64] {
        let i = i as usize * self.words;
        &self.arena[i..i + self.words]
    }
    pub fn parent(&self, i: u32) -> Option<u32> {
        Some(self.parent[i as usize]).filter(|&p| p != EMPTY)
    }
    fn grow(&mut self) {
        let mut t = vec![EMPTY; self.table.len() * 2];
        let mask = t.len() - 1;
        for i in 0..self.len() as u32 {
            let mut h = hash_words(self.get(i)) as usize & mask;
            while t[h] != EMPTY {
                h = (h + 1) & mask;
            }
            t[h] = i;
        }
        self.table = t;
    }
    /// The index of `key`, if stored.
    pub fn find(&self, key: &[u64]) -> Option<u32> {
        let mask = self.table.len() - 1;
        let mut h = hash_words(key) as usize & mask;
        loop {
            let e = self.table[h];
            if e == EMPTY {
                return None;
            }
            if self.get(e) == key {
                return Some(e);
            }
            h = (h + 1) & mask;
        }
    }

    /// Inserts `key`; its index when new, `None` when already present.
    pub fn insert(&mut self, key: &[u64], parent: Option<u32>) -> Option<u32> {
        if (self.len() + 1) * 4 > self.table.len() * 3 {
            self.grow();
        }
        let mask = self.table.len() - 1;
        let mut h = hash_words(key) as usize & mask;
        loop {
            let e = self.table[h];
            if e == EMPTY {
                let i = self.len() as u32;
                self.table[h] = i;
                self.arena.extend_from_slice(key);
                self.parent.push(parent.unwrap_or(EMPTY));
                return Some(i);
            }
            if self.get(e) == key {
                return None;
            }
            h = (h + 1) & mask;
        }
    }
    /// Bytes held, for reports.
    pub fn bytes(&self) -> usize {
        self.arena.capacity() * 8 + self.parent.capacity() * 4 + self.table.capacity() * 4
    }
}

/// The image of `s` under a replica permutation `pr` and a client
/// permutation `pc` (`pr[r]` is the new id of replica `r`).
pub fn permute(s: &State, pr: &[usize], pc: &[usize]) -> State {
    let mut t = s.clone();
    t.zk_leader = pr[s.zk_leader];
    for (r, &nr) in pr.iter().enumerate() {
        t.old_leaders[nr] = s.old_leaders[r];
        t.db[nr] = s.db[r].clone();
        t.db_leader[nr] = pr[s.db_leader[r]];
        for (r1, &nr1) in pr.iter().enumerate() {
            t.db_replicated[nr][nr1] = s.db_replicated[r][r1];
        }
        t.db_epoch[nr] = s.db_epoch[r];
        t.db_status[nr] = s.db_status[r];
        t.healer_replicas[nr] = s.healer_replicas[r];
    }
    for c in 0..pc.len() {
        let nc = pc[c];
        t.client_leader[nc] = pr[s.client_leader[c]];
        t.client_success[nc] = s.client_success[c].clone();
        t.pending[nc] = s.pending[c];
        t.pending_db[nc] = s.pending_db[c].map(|r| pr[r]);
        t.client_leader_epoch[nc] = s.client_leader_epoch[c];
    }
    t
}

/// Packs states, optionally to a canonical representative under symmetry.
///
/// The representative is the least packed image of the state under the
/// permutations that sort replicas, and clients, by a signature that no
/// permutation changes (a replica's own log, epoch, status, ...; a client's
/// own fields and its leader's signature). States of one orbit have the same
/// set of such images, so the least one is canonical; and only permutations
/// within groups of equal signatures are tried, not all of them.
pub struct Canon {
    pub layout: Layout,
    symmetry: bool,
}

/// A replica's fields that do not name other replicas or clients.
type ReplicaSig = (
    bool,
    Vec<u32>,
    u32,
    DbStatus,
    Option<u32>,
    bool,
    bool,
    usize,
    usize,
    Vec<u32>,
    Vec<u32>,
);

fn replica_sig(s: &State, r: usize) -> ReplicaSig {
    let mut row: Vec<u32> = s.db_replicated[r].clone();
    row.sort_unstable();
    let mut col: Vec<u32> = s.db_replicated.iter().map(|row| row[r]).collect();
    col.sort_unstable();
    (
        s.old_leaders[r],
        s.db[r].clone(),
        s.db_epoch[r],
        s.db_status[r],
        s.healer_replicas[r],
        s.zk_leader == r,
        s.db_leader[r] == r,
        s.client_leader.iter().filter(|&&l| l == r).count(),
        s.pending_db.iter().filter(|&&l| l == Some(r)).count(),
        row,
        col,
    )
}

/// Every permutation that sends the ids sorted by `sig` to 0, 1, 2, ...,
/// ids of equal signature in every order: `perm[old id] = new id`.
fn sorting_perms<K: Ord>(sig: &[K]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..sig.len()).collect();
    order.sort_by(|&a, &b| sig[a].cmp(&sig[b]));
    let groups: Vec<Vec<usize>> = order
        .chunk_by(|&a, &b| sig[a] == sig[b])
        .map(|g| g.to_vec())
        .collect();
    let per_group: Vec<Vec<Vec<usize>>> = groups
        .iter()
        .map(|g| g.iter().copied().permutations(g.len()).collect())
        .collect();
    per_group
        .into_iter()
        .multi_cartesian_product()
        .map(|choice| {
            let mut perm = vec![0; sig.len()];
            for (new, old) in choice.into_iter().flatten().enumerate() {
                perm[old] = new;
            }
            perm
        })
        .collect()
}

impl Canon {
    pub fn new(p: &Params, symmetry: bool) -> Canon {
        Canon {
            layout: Layout::new(p),
            symmetry,
        }
    }

    pub fn key(&self, s: &State) -> Box<[u64]> {
        if !self.symmetry {
            return self.layout.pack(&self.layout.encode(s));
        }
        let rsig: Vec<ReplicaSig> = (0..s.db.len()).map(|r| replica_sig(s, r)).collect();
        let csig: Vec<_> = (0..s.pending.len())
            .map(|c| {
                (
                    s.client_success[c].clone(),
                    s.pending[c],
                    s.client_leader_epoch[c],
                    &rsig[s.client_leader[c]],
                    s.pending_db[c].map(|r| &rsig[r]),
                )
            })
            .collect();
        let cps = sorting_perms(&csig);
        sorting_perms(&rsig)
            .iter()
            .cartesian_product(cps.iter())
            .map(|(pr, pc)| self.layout.pack(&self.layout.encode(&permute(s, pr, pc))))
            .min()
            .unwrap()
    }

    pub fn state(&self, key: &[u64]) -> State {
        self.layout
            .decode(&self.layout.unpack(key))
            .expect("stored states decode")
    }
}
