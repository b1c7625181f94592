//! The `systemdify` binary: a thin wrapper around [`systemdify::cli::run`].

fn main() -> std::process::ExitCode {
    // Rust ignores SIGPIPE, so writing into a closed pipe (`systemdify convert … | head -1`)
    // would end in an error message and exit 1. Restore the default, as coreutils have it: the
    // process ends quietly, killed by SIGPIPE (shell status 141).
    // SAFETY: called first thing, before any other thread exists; SIG_DFL is a valid
    // disposition for SIGPIPE and no handler code runs.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // mimalloc maps its memory in large aligned regions: where transparent huge pages are
    // `always`, every region touched would count 2 MiB (twice the peak RSS of a run). Off for
    // this process.
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and changes only this process's policy.
    #[cfg(feature = "mimalloc")]
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    systemdify::memory::set_release(release_free);
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

/// The allocator of the whole process (see the `mimalloc` feature in Cargo.toml).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Returns the allocator's free pages to the system ([`systemdify::memory`]): mimalloc's
/// `mi_collect`, else glibc's `malloc_trim`.
fn release_free() {
    #[cfg(feature = "mimalloc")]
    {
        unsafe extern "C" {
            fn mi_collect(force: bool);
            fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
        }
        // `mi_option_purge_delay` in mimalloc.h (v2 and v3): how many milliseconds a free page
        // is kept before it goes back (10 by default).
        const PURGE_DELAY: std::ffi::c_int = 15;
        // SAFETY: both take plain integers (an option mimalloc.h defines) and only change
        // when mimalloc gives free pages back; callable any time, from any thread.
        unsafe {
            mi_option_set(PURGE_DELAY, 0);
            mi_collect(true);
        }
    }
    #[cfg(all(not(feature = "mimalloc"), target_env = "gnu"))]
    {
        // SAFETY: malloc_trim takes a plain size and only gives free memory back.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}
