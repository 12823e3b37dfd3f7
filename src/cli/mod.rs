//! The command line. The doc comments are the `--help` text; `job` turns
//! the flags into what `check::run` runs.

mod config;
mod job;
mod user;

use clap::{Parser, ValueEnum};

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Draw an existing ITF trace (this tool's --itf, or Apalache's over
    /// SemiSync's variables) as an HTML page: bmc view TRACE.itf.json
    /// --html FILE.
    View {
        /// The ITF trace.
        trace: std::path::PathBuf,
        /// The page to write.
        #[arg(long, value_name = "FILE")]
        html: std::path::PathBuf,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum LassoEncoding {
    /// One state equality per earlier state at every depth.
    LoopBack,
    /// Liveness-to-safety: a saved copy of the state and a flag per step.
    L2s,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProveWith {
    /// Template strengthening (Houdini), then k-induction.
    Induction,
    /// Z3's Spacer engine on a Horn-clause encoding.
    Spacer,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// Bounded model checking with Z3 (unrolls the transition relation).
    Symbolic,
    /// Breadth-first search of the concrete state space.
    Explicit,
    /// Both race on the cores (random walks too from 5 replicas or 3
    /// clients on); per property the strongest answer wins, and the report
    /// says which engine gave it.
    Auto,
}

/// Bounded model checker for the SemiSync TLA+ specification
/// (semi-synchronous replication with failover).
///
/// Checks the invariants TypeOK, Consistent and Inv of SemiSync.tla (and,
/// with --deadlock, that no deadlock is reachable) on every state reachable
/// in at most --depth steps and prints, for each violated property, a
/// shortest counterexample in TLC's trace layout. Every trace is first
/// replayed through an independent concrete interpreter of the spec.
/// "holds up to depth K" means exactly that: no violation within K steps.
/// --prove proves properties for every depth; --simulate runs random walks.
///
/// Exit codes (as TLC): 0 no violation found; 12 a safety property is
/// violated; 13 a temporal property is violated (--temporal); 11 a
/// deadlock was reached (--deadlock); 2 bad command line;
/// 3 result incomplete (the solver answered unknown or timed out,
/// --max-states stopped the explicit search, or the run was interrupted:
/// Ctrl-C or SIGTERM still print the report of what was decided);
/// 1 internal error (a counterexample failed replay: an encoding bug);
/// 15 a --reach target (or a --coverage action) was not reached (a
/// reached target is a success: 0); 74 the results could not be written.
#[derive(Parser, Debug)]
#[command(
    name = "bmc",
    version,
    about,
    long_about,
    verbatim_doc_comment,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Largest number of steps to explore (with --simulate: the most steps
    /// of one walk). Default: 25; 100 with --simulate.
    #[arg(long, short = 'd')]
    pub depth: Option<usize>,

    /// Property to check: TypeOK, Consistent, Inv, NoDeadlock (which
    /// --deadlock adds), any state-level definition of the spec by name
    /// (TerminateCond), or a state predicate in TLA+:
    ///   --inv '\A c \in Client : Len(client_success[c]) < 2'
    ///   --inv 'Bounded == zk_epoch < 8'
    /// Repeat the flag for several; names may also be separated by commas
    /// (--inv TypeOK,Consistent). A predicate may use the spec's variables,
    /// constants (Client, Replica, nil), model values (r1, c2) and every
    /// definition of SemiSync.tla. Default: TypeOK, Consistent and Inv.
    #[arg(long = "inv", value_name = "NAME|EXPR")]
    pub inv: Vec<String>,

    /// Find the shortest trace to a state satisfying the TLA+ predicate
    /// EXPR (repeatable; 'Name == EXPR' names it). Printed like a
    /// counterexample, headed as a witness. Exit code 0 when every target
    /// is reached, 15 when one is not (not reachable up to --depth, or with
    /// --prove unreachable in every behaviour).
    ///   --reach 'zk_status = "WaitReplicaLog" /\ \E c \in Client : Len(client_success[c]) > 0'
    #[arg(long = "reach", value_name = "EXPR")]
    pub reach: Vec<String>,

    /// Report up to N counterexamples per violated property (Apalache's
    /// --max-error): after the shortest, the next shortest whose last
    /// states differ under --view, each replayed; ITF files are numbered
    /// (FILE.Inv.2.itf.json, ...). Found by BMC after the engine's answer.
    /// Example: --inv Consistent --replicas 4 --max-error 3
    #[arg(long = "max-error", value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub max_error: u64,

    /// With --max-error: what makes two counterexamples distinct, a TLA+
    /// expression over the last state (default: the whole state), e.g.
    /// --view '<<zk_leader, zk_epoch>>'.
    #[arg(long, value_name = "EXPR")]
    pub view: Option<String>,

    /// Action coverage: for every action instance (Replicate(r2), ...), the
    /// shallowest depth at which it is first enabled, or "never enabled up
    /// to depth k" (with --prove: never enabled, proved). Exit code 15 when
    /// some instance is never enabled, so that CI can require every action
    /// to be reachable. Adds to --inv/--reach; alone, checks nothing else.
    /// Example: --coverage --depth 12
    #[arg(long)]
    pub coverage: bool,

    /// Read TLC's configuration file (as encodings/MC.cfg): CONSTANTS
    /// (Client, Replica, nil, max_next_req, max_change_leader,
    /// replication_factor, Epoch, LogOffset), INVARIANT(S), PROPERTY Finish,
    /// CHECK_DEADLOCK (TLC's default: TRUE), SPECIFICATION Spec|FairSpec,
    /// INIT Init, NEXT Next, SYMMETRY. Flags on the command line override
    /// the file. Example: --config encodings/MC.cfg
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,

    /// Set by --config: the file says what to check (no default
    /// invariants).
    #[arg(skip)]
    pub configured: bool,

    /// `properties()`, once worked out.
    #[arg(skip)]
    pub properties_once: std::sync::OnceLock<Vec<semisync_bmc::spec::Property>>,

    /// Search engine. Default: auto (both engines race, the report says
    /// which one decided each property), except that --prove, --temporal,
    /// --simulate, --split-depths, --dump-smt and --assume-invariant use
    /// the symbolic engine and --symmetry and --max-states the explicit one.
    #[arg(long, value_enum)]
    pub engine: Option<Engine>,

    /// Number of clients (|Client|).
    #[arg(long, default_value_t = 2)]
    pub clients: usize,

    /// Number of replicas (|Replica|).
    #[arg(long, default_value_t = 3)]
    pub replicas: usize,

    /// max_next_req: requests 61 .. 60 + N are issued.
    #[arg(long = "max-req", default_value_t = 4)]
    pub max_req: u32,

    /// max_change_leader: the highest zk_leader_epoch.
    #[arg(long = "max-leader-changes", default_value_t = 4)]
    pub max_leader_changes: u32,

    /// replication_factor: the size of a quorum, the leader's copy counted.
    #[arg(long = "replication-factor", default_value_t = 2)]
    pub replication_factor: usize,

    /// Upper end of Epoch == 0..N (range of db_epoch, client_leader_epoch,
    /// healer_epoch in TypeOK).
    #[arg(long = "epoch-max", default_value_t = 20)]
    pub epoch_max: u32,

    /// Upper end of LogOffset == 0..N (range of log offsets in TypeOK).
    #[arg(long = "log-offset-max", default_value_t = 20)]
    pub log_offset_max: u32,

    /// Also look for deadlocks (TLC's CHECK_DEADLOCK): a reachable state in
    /// which no action of Next is enabled (Terminated, a stuttering step, is
    /// enabled exactly when TerminateCond holds, so a terminated run is no
    /// deadlock). Checked as the property NoDeadlock (ENABLED Next): a
    /// shortest path to a deadlock is printed as TLC prints one
    /// ("Error: Deadlock reached."), exit code 11; --prove proves it for
    /// every depth. Off by default, as in the spec's MC.cfg.
    #[arg(long)]
    pub deadlock: bool,

    /// Check a temporal property instead of the invariants: Finish, the
    /// spec's `FairSpec => <>TerminateCond` (every fair behaviour reaches
    /// the terminal state). A counterexample is a lasso, printed as TLC
    /// prints one (ending in "Back to state l" or "Stuttering"), exit code
    /// 13. The explicit engine decides it for every behaviour (the whole
    /// reachable graph, no symmetry); the symbolic engine finds the
    /// shortest lasso up to --depth; with --prove, it is proved for every
    /// behaviour by a ranking measure and deadlock-freedom (the standard
    /// configuration in about 15 s).
    #[arg(long, value_name = "PROPERTY", value_parser = ["Finish"])]
    pub temporal: Option<String>,

    /// --temporal, symbolic engine: how lasso BMC encodes a loop. Given, it
    /// is used even when the per-run ranking check shows that no loop
    /// exists (by default loops are then not asked for at all; otherwise
    /// l2s).
    #[arg(long, value_enum, requires = "temporal")]
    pub lasso_encoding: Option<LassoEncoding>,

    /// Stop at the first violation of any property instead of searching on
    /// for the others.
    #[arg(long)]
    pub stop_at_first: bool,

    /// Print every variable of every state, not only those a step changed.
    #[arg(long)]
    pub full_states: bool,

    /// Symbolic engine: give up a single solver query after this many
    /// seconds and report unknown.
    #[arg(long)]
    pub timeout: Option<u64>,

    /// Explicit engine: stop cleanly after storing this many distinct states.
    #[arg(long)]
    pub max_states: Option<u64>,

    /// Explicit engine: reduce states modulo permutations of replicas and of
    /// clients (verdicts and shortest depths are unchanged).
    #[arg(long)]
    pub symmetry: bool,

    /// Symbolic engine: no symmetry breaking (by default the initial leader
    /// is r1, and replicas and clients are first touched by a step in index
    /// order; verdicts and depths are the same either way).
    #[arg(long)]
    pub no_symmetry_breaking: bool,

    /// Symbolic engine: unroll every order of adjacent independent steps
    /// (no partial-order reduction; verdicts and depths are the same either
    /// way).
    #[arg(long, conflicts_with = "por_from")]
    pub no_por: bool,

    /// Symbolic engine: the depth from which adjacent independent steps are
    /// unrolled in one order only (partial-order reduction; it pays on deep
    /// searches, costs on shallow ones). Default: after the first depth from
    /// 10 on at which the solver's work explodes (its conflicts at least
    /// doubling, past 1000).
    #[arg(long, value_name = "K")]
    pub por_from: Option<usize>,

    /// Symbolic engine: do not assert a property at the steps where it has
    /// already been proven to hold.
    #[arg(long)]
    pub no_lemmas: bool,

    /// Print one JSON report on stdout instead of the text: parameters,
    /// engine, per-depth times and answers, each property's verdict, the
    /// traces (as ITF), the Z3 version and the total time.
    #[arg(long)]
    pub json: bool,

    /// Write each counterexample as an ITF JSON trace (Apalache's format) to
    /// FILE; with several counterexamples, to FILE with the property's name
    /// before the extension (trace.Inv.itf.json).
    #[arg(long, value_name = "FILE")]
    pub itf: Option<std::path::PathBuf>,

    /// Symbolic engine: write every query sent to Z3, as SMT-LIB2, to
    /// DIR/depth_KK_PROPERTY.smt2, so any answer can be rerun in `z3` or
    /// another solver.
    #[arg(long, value_name = "DIR")]
    pub dump_smt: Option<std::path::PathBuf>,

    /// Print the encoding of one transition step (Init, every action's
    /// guard and updates, Next, the properties) as SMT-LIB2 and exit.
    #[arg(long)]
    pub print_encoding: bool,

    /// Try to prove each property for every depth instead of up to --depth:
    /// strengthen it with candidate invariants from templates (filtered by
    /// reachable states, then Houdini), else k-induction with simple-path
    /// constraints beside the BMC base case. Reports proved (checked again
    /// by fresh solvers), violated (with the shortest trace) or unknown.
    /// --timeout is then the budget of the whole proof, in seconds.
    #[arg(long)]
    pub prove: bool,

    /// --prove: the method. induction: template strengthening, then
    /// k-induction. spacer: Z3's Spacer (IC3/PDR on Horn clauses).
    #[arg(long = "prove-with", value_enum, default_value_t = ProveWith::Induction)]
    pub prove_with: ProveWith,

    /// --prove: largest k for k-induction.
    #[arg(long = "max-k", default_value_t = 12)]
    pub max_k: usize,

    /// --prove: reachable states explored to filter candidate invariants.
    #[arg(long = "samples", default_value_t = 200_000)]
    pub samples: usize,

    /// --prove: no template strengthening (plain k-induction).
    #[arg(long)]
    pub no_strengthen: bool,

    /// --prove: skip the seed (the candidates that make up the invariants of
    /// the same configuration with 1 client and --max-req 1, tried alone
    /// before all candidates).
    #[arg(long)]
    pub no_seed: bool,

    /// --prove: no random walks. By default, after BMC to depth 10, 20,000
    /// walks of up to 100 steps look for violations too deep for BMC (the
    /// lost write of 5 replicas with quorum 3 takes 30 steps); a violation
    /// they meet is cut short, then shortened by the explicit search and BMC
    /// within --shorten-budget, and reported (labelled "not known to be the
    /// shortest" unless shortened); no proof is tried for that property.
    #[arg(long, requires = "prove")]
    pub no_walks: bool,

    /// Symbolic BMC: find an inductive invariant from the --prove templates
    /// before depth 1 (not only after depth 10 as by default), re-check it by
    /// fresh solvers and assume it at every step. Verdicts and shortest
    /// depths are unchanged (every reachable state satisfies it); the
    /// properties it implies are reported proved for every depth.
    #[arg(long, conflicts_with = "no_invariant")]
    pub assume_invariant: bool,

    /// A Z3 global parameter, KEY=VALUE (repeatable), set before any solver
    /// is made, e.g. `sat.random_seed=7` or `sat.restart=luby`; for
    /// experiments (see docs/performance.md). Unknown keys are an error.
    #[arg(long = "z3-param", value_name = "KEY=VALUE")]
    pub z3_params: Vec<String>,

    /// Symbolic BMC on both cores: one thread checks the even depths, the
    /// other the odd ones (each unrolls every step in its own solver). Same
    /// verdicts and shortest depths, 0.70-0.92x the time on the benchmark
    /// workloads; no per-depth progress lines and no invariant.
    #[arg(long, conflicts_with_all = ["prove", "assume_invariant", "stop_at_first", "dump_smt"])]
    pub split_depths: bool,

    /// Symbolic BMC: never look for an inductive invariant. By default, when
    /// the costliest open property's query after depth 10 took at least
    /// 0.2 s and the depths left look costly (that time, grown 2.2x per
    /// depth, projects more than 30 s; on the standard configuration,
    /// Consistent), one is looked for beside BMC while that property waits
    /// (at most 120 s; about 30 s on the standard configuration),
    /// re-checked, assumed at every step, and the properties it implies are
    /// reported proved for every depth.
    #[arg(long)]
    pub no_invariant: bool,

    /// Candidate lemmas for the invariant search (BMC's and --prove's): a
    /// TLA+ module that EXTENDS SemiSync, each state-level definition a
    /// lemma, tried with the library's (encodings/Lemmas.tla). Never
    /// trusted: those Houdini finds inductive for the configuration are
    /// kept, and the invariant is re-checked by fresh solvers.
    #[arg(long, value_name = "FILE")]
    pub lemmas: Option<std::path::PathBuf>,

    /// --prove: write the checked inductive invariant of each proved
    /// property as a TLA+ module (EXTENDS SemiSync, defines IndInv) to FILE;
    /// with several properties, to FILE_Property.tla. The file's stem is
    /// the module's name. Invariants of more than 400 conjuncts are first
    /// shrunk to the closure of their unsat cores. For Finish the module
    /// also holds the ranking measure and the action property that every
    /// real step raises it (RealStepsRaiseMeasure), for TLC to check.
    #[arg(long, value_name = "FILE")]
    pub certificate: Option<std::path::PathBuf>,

    /// Random simulation instead of an exhaustive search: walks through the
    /// concrete spec, each step chosen uniformly among the enabled action
    /// instances, on every core, until each property is violated or --runs
    /// walks are done. A violation is reported with the walk's seed (not
    /// known to be the shortest unless --shorten finds the shortest); no
    /// violation is reported as "no violation in N random runs", never as
    /// "holds".
    #[arg(long, conflicts_with_all = ["prove", "split_depths", "dump_smt"])]
    pub simulate: bool,

    /// --simulate (and the walks of --engine auto): the most walks.
    #[arg(long, default_value_t = 100_000)]
    pub runs: u64,

    /// --simulate: the first walk's seed (walk i has seed SEED + i); the
    /// seed printed with a violation, with --runs 1 and the same --depth
    /// (and --swarm), replays that walk exactly. Default: from the clock,
    /// printed.
    #[arg(long, requires = "simulate")]
    pub seed: Option<u64>,

    /// --simulate: swarm testing: each walk draws random weights over the
    /// actions (an action left out with probability 1/3), so that walks
    /// favour different actions and reach rare interleavings.
    #[arg(long, requires = "simulate")]
    pub swarm: bool,

    /// --simulate: look for the shortest trace to each violation found, no
    /// deeper than the walk's: the explicit search bounded by its depth, else
    /// BMC bounded by it, within --shorten-budget seconds per property.
    #[arg(long, requires = "simulate")]
    pub shorten: bool,

    /// --shorten, and the walks of --prove: seconds per property to look
    /// for a shorter trace than the walk's. Default: 60.
    #[arg(long, value_name = "SECS")]
    pub shorten_budget: Option<u64>,

    /// --simulate: threads running walks. --engine explicit: threads
    /// expanding each level (any number finds the same states, in the same
    /// order, and the same trace). Default: one per core.
    #[arg(long)]
    pub workers: Option<usize>,

    /// Draw each counterexample as a self-contained HTML page (a message
    /// sequence chart: one lane per client, replica, ZooKeeper and the
    /// healer; click a step for its state) to FILE; with several, to FILE
    /// with the property's name before the extension.
    #[arg(long, value_name = "FILE")]
    pub html: Option<std::path::PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,

    /// No progress lines on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}
