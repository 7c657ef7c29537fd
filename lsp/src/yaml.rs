//! Bloblang embedded in YAML configs (`mapping`, `mutation`, `bloblang`,
//! `check`, `request_map`, `result_map` and `${! … }` interpolations), as
//! regions of the document, found by `tarn_lang::embedded`.

use crate::document::Region;
use tarn_lang::embedded::{self, EmbeddedKind};

/// The Bloblang regions of a YAML config.
pub fn regions(yaml: &str) -> Vec<Region> {
    embedded::find(yaml)
        .into_iter()
        .map(|e| {
            let starts = std::iter::once(0)
                .chain(e.source.match_indices('\n').map(|(i, _)| i + 1))
                .map(|s| (s, e.to_yaml(s)))
                .collect();
            let query = matches!(e.kind, EmbeddedKind::Interpolation);
            Region::embedded(e.source.clone(), query, starts)
        })
        .collect()
}
