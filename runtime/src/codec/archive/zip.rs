//! Zip archives as Go's `archive/zip` reads and writes them for Benthos:
//! entries listed by the central directory (zip64 included), stored or
//! deflated, their CRC-32 and sizes checked; written deflated with mode
//! 0666, the current time and UTF-8 names.

use super::{ArchiveError, Budget, with_content};
use chrono::{DateTime, Datelike, Local, Timelike};
use tarn_lang::{Message, Value};

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_DIRECTORY: u32 = 0x0605_4b50;
const ZIP64_END: u32 = 0x0606_4b50;
const ZIP64_LOCATOR: u32 = 0x0706_4b50;
const FLAG_ENCRYPTED: u16 = 0x1;
const FLAG_DATA_DESCRIPTOR: u16 = 0x8;
const FLAG_UTF8: u16 = 0x800;
const STORE: u16 = 0;
const DEFLATE: u16 = 8;

fn not_zip() -> ArchiveError {
    ArchiveError::Malformed {
        format: "zip",
        detail: "zip: not a valid zip file".into(),
    }
}

fn u16_at(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn u64_at(data: &[u8], at: usize) -> Option<u64> {
    let b = data.get(at..at.checked_add(8)?)?;
    let mut bytes = [0; 8];
    bytes.copy_from_slice(b);
    Some(u64::from_le_bytes(bytes))
}

/// Where the central directory is and how many entries it lists.
struct Directory {
    records: u64,
    offset: u64,
}

fn find_directory(data: &[u8]) -> Result<Directory, ArchiveError> {
    const EOCD_LEN: usize = 22;
    if data.len() < EOCD_LEN {
        return Err(not_zip());
    }
    let lowest = data.len().saturating_sub(EOCD_LEN + u16::MAX as usize);
    let end = (lowest..=data.len() - EOCD_LEN)
        .rev()
        .find(|&at| u32_at(data, at) == Some(END_OF_DIRECTORY))
        .ok_or_else(not_zip)?;
    let comment_len = u16_at(data, end + 20).ok_or_else(not_zip)? as usize;
    if end + EOCD_LEN + comment_len > data.len() {
        return Err(ArchiveError::Malformed {
            format: "zip",
            detail: "zip: invalid comment length".into(),
        });
    }
    let mut records = u64::from(u16_at(data, end + 10).ok_or_else(not_zip)?);
    let mut offset = u64::from(u32_at(data, end + 16).ok_or_else(not_zip)?);
    if (records == 0xFFFF || offset == 0xFFFF_FFFF)
        && end >= 20
        && u32_at(data, end - 20) == Some(ZIP64_LOCATOR)
    {
        let at = u64_at(data, end - 12).ok_or_else(not_zip)?;
        let at = usize::try_from(at).map_err(|_| not_zip())?;
        if u32_at(data, at) != Some(ZIP64_END) {
            return Err(not_zip());
        }
        records = u64_at(data, at + 32).ok_or_else(not_zip)?;
        offset = u64_at(data, at + 48).ok_or_else(not_zip)?;
    }
    if offset >= data.len() as u64 && records > 0 {
        return Err(not_zip());
    }
    Ok(Directory { records, offset })
}

/// One central directory record.
struct Entry {
    name: String,
    flags: u16,
    method: u16,
    crc: u32,
    compressed: u64,
    size: u64,
    local_offset: u64,
}

/// Reads the record at `at`; `None` where the directory ends.
fn read_entry(data: &[u8], at: usize) -> Option<(Entry, usize)> {
    if u32_at(data, at)? != CENTRAL_HEADER {
        return None;
    }
    let name_len = u16_at(data, at + 28)? as usize;
    let extra_len = u16_at(data, at + 30)? as usize;
    let comment_len = u16_at(data, at + 32)? as usize;
    let name_at = at + 46;
    let name = data.get(name_at..name_at + name_len)?;
    let extra = data.get(name_at + name_len..name_at + name_len + extra_len)?;
    let mut entry = Entry {
        name: String::from_utf8_lossy(name).into_owned(),
        flags: u16_at(data, at + 8)?,
        method: u16_at(data, at + 10)?,
        crc: u32_at(data, at + 16)?,
        compressed: u64::from(u32_at(data, at + 20)?),
        size: u64::from(u32_at(data, at + 24)?),
        local_offset: u64::from(u32_at(data, at + 42)?),
    };
    // The zip64 extra field holds, in this order, each of the three that
    // overflowed.
    let mut field = 0;
    while field + 4 <= extra.len() {
        let tag = u16_at(extra, field)?;
        let len = u16_at(extra, field + 2)? as usize;
        let body = extra.get(field + 4..field + 4 + len)?;
        if tag == 1 {
            let mut values = body.chunks_exact(8).map(|c| {
                let mut b = [0; 8];
                b.copy_from_slice(c);
                u64::from_le_bytes(b)
            });
            for slot in [
                &mut entry.size,
                &mut entry.compressed,
                &mut entry.local_offset,
            ] {
                if *slot == 0xFFFF_FFFF {
                    *slot = values.next()?;
                }
            }
        }
        field += 4 + len;
    }
    Some((entry, name_at + name_len + extra_len + comment_len))
}

/// The bytes of an entry, checked against its size and CRC-32.
fn extract(data: &[u8], entry: &Entry, budget: &mut Budget<'_>) -> Result<Vec<u8>, ArchiveError> {
    if entry.flags & FLAG_ENCRYPTED != 0 {
        return Err(ArchiveError::Unsupported(format!(
            "zip entry `{}` is encrypted; encrypted zip entries are not supported yet",
            entry.name
        )));
    }
    budget.take("a zip entry", entry.size)?;
    let at = usize::try_from(entry.local_offset).map_err(|_| not_zip())?;
    if u32_at(data, at) != Some(LOCAL_HEADER) {
        return Err(not_zip());
    }
    let name_len = u16_at(data, at + 26).ok_or_else(not_zip)? as usize;
    let extra_len = u16_at(data, at + 28).ok_or_else(not_zip)? as usize;
    let body_at = at + 30 + name_len + extra_len;
    let compressed_len = usize::try_from(entry.compressed).map_err(|_| not_zip())?;
    let body = body_at
        .checked_add(compressed_len)
        .and_then(|end| data.get(body_at..end))
        .ok_or_else(|| ArchiveError::Malformed {
            format: "zip",
            detail: "unexpected EOF".into(),
        })?;
    let size = usize::try_from(entry.size).map_err(|_| not_zip())?;
    let content = match entry.method {
        STORE => body.to_vec(),
        DEFLATE => miniz_oxide::inflate::decompress_to_vec_with_limit(body, size).map_err(|e| {
            ArchiveError::Malformed {
                format: "zip",
                detail: if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
                    "zip: not a valid zip file (an entry is larger than its declared size)".into()
                } else {
                    format!("flate: corrupt input in `{}`", entry.name)
                },
            }
        })?,
        other => {
            return Err(ArchiveError::Unsupported(format!(
                "zip: unsupported compression algorithm {other} (entry `{}`); \
                 only stored and deflated entries are read",
                entry.name
            )));
        }
    };
    if content.len() != size {
        return Err(ArchiveError::Malformed {
            format: "zip",
            detail: "unexpected EOF".into(),
        });
    }
    let check = entry.crc != 0 || entry.flags & FLAG_DATA_DESCRIPTOR != 0;
    if check && crc32fast::hash(&content) != entry.crc {
        return Err(ArchiveError::Malformed {
            format: "zip",
            detail: "zip: checksum error".into(),
        });
    }
    Ok(content)
}

