//! Live tests: converted units run in a real systemd (PID 1 of a throw-away container) and are
//! compared with what the legacy tool starts in the same container.
//!
//! - `harness.rs`: the container (cached root, overlay per boot, own cgroup and mount
//!   namespace, guarded teardown), commands inside, `systemctl show`, `/proc/<pid>/…`.
//! - `recorder.rs`: the stand-in put at every program path; it records what it was given.
//! - `compare.rs`: field-by-field differences, each accepted (rule and reason), known (listed per
//!   case, with its reason) or unexplained (a failure).
//! - `sysv.rs`, `cron.rs`, `supervisord.rs`, `pm2.rs`: the differential tests over the corpus;
//!   `debian_daemons.rs`: real Debian packages' init scripts against our units from them;
//!   `listeners.rs`: superlance's crashmail, fatalmailbatch and memmon under supervisord against
//!   our hooks; `cleanup.rs`, `basics.rs`: the harness's own guarantees.
//!
//! `cargo test --test live` runs only these. They need root and the Debian package registry;
//! without them they say why and pass, except under `CI=true`, where that fails.

mod basics;
mod cleanup;
mod compare;
mod corpus;
mod cron;
mod debian_daemons;
mod harness;
mod listeners;
mod pm2;
#[allow(dead_code)]
mod recorder;
mod supervisord;
mod sysv;
