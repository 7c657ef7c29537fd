//! Stdlib family: formats (see language.md §4): encodings, hashes,
//! encryption, compression and the parse/format methods of data formats.

use super::Spec;

mod codec;
mod compress;
mod crypto;
mod csv_logfmt;
mod digest_util;
mod encoding;
mod json;
mod url;
mod yaml;

/// Every spec of this family, one slice per file.
pub const SPECS: &[&[Spec]] = &[encoding::SPECS, crypto::SPECS, json::SPECS, csv_logfmt::SPECS, url::SPECS, compress::SPECS];
