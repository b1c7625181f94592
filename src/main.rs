//! The `systemdify` binary: a thin wrapper around [`systemdify::cli::run`].

fn main() -> std::process::ExitCode {
    let mut stdin = std::io::stdin().lock();
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    let code = systemdify::cli::run(
        std::env::args_os(),
        &mut systemdify::cli::Streams {
            stdin: &mut stdin,
            stdout: &mut stdout,
            stderr: &mut stderr,
        },
    );
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}
