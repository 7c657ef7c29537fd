//! Archives and streams made by real tools (GNU `tar`, `gzip`, Python's
//! `zipfile`, Info-ZIP `zip`) are read, and archives Tarn writes are
//! checked and extracted by those tools.

use super::*;
use crate::codec::archive::{ArchiveFormat, ArchiveLimits, UnarchiveFormat, archive, unarchive};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh directory for one test.
fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tarn-codec-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().expect("tool runs");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Files of a small tree: name → content.
fn sample_files() -> BTreeMap<String, Vec<u8>> {
    let long = format!(
        "{}/{}.txt",
        "deep/".repeat(25).trim_end_matches('/'),
        "n".repeat(60)
    );
    let noise: Vec<u8> = (0..70_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    [
        ("a.txt".to_string(), b"alpha\n".to_vec()),
        ("empty".to_string(), Vec::new()),
        ("sub/noise.bin".to_string(), noise),
        ("ünï/ñame.txt".to_string(), "unicode ✓".as_bytes().to_vec()),
        (long, b"a long path".to_vec()),
    ]
    .into_iter()
    .collect()
}

fn write_tree(dir: &Path, files: &BTreeMap<String, Vec<u8>>) {
    for (name, content) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
        std::fs::write(path, content).expect("write");
    }
}

/// A short fingerprint of contents, for readable assertion failures.
type Prints = BTreeMap<String, (usize, u32)>;

fn prints(files: &BTreeMap<String, Vec<u8>>) -> Prints {
    files
        .iter()
        .map(|(name, content)| (name.clone(), (content.len(), crc32fast::hash(content))))
        .collect()
}

/// Regular-file messages as name → fingerprint (directories, empty and
/// named with a trailing `/`, are dropped).
fn by_name(messages: &[Message], key: &str) -> Prints {
    messages
        .iter()
        .filter_map(|m| {
            let name = meta(m, key)?;
            let name = name.strip_prefix("./").unwrap_or(&name).to_string();
            let content = m.content().as_bytes();
            (!name.ends_with('/')).then(|| (name, (content.len(), crc32fast::hash(content))))
        })
        .collect()
}

