//! From flags to a job for `check::run`, and the report's header: every
//! flag-to-policy decision of the command line, in one place.

use super::{Cli, Engine, LassoEncoding, ProveWith};
use semisync_bmc::check::bmc::{BmcPlan, InvariantPolicy, PorPolicy};
use semisync_bmc::check::race::{wants_walks, RacePlan};
use semisync_bmc::check::simulate::SimPlan;
use semisync_bmc::check::temporal::TemporalPlan;
use semisync_bmc::check::Job;
use semisync_bmc::engine::bmc::{BmcOptions, Loops};
use semisync_bmc::engine::explicit::ExplicitOptions;
use semisync_bmc::engine::prove::{par, ProveOptions, Route, PROVE_WALKS};
use semisync_bmc::engine::simulate::SimOptions;
use semisync_bmc::error::{Error, Result};
use semisync_bmc::params::Params;
use semisync_bmc::spec::Property;

impl Cli {
    pub fn params(&self) -> Params {
        Params {
            clients: self.clients,
            replicas: self.replicas,
            max_req: self.max_req,
            max_leader_changes: self.max_leader_changes,
            replication_factor: self.replication_factor,
            epoch_max: self.epoch_max,
            log_offset_max: self.log_offset_max,
        }
    }

    /// `--shorten-budget`, or its default.
    pub fn shorten_budget(&self) -> u64 {
        self.shorten_budget.unwrap_or(60)
    }

    /// `--depth`, or its default for the mode.
    pub fn depth(&self) -> usize {
        self.depth.unwrap_or(if self.simulate { 100 } else { 25 })
    }

    /// The properties asked for, worked out once (each predicate is
    /// compiled, evaluated in Init and encoded in Z3 to check it).
    pub fn properties(&self) -> Result<Vec<Property>> {
        if let Some(v) = self.properties_once.get() {
            return Ok(v.clone());
        }
        let v = self.work_out_properties()?;
        Ok(self.properties_once.get_or_init(|| v).clone())
    }

    fn work_out_properties(&self) -> Result<Vec<Property>> {
        let symbolic = self.engine() != Engine::Explicit || self.prove;
        let mut v = if self.inv.is_empty()
            && self.reach.is_empty()
            && self.temporal.is_none()
            && !self.coverage
            && !self.configured
        {
            Property::ALL.to_vec()
        } else {
            vec![]
        };
        for text in &self.inv {
            v.extend(super::user::properties(
                text,
                false,
                &self.params(),
                symbolic,
            )?);
        }
        for text in &self.reach {
            v.extend(super::user::properties(
                text,
                true,
                &self.params(),
                symbolic,
            )?);
        }
        if self.deadlock {
            v.push(Property::NoDeadlock);
        }
        if self.coverage {
            let p = self.params();
            v.extend(
                semisync_bmc::spec::Action::all(&p)
                    .into_iter()
                    .map(Property::Enabled),
            );
        }
        if self.temporal.is_some() {
            v.push(Property::Finish);
        }
        v.sort();
        v.dedup();
        if v.is_empty() {
            return Err(Error::usage(
                "nothing to check: the configuration names no INVARIANT or PROPERTY and says \
                 CHECK_DEADLOCK FALSE (add --inv NAME)",
            ));
        }
        Ok(v)
    }

    /// `--view`, compiled and evaluated in the initial states (so that a
    /// view that cannot be read is refused before the run).
    pub fn view(&self) -> Result<Option<semisync_bmc::spec::tla::Compiled>> {
        let Some(text) = &self.view else {
            return Ok(None);
        };
        let (_, c) = semisync_bmc::spec::tla::compile(text)
            .map_err(|e| Error::usage(format!("--view {text:?}: {e}")))?;
        let p = self.params();
        for s in semisync_bmc::spec::init_states(&p) {
            if let Err(e) = semisync_bmc::spec::tla::eval::eval_value(&c, &p, &s) {
                return Err(Error::usage(format!(
                    "--view {text:?} cannot be evaluated in the initial state: {e}"
                )));
            }
        }
        Ok(Some(c))
    }