pub(super) fn unarchive(
    message: &Message,
    budget: &mut Budget<'_>,
) -> Result<Vec<Message>, ArchiveError> {
    let data = message.content().as_bytes();
    let directory = find_directory(data)?;
    let mut at = usize::try_from(directory.offset).map_err(|_| not_zip())?;
    let mut entries = Vec::new();
    while let Some((entry, next)) = read_entry(data, at) {
        entries.push(entry);
        at = next;
    }
    // As Go does: the count must agree, modulo 2^16 for old archives.
    if entries.len() as u64 != directory.records && entries.len() as u16 != directory.records as u16
    {
        return Err(not_zip());
    }
    entries
        .iter()
        .map(|entry| {
            let content = extract(data, entry, budget)?;
            Ok(with_content(message, &content)
                .with_meta("archive_filename", Value::str(&entry.name)))
        })
        .collect()
}

/// Builds a zip archive in memory.
pub(super) struct ZipWriter {
    out: Vec<u8>,
    central: Vec<u8>,
    count: u64,
    dos_time: u16,
    dos_date: u16,
    unix_time: u32,
}

fn too_large() -> ArchiveError {
    ArchiveError::TooLarge {
        what: "a zip archive (4 GiB without zip64 sizes)",
        limit: u32::MAX as usize,
    }
}

impl ZipWriter {
    pub(super) fn new(now: DateTime<Local>) -> ZipWriter {
        let year = u16::try_from(now.year().clamp(1980, 2107) - 1980).unwrap_or(0);
        let dos_date = (year << 9) | ((now.month() as u16) << 5) | now.day() as u16;
        let dos_time =
            ((now.hour() as u16) << 11) | ((now.minute() as u16) << 5) | (now.second() as u16 / 2);
        ZipWriter {
            out: Vec::new(),
            central: Vec::new(),
            count: 0,
            dos_time,
            dos_date,
            unix_time: u32::try_from(now.timestamp()).unwrap_or(0),
        }
    }

