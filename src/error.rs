//! One error type for the library, and every exit code of `bmc`, mapped in
//! one place.
//!
//! Inside the library errors are typed (`Error`); the command-line edge adds
//! context with `anyhow` and maps the outcome to an exit code with
//! `exit_code_of`. A verdict (violated, unknown) is not an error: see
//! `report::exit_code`.

use std::fmt;

/// No violation found (TLC's 0).
pub const EXIT_OK: u8 = 0;
/// An internal error: a counterexample failed its replay (an encoding
/// bug), or a proof failed its re-check.
pub const EXIT_INTERNAL: u8 = 1;
/// A bad command line.
pub const EXIT_USAGE: u8 = 2;
/// The result is incomplete: the solver answered unknown, a time or state
/// budget stopped the search, or the run was interrupted.
pub const EXIT_INCOMPLETE: u8 = 3;
/// A deadlock was reached (TLC's 11).
pub const EXIT_DEADLOCK: u8 = 11;
/// A temporal property is violated (TLC's 13).
pub const EXIT_LIVENESS: u8 = 13;
/// A `--reach` target was not reached: not reachable up to the depth
/// bound, or proved unreachable (reaching every target exits 0).
pub const EXIT_UNREACHED: u8 = 15;
/// A safety property is violated (TLC's 12).
pub const EXIT_VIOLATION: u8 = 12;
/// Results the user asked for could not be written (sysexits' EX_IOERR).
pub const EXIT_IO: u8 = 74;

#[derive(Debug)]
pub enum Error {
    /// Bad input: parameters, flags, file names.
    Usage(String),
    /// A bug caught by a check: a trace that does not replay, a proof that
    /// fails its re-check, a width bound that does not hold.
    Internal(String),
    /// A file the user asked for (or standard output) cannot be written.
    Io {
        what: String,
        source: std::io::Error,
    },
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn usage(msg: impl Into<String>) -> Error {
        Error::Usage(msg.into())
    }
    pub fn internal(msg: impl Into<String>) -> Error {
        Error::Internal(msg.into())
    }
    /// `what` names the file and what it was for.
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io {
            what: what.into(),
            source,
        }
    }
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => EXIT_USAGE,
            Error::Internal(_) => EXIT_INTERNAL,
            Error::Io { .. } => EXIT_IO,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(m) => f.write_str(m),
            Error::Internal(m) => write!(f, "internal error: {m}"),
            Error::Io { what, source } => write!(f, "cannot write {what}: {source}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The exit code for an error that reached the command-line edge: the
/// first `Error` in its chain decides; anything else is internal.
pub fn exit_code_of(e: &anyhow::Error) -> u8 {
    e.chain()
        .find_map(|c| c.downcast_ref::<Error>())
        .map_or(EXIT_INTERNAL, Error::exit_code)
}
