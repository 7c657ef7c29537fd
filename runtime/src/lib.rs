//! Tarn's pipeline runtime: Benthos-style YAML configs (inputs →
//! processors → outputs).
//!
//! So far this crate holds the config layer: environment substitution,
//! YAML with positions, the component schema, and the checks behind
//! `tarn lint`. The engine that runs pipelines builds on it.

pub mod config;
