//! systemdify: moves legacy Linux process definitions (crontabs, anacrontab, and — in later
//! versions — PM2, supervisord and SysV init scripts) onto native systemd units, with a
//! migration report of everything that did not translate exactly.
//!
//! Pipeline: [`front`] (one frontend per format) → [`ir`] (what a unit means) → [`naming`]
//! (valid, stable, unique names) → [`back::systemd`] (unit files) + [`report`].

#![forbid(unsafe_code)]

pub mod back {
    //! Backends: the systemd unit writer.
    pub mod systemd;
}
pub mod apply_scripts;
pub mod cli;
pub mod commands;
pub mod discover;
pub mod explain;
pub mod finding;
pub mod fire_times;
pub mod fnv;
pub mod front;
pub mod host;
pub mod input_path;
pub mod ir;
pub mod manifest;
pub mod memory;
pub mod naming;
pub mod output;
pub mod pipeline;
pub mod report;
pub mod scratch;
pub mod spill;
pub mod two_pass;
pub mod workers;