    /// Every property asked for is symmetric in the replicas and clients.
    fn symmetric(&self) -> bool {
        self.properties()
            .map(|v| v.iter().all(|q| q.is_symmetric()))
            .unwrap_or(true)
    }

    /// Sets each `--z3-param` (before any solver is made); an unknown key
    /// is a usage error.
    pub fn apply_z3_params(&self) -> Result<()> {
        for kv in &self.z3_params {
            match kv.split_once('=') {
                Some((k, v)) if !k.is_empty() && !v.is_empty() && !kv.contains('\0') => {
                    // Z3 prints a page of warnings for an unknown key: ask
                    // quietly first.
                    z3::set_global_param("warning", "false");
                    let known = z3::get_global_param(k).is_some();
                    z3::set_global_param("warning", "true");
                    if !known {
                        return Err(Error::usage(format!(
                            "--z3-param: Z3 has no parameter {k:?}"
                        )));
                    }
                    z3::set_global_param(k, v);
                }
                _ => {
                    return Err(Error::usage(format!(
                        "--z3-param wants KEY=VALUE, got {kv:?}"
                    )))
                }
            }
        }
        Ok(())
    }

    /// The engine asked for, or the default for the other flags: a mode
    /// only the symbolic engine has (or that has its own default) takes
    /// it, an option of the explicit engine takes that one, the rest race.
    pub fn engine(&self) -> Engine {
        if let Some(e) = self.engine {
            return e;
        }
        if self.prove
            || self.temporal.is_some()
            || self.simulate
            || self.split_depths
            || self.dump_smt.is_some()
            || self.assume_invariant
        {
            Engine::Symbolic
        } else if self.symmetry || self.max_states.is_some() || self.workers.is_some() {
            Engine::Explicit
        } else {
            Engine::Auto
        }
    }

