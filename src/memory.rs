//! Giving the memory a phase of a run freed back to the system before the next phase: a run's
//! first pass frees most of what it allocated (each input's parse), in pages the allocator would
//! otherwise keep for a while. How to do that depends on the allocator, which the binary
//! chooses: it says so once with [`set_release`].

static RELEASE: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Sets how [`release_free`] returns free memory to the system (the binary's allocator's
/// call). The first call wins.
pub fn set_release(release: fn()) {
    let _ = RELEASE.set(release);
}

/// Returns the allocator's free pages to the system, when the binary said how; else nothing.
pub fn release_free() {
    if let Some(release) = RELEASE.get() {
        release();
    }
}
