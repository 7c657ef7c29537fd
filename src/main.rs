//! The `tarn` command line.
fn main() {}
