//! Which files hold tests for which config. A path may be a config, its
//! test file, a folder (its YAML files), a folder followed by `/...` (every
//! YAML file below it), or a file name pattern with `*` and `?`.
//!
//! `foo.yaml` and `foo_benthos_test.yaml` beside it make one target: the
//! tests of the second run against the first. A YAML file without such a
//! sibling is a target when it has a `tests` section of its own.

use super::SetupError;
use crate::inputs::glob::component_matches;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// The suffix of a test file's name (before its extension).
pub const TEST_SUFFIX: &str = "_benthos_test";

/// How deep `/...` walks into folders.
const MAX_DEPTH: usize = 64;

/// A config and the file its tests are written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The config the tests are about.
    pub config: PathBuf,
    /// The file with the tests: a `_benthos_test` file, or the config
    /// itself.
    pub definition: PathBuf,
    /// Whether the tests are in a test file of their own.
    pub own_file: bool,
}

/// Every target the paths name, sorted by config path, and the paths
/// that could not be looked at.
pub fn targets(paths: &[PathBuf]) -> (Vec<Target>, Vec<SetupError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        expand(path, &mut files, &mut errors);
    }
    let mut found: BTreeMap<PathBuf, Target> = BTreeMap::new();
    for file in files {
        let (config, definition) = pair(&file);
        if found.contains_key(&config) {
            continue;
        }
        let target = if definition.is_file() {
            Target {
                config: config.clone(),
                definition,
                own_file: true,
            }
        } else if is_yaml(&config) && config.is_file() {
            Target {
                config: config.clone(),
                definition: config.clone(),
                own_file: false,
            }
        } else {
            continue;
        };
        found.insert(config, target);
    }
    (found.into_values().collect(), errors)
}

/// The config and test file paths a file belongs to.
pub fn pair(file: &Path) -> (PathBuf, PathBuf) {
    let file = clean(file);
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = file
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    match stem.strip_suffix(TEST_SUFFIX) {
        Some(base) => (dir.join(format!("{base}{ext}")), file),
        None => {
            let definition = dir.join(format!("{stem}{TEST_SUFFIX}{ext}"));
            (file, definition)
        }
    }
}

/// `path` without `.` components.
fn clean(path: &Path) -> PathBuf {
    let cleaned: PathBuf = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    if cleaned.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        cleaned
    }
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

fn expand(path: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<SetupError>) {
    let text = path.to_string_lossy();
    if text == "..." || text.ends_with("/...") {
        let base = text.strip_suffix("...").unwrap_or_default();
        let base = if base.is_empty() { "." } else { base };
        walk(Path::new(base), 0, files, errors);
        return;
    }
    if path.is_dir() {
        match yaml_files_in(path) {
            Ok(found) => files.extend(found),
            Err(source) => errors.push(SetupError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
        return;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !path.exists() && name.contains(['*', '?']) {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        match std::fs::read_dir(dir) {
            Ok(entries) => {
                let mut matched: Vec<PathBuf> = entries
                    .flatten()
                    .filter(|e| component_matches(&name, &e.file_name().to_string_lossy()))
                    .map(|e| e.path())
                    .filter(|p| p.is_file())
                    .collect();
                matched.sort();
                files.extend(matched);
            }
            Err(source) => errors.push(SetupError::Read {
                path: dir.to_path_buf(),
                source,
            }),
        }
        return;
    }
    if !path.exists() {
        errors.push(SetupError::Read {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
        });
        return;
    }
    files.push(path.to_path_buf());
}

/// The YAML files directly in `dir`, sorted.
fn yaml_files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| is_yaml(p) && p.is_file())
        .collect();
    out.sort();
    Ok(out)
}

/// Every YAML file below `dir` (symbolic links to folders are not
/// followed), sorted.
fn walk(dir: &Path, depth: usize, files: &mut Vec<PathBuf>, errors: &mut Vec<SetupError>) {
    if depth > MAX_DEPTH {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(source) => {
            errors.push(SetupError::Read {
                path: dir.to_path_buf(),
                source,
            });
            return;
        }
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::path);
    for entry in entries {
        let path = entry.path();
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, depth + 1, files, errors),
            Ok(_) if is_yaml(&path) && path.is_file() => files.push(path),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_and_test_files_pair_up() {
        let (c, d) = pair(Path::new("./a/foo.yaml"));
        assert_eq!(c, PathBuf::from("a/foo.yaml"));
        assert_eq!(d, PathBuf::from("a/foo_benthos_test.yaml"));
        let (c, d) = pair(Path::new("a/foo_benthos_test.yml"));
        assert_eq!(c, PathBuf::from("a/foo.yml"));
        assert_eq!(d, PathBuf::from("a/foo_benthos_test.yml"));
    }

    #[test]
    fn wildcards_match_names() {
        assert!(component_matches("*.yaml", "foo.yaml"));
        assert!(component_matches("f?o*_test.yaml", "foo_bar_test.yaml"));
        assert!(!component_matches("*.yaml", "foo.yml"));
        assert!(component_matches("*", ""));
        assert!(!component_matches("a*b", "acbd"));
    }
}
