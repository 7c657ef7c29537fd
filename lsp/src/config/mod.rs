//! YAML config support from an injected schema: the path at the cursor,
//! completion and hover of components and fields, and lint diagnostics.

pub mod assist;
pub mod cursor;
pub mod lint;

use crate::schema::ConfigSchema;

/// True when `text` looks like a pipeline config: one of its top-level
/// keys is a root field that holds components (`input`, `pipeline`,
/// `output`, a resource list). Other YAML files get no config lint.
pub fn is_config(text: &str, schema: &ConfigSchema) -> bool {
    let markers = schema.config_markers();
    cursor::top_level_keys(text)
        .iter()
        .any(|k| markers.contains(&k.as_str()))
}

/// True when config completion and hover apply: a config, or a file with
/// no top-level key yet.
pub fn assists(text: &str, schema: &ConfigSchema) -> bool {
    cursor::top_level_keys(text).is_empty() || is_config(text, schema)
}
