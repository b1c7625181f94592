//! Running the command line inside a test, as users drive it.
#![allow(dead_code)]

/// Runs `systemdify ARGS` with `stdin` as standard input; returns the exit code, standard
/// output and standard error.
pub fn run_with_stdin(args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut argv = vec!["systemdify"];
    argv.extend_from_slice(args);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = systemdify::cli::run(
        argv,
        &mut systemdify::cli::Streams {
            stdin: &mut stdin.as_bytes(),
            stdout: &mut out,
            stderr: &mut err,
        },
    );
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// Runs `systemdify ARGS` with an empty standard input.
pub fn run(args: &[&str]) -> (i32, String, String) {
    run_with_stdin(args, "")
}