    /// The flags as a job for `check::run`, or why they do not fit
    /// together.
    pub fn job(&self) -> Result<Job> {
        let props = self.properties()?;
        let symbolic = self.engine() != Engine::Explicit;
        let targets = !self.reach.is_empty() || self.coverage;
        if targets && (self.temporal.is_some() || self.stop_at_first) {
            return Err(Error::usage(
                "--reach and --coverage look for witnesses: they take neither --temporal (which \
                 checks Finish alone) nor --stop-at-first (a witness is not a violation)",
            ));
        }
        if self.max_error > 1 && self.simulate {
            return Err(Error::usage(
                "--max-error asks BMC for the next shortest counterexamples; --simulate's are not \
                 shortest: drop one of them",
            ));
        }
        if self.view.is_some() && self.max_error < 2 {
            return Err(Error::usage(
                "--view distinguishes counterexamples: add --max-error N (N > 1)",
            ));
        }
        self.view()?;
        if self.symmetry && !self.symmetric() {
            return Err(Error::usage(
                "--symmetry: a predicate names a replica or a client (r1, c2), so relabelling \
                 them changes its truth; drop --symmetry",
            ));
        }
        if self.engine() == Engine::Auto && (self.split_depths || self.simulate) {
            return Err(Error::usage(
                "--engine auto races the engines itself; drop --split-depths or --simulate",
            ));
        }
        if self.dump_smt.is_some() && !symbolic {
            return Err(Error::usage("--dump-smt needs the symbolic engine"));
        }
        if self.split_depths && !symbolic {
            return Err(Error::usage("--split-depths needs the symbolic engine"));
        }
        if self.temporal.is_some()
            && (self.symmetry || self.stop_at_first || self.dump_smt.is_some())
        {
            return Err(Error::usage(
                "--temporal Finish takes none of --symmetry (a cycle of canonical states need not \
                 be a cycle), --stop-at-first, --dump-smt",
            ));
        }
        if self.shorten_budget.is_some() && !self.shorten && !(self.prove && !self.no_walks) {
            return Err(Error::usage(
                "--shorten-budget is the time to shorten a walk's violation: it needs --shorten, \
                 or --prove (without --no-walks)",
            ));
        }
        if self.prove {
            if !symbolic {
                return Err(Error::usage(
                    "--prove uses the symbolic engine; drop --engine explicit",
                ));
            }
            if self.dump_smt.is_some() {
                return Err(Error::usage(
                    "--dump-smt writes BMC's queries; --prove does not use it",
                ));
            }
            if let Some(file) = &self.certificate {
                semisync_bmc::report::certificate::paths(file, &props)?;
            }
            return Ok(Job::Prove(ProveOptions {
                route: match self.prove_with {
                    ProveWith::Induction => Route::Induction,
                    ProveWith::Spacer => Route::Spacer,
                },
                max_k: self.max_k,
                timeout: self.timeout.map(std::time::Duration::from_secs),
                sample_states: self.samples,
                strengthen: !self.no_strengthen,
                seed: !self.no_seed,
                minimize: self.certificate.is_some(),
                late_depth: self.depth(),
                walks: (!self.no_walks).then(|| SimOptions {
                    props: vec![],
                    runs: PROVE_WALKS,
                    depth: self.depth().max(100),
                    seed: 1,
                    swarm: true,
                    workers: par::workers(),
                    stop_at_first: false,
                }),
                shorten_secs: self.shorten_budget(),
                ..ProveOptions::new(props)
            }));
        }
        if self.certificate.is_some() {
            return Err(Error::usage("--certificate needs --prove"));
        }
        if let Some(dir) = &self.dump_smt {
            std::fs::create_dir_all(dir).map_err(|e| {
                Error::usage(format!(
                    "cannot create --dump-smt directory {}: {e}",
                    dir.display()
                ))
            })?;
        }
        if self.temporal.is_some() {
            if !self.inv.is_empty()
                || self.deadlock
                || self.simulate
                || self.split_depths
                || self.engine() == Engine::Auto
            {
                return Err(Error::usage(
                    "--temporal checks Finish alone, with --engine symbolic or explicit: check \
                     invariants and deadlocks in another run",
                ));
            }
            return Ok(Job::Temporal(TemporalPlan {
                depth: self.depth(),
                explicit: !symbolic,
                max_states: self.max_states,
                engine: self.bmc_options(),
                loops: match self.lasso_encoding {
                    Some(LassoEncoding::LoopBack) => Loops::LoopBack,
                    Some(LassoEncoding::L2s) | None => Loops::Saved,
                },
                keep_loops: self.lasso_encoding.is_some(),
            }));
        }
        if self.simulate {
            if !symbolic {
                return Err(Error::usage(
                    "--simulate runs walks through the concrete spec; drop --engine explicit",
                ));
            }
            if self.runs == 0 || self.workers == Some(0) {
                return Err(Error::usage("--runs and --workers must be at least 1"));
            }
            let seed = self.seed.unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| d.as_nanos() as u64 % 1_000_000_000)
            });
            return Ok(Job::Simulate(SimPlan {
                sim: SimOptions {
                    props,
                    runs: self.runs,
                    depth: self.depth(),
                    seed,
                    swarm: self.swarm,
                    workers: self.workers.unwrap_or_else(par::workers),
                    stop_at_first: self.stop_at_first,
                },
                shorten_secs: self.shorten.then_some(self.shorten_budget()),
            }));
        }
        if self.workers.is_some() && symbolic {
            return Err(Error::usage(
                "--workers sets the threads of --simulate and of --engine explicit; the race and \
                 the symbolic engine take all cores as they see fit",
            ));
        }
        if !symbolic {
            if self.workers == Some(0) {
                return Err(Error::usage("--workers must be at least 1"));
            }
            return Ok(Job::Explicit(ExplicitOptions {
                depth: self.depth(),
                props,
                max_states: self.max_states,
                symmetry: self.symmetry,
                stop_at_first: self.stop_at_first,
                deadline: None,
                board: Default::default(),
                workers: self.workers.unwrap_or_else(par::workers),
            }));
        }
        let plan = BmcPlan {
            engine: self.bmc_options(),
            stop_at_first: self.stop_at_first,
            partial_order: match (self.no_por, self.por_from) {
                (true, _) => PorPolicy::Off,
                (false, Some(k)) => PorPolicy::From(k),
                (false, None) => PorPolicy::Auto,
            },
            invariant: if self.assume_invariant {
                InvariantPolicy::First
            } else if self.no_invariant {
                InvariantPolicy::Off
            } else {
                InvariantPolicy::Auto
            },
            ..BmcPlan::new(self.depth(), props)
        };
        Ok(if self.engine() == Engine::Auto {
            let p = self.params();
            let walks = wants_walks(&p).then(|| SimOptions {
                props: plan.props.clone(),
                runs: self.runs,
                depth: self.depth().max(100),
                seed: 1,
                swarm: true,
                workers: 1,
                stop_at_first: self.stop_at_first,
            });
            Job::Race(RacePlan {
                bmc: plan,
                walks,
                violated_within: vec![],
            })
        } else if self.split_depths {
            Job::SplitDepths(plan)
        } else {
            Job::Bmc(plan)
        })
    }

    /// How BMC unrolls: the per-query timeout, symmetry breaking, lemmas,
    /// the query dumps.
    fn bmc_options(&self) -> BmcOptions {
        BmcOptions {
            timeout_ms: self.timeout.map(|s| s.saturating_mul(1000)),
            // Sound only for properties that no relabelling changes.
            symmetry_breaking: !self.no_symmetry_breaking && self.symmetric(),
            lemmas: !self.no_lemmas,
            dump_smt: self.dump_smt.clone(),
        }
    }

    /// The report's header for `job`.
    pub fn header(&self, p: &Params, job: &Job) -> String {
        use semisync_bmc::report::header;
        let z3 = z3::full_version();
        match job {
            Job::Prove(o) => {
                let method = match o.route {
                    Route::Induction => format!(
                        "{}k-induction (k <= {})",
                        if o.strengthen {
                            "template strengthening, then "
                        } else {
                            ""
                        },
                        o.max_k + 1
                    ),
                    Route::Spacer => "Spacer (IC3/PDR)".into(),
                };
                header(
                    if o.props.contains(&Property::Finish) {
                        "proving SemiSync's properties for every behaviour"
                    } else {
                        "proving SemiSync's invariants for every depth"
                    },
                    p,
                    &o.props,
                    &format!("method: {method}; Z3 {z3}"),
                )
            }
            Job::Temporal(plan) => header(
                "checking SemiSync's FairSpec => Finish",
                p,
                &[Property::Finish],
                &if plan.explicit {
                    "engine: explicit (every reachable state, no symmetry)".to_string()
                } else {
                    format!("engine: lasso BMC (Z3 {z3}); depth bound: {}", plan.depth)
                },
            ),
            Job::Simulate(plan) => header(
                "simulating SemiSync",
                p,
                &plan.sim.props,
                &format!(
                    "random walks of at most {} steps, {} at most, seed {}{}",
                    plan.sim.depth,
                    plan.sim.runs,
                    plan.sim.seed,
                    if plan.sim.swarm { ", swarm" } else { "" }
                ),
            ),
            _ => {
                let engine = match self.engine() {
                    Engine::Symbolic => format!("symbolic (Z3 {z3})"),
                    Engine::Auto => format!(
                        "auto: symbolic (Z3 {z3}) and explicit racing{}",
                        if matches!(job, Job::Race(RacePlan { walks: Some(_), .. })) {
                            ", random walks beside them"
                        } else {
                            ""
                        }
                    ),
                    Engine::Explicit => {
                        format!("explicit{}", if self.symmetry { ", symmetry" } else { "" })
                    }
                };
                header(
                    "checking SemiSync",
                    p,
                    &self.properties().unwrap_or_default(),
                    &format!("engine: {engine}; depth bound: {}", self.depth()),
                )
            }
        }
    }
}
