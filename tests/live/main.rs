//! Live tests: converted units run in a real systemd (PID 1 of a throw-away container) and are
//! compared with what the legacy tool starts. See `harness.rs` for the container, `recorder.rs`
//! for the stand-in daemons. `cargo test --test live` runs only these.

mod basics;
mod cleanup;
mod compare;
mod corpus;
mod cron;
mod harness;
#[allow(dead_code)]
mod recorder;
mod sysv;