    pub(super) fn add(&mut self, name: &str, content: &[u8]) -> Result<(), ArchiveError> {
        let compressed = miniz_oxide::deflate::compress_to_vec(content, 6);
        let size = u32::try_from(content.len()).map_err(|_| too_large())?;
        let compressed_len = u32::try_from(compressed.len()).map_err(|_| too_large())?;
        let offset = u32::try_from(self.out.len()).map_err(|_| too_large())?;
        let name_len = u16::try_from(name.len()).map_err(|_| ArchiveError::TooLarge {
            what: "a zip entry name",
            limit: u16::MAX as usize,
        })?;
        let flags = if name.is_ascii() { 0 } else { FLAG_UTF8 };
        let crc = crc32fast::hash(content);
        // Extended timestamp: modification time in Unix seconds.
        let mut extra = Vec::with_capacity(9);
        extra.extend_from_slice(&0x5455u16.to_le_bytes());
        extra.extend_from_slice(&5u16.to_le_bytes());
        extra.push(1);
        extra.extend_from_slice(&self.unix_time.to_le_bytes());
        let common = |buf: &mut Vec<u8>| {
            buf.extend_from_slice(&20u16.to_le_bytes());
            buf.extend_from_slice(&flags.to_le_bytes());
            buf.extend_from_slice(&DEFLATE.to_le_bytes());
            buf.extend_from_slice(&self.dos_time.to_le_bytes());
            buf.extend_from_slice(&self.dos_date.to_le_bytes());
            buf.extend_from_slice(&crc.to_le_bytes());
            buf.extend_from_slice(&compressed_len.to_le_bytes());
            buf.extend_from_slice(&size.to_le_bytes());
            buf.extend_from_slice(&name_len.to_le_bytes());
            buf.extend_from_slice(&(extra.len() as u16).to_le_bytes());
        };
        let mut local = Vec::with_capacity(30 + name.len() + extra.len());
        local.extend_from_slice(&LOCAL_HEADER.to_le_bytes());
        common(&mut local);
        local.extend_from_slice(name.as_bytes());
        local.extend_from_slice(&extra);
        let mut central = Vec::with_capacity(46 + name.len() + extra.len());
        central.extend_from_slice(&CENTRAL_HEADER.to_le_bytes());
        // Made by Unix (3), spec version 2.0.
        central.extend_from_slice(&((3u16 << 8) | 20).to_le_bytes());
        common(&mut central);
        central.extend_from_slice(&0u16.to_le_bytes()); // comment
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
        central.extend_from_slice(&(0o100_666u32 << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
        central.extend_from_slice(&extra);
        self.out.extend_from_slice(&local);
        self.out.extend_from_slice(&compressed);
        self.central.extend_from_slice(&central);
        self.count += 1;
        Ok(())
    }

    pub(super) fn finish(mut self) -> Result<Vec<u8>, ArchiveError> {
        let dir_offset = self.out.len() as u64;
        let dir_size = self.central.len() as u64;
        self.out.extend_from_slice(&self.central);
        let offset32 = u32::try_from(dir_offset).map_err(|_| too_large())?;
        let size32 = u32::try_from(dir_size).map_err(|_| too_large())?;
        let count16 = match u16::try_from(self.count) {
            Ok(n) if n != u16::MAX => n,
            _ => {
                // Zip64 end record and locator for a count over 65534.
                let record_at = self.out.len() as u64;
                let o = &mut self.out;
                o.extend_from_slice(&ZIP64_END.to_le_bytes());
                o.extend_from_slice(&44u64.to_le_bytes());
                o.extend_from_slice(&45u16.to_le_bytes());
                o.extend_from_slice(&45u16.to_le_bytes());
                o.extend_from_slice(&0u32.to_le_bytes());
                o.extend_from_slice(&0u32.to_le_bytes());
                o.extend_from_slice(&self.count.to_le_bytes());
                o.extend_from_slice(&self.count.to_le_bytes());
                o.extend_from_slice(&dir_size.to_le_bytes());
                o.extend_from_slice(&dir_offset.to_le_bytes());
                o.extend_from_slice(&ZIP64_LOCATOR.to_le_bytes());
                o.extend_from_slice(&0u32.to_le_bytes());
                o.extend_from_slice(&record_at.to_le_bytes());
                o.extend_from_slice(&1u32.to_le_bytes());
                u16::MAX
            }
        };
        let o = &mut self.out;
        o.extend_from_slice(&END_OF_DIRECTORY.to_le_bytes());
        o.extend_from_slice(&0u16.to_le_bytes());
        o.extend_from_slice(&0u16.to_le_bytes());
        o.extend_from_slice(&count16.to_le_bytes());
        o.extend_from_slice(&count16.to_le_bytes());
        o.extend_from_slice(&size32.to_le_bytes());
        o.extend_from_slice(&offset32.to_le_bytes());
        o.extend_from_slice(&0u16.to_le_bytes());
        Ok(self.out)
    }
}
