//! Strong ETags from content: FNV-1a, stable across builds, processes and
//! machines (unlike std's hasher), so every node gives the same tag for the
//! same bytes.

#[derive(Clone, Copy)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    pub fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// The hash as a quoted ETag, with `length` beside it.
    pub fn etag(self, length: usize) -> String {
        format!("\"{:016x}-{length:x}\"", self.0)
    }
}
