//! Decode benchmarks (being built).
fn main() {}