#[test]
fn gnu_tar_archives_in_every_format_are_read() {
    let dir = workdir("tar-read");
    let tree = dir.join("tree");
    let files = sample_files();
    write_tree(&tree, &files);
    std::fs::create_dir_all(tree.join("emptydir")).expect("dir");
    let names: Vec<&String> = files.keys().collect();
    let files = prints(&files);
    for format in ["gnu", "pax", "ustar", "posix"] {
        let out = dir.join(format!("{format}.tar"));
        let mut cmd = Command::new("tar");
        cmd.arg(format!("--format={format}"))
            .arg("-cf")
            .arg(&out)
            .arg("-C")
            .arg(&tree);
        cmd.arg("emptydir").args(&names);
        run(&mut cmd);
        let data = std::fs::read(&out).expect("tar file");
        let spec = config(r#"{"tar": {}}"#);
        for sizes in [&[100][..], &[1 << 20]] {
            let got = scan_pieces(&spec, &data, sizes).expect(format);
            assert_eq!(by_name(&got, "tar_name"), files, "{format}");
            // The directory entry comes too, empty, as Go returns it.
            let dir = got
                .iter()
                .find(|m| meta(m, "tar_name").as_deref() == Some("emptydir/"));
            assert!(dir.is_some_and(|m| m.content().is_empty()), "{format}");
        }
        let original = Message::new(&data);
        let got =
            unarchive(UnarchiveFormat::Tar, &original, &ArchiveLimits::default()).expect(format);
        assert_eq!(by_name(&got, "archive_filename"), files, "{format}");
    }
    // A PAX global header is an entry of its own, empty, as Go returns it.
    let global = dir.join("global.tar");
    run(Command::new("tar")
        .args(["--format=pax", "--pax-option=comment=hello", "-cf"])
        .arg(&global)
        .arg("-C")
        .arg(&tree)
        .arg("a.txt"));
    let got = scan(
        &config(r#"{"tar": {}}"#),
        &std::fs::read(&global).expect("tar"),
    )
    .expect("pax");
    assert_eq!(got.len(), 2);
    assert!(meta(&got[0], "tar_name").is_some_and(|n| n.contains("GlobalHead")));
    assert!(got[0].content().is_empty());
    assert_eq!(meta(&got[1], "tar_name").as_deref(), Some("a.txt"));
    // Compressed with gzip by tar itself.
    let tgz = dir.join("all.tar.gz");
    run(Command::new("tar")
        .arg("-czf")
        .arg(&tgz)
        .arg("-C")
        .arg(&tree)
        .args(&names));
    let data = std::fs::read(&tgz).expect("tgz");
    let spec = config(r#"{"decompress": {"algorithm": "gzip", "into": {"tar": {}}}}"#);
    assert_eq!(
        by_name(
            &scan_pieces(&spec, &data, &[4096]).expect("tgz"),
            "tar_name"
        ),
        files
    );
    let auto = scan_reader(
        &codec("auto"),
        Box::new(io::Cursor::new(data)),
        "x.tar.gz",
        &ScannerLimits::default(),
    )
    .expect("auto");
    assert_eq!(auto.len(), files.len());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn tarn_tar_archives_are_extracted_by_gnu_tar() {
    let dir = workdir("tar-write");
    let files = sample_files();
    let msgs: Vec<Message> = files.values().map(|c| Message::new(c)).collect();
    let names: Vec<&String> = files.keys().collect();
    let packed = archive(ArchiveFormat::Tar, &msgs, |i| {
        Ok::<_, std::fmt::Error>(names[i].clone())
    })
    .expect("archives")
    .expect("message");
    let out = dir.join("out.tar");
    std::fs::write(&out, packed.content().as_bytes()).expect("write");
    let listing = String::from_utf8(run(Command::new("tar").arg("-tvf").arg(&out))).expect("utf8");
    assert!(
        listing.lines().all(|l| l.starts_with("-rw-rw-rw-")),
        "{listing}"
    );
    let extract = dir.join("x");
    std::fs::create_dir_all(&extract).expect("dir");
    run(Command::new("tar")
        .arg("-xf")
        .arg(&out)
        .arg("-C")
        .arg(&extract));
    for (name, content) in &files {
        assert_eq!(
            &std::fs::read(extract.join(name)).expect(name),
            content,
            "{name}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn gzip_files_and_concatenated_members_are_read() {
    let dir = workdir("gzip");
    let text: String = (0..50_000).map(|i| format!("row {i}\n")).collect();
    let plain = dir.join("rows.txt");
    std::fs::write(&plain, &text).expect("write");
    // gzip keeps the file name in the header (FNAME).
    let one = run(Command::new("gzip").arg("-c").arg(&plain));
    let two = run(Command::new("gzip").arg("-1").arg("-c").arg(&plain));
    let spec = codec("gzip/lines");
    let got = scan_pieces(&spec, &one, &[1000]).expect("gzip");
    assert_eq!(got.len(), 50_000);
    assert_eq!(texts(&got[49_999..]), ["row 49999"]);
    let both = [one.clone(), two].concat();
    assert_eq!(scan(&spec, &both).expect("two members").len(), 100_000);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn python_and_info_zip_archives_are_read() {
    let dir = workdir("zip-read");
    let tree = dir.join("tree");
    let files = sample_files();
    write_tree(&tree, &files);
    let names: Vec<&String> = files.keys().collect();
    let files = prints(&files);
    // python3 -m zipfile -c: deflated entries, directories included
    // (given the top-level names, it adds what is under them).
    let pyzip = dir.join("py.zip");
    let mut tops: Vec<&str> = names.iter().filter_map(|n| n.split('/').next()).collect();
    tops.dedup();
    let mut cmd = Command::new("python3");
    cmd.args(["-m", "zipfile", "-c"])
        .arg(&pyzip)
        .args(&tops)
        .current_dir(&tree);
    run(&mut cmd);
    let got = unarchive(
        UnarchiveFormat::Zip,
        &Message::new(&std::fs::read(&pyzip).expect("zip")),
        &ArchiveLimits::default(),
    )
    .expect("python zip");
    assert_eq!(by_name(&got, "archive_filename"), files);
    // Stored entries, a forced zip64 entry and an archive comment.
    let special = dir.join("special.zip");
    let script = "import sys, zipfile\n\
        with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n\
        \x20   z.writestr('stored.txt', b'stored data', compress_type=zipfile.ZIP_STORED)\n\
        \x20   z.writestr('dir/', b'')\n\
        \x20   with z.open('zip64.txt', 'w', force_zip64=True) as f:\n\
        \x20       f.write(b'forced zip64' * 1000)\n\
        \x20   z.comment = b'a comment at the end'\n";
    run(Command::new("python3").arg("-c").arg(script).arg(&special));
    let got = unarchive(
        UnarchiveFormat::Zip,
        &Message::new(&std::fs::read(&special).expect("zip")),
        &ArchiveLimits::default(),
    )
    .expect("special zip");
    let names: Vec<_> = got.iter().map(|m| meta(m, "archive_filename")).collect();
    assert_eq!(
        names,
        ["stored.txt", "dir/", "zip64.txt"].map(|n| Some(n.to_string()))
    );
    assert_eq!(got[0].content().as_bytes(), b"stored data");
    assert!(got[1].content().is_empty());
    assert_eq!(
        got[2].content().as_bytes(),
        "forced zip64".repeat(1000).as_bytes()
    );
    // Info-ZIP streaming from stdin writes a data descriptor.
    let streamed = dir.join("streamed.zip");
    let mut child = Command::new("zip")
        .arg("-q")
        .arg(&streamed)
        .arg("-")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("zip runs");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(&b"streamed through zip\n".repeat(500))
            .expect("feed");
    }
    assert!(child.wait().expect("zip ends").success());
    let got = unarchive(
        UnarchiveFormat::Zip,
        &Message::new(&std::fs::read(&streamed).expect("zip")),
        &ArchiveLimits::default(),
    )
    .expect("streamed zip");
    assert_eq!(got.len(), 1);
    assert_eq!(
        got[0].content().as_bytes(),
        &b"streamed through zip\n".repeat(500)[..]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn tarn_zip_archives_pass_python_and_unzip_checks() {
    let dir = workdir("zip-write");
    let files = sample_files();
    let msgs: Vec<Message> = files.values().map(|c| Message::new(c)).collect();
    let names: Vec<&String> = files.keys().collect();
    let packed = archive(ArchiveFormat::Zip, &msgs, |i| {
        Ok::<_, std::fmt::Error>(names[i].clone())
    })
    .expect("archives")
    .expect("message");
    let out = dir.join("out.zip");
    std::fs::write(&out, packed.content().as_bytes()).expect("write");
    run(Command::new("unzip").arg("-tq").arg(&out));
    let script = "import sys, zipfile, json\n\
        z = zipfile.ZipFile(sys.argv[1])\n\
        assert z.testzip() is None\n\
        print(json.dumps({i.filename: [z.read(i).hex(), i.external_attr >> 16, i.compress_type] for i in z.infolist()}))\n";
    let listing = run(Command::new("python3").arg("-c").arg(script).arg(&out));
    let listing: serde_json::Value = serde_json::from_slice(&listing).expect("json");
    for (name, content) in &files {
        let entry = &listing[name.as_str()];
        let hex: String = content.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(entry[0].as_str(), Some(hex.as_str()), "{name}");
        assert_eq!(entry[1].as_u64(), Some(0o100_666), "{name}");
        assert_eq!(entry[2].as_u64(), Some(8), "{name} is deflated");
    }
    // More entries than a plain end record can count: zip64.
    let many: Vec<Message> = (0..70_000)
        .map(|i| Message::new(format!("{i}").as_bytes()))
        .collect();
    let packed = archive(ArchiveFormat::Zip, &many, |i| {
        Ok::<_, std::fmt::Error>(format!("{i}"))
    })
    .expect("archives")
    .expect("message");
    std::fs::write(&out, packed.content().as_bytes()).expect("write");
    let count = run(Command::new("python3")
        .arg("-c")
        .arg("import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))")
        .arg(&out));
    assert_eq!(String::from_utf8_lossy(&count).trim(), "70000");
    let back = unarchive(UnarchiveFormat::Zip, &packed, &ArchiveLimits::default()).expect("zip64");
    assert_eq!(back.len(), 70_000);
    assert_eq!(texts(&back[69_999..]), ["69999"]);
    let _ = std::fs::remove_dir_all(&dir);
}
