//! The lpchat command (being built).
fn main() {}
