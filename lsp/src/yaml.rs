//! Bloblang embedded in YAML configs, as regions of the document, found
//! by `tarn_lang::embedded`. With a config schema, a field holds a mapping
//! or interpolations when its schema type says so; where the schema knows
//! nothing of a path (or without a schema), the key names decide
//! (`mapping`, `mutation`, `bloblang`, `check`, `request_map`,
//! `result_map`, and `${! … }` in any other string).

use crate::document::Region;
use crate::schema::{ConfigSchema, Shape, Step, StrKind};
use tarn_lang::embedded::{self, EmbeddedKind, FieldKind};

/// What the schema says the field at `steps` holds.
fn classify(schema: &ConfigSchema, steps: &[embedded::Step<'_>]) -> Option<FieldKind> {
    let path: Vec<Step> = steps
        .iter()
        .map(|s| match s {
            embedded::Step::Key(k) => Step::Key((*k).to_string()),
            embedded::Step::Index(i) => Step::Index(*i),
        })
        .collect();
    kind_of(schema.resolve(&path)?)
}

fn kind_of(shape: &Shape) -> Option<FieldKind> {
    match shape.unwrapped() {
        Shape::Any => None,
        Shape::Str(StrKind::Mapping) => Some(FieldKind::Mapping),
        Shape::Str(StrKind::Interpolation) => Some(FieldKind::Interpolated),
        Shape::OneOf(options) => {
            let kinds: Vec<Option<FieldKind>> = options.iter().map(kind_of).collect();
            if kinds.contains(&None) {
                None
            } else if kinds.contains(&Some(FieldKind::Mapping)) {
                Some(FieldKind::Mapping)
            } else if kinds.contains(&Some(FieldKind::Interpolated)) {
                Some(FieldKind::Interpolated)
            } else {
                Some(FieldKind::Plain)
            }
        }
        _ => Some(FieldKind::Plain),
    }
}

/// The Bloblang regions of a YAML config.
pub fn regions(yaml: &str, schema: Option<&ConfigSchema>) -> Vec<Region> {
    let found = match schema {
        Some(schema) => embedded::find_with(yaml, &|steps| classify(schema, steps)),
        None => embedded::find(yaml),
    };
    found
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::tests::sample;

    fn sources(yaml: &str, schema: Option<&ConfigSchema>) -> Vec<(String, bool)> {
        regions(yaml, schema)
            .into_iter()
            .map(|r| (r.source, r.query))
            .collect()
    }

    #[test]
    fn the_schema_finds_mappings_and_interpolations_by_type() {
        let s = sample();
        let yaml = "pipeline:\n  processors:\n    - log:\n        message: 'id ${! @id }'\n        note: 'not ${! evaluated }'\n        fields_mapping: root.a = 1\n    - mapping: root = 2\n    - nope:\n        check: this.ok\n";
        assert_eq!(
            sources(yaml, Some(&s)),
            [
                (" @id ".to_string(), true),
                ("root.a = 1".to_string(), false),
                ("root = 2".to_string(), false),
                // An unknown component: the key names decide.
                ("this.ok".to_string(), false),
            ]
        );
        // Without a schema: `note` counts, `fields_mapping` does not.
        assert_eq!(
            sources(yaml, None),
            [
                (" @id ".to_string(), true),
                (" evaluated ".to_string(), true),
                ("root = 2".to_string(), false),
                ("this.ok".to_string(), false),
            ]
        );
    }
}
