//! `systemdify scan`: every legacy definition on a host or a copy of one.

use super::{emit, pipeline_options};
use crate::cli::{ScanArgs, Streams};
use crate::front::{self, cron};
use crate::host::Host;
use crate::{apply_scripts, discover, pipeline};

/// Runs the command; returns the exit code.
pub fn run(args: &ScanArgs, io: &mut Streams<'_>) -> i32 {
    if !args.root.is_dir() {
        let _ = writeln!(
            io.stderr,
            "systemdify: --root {}: not a directory",
            args.root.display()
        );
        return 2;
    }
    let host = if args.root == std::path::Path::new("/") {
        Host::real()
    } else {
        Host::at(&args.root)
    };
    let paths = discover::discover(&host);
    let _ = writeln!(
        io.stderr,
        "systemdify: scanning {}: {} file(s) to convert",
        args.root.display(),
        paths.len()
    );
    let mut options = match pipeline_options(
        front::From::Auto,
        cron::Table::Infer,
        args.dialect,
        &args.common,
    ) {
        Ok(o) => o,
        Err(e) => {
            let _ = writeln!(io.stderr, "systemdify: {e}");
            return 2;
        }
    };
    // Every crontab and the anacrontab are inputs too: a directory none of them runs never ran.
    options.front.cron.lone_directory = cron::LoneDirectory::Skipped;
    // Each file is read by the worker that converts it, and dropped once parsed.
    let inputs: Vec<pipeline::Source> = paths
        .into_iter()
        .map(|p| pipeline::Source::Host {
            display: p.clone(),
            host_path: p,
        })
        .collect();
    let (report, units) = match super::convert(inputs, &host, &options, &args.common) {
        Ok(done) => done,
        Err(e) => {
            let _ = writeln!(io.stderr, "systemdify: {e}");
            return 1;
        }
    };
    // The host's facts and indexes are not needed to write.
    drop(host);
    let extra = match apply_scripts::scripts(&report, &units.paths(), &args.common.env_dir) {
        Ok(extra) => extra,
        Err(e) => {
            let _ = writeln!(io.stderr, "systemdify: {e}; nothing written");
            return 1;
        }
    };
    emit(report, units, &args.common, extra, io)
}
