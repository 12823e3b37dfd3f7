//! Distinct packed states with their breadth-first parent links, and the
//! packing to a canonical representative under symmetry.
//!
//! States are packed into `Layout::words()` machine words and kept
//! tree-compressed (`StateStore`). With `symmetry`, each state is replaced by the least
//! packed form among its images under every permutation of replicas and of
//! clients (the spec's `Perms`, extended to clients).

use crate::layout::Layout;
use crate::params::Params;
use crate::spec::State;
use itertools::Itertools;
use std::cell::RefCell;

const EMPTY: u32 = u32::MAX;

/// Items per chunk of a `Chunked` vector.
const CHUNK: usize = 1 << 16;

/// A vector that grows in chunks of `CHUNK` items, each allocated at its
/// final size: a table of 4 GiB is never doubled (which needs the old and
/// the new buffer at once), and at most one chunk is partly used.
#[derive(Default)]
struct Chunked<T> {
    chunks: Vec<Box<[T]>>,
    len: usize,
}

impl<T: Copy + Default> Chunked<T> {
    fn get(&self, i: usize) -> T {
        self.chunks[i / CHUNK][i % CHUNK]
    }
    fn push(&mut self, x: T) {
        if self.len == self.chunks.len() * CHUNK {
            self.chunks
                .push(vec![T::default(); CHUNK].into_boxed_slice());
        }
        self.chunks[self.len / CHUNK][self.len % CHUNK] = x;
        self.len += 1;
    }
    fn bytes(&self) -> usize {
        self.chunks.len() * CHUNK * std::mem::size_of::<T>()
    }
}

fn mix64(x: u64) -> u64 {
    let z = (x ^ (x >> 31)).wrapping_mul(0x7FB5_D329_728E_A185);
    let z = (z ^ (z >> 27)).wrapping_mul(0x81DA_DEF4_BC2D_D44D);
    z ^ (z >> 33)
}

/// An open-addressing table (linear probing) of `u32` indices into items
/// kept elsewhere, which the caller hashes and compares: the seen-set of
/// both stores.
struct IndexTable {
    slots: Vec<u32>,
}

impl Default for IndexTable {
    fn default() -> Self {
        IndexTable {
            slots: vec![EMPTY; 1 << 10],
        }
    }
}

impl IndexTable {
    /// The index, among those whose items hash to `h`, whose item `eq`
    /// accepts; else the free slot where such an index goes.
    fn probe(&self, h: u64, eq: impl Fn(u32) -> bool) -> Result<u32, usize> {
        let mask = self.slots.len() - 1;
        let mut at = h as usize & mask;
        loop {
            match self.slots[at] {
                EMPTY => return Err(at),
                e if eq(e) => return Ok(e),
                _ => at = (at + 1) & mask,
            }
        }
    }
    /// Whether one more of `len` items would fill it past 3/4.
    fn full(&self, len: usize) -> bool {
        (len + 1) * 4 > self.slots.len() * 3
    }
    /// A table of twice the slots holding the indices `0..len`, each item
    /// hashed by `hash`.
    fn doubled(&self, len: usize, hash: impl Fn(u32) -> u64) -> IndexTable {
        let mut t = IndexTable {
            slots: vec![EMPTY; self.slots.len() * 2],
        };
        for i in 0..len as u32 {
            let slot = t
                .probe(hash(i), |_| false)
                .expect_err("no item is accepted");
            t.slots[slot] = i;
        }
        t
    }
    /// Puts index `i` in the free slot `slot` (from `probe`).
    fn put(&mut self, slot: usize, i: usize) -> u32 {
        assert!(i < StateStore::MAX_LEN, "Bfs caps the store at MAX_LEN");
        self.slots[slot] = i as u32;
        i as u32
    }
    fn bytes(&self) -> usize {
        self.slots.capacity() * 4
    }
}

/// Distinct 64-bit values, each numbered densely in the order first seen.
#[derive(Default)]
struct Intern {
    items: Chunked<u64>,
    table: IndexTable,
    /// The value last interned and its number: successors of one state
    /// share most words and subtrees, so most lookups end here.
    last: Option<(u64, u32)>,
}

