//! `tarn run` end to end for the cache and archive processor families
//! (`dedupe`, `cache`, `unarchive`, `archive`, `split`, `rate_limit`,
//! `sleep`): real pipelines through the real binary, archives made by the
//! system's `tar` and Python's `zipfile`, requests over real sockets.

mod common;

use common::{Pipeline, http, temp_dir};
use std::path::Path;
use std::process::Command;

/// Runs `config` to completion on `stdin`: its stdout.
fn run_pipeline(name: &str, config: &str, stdin: &str) -> String {
    common::run_config_ok(name, config, stdin).0
}

#[test]
fn dedupe_with_a_memory_cache_keeps_the_first_message_of_each_key() {
    let config = r#"
input:
  stdin: {}
pipeline:
  threads: 1
  processors:
    - dedupe:
        cache: seen
        key: ${! this.id }
cache_resources:
  - label: seen
    memory:
      default_ttl: 1m
output:
  stdout: {}
"#;
    let input = concat!(
        "{\"id\":1,\"v\":\"a\"}\n",
        "{\"id\":2,\"v\":\"b\"}\n",
        "{\"id\":1,\"v\":\"c\"}\n",
        "{\"id\":3,\"v\":\"d\"}\n",
        "{\"id\":2,\"v\":\"e\"}\n",
    );
    assert_eq!(
        run_pipeline("dedupe", config, input),
        "{\"id\":1,\"v\":\"a\"}\n{\"id\":2,\"v\":\"b\"}\n{\"id\":3,\"v\":\"d\"}\n"
    );
}

#[test]
fn cache_set_and_get_work_across_messages_and_a_missing_key_is_an_error() {
    let config = r#"
input:
  stdin: {}
pipeline:
  threads: 1
  processors:
    - switch:
        - check: this.op == "set"
          processors:
            - cache:
                resource: store
                operator: set
                key: ${! this.key }
                value: ${! this.value }
            - mapping: 'root = "stored " + this.key'
        - check: this.op == "add"
          processors:
            - cache:
                resource: store
                operator: add
                key: ${! this.key }
                value: ${! this.value }
            - mapping: 'root = "added " + this.key'
        - processors:
            - cache:
                resource: store
                operator: get
                key: ${! this.key }
    - catch:
        - mapping: 'root = "error: " + error()'
cache_resources:
  - label: store
    memory:
      init_values:
        preset: from config
output:
  stdout: {}
"#;
    let input = concat!(
        "{\"op\":\"set\",\"key\":\"a\",\"value\":\"one\"}\n",
        "{\"op\":\"get\",\"key\":\"a\"}\n",
        "{\"op\":\"get\",\"key\":\"preset\"}\n",
        "{\"op\":\"add\",\"key\":\"a\",\"value\":\"two\"}\n",
        "{\"op\":\"get\",\"key\":\"missing\"}\n",
        "{\"op\":\"set\",\"key\":\"a\",\"value\":\"three\"}\n",
        "{\"op\":\"get\",\"key\":\"a\"}\n",
    );
    assert_eq!(
        run_pipeline("cache", config, input),
        concat!(
            "stored a\n",
            "one\n",
            "from config\n",
            "error: key already exists: a\n",
            "error: operator failed for key 'missing': key does not exist\n",
            "stored a\n",
            "three\n",
        )
    );
}

#[test]
fn unarchive_split_archive_rate_limit_and_sleep_in_one_pipeline() {
    let config = r#"
input:
  stdin: {}
pipeline:
  threads: 1
  processors:
    - unarchive:
        format: json_array
    - rate_limit:
        resource: steady
    - sleep:
        duration: 1ms
    - split:
        size: 2
    - archive:
        format: json_array
rate_limit_resources:
  - label: steady
    local:
      count: 100
      interval: 1s
output:
  stdout: {}
"#;
    let input = "[1,\"two\",{\"three\":3},[4],null]\nnot json\n";
    let out = run_pipeline("split", config, input);
    assert_eq!(
        out, "[1,\"two\"]\n[{\"three\":3},[4]]\n[null]\nnot json\n",
        "five elements in batches of two; the line that is not JSON goes on flagged"
    );
}

/// Files `a.txt` and `b.txt` in a fresh directory.
fn sample_files(name: &str) -> std::path::PathBuf {
    let dir = temp_dir(name);
    std::fs::write(dir.join("a.txt"), "alpha\n").expect("write a");
    std::fs::write(dir.join("b.txt"), "beta").expect("write b");
    dir
}

fn run_ok(cmd: &mut Command) {
    let out = cmd.output().expect("command runs");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn tar_of(dir: &Path) -> Vec<u8> {
    let path = dir.join("files.tar");
    run_ok(
        Command::new("tar")
            .arg("-cf")
            .arg(&path)
            .arg("-C")
            .arg(dir)
            .args(["a.txt", "b.txt"]),
    );
    std::fs::read(path).expect("read tar")
}

fn zip_of(dir: &Path) -> Vec<u8> {
    let path = dir.join("files.zip");
    let script = "import sys, zipfile\n\
                  with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n\
                  \x20   z.write(sys.argv[2] + '/a.txt', 'a.txt')\n\
                  \x20   z.write(sys.argv[2] + '/b.txt', 'dir/b.txt')\n";
    run_ok(
        Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(&path)
            .arg(dir),
    );
    std::fs::read(path).expect("read zip")
}

/// A pipeline answering `POST /files` with the files of the posted
/// archive (`format`), one `name=content` line each.
fn unarchiving_server(name: &str, format: &str) -> Pipeline {
    let config = r#"
http:
  address: {ADDR}
input:
  http_server:
    path: /files
pipeline:
  processors:
    - unarchive:
        format: FORMAT
    - catch:
        - mapping: 'root = "failed: " + error()'
    - mapping: 'root = meta("archive_filename").or("-") + "=" + content().string().trim()'
    - archive:
        format: lines
output:
  sync_response: {}
"#;
    Pipeline::start(name, &config.replace("FORMAT", format))
}

fn post(p: &Pipeline, body: &[u8]) -> (u16, String) {
    let (status, _, reply) = http(&p.addr, "POST", "/files", &[], body).expect("request");
    (status, String::from_utf8_lossy(&reply).into_owned())
}

#[test]
fn http_server_unarchives_a_posted_tar_into_a_sync_response() {
    let files = sample_files("unarchive-tar-files");
    let p = unarchiving_server("unarchive-tar", "tar");
    assert_eq!(
        post(&p, &tar_of(&files)),
        (200, "a.txt=alpha\nb.txt=beta".to_string())
    );
    assert_eq!(
        post(&p, b"not a tar archive at all"),
        (200, "-=failed: unexpected EOF".to_string()),
        "a message that fails to unarchive goes on flagged"
    );
}

#[test]
fn http_server_unarchives_a_posted_zip_into_a_sync_response() {
    let files = sample_files("unarchive-zip-files");
    let p = unarchiving_server("unarchive-zip", "zip");
    assert_eq!(
        post(&p, &zip_of(&files)),
        (200, "a.txt=alpha\ndir/b.txt=beta".to_string())
    );
    assert_eq!(
        post(&p, b"PK but not really"),
        (200, "-=failed: zip: not a valid zip file".to_string())
    );
}
