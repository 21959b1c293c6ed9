//! Seeded generation of ids and tokens in the documented formats (spec §3.3).

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// All randomness of the emulator's state comes from here, so a seed reproduces ids.
#[derive(Debug)]
pub struct IdGen {
    rng: SmallRng,
}

impl IdGen {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        IdGen {
            rng: SmallRng::seed_from_u64(seed),
        }
    }

    /// `n` random decimal digits, the first non-zero.
    pub fn digits(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        for i in 0..n {
            let d: u8 = if i == 0 {
                self.rng.random_range(1..10)
            } else {
                self.rng.random_range(0..10)
            };
            s.push(char::from(b'0' + d));
        }
        s
    }

    /// `n` random lowercase hex digits.
    pub fn hex(&mut self, n: usize) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        (0..n)
            .map(|_| char::from(HEX[self.rng.random_range(0..16usize)]))
            .collect()
    }

    /// A chat id and its visit id: `H<19 digits>-<32 hex>K<7 digits>` and `H…K…`.
    pub fn chat_id(&mut self) -> (String, String) {
        let h = self.digits(19);
        let x = self.hex(32);
        let k = self.digits(7);
        (format!("H{h}-{x}K{k}"), format!("H{h}K{k}"))
    }

    /// A random integer in `lo..hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        self.rng.random_range(lo..hi)
    }

    /// A uniform number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        self.rng.random::<f64>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_and_well_formed() {
        let (a, visit) = IdGen::new(7).chat_id();
        assert_eq!(IdGen::new(7).chat_id().0, a);
        assert!(a.starts_with('H') && a.contains('-') && a.contains('K'));
        assert_eq!(a.len(), 1 + 19 + 1 + 32 + 1 + 7);
        assert_eq!(visit.len(), 1 + 19 + 1 + 7);
    }
}
