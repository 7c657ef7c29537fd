//! Glob patterns for the `file` input's `paths`: `*`, `?` and `**`.

use std::path::{Path, PathBuf};

/// Whether `name` matches one glob component: `*` is any run of
/// characters, `?` any one character, everything else itself.
pub fn component_matches(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative matching with a single backtrack point for the last `*`.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ni));
                pi += 1;
            }
            Some(&c) if c == '?' || c == n[ni] => {
                pi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sp, sn)) => {
                    pi = sp + 1;
                    ni = sn + 1;
                    star = Some((sp, sn + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

fn has_magic(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// The files a glob matches, sorted. `**` as a whole component matches
/// any number of directories (none included). Hidden entries are only
/// matched by a component that starts with `.`.
pub fn expand(pattern: &str) -> Vec<PathBuf> {
    let (base, rest) = if let Some(stripped) = pattern.strip_prefix('/') {
        (PathBuf::from("/"), stripped)
    } else {
        (PathBuf::new(), pattern)
    };
    let parts: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let mut found = Vec::new();
    walk(&base, &parts, &mut found);
    found.sort();
    found.dedup();
    found
}

fn entries(dir: &Path) -> Vec<(String, PathBuf)> {
    let at = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(read) = std::fs::read_dir(at) else {
        return Vec::new();
    };
    read.filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            Some((name.clone(), dir.join(name)))
        })
        .collect()
}

fn walk(dir: &Path, parts: &[&str], found: &mut Vec<PathBuf>) {
    let Some((&first, rest)) = parts.split_first() else {
        if dir.is_file() {
            found.push(dir.to_path_buf());
        }
        return;
    };
    if first == "**" {
        // Zero directories …
        walk(dir, rest, found);
        // … or one more, keeping `**` in play.
        for (name, path) in entries(dir) {
            if !name.starts_with('.') && path.is_dir() {
                walk(&path, parts, found);
            }
        }
    } else if has_magic(first) {
        for (name, path) in entries(dir) {
            if (!name.starts_with('.') || first.starts_with('.')) && component_matches(first, &name)
            {
                walk(&path, rest, found);
            }
        }
    } else {
        walk(&dir.join(first), rest, found);
    }
}

/// Every file the patterns match, in pattern order, each once.
pub fn matched_files(patterns: &[String]) -> Vec<PathBuf> {
    let mut seen = std::collections::HashSet::new();
    patterns
        .iter()
        .flat_map(|p| expand(p))
        .filter(|p| seen.insert(p.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_globs() {
        assert!(component_matches("*.txt", "a.txt"));
        assert!(component_matches("*.txt", ".txt"));
        assert!(!component_matches("*.txt", "a.txt.bak"));
        assert!(component_matches("a?c", "abc"));
        assert!(!component_matches("a?c", "ac"));
        assert!(component_matches("*a*b*", "xxaybzz"));
        assert!(!component_matches("*a*b", "xxaybzz"));
        assert!(component_matches("*", ""));
        assert!(component_matches("exact", "exact"));
    }

    fn tree(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tarn-glob-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for f in [
            "a.txt",
            "b.log",
            "sub/c.txt",
            "sub/deep/d.txt",
            ".hidden/e.txt",
        ] {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, f).expect("write");
        }
        dir
    }

    fn rel(dir: &Path, found: Vec<PathBuf>) -> Vec<String> {
        found
            .iter()
            .map(|p| {
                p.strip_prefix(dir)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    }

    #[test]
    fn expand_star_question_and_double_star() {
        let dir = tree("expand");
        let d = dir.to_string_lossy();
        assert_eq!(rel(&dir, expand(&format!("{d}/*.txt"))), ["a.txt"]);
        assert_eq!(rel(&dir, expand(&format!("{d}/?.log"))), ["b.log"]);
        assert_eq!(
            rel(&dir, expand(&format!("{d}/**/*.txt"))),
            ["a.txt", "sub/c.txt", "sub/deep/d.txt"]
        );
        assert_eq!(
            rel(&dir, expand(&format!("{d}/sub/*/d.txt"))),
            ["sub/deep/d.txt"]
        );
        assert_eq!(rel(&dir, expand(&format!("{d}/b.log"))), ["b.log"]);
        assert!(expand(&format!("{d}/nothing/*.txt")).is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
