//! `--config FILE`: TLC's configuration file applied to the flags; a flag
//! given on the command line wins over the file.

use super::Cli;
use clap::parser::ValueSource;
use clap::ArgMatches;
use semisync_bmc::error::{Error, Result};
use semisync_bmc::spec::tla::config;

fn given(m: &ArgMatches, id: &str) -> bool {
    m.value_source(id) == Some(ValueSource::CommandLine)
}

impl Cli {
    /// Reads `--config` (if any) into the flags not given on the command
    /// line.
    pub fn apply_config(&mut self, m: &ArgMatches) -> Result<()> {
        let Some(file) = self.config.clone() else {
            return Ok(());
        };
        let text = std::fs::read_to_string(&file)
            .map_err(|e| Error::usage(format!("--config {}: {e}", file.display())))?;
        let c = config::parse(&text)
            .map_err(|e| Error::usage(format!("--config {}: {e}", file.display())))?;
        macro_rules! set {
            ($field:ident, $id:literal) => {
                if let (Some(v), false) = (c.$field, given(m, $id)) {
                    self.$field = v;
                }
            };
        }
        set!(clients, "clients");
        set!(replicas, "replicas");
        set!(max_req, "max_req");
        set!(max_leader_changes, "max_leader_changes");
        set!(replication_factor, "replication_factor");
        set!(epoch_max, "epoch_max");
        set!(log_offset_max, "log_offset_max");
        let asked = given(m, "inv") || given(m, "reach") || given(m, "temporal");
        let where_ = |line: usize| format!("--config {}: line {line}", file.display());
        for p in &c.properties {
            if p != "Finish" {
                return Err(Error::usage(format!(
                    "--config {}: PROPERTY {p}: the temporal property semisync-bmc checks is \
                     Finish; state predicates go under INVARIANT",
                    file.display()
                )));
            }
        }
        let temporal = !given(m, "inv") && !given(m, "reach") && !c.properties.is_empty()
            || self.temporal.is_some();
        if !asked && !c.properties.is_empty() {
            if !c.invariants.is_empty() {
                return Err(Error::usage(format!(
                    "--config {}: the file asks for INVARIANTs and PROPERTY Finish; semisync-bmc \
                     checks Finish in a run of its own: add --temporal Finish for it, or --inv \
                     NAME for the invariants",
                    file.display()
                )));
            }
            if c.fair != Some(true) {
                return Err(Error::usage(format!(
                    "--config {}: PROPERTY Finish needs SPECIFICATION FairSpec (under Spec, \
                     stuttering at once violates it)",
                    file.display()
                )));
            }
            self.temporal = Some("Finish".into());
        }
        if !asked {
            // Each name resolved now, so that an error names its line.
            for (name, line) in c.invariants.iter().zip(&c.invariant_lines) {
                super::user::properties(
                    name,
                    false,
                    &self.params(),
                    self.engine() != super::Engine::Explicit,
                )
                .map_err(|e| Error::usage(format!("{}: INVARIANT {name}: {e}", where_(*line))))?;
            }
            self.inv = c.invariants.clone();
            self.configured = true;
        }
        // TLC checks deadlocks unless the file says CHECK_DEADLOCK FALSE,
        // whatever --inv replaces; Finish covers them (a deadlock is a
        // lasso that stutters), and runs alone.
        if !given(m, "deadlock") && !temporal {
            self.deadlock = c.check_deadlock.unwrap_or(true);
        }
        Ok(())
    }
}
