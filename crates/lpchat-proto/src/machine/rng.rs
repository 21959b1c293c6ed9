//! A small seeded pseudo-random generator (SplitMix64) for retry jitter and OAuth nonces.
//!
//! Machines take no randomness from the process: the seed is part of their configuration,
//! so a run is reproducible from its seed and its inputs. SplitMix64 is not cryptographic;
//! an OAuth nonce only has to be unique per timestamp, and a driver that wants
//! unpredictable nonces seeds the machine from the operating system.

use std::fmt;

/// The characters of a nonce.
const NONCE_ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// The length of a nonce: 24 characters of 62 give about 143 bits.
const NONCE_LEN: usize = 24;

/// SplitMix64 (Steele, Lea, Flood 2014): one 64-bit state word, every seed is good.
#[derive(Clone, PartialEq, Eq)]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform sample in `[0, 1)`, as [`crate::retry::Attempt::jitter_sample`] wants.
    pub fn unit(&mut self) -> f64 {
        // 53 bits fill an f64 mantissa exactly; the conversions are lossless.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A fresh OAuth nonce: 24 alphanumeric characters.
    pub fn nonce(&mut self) -> String {
        (0..NONCE_LEN)
            .map(|_| {
                let i = (self.next_u64() % NONCE_ALPHABET.len() as u64) as usize;
                NONCE_ALPHABET.get(i).copied().map_or('0', char::from)
            })
            .collect()
    }
}

impl fmt::Debug for Rng {
    /// The state is not shown: with it, every later nonce could be predicted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Rng(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproducible_and_in_range() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        for _ in 0..1000 {
            let x = a.unit();
            assert_eq!(x, b.unit());
            assert!((0.0..1.0).contains(&x));
        }
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
        // The published first output of SplitMix64 seeded with 0.
        assert_eq!(Rng::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn nonces_are_alphanumeric_and_differ() {
        let mut r = Rng::new(7);
        let n1 = r.nonce();
        let n2 = r.nonce();
        assert_eq!(n1.len(), NONCE_LEN);
        assert!(n1.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(n1, n2);
        assert_eq!(format!("{r:?}"), "Rng(..)");
    }
}