impl Intern {
    fn len(&self) -> usize {
        self.items.len
    }
    fn get(&self, i: u32) -> u64 {
        self.items.get(i as usize)
    }
    /// The number of `x`, if it has one.
    fn find(&self, x: u64) -> Option<u32> {
        self.table.probe(mix64(x), |e| self.get(e) == x).ok()
    }
    /// The number of `x`, and whether it is new.
    fn intern(&mut self, x: u64) -> (u32, bool) {
        match self.last {
            Some((y, i)) if y == x => return (i, false),
            _ => {}
        }
        let (i, new) = self.lookup_or_insert(x);
        self.last = Some((x, i));
        (i, new)
    }
    fn lookup_or_insert(&mut self, x: u64) -> (u32, bool) {
        if self.table.full(self.len()) {
            self.table = self.table.doubled(self.len(), |i| mix64(self.get(i)));
        }
        match self.table.probe(mix64(x), |e| self.get(e) == x) {
            Ok(e) => (e, false),
            Err(slot) => {
                let i = self.table.put(slot, self.len());
                self.items.push(x);
                (i, true)
            }
        }
    }
    fn bytes(&self) -> usize {
        self.items.bytes() + self.table.bytes()
    }
}

/// A child of a node of the store's tree: a word of the packed state, or
/// another node.
#[derive(Clone, Copy, Debug)]
enum Child {
    Word(usize),
    Node(usize),
}

/// Distinct packed states with their BFS parent links, in a flat arena of
/// packed words with an open-addressing table of indices: the fastest
/// store, at about the packed words and 10 bytes a state. The arena and the
/// parent links grow in chunks, each allocated at its final size.
pub struct FlatStore {
    words: usize,
    /// Words per chunk of the arena: a whole number of states.
    chunk_words: usize,
    arena: Vec<Box<[u64]>>,
    parent: Chunked<u32>,
    table: IndexTable,
}

fn hash_words(w: &[u64]) -> u64 {
    let mut h: u64 = 0x9E37_79B9_7F4A_7C15;
    for &x in w {
        h = (h ^ x).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        h ^= h >> 32;
    }
    h
}

impl FlatStore {
    pub fn new(words: usize) -> FlatStore {
        FlatStore {
            words,
            chunk_words: CHUNK / words * words,
            arena: vec![],
            parent: Chunked::default(),
            table: IndexTable::default(),
        }
    }
    pub fn len(&self) -> usize {
        self.parent.len
    }
    pub fn get(&self, i: u32) -> &[u64] {
        let at = i as usize * self.words;
        let (c, o) = (at / self.chunk_words, at % self.chunk_words);
        &self.arena[c][o..o + self.words]
    }
    pub fn parent(&self, i: u32) -> Option<u32> {
        Some(self.parent.get(i as usize)).filter(|&p| p != EMPTY)
    }
    pub fn find(&self, key: &[u64]) -> Option<u32> {
        self.table
            .probe(hash_words(key), |e| self.get(e) == key)
            .ok()
    }
    pub fn insert(&mut self, key: &[u64], parent: Option<u32>) -> Option<u32> {
        if self.table.full(self.len()) {
            self.table = self.table.doubled(self.len(), |i| hash_words(self.get(i)));
        }
        let slot = self
            .table
            .probe(hash_words(key), |e| self.get(e) == key)
            .err()?;
        let i = self.table.put(slot, self.len());
        let (cw, at) = (self.chunk_words, i as usize * self.words);
        if at / cw == self.arena.len() {
            self.arena.push(vec![0; cw].into_boxed_slice());
        }
        self.arena[at / cw][at % cw..at % cw + self.words].copy_from_slice(key);
        self.parent.push(parent.unwrap_or(EMPTY));
        Some(i)
    }
    pub fn bytes(&self) -> usize {
        self.arena.len() * self.chunk_words * 8 + self.parent.bytes() + self.table.bytes()
    }
}

/// The store of the breadth-first search: flat (`FlatStore`, fastest) up
/// to `FLAT_STATES` states, then tree-compressed (`TreeStore`, a third of
/// the room) for the rest of the search, over the layout's grouped form
/// (`Layout::regroup`: equal replicas and clients in equal words). The
/// move keeps every index and parent, and keys go in and come out packed
/// as always, so nothing outside sees it but the memory.
pub enum StateStore {
    /// Flat up to `limit` states.
    Flat {
        store: FlatStore,
        tree: TreeShape,
        limit: usize,
    },
    Tree {
        store: TreeStore,
        /// Keys are regrouped with it (none: stored as given).
        layout: Option<Box<Layout>>,
        scratch: Vec<u64>,
    },
}

/// What the tree of a store that moves to one is built over.
pub struct TreeShape {
    layout: Option<Box<Layout>>,
    words: usize,
    cuts: Vec<usize>,
}

/// States a store holds flat before it moves to the tree (the race's
/// explicit racer, at most `race::EXPLICIT_STATES`, never moves).
pub const FLAT_STATES: usize = 1 << 25;

