//! Tarn language server.
