//! FNV-1a, a hasher for the short keys (shell words, unit names) of sets and maps that only
//! speed up a run: SipHash's resistance to chosen keys buys nothing there, and costs several
//! times as much per key.

/// The FNV-1a hasher (64 bits).
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Builds [`Fnv`] hashers for a `HashMap` or `HashSet`.
pub type BuildFnv = std::hash::BuildHasherDefault<Fnv>;

/// A `HashSet` hashed with [`Fnv`].
pub type FnvHashSet<T> = std::collections::HashSet<T, BuildFnv>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hasher;

    #[test]
    fn hashes_as_fnv_1a_does() {
        // The reference values of FNV-1a 64 for "" and "a".
        assert_eq!(Fnv::default().finish(), 0xcbf2_9ce4_8422_2325);
        let mut h = Fnv::default();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
    }
}
