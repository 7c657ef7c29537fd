//! Stream files: directories, globs and single files become stream ids
//! (runtime.md §6), and `-w` keeps the running set in step with them.

use super::{Failure, Manager};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// How often `-w` looks at the files.
pub const WATCH_INTERVAL: Duration = Duration::from_millis(300);

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

/// The stream id of `path` below `base`: the relative path without its
/// `.yaml` / `.yml` extension, with `/` replaced by `_`.
pub fn stream_id(base: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(base).unwrap_or(path);
    let relative = relative.with_extension("");
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("_")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk(&path, out);
        } else if is_yaml(&path) {
            out.push(path);
        }
    }
}

/// The stream files named by `args` (directories, globs or files) by
/// id. Two files with one id are an error naming both, as is a path that
/// does not exist.
pub fn collect(args: &[String]) -> Result<BTreeMap<String, PathBuf>, String> {
    collect_files(args, false)
}

fn collect_files(args: &[String], missing_ok: bool) -> Result<BTreeMap<String, PathBuf>, String> {
    let mut found: BTreeMap<String, PathBuf> = BTreeMap::new();
    for arg in args {
        let path = Path::new(arg);
        let pairs: Vec<(String, PathBuf)> = if path.is_dir() {
            let mut files = Vec::new();
            walk(path, &mut files);
            files
                .into_iter()
                .map(|f| (stream_id(path, &f), f))
                .collect()
        } else if arg.contains(['*', '?', '[']) {
            let base: PathBuf = path
                .components()
                .take_while(|c| !c.as_os_str().to_string_lossy().contains(['*', '?', '[']))
                .collect();
            crate::inputs::glob::expand(arg)
                .into_iter()
                .filter(|f| f.is_file())
                .map(|f| (stream_id(&base, &f), f))
                .collect()
        } else if path.is_file() {
            let base = path.parent().unwrap_or(Path::new(""));
            vec![(stream_id(base, path), path.to_path_buf())]
        } else if missing_ok {
            // While watching, a removed file or directory has no streams.
            Vec::new()
        } else {
            return Err(format!("{arg}: no such file or directory"));
        };
        for (id, file) in pairs {
            if let Some(other) = found.get(&id)
                && other != &file
            {
                return Err(format!(
                    "the stream id `{id}` comes from both {} and {}",
                    other.display(),
                    file.display()
                ));
            }
            found.insert(id, file);
        }
    }
    Ok(found)
}

/// A failure to apply a file, rendered for a person: lint problems with
/// the file's line, column and a caret.
pub fn describe(path: &Path, text: &str, failure: &Failure) -> String {
    let name = path.display().to_string();
    match failure {
        Failure::Lint(problems) => crate::config::render(&name, text, problems),
        other => format!("{name}: error: {other}\n"),
    }
}

/// Starts every file's stream; the first failure stops the start-up.
/// Returns the text each id was started from.
pub async fn start_all(
    manager: &Manager,
    files: &BTreeMap<String, PathBuf>,
) -> Result<BTreeMap<String, String>, String> {
    let mut texts = BTreeMap::new();
    for (id, path) in files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: error: cannot read: {e}\n", path.display()))?;
        manager
            .put(id, &text, true)
            .await
            .map_err(|f| describe(path, &text, &f))?;
        texts.insert(id.clone(), text);
    }
    Ok(texts)
}

/// Follows the files until `stop` turns true: a new file creates its
/// stream, an edited one replaces it, a removed one deletes it. A file is
/// applied once its text is the same on two looks in a row, so one being
/// written is not taken half done. Problems are logged and the running
/// stream is left as it was.
pub async fn watch(
    manager: Arc<Manager>,
    args: Vec<String>,
    mut known: BTreeMap<String, String>,
    mut stop: watch::Receiver<bool>,
) {
    let mut settling: BTreeMap<String, String> = BTreeMap::new();
    loop {
        tokio::select! {
            _ = tokio::time::sleep(WATCH_INTERVAL) => {}
            _ = stop.changed() => return,
        }
        let files = match collect_files(&args, true) {
            Ok(files) => files,
            Err(e) => {
                crate::log::error(&format!("streams: {e}"));
                continue;
            }
        };
        let gone: Vec<String> = known
            .keys()
            .filter(|id| !files.contains_key(*id))
            .cloned()
            .collect();
        for id in gone {
            known.remove(&id);
            match manager.delete(&id, None).await {
                Ok(()) | Err(Failure::NotFound(_)) => {}
                Err(e) => crate::log::error(&format!("stream {id}: {e}")),
            }
        }
        settling.retain(|id, _| files.contains_key(id));
        for (id, path) in &files {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            if known.get(id) == Some(&text) {
                settling.remove(id);
                continue;
            }
            if settling.get(id) != Some(&text) {
                settling.insert(id.clone(), text);
                continue;
            }
            settling.remove(id);
            known.insert(id.clone(), text.clone());
            if let Err(f) = manager.put(id, &text, true).await {
                crate::log::error(describe(path, &text, &f).trim_end());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_relative_paths_without_extension() {
        assert_eq!(
            stream_id(Path::new("streams"), Path::new("streams/a/b.yaml")),
            "a_b"
        );
        assert_eq!(
            stream_id(Path::new("streams"), Path::new("streams/c.yml")),
            "c"
        );
        assert_eq!(stream_id(Path::new(""), Path::new("x.yaml")), "x");
    }

    #[test]
    fn directories_globs_and_duplicates() {
        let dir = std::env::temp_dir().join(format!("tarn-streams-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("a")).expect("mkdir");
        for f in ["a/b.yaml", "c.yml", "notes.txt", "a_b.yaml"] {
            std::fs::write(dir.join(f), "input: {}\n").expect("write");
        }
        let d = dir.display().to_string();
        let err = collect(std::slice::from_ref(&d)).expect_err("a/b.yaml and a_b.yaml share an id");
        assert!(err.contains("`a_b`"), "{err}");
        std::fs::remove_file(dir.join("a_b.yaml")).expect("rm");
        let found = collect(std::slice::from_ref(&d)).expect("collect");
        assert_eq!(found.keys().collect::<Vec<_>>(), ["a_b", "c"]);
        let found = collect(&[format!("{d}/*.yml")]).expect("glob");
        assert_eq!(found.keys().collect::<Vec<_>>(), ["c"]);
        let found = collect(&[format!("{d}/a/b.yaml")]).expect("file");
        assert_eq!(found.keys().collect::<Vec<_>>(), ["b"]);
        assert!(collect(&[format!("{d}/missing.yaml")]).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