impl StateStore {
    /// The most states a store holds (its indices are 32 bits wide).
    pub const MAX_LEN: usize = EMPTY as usize - 1;
    /// No state's index: what `insert` stores for a root's parent.
    pub const NO_PARENT: u32 = EMPTY;

    /// A store of states packed by `layout`.
    pub fn new(layout: &Layout) -> StateStore {
        StateStore::new_up_to(layout, FLAT_STATES)
    }
    /// `new`, moving to the tree past `limit` states.
    pub fn new_up_to(layout: &Layout, limit: usize) -> StateStore {
        StateStore::Flat {
            store: FlatStore::new(layout.words()),
            tree: TreeShape {
                layout: Some(Box::new(layout.clone())),
                words: layout.grouped_len,
                cuts: layout.group_words.clone(),
            },
            limit,
        }
    }
    /// A store of keys of `words` words, kept as they are, that moves to a
    /// tree cut at `cuts` past `limit` states (0: a tree from the start).
    pub fn flat_up_to(words: usize, cuts: &[usize], limit: usize) -> StateStore {
        let tree = TreeShape {
            layout: None,
            words,
            cuts: cuts.to_vec(),
        };
        let s = StateStore::Flat {
            store: FlatStore::new(words.max(1)),
            tree,
            limit,
        };
        if limit == 0 {
            return s.into_tree();
        }
        s
    }
    /// The same states, in a tree.
    fn into_tree(self) -> StateStore {
        let StateStore::Flat { store: f, tree, .. } = self else {
            return self;
        };
        let mut t = StateStore::Tree {
            store: TreeStore::new(tree.words, &tree.cuts),
            layout: tree.layout,
            scratch: vec![],
        };
        for i in 0..f.len() as u32 {
            t.insert(f.get(i), f.parent(i));
        }
        log::debug!("explicit store: {} states moved to the tree", t.len());
        t
    }
    pub fn len(&self) -> usize {
        match self {
            StateStore::Flat { store, .. } => store.len(),
            StateStore::Tree { store, .. } => store.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Whether the store has moved to the tree.
    pub fn is_tree(&self) -> bool {
        matches!(self, StateStore::Tree { .. })
    }
    /// The packed state at `i`.
    pub fn get(&self, i: u32) -> Vec<u64> {
        let mut out = vec![];
        self.get_into(i, &mut out);
        out
    }
    /// Appends the packed state at `i` to `out`.
    pub fn get_into(&self, i: u32, out: &mut Vec<u64>) {
        match self {
            StateStore::Flat { store, .. } => out.extend_from_slice(store.get(i)),
            StateStore::Tree {
                store,
                layout: None,
                ..
            } => store.get_into(i, out),
            StateStore::Tree {
                store,
                layout: Some(l),
                ..
            } => {
                let mut g = Vec::with_capacity(l.grouped_len);
                store.get_into(i, &mut g);
                l.ungroup(&g, out);
            }
        }
    }
    pub fn parent(&self, i: u32) -> Option<u32> {
        match self {
            StateStore::Flat { store, .. } => store.parent(i),
            StateStore::Tree { store, .. } => store.parent(i),
        }
    }
    /// The index of `key`, if stored.
    pub fn find(&self, key: &[u64]) -> Option<u32> {
        match self {
            StateStore::Flat { store, .. } => store.find(key),
            StateStore::Tree {
                store,
                layout: None,
                ..
            } => store.find(key),
            StateStore::Tree {
                store,
                layout: Some(l),
                ..
            } => {
                let mut g = vec![];
                l.regroup(key, &mut g);
                store.find(&g)
            }
        }
    }
    /// Inserts `key`; its index when new, `None` when already present.
    pub fn insert(&mut self, key: &[u64], parent: Option<u32>) -> Option<u32> {
        if let StateStore::Flat { store, limit, .. } = self {
            if store.len() < *limit {
                return store.insert(key, parent);
            }
            let flat = std::mem::replace(self, StateStore::flat_up_to(1, &[], 1));
            *self = flat.into_tree();
        }
        match self {
            StateStore::Tree {
                store,
                layout: None,
                ..
            } => store.insert(key, parent),
            StateStore::Tree {
                store,
                layout: Some(l),
                scratch,
            } => {
                l.regroup(key, scratch);
                store.insert(scratch, parent)
            }
            StateStore::Flat { .. } => unreachable!("moved above"),
        }
    }
    /// Distinct numbers per word position and per node (the root last),
    /// once a tree, for reports.
    pub fn level_sizes(&self) -> Vec<usize> {
        match self {
            StateStore::Flat { .. } => vec![],
            StateStore::Tree { store, .. } => store.level_sizes(),
        }
    }
    /// Bytes held, for reports.
    pub fn bytes(&self) -> usize {
        match self {
            StateStore::Flat { store, .. } => store.bytes(),
            StateStore::Tree { store, .. } => store.bytes(),
        }
    }
}

/// Distinct packed states with their BFS parent links, tree-compressed
/// (as in LTSmin's tree tables). The packed words are the leaves of a
/// binary tree, cut between groups (replicas, clients, the rest) where it
/// can be; each word position numbers the distinct words seen there, and
/// each node numbers the distinct pairs of its children's numbers. The
/// root's number is the state's index. States share equal replicas, sets
/// of replicas, and so on, so a state costs about its root pair, its
/// table slot and its parent link rather than its packed form (6 replicas,
/// 2 clients, 1M states: 35 bytes a state, the root 21 of them, against 81
/// for the packed words in a flat table). Indices are dense, in
/// the order of insertion.
pub struct TreeStore {
    words: usize,
    /// Per word position, its distinct words.
    leaves: Vec<Intern>,
    /// The nodes, children before parents (the root last), and their
    /// distinct pairs.
    nodes: Vec<(Child, Child)>,
    pairs: Vec<Intern>,
    parent: Chunked<u32>,
    /// Scratch: the numbers of the words and of the nodes of the state
    /// being inserted.
    scratch: (Vec<u32>, Vec<u32>),
}

impl TreeStore {
    /// A store of states of `words` words, whose tree cuts at the words in
    /// `cuts` first (the starts of `Layout::group_words`).
    pub fn new(words: usize, cuts: &[usize]) -> TreeStore {
        fn build(lo: usize, hi: usize, cuts: &[usize], nodes: &mut Vec<(Child, Child)>) -> Child {
            if hi - lo == 1 {
                return Child::Word(lo);
            }
            // The cut between groups nearest the middle, else the middle.
            let mid = cuts
                .iter()
                .copied()
                .filter(|&c| lo < c && c < hi)
                .min_by_key(|&c| (2 * c).abs_diff(lo + hi))
                .unwrap_or((lo + hi) / 2);
            let left = build(lo, mid, cuts, nodes);
            let right = build(mid, hi, cuts, nodes);
            nodes.push((left, right));
            Child::Node(nodes.len() - 1)
        }
        let words = words.max(1);
        let mut nodes = vec![];
        // One word: a root pairing it with itself.
        if let Child::Word(w) = build(0, words, cuts, &mut nodes) {
            nodes.push((Child::Word(w), Child::Word(w)));
        }
        TreeStore {
            words,
            leaves: (0..words).map(|_| Intern::default()).collect(),
            pairs: (0..nodes.len()).map(|_| Intern::default()).collect(),
            nodes,
            parent: Chunked::default(),
            scratch: Default::default(),
        }
    }
    pub fn len(&self) -> usize {
        self.parent.len
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The packed state at `i`.
    pub fn get(&self, i: u32) -> Vec<u64> {
        let mut out = vec![];
        self.get_into(i, &mut out);
        out
    }
    /// Appends the packed state at `i` to `out`.
    pub fn get_into(&self, i: u32, out: &mut Vec<u64>) {
        let start = out.len();
        out.resize(start + self.words, 0);
        let mut todo = vec![(self.nodes.len() - 1, i)];
        while let Some((n, id)) = todo.pop() {
            let pair = self.pairs[n].get(id);
            for (child, id) in [
                (self.nodes[n].0, pair >> 32),
                (self.nodes[n].1, pair & 0xFFFF_FFFF),
            ] {
                match child {
                    Child::Word(w) => out[start + w] = self.leaves[w].get(id as u32),
                    Child::Node(m) => todo.push((m, id as u32)),
                }
            }
        }
    }
    pub fn parent(&self, i: u32) -> Option<u32> {
        Some(self.parent.get(i as usize)).filter(|&p| p != EMPTY)
    }
    /// The number of child `c` of the state whose word numbers are `words`
    /// and node numbers so far `ids`.
    fn child(c: Child, words: &[u32], ids: &[u32]) -> u64 {
        match c {
            Child::Word(w) => words[w] as u64,
            Child::Node(m) => ids[m] as u64,
        }
    }
    /// The index of `key`, if stored.
    pub fn find(&self, key: &[u64]) -> Option<u32> {
        let words: Vec<u32> = (0..self.words)
            .map(|w| self.leaves[w].find(key[w]))
            .collect::<Option<_>>()?;
        let mut ids = Vec::with_capacity(self.nodes.len());
        for (n, &(l, r)) in self.nodes.iter().enumerate() {
            let x = (Self::child(l, &words, &ids) << 32) | Self::child(r, &words, &ids);
            ids.push(self.pairs[n].find(x)?);
        }
        ids.last().copied()
    }

    /// Inserts `key`; its index when new, `None` when already present.
    pub fn insert(&mut self, key: &[u64], parent: Option<u32>) -> Option<u32> {
        debug_assert_eq!(key.len(), self.words);
        let (mut words, mut ids) = std::mem::take(&mut self.scratch);
        words.clear();
        for (w, &x) in key.iter().enumerate() {
            words.push(self.leaves[w].intern(x).0);
        }
        ids.clear();
        let mut new = false;
        for (n, &(l, r)) in self.nodes.iter().enumerate() {
            let x = (Self::child(l, &words, &ids) << 32) | Self::child(r, &words, &ids);
            let (id, fresh) = self.pairs[n].intern(x);
            ids.push(id);
            new = fresh;
        }
        let i = *ids.last().expect("a tree has a root");
        self.scratch = (words, ids);
        if !new {
            return None;
        }
        self.parent.push(parent.unwrap_or(EMPTY));
        debug_assert_eq!(self.parent.len, self.pairs.last().unwrap().len());
        Some(i)
    }
    /// Distinct numbers per word position and per node (the root last),
    /// for reports.
    pub fn level_sizes(&self) -> Vec<usize> {
        self.leaves
            .iter()
            .chain(&self.pairs)
            .map(Intern::len)
            .collect()
    }
    /// Bytes held, for reports.
    pub fn bytes(&self) -> usize {
        self.leaves
            .iter()
            .chain(&self.pairs)
            .map(Intern::bytes)
            .sum::<usize>()
            + self.parent.bytes()
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
    /// `orders[k]`: every order of `0..k`, for the groups of equal
    /// signature (up to the larger of the replica and client counts).
    orders: Vec<Vec<Vec<u8>>>,
    scratch: RefCell<Scratch>,
}

/// A cheap 64-bit mix (one multiply; collisions only merge signature
/// groups, which costs candidates, never correctness).
fn mix(x: u64) -> u64 {
    let z = (x ^ 0x9E37_79B9_7F4A_7C15).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z ^ (z >> 29)
}

/// Hashes a sequence of values, in order.
fn fold(h: u64, xs: impl IntoIterator<Item = u64>) -> u64 {
    xs.into_iter().fold(h, |h, x| mix(h ^ x))
}

/// A replica's signature, from the slot values `v`: a hash of its fields
/// that do not name other replicas or clients (its log, epoch, status,
/// healer entry, whether it leads, how many clients and pending requests
/// name it, its row and column of `db_replicated` as multisets). No
/// permutation changes it; equal states' replicas get equal ones.
fn replica_sig(l: &Layout, v: &[u64], r: usize) -> u64 {
    let r64 = r as u64;
    let own = fold(
        v[l.db_len[r]],
        l.db_ent[r].iter().map(|&i| v[i]).chain([
            v[l.old_leaders[r]],
            v[l.db_epoch[r]],
            v[l.db_status[r]],
            v[l.hr_nil[r]],
            v[l.hr[r]],
            (v[l.zk_leader] == r64) as u64,
            (v[l.db_leader[r]] == r64) as u64,
            v[l.db_repl[r][r]],
        ]),
    );
    let leads = l.client_leader.iter().filter(|&&i| v[i] == r64).count() as u64;
    let waits = (0..l.pending_db.len())
        .filter(|&c| v[l.pending_db_nil[c]] == 0 && v[l.pending_db[c]] == r64)
        .count() as u64;
    // Multisets: sums of mixed values (the order of the others is free).
    let row = l.db_repl[r]
        .iter()
        .fold(0u64, |h, &i| h.wrapping_add(mix(v[i])));
    let col = l
        .db_repl
        .iter()
        .fold(0u64, |h, rw| h.wrapping_add(mix(v[rw[r]] ^ 1 << 40)));
    fold(own, [leads, waits, row, col])
}

/// A client's signature: a hash of its own fields and of the signatures of
/// the replicas it names.
fn client_sig(l: &Layout, v: &[u64], rsig: &[u64], c: usize) -> u64 {
    let pdb = if v[l.pending_db_nil[c]] == 1 {
        0
    } else {
        mix(rsig[v[l.pending_db[c]] as usize])
    };
    fold(
        v[l.cs_len[c]],
        l.cs_ent[c].iter().map(|&i| v[i]).chain([
            v[l.pending_nil[c]],
            v[l.pending[c]],
            v[l.cle[c]],
            rsig[v[l.client_leader[c]] as usize],
            pdb,
        ]),
    )
}

/// The ids of one kind (replicas, or clients) grouped by signature, groups
/// in the order of their signatures, and a counter over the permutations
/// (`perm[old id] = new id`) that send the `k`-th group to the `k`-th block
/// of new ids in every order: each sorts the ids by signature. Buffers are
/// reused from state to state.
#[derive(Default)]
struct Grouping {
    /// The ids, sorted by signature.
    order: Vec<usize>,
    /// Per group: where it starts in `order`, its size, and whether one
    /// order of its members gives every image (they are interchangeable).
    groups: Vec<(usize, usize, bool)>,
    /// Per group: which of its orders the counter is at.
    digit: Vec<usize>,
    perm: Vec<usize>,
    started: bool,
}

impl Grouping {
    fn build(&mut self, sig: &[u64]) {
        self.order.clear();
        self.order.extend(0..sig.len());
        self.order.sort_unstable_by_key(|&i| sig[i]);
        self.groups.clear();
        let mut start = 0;
        for i in 1..=sig.len() {
            if i == sig.len() || sig[self.order[i]] != sig[self.order[start]] {
                self.groups.push((start, i - start, false));
                start = i;
            }
        }
        self.digit.clear();
        self.digit.resize(self.groups.len(), 0);
        self.perm.clear();
        self.perm.resize(sig.len(), 0);
        self.started = false;
    }

    fn orders<'a>(&self, k: usize, by_size: &'a [Vec<Vec<u8>>]) -> &'a [Vec<u8>] {
        let (_, len, one) = self.groups[k];
        let all = &by_size[len][..];
        if one {
            &all[..1]
        } else {
            all
        }
    }

    fn fill(&mut self, from: usize, by_size: &[Vec<Vec<u8>>]) {
        for k in from..self.groups.len() {
            let (start, len, _) = self.groups[k];
            let order = &self.orders(k, by_size)[self.digit[k]];
            for i in 0..len {
                self.perm[self.order[start + i]] = start + order[i] as usize;
            }
        }
    }

    /// The next permutation into `perm`; false when there is none.
    fn advance(&mut self, by_size: &[Vec<Vec<u8>>]) -> bool {
        if !self.started {
            self.started = true;
            self.fill(0, by_size);
            return true;
        }
        for k in (0..self.groups.len()).rev() {
            if self.digit[k] + 1 < self.orders(k, by_size).len() {
                self.digit[k] += 1;
                for d in &mut self.digit[k + 1..] {
                    *d = 0;
                }
                self.fill(k, by_size);
                return true;
            }
        }
        false
    }

    fn reset(&mut self) {
        self.digit.iter_mut().for_each(|d| *d = 0);
        self.started = false;
    }
}

/// `Canon::key`'s buffers, reused from state to state.
#[derive(Default)]
struct Scratch {
    /// The state's slots, an image's, the least image so far.
    v: Vec<u64>,
    w: Vec<u64>,
    best: Vec<u64>,
    rsig: Vec<u64>,
    csig: Vec<u64>,
    rg: Grouping,
    cg: Grouping,
    /// Identity permutations, for the transpositions tried.
    ir: Vec<usize>,
    ic: Vec<usize>,
}

impl Canon {
    pub fn new(p: &Params, symmetry: bool) -> Canon {
        let most = if symmetry {
            p.replicas.max(p.clients)
        } else {
            0
        };
        Canon {
            layout: Layout::new(p),
            symmetry,
            orders: (0..=most)
                .map(|k| (0..k as u8).permutations(k).collect::<Vec<Vec<u8>>>())
                .collect(),
            scratch: RefCell::new(Scratch {
                ir: (0..p.replicas).collect(),
                ic: (0..p.clients).collect(),
                ..Scratch::default()
            }),
        }
    }

    /// The packed state, or with symmetry the least packed image of it
    /// under the permutations that sort replicas and clients by signature.
    pub fn key(&self, s: &State) -> Box<[u64]> {
        let mut out = vec![0; self.layout.words()].into_boxed_slice();
        self.key_into(s, &mut out);
        out
    }

    /// A canonicalizer like this one with its own scratch space, for
    /// another thread.
    pub fn fresh(&self, p: &Params) -> Canon {
        Canon::new(p, self.symmetry)
    }

    /// `key` into `out` (`layout.words()` long), without allocating.
    pub fn key_into(&self, s: &State, out: &mut [u64]) {
        let mut sc = self.scratch.borrow_mut();
        let Scratch {
            v,
            w,
            best,
            rsig,
            csig,
            rg,
            cg,
            ir,
            ic,
        } = &mut *sc;
        let l = &self.layout;
        l.encode_into(s, v);
        if !self.symmetry {
            l.pack_into(v, out);
            return;
        }
        rsig.clear();
        rsig.extend((0..l.db_len.len()).map(|r| replica_sig(l, v, r)));
        csig.clear();
        csig.extend((0..l.cs_len.len()).map(|c| client_sig(l, v, rsig, c)));
        rg.build(rsig);
        cg.build(csig);
        w.clear();
        w.resize(v.len(), 0);
        // A group whose adjacent transpositions all leave the state as it
        // is: its members are interchangeable (those transpositions generate
        // every order), and one order of them gives every image.
        for (g, replicas) in [(&mut *rg, true), (&mut *cg, false)] {
            for k in 0..g.groups.len() {
                let (start, len, _) = g.groups[k];
                let one = (1..len).all(|i| {
                    let (a, b) = (g.order[start + i - 1], g.order[start + i]);
                    let p = if replicas { &mut *ir } else { &mut *ic };
                    p.swap(a, b);
                    self.permute_slots(v, ir, ic, w);
                    let p = if replicas { &mut *ir } else { &mut *ic };
                    p.swap(a, b);
                    w == v
                });
                g.groups[k].2 = one;
            }
        }
        // The least image in the slots' lexicographic order (any fixed
        // order does: the set of images is the same for the whole orbit).
        let mut first = true;
        while rg.advance(&self.orders) {
            cg.reset();
            while cg.advance(&self.orders) {
                self.permute_slots(v, &rg.perm, &cg.perm, w);
                if first || *w < *best {
                    best.clone_from(w);
                    first = false;
                }
            }
        }
        l.pack_into(best, out);
    }

    /// `encode(permute(s, pr, pc))` from `v = encode(s)`, into `w`.
    fn permute_slots(&self, v: &[u64], pr: &[usize], pc: &[usize], w: &mut [u64]) {
        let l = &self.layout;
        w.copy_from_slice(v);
        let rid = |x: u64| pr[x as usize] as u64;
        w[l.zk_leader] = rid(v[l.zk_leader]);
        for (r, &n) in pr.iter().enumerate() {
            w[l.old_leaders[n]] = v[l.old_leaders[r]];
            w[l.db_len[n]] = v[l.db_len[r]];
            for (&to, &from) in l.db_ent[n].iter().zip(&l.db_ent[r]) {
                w[to] = v[from];
            }
            w[l.db_leader[n]] = rid(v[l.db_leader[r]]);
            for (r1, &n1) in pr.iter().enumerate() {
                w[l.db_repl[n][n1]] = v[l.db_repl[r][r1]];
            }
            w[l.db_epoch[n]] = v[l.db_epoch[r]];
            w[l.db_status[n]] = v[l.db_status[r]];
            w[l.hr_nil[n]] = v[l.hr_nil[r]];
            w[l.hr[n]] = v[l.hr[r]];
        }
        for (c, &n) in pc.iter().enumerate() {
            w[l.client_leader[n]] = rid(v[l.client_leader[c]]);
            w[l.cs_len[n]] = v[l.cs_len[c]];
            for (&to, &from) in l.cs_ent[n].iter().zip(&l.cs_ent[c]) {
                w[to] = v[from];
            }
            w[l.pending_nil[n]] = v[l.pending_nil[c]];
            w[l.pending[n]] = v[l.pending[c]];
            w[l.pending_db_nil[n]] = v[l.pending_db_nil[c]];
            w[l.pending_db[n]] = if v[l.pending_db_nil[c]] == 1 {
                0
            } else {
                rid(v[l.pending_db[c]])
            };
            w[l.cle[n]] = v[l.cle[c]];
        }
    }

    pub fn state(&self, key: &[u64]) -> State {
        self.layout
            .decode(&self.layout.unpack(key))
            .expect("stored states decode")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::explicit::bfs::levels;

    /// A store of real states that moves to the tree (over the grouped
    /// form) part-way gives back the packed keys, indices and parents of
    /// one that stays flat.
    #[test]
    fn a_store_of_states_moves_to_the_tree_unchanged() {
        let p = Params {
            replicas: 4,
            ..Params::default()
        };
        let canon = Canon::new(&p, false);
        let keys: Vec<Vec<u64>> = levels(&p, 9)
            .unwrap()
            .iter()
            .flatten()
            .map(|s| canon.key(s).to_vec())
            .collect();
        assert!(keys.len() > 3000);
        let mut flat = StateStore::new(&canon.layout);
        let mut moved = StateStore::new_up_to(&canon.layout, 1000);
        for (n, k) in keys.iter().enumerate() {
            let parent = (n > 0).then(|| n as u32 / 2);
            assert_eq!(flat.insert(k, parent), moved.insert(k, parent));
            assert_eq!(moved.insert(k, Some(0)), None);
        }
        assert!(moved.is_tree() && !flat.is_tree());
        for i in 0..keys.len() as u32 {
            assert_eq!(moved.get(i), flat.get(i));
            assert_eq!(moved.parent(i), flat.parent(i));
            assert_eq!(moved.find(&keys[i as usize]), Some(i));
        }
    }

    /// The tree-compressed store gives back every key it was given, under
    /// dense indices in insertion order, finds exactly those, and tells a
    /// key seen before from a new one, for any number of words (odd counts
    /// pair a number with nothing) and keys that share halves and words;
    /// and so does a flat store that moves to the tree part-way, with the
    /// same indices and parents.
    #[test]
    fn the_store_keeps_keys_exactly() {
        for (words, flat) in [(1, 0), (2, 0), (3, 0), (5, 0), (9, 0), (3, 700), (9, 1999)] {
            // Flat for the first `flat` keys, then a tree.
            let mut store = StateStore::flat_up_to(words, &[0, 2], flat);
            let key = |n: u64| -> Vec<u64> {
                (0..words as u64)
                    .map(|w| match w {
                        0 => n,
                        w if w % 2 == 0 => n % 7 + w,
                        w => mix64(n % 50) >> (w % 5),
                    })
                    .collect()
            };
            let mut order: Vec<(Vec<u64>, Option<u32>)> = vec![];
            for n in 0..3000u64 {
                let k = key(n % 2000);
                let parent = (!order.is_empty()).then(|| (n / 3) as u32 % order.len() as u32);
                match store.insert(&k, parent) {
                    Some(i) => {
                        assert_eq!(i as usize, order.len(), "{words} words: dense indices");
                        assert!(n < 2000, "{words} words: key {n} stored twice");
                        order.push((k, parent));
                    }
                    None => assert!(n >= 2000, "{words} words: key {n} taken for an old one"),
                }
            }
            assert_eq!(store.len(), 2000);
            assert!(store.is_tree(), "{words} words, flat up to {flat}");
            for (i, (k, parent)) in order.iter().enumerate() {
                assert_eq!(&store.get(i as u32), k, "{words} words, state {i}");
                assert_eq!(store.find(k), Some(i as u32));
                assert_eq!(store.parent(i as u32), *parent);
            }
            assert_eq!(store.parent(0), None);
            let mut absent = key(5);
            absent[0] = u64::MAX;
            assert_eq!(store.find(&absent), None);
        }
    }

    /// The key's permuted slot vectors are `encode(permute(..))`, and a
    /// state and every image of it under a permutation get the same key.
    #[test]
    fn keys_are_canonical_and_slots_permute_as_states() {
        let p = Params {
            replicas: 4,
            clients: 3,
            ..Params::default()
        };
        let canon = Canon::new(&p, true);
        let states: Vec<State> = levels(&p, 9).unwrap().into_iter().flatten().collect();
        let rperms: Vec<Vec<usize>> = (0..4).permutations(4).collect();
        let cperms: Vec<Vec<usize>> = (0..3).permutations(3).collect();
        let mut w = vec![0; canon.layout.len()];
        let mut distinct = std::collections::HashSet::new();
        for (k, s) in states.iter().enumerate().step_by(7) {
            let key = canon.key(s);
            distinct.insert(key.clone());
            let (pr, pc) = (&rperms[k % 24], &cperms[k % 6]);
            let t = permute(s, pr, pc);
            canon.permute_slots(&canon.layout.encode(s), pr, pc, &mut w);
            assert_eq!(w, canon.layout.encode(&t), "{s:?} under {pr:?}, {pc:?}");
            assert_eq!(canon.key(&t), key, "{s:?} under {pr:?}, {pc:?}");
            // The key is one of the state's images.
            let image = canon.state(&key);
            assert!(rperms
                .iter()
                .cartesian_product(&cperms)
                .any(|(pr, pc)| permute(s, pr, pc) == image));
        }
        // A sample of many orbits, not a handful.
        assert!(distinct.len() > 100, "{} keys", distinct.len());
    }
}
