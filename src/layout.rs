//! The state as a flat list of fixed-width unsigned slots.
//!
//! One layout serves both engines: the symbolic engine has one Z3 bit-vector
//! per slot and step, the explicit engine packs the slot values into a few
//! machine words. The mapping is a bijection between concrete states (within
//! the widths) and canonical slot vectors: `nil` is a flag slot set to 1 with
//! its value slot 0, and sequence entries past the length are 0.

use crate::params::{Params, REQ_BASE};
use crate::spec::{DbStatus, HealerStatus, State, ZkStatus};

#[derive(Clone, Debug)]
pub struct Slot {
    /// A name that is also a valid SMT-LIB2 symbol (`db_1_2`, `pending_nil_1`).
    pub name: String,
    pub width: u32,
}

/// Slot indices of every state component.
#[derive(Clone, Debug)]
pub struct Layout {
    pub slots: Vec<Slot>,
    pub zk_leader: usize,
    pub zk_epoch: usize,
    pub zk_leader_epoch: usize,
    pub zk_status: usize,
    pub old_leaders: Vec<usize>,
    pub catchup_nil: usize,
    pub catchup: usize,
    pub db_len: Vec<usize>,
    /// `db_ent[r][j]`: position `j + 1` of `db[r]`, as `value - 60`.
    pub db_ent: Vec<Vec<usize>>,
    pub db_leader: Vec<usize>,
    pub db_repl: Vec<Vec<usize>>,
    pub db_epoch: Vec<usize>,
    pub db_status: Vec<usize>,
    /// `next_req - 60`
    pub next_req: usize,
    pub client_leader: Vec<usize>,
    pub cs_len: Vec<usize>,
    pub cs_ent: Vec<Vec<usize>>,
    pub pending_nil: Vec<usize>,
    pub pending: Vec<usize>,
    pub pending_db_nil: Vec<usize>,
    pub pending_db: Vec<usize>,
    pub cle: Vec<usize>,
    pub healer_status: usize,
    pub healer_epoch: usize,
    pub hr_nil: Vec<usize>,
    pub hr: Vec<usize>,
    /// Where each slot's bits start in the packed form (slot after slot).
    pub offsets: Vec<u32>,
    pub total_bits: u32,
    /// Where each slot's bits start in the grouped form: a replica's slots
    /// together, then a client's, then the rest, each group from a word
    /// boundary, so that equal replicas and clients pack to equal words
    /// (the explicit engine's tree store shares them; `regroup`).
    pub group_offsets: Vec<u32>,
    /// The word at which each group of the grouped form starts, in order.
    pub group_words: Vec<usize>,
    /// Words of the grouped form.
    pub grouped_len: usize,
}

struct Builder {
    slots: Vec<Slot>,
}
impl Builder {
    fn one(&mut self, name: String, width: u32) -> usize {
        self.slots.push(Slot { name, width });
        self.slots.len() - 1
    }
    fn many(&mut self, n: usize, name: &str, width: u32) -> Vec<usize> {
        (0..n)
            .map(|i| self.one(format!("{name}_{}", i + 1), width))
            .collect()
    }
    fn grid(&mut self, n: usize, m: usize, name: &str, width: u32) -> Vec<Vec<usize>> {
        (0..n)
            .map(|i| {
                (0..m)
                    .map(|j| self.one(format!("{name}_{}_{}", i + 1, j + 1), width))
                    .collect()
            })
            .collect()
    }
}

