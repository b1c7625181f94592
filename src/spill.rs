//! The spill file of a run: the texts of the files a run will write, appended as they are
//! rendered and read back one at a time when they are written, so that a run holds their names
//! and hashes in memory, not their contents.
//!
//! The first [`IN_MEMORY`] bytes are held in memory (a small run creates no file and makes no
//! extra system call per file); past that, everything goes into a private file (mode 0600,
//! created new, removed from its directory at once) in the temporary directory (`$TMPDIR`,
//! else `/tmp`), never in the output directory: nothing of it is left behind whatever happens
//! to the run.

use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::sync::Mutex;

/// Where one text is in the spill file, with the SHA-256 it had when it was put there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spilled {
    offset: u64,
    len: u64,
    sha256: [u8; 32],
}

impl Spilled {
    /// The text's length in bytes.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the text is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The SHA-256 of the text.
    #[must_use]
    pub fn sha256(&self) -> [u8; 32] {
        self.sha256
    }

    /// The SHA-256 of the text, lower-case hex (as the manifest records it).
    #[must_use]
    pub fn sha256_hex(&self) -> String {
        hex(&self.sha256)
    }
}

fn hex(digest: &[u8; 32]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(64);
    for b in digest {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// How many bytes of texts a run holds in memory before it spills them to a file.
pub const IN_MEMORY: usize = 4 << 20;

/// A new private file in `dir` (created new, mode 0600, open for reading and writing),
/// already without a name.
pub(crate) fn private_file(dir: &std::path::Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    static SERIAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut tries = 0;
    loop {
        let n = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = dir.join(format!(".systemdify-spill.{}.{n}", std::process::id()));
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(f) => {
                // Open, it needs no name: nothing stays behind, whatever happens next.
                std::fs::remove_file(&path)?;
                return Ok(f);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && tries < 100 => tries += 1,
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("cannot create a temporary file in {}: {e}", dir.display()),
                ));
            }
        }
    }
}

/// The spill file while texts are put into it (from any number of threads).
#[derive(Debug)]
pub struct Spill {
    state: Mutex<Writing>,
    dir: std::path::PathBuf,
}

#[derive(Debug)]
struct Writing {
    /// The texts so far, while they fit in [`IN_MEMORY`].
    memory: Vec<u8>,
    /// The file, once they did not.
    out: Option<BufWriter<File>>,
    end: u64,
}

/// The spill file once every text is in it: read back by [`Reader::read`].
#[derive(Debug)]
pub struct Reader {
    texts: Texts,
}

#[derive(Debug)]
enum Texts {
    Memory(Vec<u8>),
    File(File),
}

impl Spill {
    /// A new, empty spill file in the temporary directory.
    ///
    /// # Errors
    /// The file cannot be created.
    pub fn new() -> io::Result<Self> {
        Self::new_in(&std::env::temp_dir())
    }

    /// A new, empty spill file in `dir` (created there once the texts outgrow [`IN_MEMORY`]).
    ///
    /// # Errors
    /// None yet: the file is created when it is needed.
    pub fn new_in(dir: &std::path::Path) -> io::Result<Self> {
        Ok(Spill {
            state: Mutex::new(Writing {
                memory: Vec::new(),
                out: None,
                end: 0,
            }),
            dir: dir.to_path_buf(),
        })
    }

    /// Appends `text`; returns where it is and its hash.
    ///
    /// # Errors
    /// Writing to the spill file failed (a full temporary directory).
    pub fn put(&self, text: &[u8]) -> io::Result<Spilled> {
        let sha256: [u8; 32] = Sha256::digest(text).into();
        let mut w = self
            .state
            .lock()
            .map_err(|_| io::Error::other("the spill file's lock is poisoned"))?;
        if w.out.is_none() && w.memory.len() + text.len() > IN_MEMORY {
            let mut out = BufWriter::with_capacity(1 << 16, private_file(&self.dir)?);
            out.write_all(&w.memory)?;
            w.memory = Vec::new();
            w.out = Some(out);
        }
        match &mut w.out {
            Some(out) => out.write_all(text)?,
            None => w.memory.extend_from_slice(text),
        }
        let offset = w.end;
        w.end += text.len() as u64;
        Ok(Spilled {
            offset,
            len: text.len() as u64,
            sha256,
        })
    }

    /// Ends the writing: every text put is readable.
    ///
    /// # Errors
    /// Flushing failed.
    pub fn finish(self) -> io::Result<Reader> {
        let w = self
            .state
            .into_inner()
            .map_err(|_| io::Error::other("the spill file's lock is poisoned"))?;
        let texts = match w.out {
            Some(out) => Texts::File(out.into_inner().map_err(io::IntoInnerError::into_error)?),
            None => Texts::Memory(w.memory),
        };
        Ok(Reader { texts })
    }
}

impl Reader {
    /// Reads the text at `at` into `buf` (replacing what it held), and checks that it still
    /// has the hash it was put with.
    ///
    /// # Errors
    /// Reading failed, or the text is not the one that was put there (an internal error).
    pub fn read(&self, at: &Spilled, buf: &mut Vec<u8>) -> io::Result<()> {
        let len = usize::try_from(at.len).map_err(io::Error::other)?;
        buf.clear();
        match &self.texts {
            Texts::File(file) => {
                buf.resize(len, 0);
                file.read_exact_at(buf, at.offset)?;
            }
            Texts::Memory(texts) => {
                let start = usize::try_from(at.offset).map_err(io::Error::other)?;
                let text = texts.get(start..start + len).ok_or_else(|| {
                    io::Error::other("internal error: a text past the spill's end")
                })?;
                buf.extend_from_slice(text);
            }
        }
        let sha256: [u8; 32] = Sha256::digest(&buf[..]).into();
        if sha256 != at.sha256 {
            return Err(io::Error::other(format!(
                "internal error: the text read back from the temporary file has SHA-256 {}, not {} as when it was rendered",
                hex(&sha256),
                hex(&at.sha256)
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_come_back_as_they_were_put_from_any_thread() {
        let spill = Spill::new().unwrap();
        // Past IN_MEMORY: the first texts in memory, then all in the file.
        let texts: Vec<String> = (0..200).map(|i| "x".repeat(i * 37 + 40_000)).collect();
        let at: Vec<Spilled> = std::thread::scope(|s| {
            let hs: Vec<_> = texts
                .iter()
                .map(|t| s.spawn(|| spill.put(t.as_bytes()).unwrap()))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let reader = spill.finish().unwrap();
        assert!(matches!(reader.texts, Texts::File(_)));
        let mut buf = Vec::new();
        for (t, a) in texts.iter().zip(&at) {
            reader.read(a, &mut buf).unwrap();
            assert_eq!(buf, t.as_bytes());
            assert_eq!(a.sha256_hex(), crate::manifest::sha256(t.as_bytes()));
        }
    }

    #[test]
    fn a_text_that_is_not_the_one_put_is_an_error() {
        let spill = Spill::new().unwrap();
        let a = spill.put(b"first").unwrap();
        let b = spill.put(b"other").unwrap();
        let reader = spill.finish().unwrap();
        assert!(matches!(reader.texts, Texts::Memory(_)));
        let wrong = Spilled {
            sha256: b.sha256,
            ..a
        };
        let err = reader.read(&wrong, &mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("internal error"), "{err}");
    }
}
