//! One text streamed out as it is rendered instead of built in memory: the report of a whole
//! host (90 MB of JSON at 100 times the benchmark's host), rendered before the run is written
//! and written inside the run's transaction, or printed after it.
//!
//! A [`Writer`] hashes what it is given (SHA-256, which the manifest and the output plan's
//! checks need before anything is written) and holds the first [`spill::IN_MEMORY`] bytes in
//! memory; past that, everything goes into a private file of the temporary directory, made as
//! the spill file is ([`spill::private_file`]: created new with mode 0600, unlinked at once, so
//! nothing of it stays behind). [`Text::copy_to`] writes it out in pieces, checking that what
//! it read back is what was written.

use crate::spill;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;

/// How many bytes [`Text::copy_to`] reads at a time.
const PIECE: usize = 1 << 16;

/// A text being written (`io::Write`); [`Writer::finish`] makes it a [`Text`].
#[derive(Debug)]
pub struct Writer {
    /// The bytes so far, while they fit in [`spill::IN_MEMORY`].
    memory: Vec<u8>,
    /// The file, once they did not.
    out: Option<BufWriter<File>>,
    hasher: Sha256,
    len: u64,
    dir: std::path::PathBuf,
}

/// A whole text, in memory or in its private file, with its length and SHA-256.
#[derive(Debug)]
pub struct Text {
    body: Body,
    len: u64,
    sha256: [u8; 32],
}

#[derive(Debug)]
enum Body {
    Memory(Vec<u8>),
    File(File),
}

impl Default for Writer {
    fn default() -> Self {
        Self::new()
    }
}

impl Writer {
    /// An empty text whose file, if it needs one, goes into the temporary directory (`$TMPDIR`,
    /// else `/tmp`).
    #[must_use]
    pub fn new() -> Self {
        Self::new_in(&std::env::temp_dir())
    }

    /// An empty text whose file, if it needs one, goes into `dir`.
    #[must_use]
    pub fn new_in(dir: &std::path::Path) -> Self {
        Writer {
            memory: Vec::new(),
            out: None,
            hasher: Sha256::new(),
            len: 0,
            dir: dir.to_path_buf(),
        }
    }

    /// The text written so far, complete.
    ///
    /// # Errors
    /// Flushing the file failed.
    pub fn finish(self) -> io::Result<Text> {
        let body = match self.out {
            Some(out) => Body::File(out.into_inner().map_err(io::IntoInnerError::into_error)?),
            None => Body::Memory(self.memory),
        };
        Ok(Text {
            body,
            len: self.len,
            sha256: self.hasher.finalize().into(),
        })
    }
}

impl Write for Writer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.out.is_none() && self.memory.len() + buf.len() > spill::IN_MEMORY {
            let mut out = BufWriter::with_capacity(PIECE, spill::private_file(&self.dir)?);
            out.write_all(&self.memory)?;
            self.memory = Vec::new();
            self.out = Some(out);
        }
        match &mut self.out {
            Some(out) => out.write_all(buf)?,
            None => self.memory.extend_from_slice(buf),
        }
        self.hasher.update(buf);
        self.len += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.out {
            Some(out) => out.flush(),
            None => Ok(()),
        }
    }
}

impl From<Vec<u8>> for Text {
    /// A text held in memory.
    fn from(bytes: Vec<u8>) -> Self {
        Text {
            len: bytes.len() as u64,
            sha256: Sha256::digest(&bytes).into(),
            body: Body::Memory(bytes),
        }
    }
}

impl Text {
    /// Its SHA-256.
    #[must_use]
    pub fn sha256(&self) -> [u8; 32] {
        self.sha256
    }

    /// Its length in bytes.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether it is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Writes the whole text to `out` (in pieces of 64 KiB from its file), and checks that
    /// what was read back has the length and hash it was written with.
    ///
    /// # Errors
    /// Reading or writing failed, or the file no longer holds the text (an internal error;
    /// part of it may have been written to `out` by then).
    pub fn copy_to(&self, out: &mut dyn Write) -> io::Result<()> {
        let file = match &self.body {
            Body::Memory(bytes) => return out.write_all(bytes),
            Body::File(file) => file,
        };
        let mut hasher = Sha256::new();
        let mut buf = vec![0; PIECE];
        let mut at = 0;
        while at < self.len {
            let want = usize::try_from((self.len - at).min(PIECE as u64)).unwrap_or(PIECE);
            let n = file.read_at(&mut buf[..want], at)?;
            if n == 0 {
                return Err(io::Error::other(
                    "internal error: the temporary file ended before the text it held",
                ));
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])?;
            at += n as u64;
        }
        let sha256: [u8; 32] = hasher.finalize().into();
        if sha256 != self.sha256 {
            return Err(io::Error::other(
                "internal error: the text read back from the temporary file is not the one written",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Body, Text, Writer};
    use std::io::Write;

    #[test]
    fn a_text_past_what_is_held_in_memory_comes_back_whole_from_its_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = Writer::new_in(dir.path());
        let mut expected = Vec::new();
        let mut i = 0u64;
        while expected.len() < crate::spill::IN_MEMORY + 300_000 {
            let line = format!("line {i} {}\n", "x".repeat((i % 97) as usize));
            w.write_all(line.as_bytes()).unwrap();
            expected.extend_from_slice(line.as_bytes());
            i += 1;
        }
        let text = w.finish().unwrap();
        assert!(matches!(text.body, Body::File(_)));
        // The file has no name: nothing is left in the directory.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert_eq!(text.len(), expected.len() as u64);
        assert_eq!(text.sha256(), Text::from(expected.clone()).sha256());
        let mut out = Vec::new();
        text.copy_to(&mut out).unwrap();
        assert!(out == expected, "the text read back differs");
    }

    #[test]
    fn a_small_text_stays_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = Writer::new_in(dir.path());
        writeln!(w, "{{}}").unwrap();
        let text = w.finish().unwrap();
        assert!(matches!(text.body, Body::Memory(_)));
        assert_eq!(text.sha256(), Text::from(b"{}\n".to_vec()).sha256());
        let mut out = Vec::new();
        text.copy_to(&mut out).unwrap();
        assert_eq!(out, b"{}\n");
    }

    #[test]
    fn a_file_changed_behind_the_text_is_an_error() {
        use std::os::unix::fs::FileExt;
        let dir = tempfile::tempdir().unwrap();
        let mut w = Writer::new_in(dir.path());
        w.write_all(&vec![b'a'; crate::spill::IN_MEMORY + 10])
            .unwrap();
        let text = w.finish().unwrap();
        let Body::File(file) = &text.body else {
            panic!("not in a file")
        };
        file.write_at(b"b", 5).unwrap();
        let err = text.copy_to(&mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("internal error"), "{err}");
    }
}