impl Layout {
    pub fn new(p: &Params) -> Layout {
        let (nr, nc, cap) = (p.replicas, p.clients, p.seq_cap());
        let (wr, wq, we, wo) = (p.w_replica(), p.w_req(), p.w_epoch(), p.w_offset());
        let mut b = Builder { slots: vec![] };
        let zk_leader = b.one("zk_leader".into(), wr);
        let zk_epoch = b.one("zk_epoch".into(), we);
        let zk_leader_epoch = b.one("zk_leader_epoch".into(), we);
        let zk_status = b.one("zk_status".into(), 2);
        let old_leaders = b.many(nr, "old_leaders", 1);
        let catchup_nil = b.one("zk_catchup_index_nil".into(), 1);
        let catchup = b.one("zk_catchup_index".into(), wo);
        let db_len = b.many(nr, "db_len", wo);
        let db_ent = b.grid(nr, cap, "db", wq);
        let db_leader = b.many(nr, "db_leader", wr);
        let db_repl = b.grid(nr, nr, "db_replicated", wo);
        let db_epoch = b.many(nr, "db_epoch", we);
        let db_status = b.many(nr, "db_status", 2);
        let next_req = b.one("next_req".into(), wq);
        let client_leader = b.many(nc, "client_leader", wr);
        let cs_len = b.many(nc, "client_success_len", wo);
        let cs_ent = b.grid(nc, cap, "client_success", wq);
        let pending_nil = b.many(nc, "pending_nil", 1);
        let pending = b.many(nc, "pending", wq);
        let pending_db_nil = b.many(nc, "pending_db_nil", 1);
        let pending_db = b.many(nc, "pending_db", wr);
        let cle = b.many(nc, "client_leader_epoch", we);
        let healer_status = b.one("healer_status".into(), 2);
        let healer_epoch = b.one("healer_epoch".into(), we);
        let hr_nil = b.many(nr, "healer_replicas_nil", 1);
        let hr = b.many(nr, "healer_replicas", wo);
        // Packing groups: each replica's slots, each client's, the rest.
        let mut groups: Vec<Vec<usize>> = (0..nr)
            .map(|r| {
                let mut g = vec![old_leaders[r], db_len[r]];
                g.extend(&db_ent[r]);
                g.push(db_leader[r]);
                g.extend(&db_repl[r]);
                g.extend([db_epoch[r], db_status[r], hr_nil[r], hr[r]]);
                g
            })
            .collect();
        groups.extend((0..nc).map(|c| {
            let mut g = vec![client_leader[c], cs_len[c]];
            g.extend(&cs_ent[c]);
            g.extend([
                pending_nil[c],
                pending[c],
                pending_db_nil[c],
                pending_db[c],
                cle[c],
            ]);
            g
        }));
        let mut grouped = vec![false; b.slots.len()];
        groups.iter().flatten().for_each(|&i| grouped[i] = true);
        groups.push((0..b.slots.len()).filter(|&i| !grouped[i]).collect());
        let mut group_offsets = vec![u32::MAX; b.slots.len()];
        let (mut end, mut group_words) = (0u32, vec![]);
        for g in &groups {
            end = end.div_ceil(64) * 64;
            group_words.push(end as usize / 64);
            for &i in g {
                group_offsets[i] = end;
                end += b.slots[i].width;
            }
        }
        debug_assert!(
            group_offsets.iter().all(|&o| o != u32::MAX),
            "every slot grouped once"
        );
        let grouped_len = (end as usize).div_ceil(64).max(1);
        let mut offsets = Vec::with_capacity(b.slots.len());
        let mut total = 0;
        for s in &b.slots {
            offsets.push(total);
            total += s.width;
        }
        Layout {
            slots: b.slots,
            zk_leader,
            zk_epoch,
            zk_leader_epoch,
            zk_status,
            old_leaders,
            catchup_nil,
            catchup,
            db_len,
            db_ent,
            db_leader,
            db_repl,
            db_epoch,
            db_status,
            next_req,
            client_leader,
            cs_len,
            cs_ent,
            pending_nil,
            pending,
            pending_db_nil,
            pending_db,
            cle,
            healer_status,
            healer_epoch,
            hr_nil,
            hr,
            offsets,
            total_bits: total,
            group_offsets,
            group_words,
            grouped_len,
        }
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Whether every component of `s` fits its slot (so `encode` is exact).
    pub fn fits(&self, p: &Params, s: &State) -> bool {
        let max = |slot: usize| -> u64 { (1u64 << self.slots[slot].width) - 1 };
        let req_ok = |x: u32| x >= REQ_BASE && ((x - REQ_BASE) as u64) <= max(self.next_req);
        let cap = p.seq_cap();
        req_ok(s.next_req)
            && s.zk_epoch as u64 <= max(self.zk_epoch)
            && s.zk_leader_epoch as u64 <= max(self.zk_leader_epoch)
            && s.zk_catchup_index
                .is_none_or(|x| x as u64 <= max(self.catchup))
            && s.db
                .iter()
                .all(|l| l.len() <= cap && l.iter().all(|&x| req_ok(x)))
            && s.db_replicated
                .iter()
                .flatten()
                .all(|&x| x as u64 <= max(self.catchup))
            && s.db_epoch.iter().all(|&x| x as u64 <= max(self.zk_epoch))
            && s.client_success
                .iter()
                .all(|l| l.len() <= cap && l.iter().all(|&x| req_ok(x)))
            && s.pending.iter().all(|x| x.is_none_or(req_ok))
            && s.client_leader_epoch
                .iter()
                .all(|&x| x as u64 <= max(self.zk_epoch))
            && s.healer_epoch as u64 <= max(self.zk_epoch)
            && s.healer_replicas
                .iter()
                .all(|x| x.is_none_or(|x| x as u64 <= max(self.catchup)))
    }

    /// The canonical slot values of a concrete state. The state must fit
    /// (see `fits`).
    pub fn encode(&self, s: &State) -> Vec<u64> {
        let mut v = vec![];
        self.encode_into(s, &mut v);
        v
    }

    /// `encode` into `v` (its allocation reused).
    pub fn encode_into(&self, s: &State, v: &mut Vec<u64>) {
        v.clear();
        v.resize(self.len(), 0);
        let req = |x: u32| (x - REQ_BASE) as u64;
        v[self.zk_leader] = s.zk_leader as u64;
        v[self.zk_epoch] = s.zk_epoch as u64;
        v[self.zk_leader_epoch] = s.zk_leader_epoch as u64;
        v[self.zk_status] = s.zk_status as u64;
        for (r, &o) in s.old_leaders.iter().enumerate() {
            v[self.old_leaders[r]] = o as u64;
        }
        match s.zk_catchup_index {
            None => v[self.catchup_nil] = 1,
            Some(x) => v[self.catchup] = x as u64,
        }
        for (r, log) in s.db.iter().enumerate() {
            v[self.db_len[r]] = log.len() as u64;
            for (j, &x) in log.iter().enumerate() {
                v[self.db_ent[r][j]] = req(x);
            }
            v[self.db_leader[r]] = s.db_leader[r] as u64;
            for (r1, &x) in s.db_replicated[r].iter().enumerate() {
                v[self.db_repl[r][r1]] = x as u64;
            }
            v[self.db_epoch[r]] = s.db_epoch[r] as u64;
            v[self.db_status[r]] = s.db_status[r] as u64;
            match s.healer_replicas[r] {
                None => v[self.hr_nil[r]] = 1,
                Some(x) => v[self.hr[r]] = x as u64,
            }
        }
        v[self.next_req] = req(s.next_req);
        for c in 0..s.pending.len() {
            v[self.client_leader[c]] = s.client_leader[c] as u64;
            v[self.cs_len[c]] = s.client_success[c].len() as u64;
            for (j, &x) in s.client_success[c].iter().enumerate() {
                v[self.cs_ent[c][j]] = req(x);
            }
            match s.pending[c] {
                None => v[self.pending_nil[c]] = 1,
                Some(x) => v[self.pending[c]] = req(x),
            }
            match s.pending_db[c] {
                None => v[self.pending_db_nil[c]] = 1,
                Some(x) => v[self.pending_db[c]] = x as u64,
            }
            v[self.cle[c]] = s.client_leader_epoch[c] as u64;
        }
        v[self.healer_status] = s.healer_status as u64;
        v[self.healer_epoch] = s.healer_epoch as u64;
    }

    /// The concrete state of canonical slot values. Fails on slot values
    /// that name no state (an id past the last replica, a status code 3, a
    /// length past the capacity): those can only come from an encoding bug.
    pub fn decode(&self, v: &[u64]) -> Result<State, String> {
        let nr = self.db_len.len();
        let nc = self.pending.len();
        let cap = self.db_ent.first().map_or(0, |e| e.len());
        let req = |x: u64| x as u32 + REQ_BASE;
        let replica = |x: u64| -> Result<usize, String> {
            if (x as usize) < nr {
                Ok(x as usize)
            } else {
                Err(format!("replica id {x} out of range"))
            }
        };
        let seq = |len: u64, ents: &[usize]| -> Result<Vec<u32>, String> {
            if len as usize > cap {
                return Err(format!("sequence length {len} past capacity {cap}"));
            }
            Ok(ents[..len as usize].iter().map(|&i| req(v[i])).collect())
        };
        let zk_status = *ZkStatus::ALL
            .get(v[self.zk_status] as usize)
            .ok_or("bad zk_status")?;
        let healer_status = *HealerStatus::ALL
            .get(v[self.healer_status] as usize)
            .ok_or("bad healer_status")?;
        let opt = |nil: usize, val: usize| {
            if v[nil] == 1 {
                None
            } else {
                Some(v[val] as u32)
            }
        };
        let mut db = vec![];
        let mut db_status = vec![];
        for r in 0..nr {
            db.push(seq(v[self.db_len[r]], &self.db_ent[r])?);
            db_status.push(
                *DbStatus::ALL
                    .get(v[self.db_status[r]] as usize)
                    .ok_or("bad db_status")?,
            );
        }
        let mut client_success = vec![];
        let mut pending_db = vec![];
        for c in 0..nc {
            client_success.push(seq(v[self.cs_len[c]], &self.cs_ent[c])?);
            pending_db.push(if v[self.pending_db_nil[c]] == 1 {
                None
            } else {
                Some(replica(v[self.pending_db[c]])?)
            });
        }
        Ok(State {
            zk_leader: replica(v[self.zk_leader])?,
            zk_epoch: v[self.zk_epoch] as u32,
            zk_leader_epoch: v[self.zk_leader_epoch] as u32,
            zk_status,
            old_leaders: self.old_leaders.iter().map(|&i| v[i] == 1).collect(),
            zk_catchup_index: opt(self.catchup_nil, self.catchup),
            db,
            db_leader: self
                .db_leader
                .iter()
                .map(|&i| replica(v[i]))
                .collect::<Result<_, _>>()?,
            db_replicated: self
                .db_repl
                .iter()
                .map(|row| row.iter().map(|&i| v[i] as u32).collect())
                .collect(),
            db_epoch: self.db_epoch.iter().map(|&i| v[i] as u32).collect(),
            db_status,
            next_req: req(v[self.next_req]),
            client_leader: self
                .client_leader
                .iter()
                .map(|&i| replica(v[i]))
                .collect::<Result<_, _>>()?,
            client_success,
            pending: (0..nc)
                .map(|c| opt(self.pending_nil[c], self.pending[c]).map(|x| x + REQ_BASE))
                .collect(),
            pending_db,
            client_leader_epoch: self.cle.iter().map(|&i| v[i] as u32).collect(),
            healer_status,
            healer_epoch: v[self.healer_epoch] as u32,
            healer_replicas: (0..nr).map(|r| opt(self.hr_nil[r], self.hr[r])).collect(),
        })
    }

    /// Number of 64-bit words of a packed state.
    pub fn words(&self) -> usize {
        (self.total_bits as usize).div_ceil(64).max(1)
    }

    /// Packs slot values into `words()` machine words.
    pub fn pack(&self, v: &[u64]) -> Box<[u64]> {
        let mut out = vec![0u64; self.words()];
        self.pack_into(v, &mut out);
        out.into_boxed_slice()
    }

    /// `pack` into `out` (`words()` long), without allocating.
    pub fn pack_into(&self, v: &[u64], out: &mut [u64]) {
        out.iter_mut().for_each(|w| *w = 0);
        for (i, &x) in v.iter().enumerate() {
            let (off, w) = (self.offsets[i] as usize, self.slots[i].width as usize);
            let (word, bit) = (off / 64, off % 64);
            out[word] |= x << bit;
            if bit + w > 64 {
                out[word + 1] |= x >> (64 - bit);
            }
        }
    }

    /// The grouped form (`grouped_len` words) of a packed state, into `out`.
    pub fn regroup(&self, packed: &[u64], out: &mut Vec<u64>) {
        out.clear();
        out.resize(self.grouped_len, 0);
        for i in 0..self.len() {
            let w = self.slots[i].width as usize;
            let x = get_bits(packed, self.offsets[i] as usize, w);
            put_bits(out, self.group_offsets[i] as usize, w, x);
        }
    }

    /// The packed form of a grouped state, appended to `out`.
    pub fn ungroup(&self, grouped: &[u64], out: &mut Vec<u64>) {
        let start = out.len();
        out.resize(start + self.words(), 0);
        for i in 0..self.len() {
            let w = self.slots[i].width as usize;
            let x = get_bits(grouped, self.group_offsets[i] as usize, w);
            put_bits(&mut out[start..], self.offsets[i] as usize, w, x);
        }
    }

    pub fn unpack(&self, words: &[u64]) -> Vec<u64> {
        (0..self.len())
            .map(|i| {
                let (off, w) = (self.offsets[i] as usize, self.slots[i].width as usize);
                let (word, bit) = (off / 64, off % 64);
                let mut x = words[word] >> bit;
                if bit + w > 64 {
                    x |= words[word + 1] << (64 - bit);
                }
                x & ((1u64 << w) - 1)
            })
            .collect()
    }
}

/// The `w` bits of `words` from bit `off`.
fn get_bits(words: &[u64], off: usize, w: usize) -> u64 {
    let (word, bit) = (off / 64, off % 64);
    let mut x = words[word] >> bit;
    if bit + w > 64 {
        x |= words[word + 1] << (64 - bit);
    }
    x & ((1u64 << w) - 1)
}

/// ORs `x` (`w` bits) into `words` from bit `off`.
fn put_bits(words: &mut [u64], off: usize, w: usize, x: u64) {
    let (word, bit) = (off / 64, off % 64);
    words[word] |= x << bit;
    if bit + w > 64 {
        words[word + 1] |= x >> (64 - bit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{apply, init_state, Action};

    #[test]
    fn encode_decode_pack_round_trip() {
        let p = Params::default();
        let l = Layout::new(&p);
        let mut s = init_state(&p, 2);
        for a in [
            Action::StartRequest(0),
            Action::Replicate(0),
            Action::ReadyToChangeZKLeader,
        ] {
            s = apply(&p, &s, a).pop().unwrap();
        }
        let v = l.encode(&s);
        assert_eq!(l.decode(&v).unwrap(), s);
        assert_eq!(l.unpack(&l.pack(&v)), v);
        let (mut g, mut back) = (vec![], vec![]);
        l.regroup(&l.pack(&v), &mut g);
        assert_eq!(g.len(), l.grouped_len);
        l.ungroup(&g, &mut back);
        assert_eq!(&back[..], &l.pack(&v)[..]);
        assert!(l.fits(&p, &s));
        assert_eq!(s.db[0], vec![61]);
    }
}
