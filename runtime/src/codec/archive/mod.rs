//! The archive formats of the `unarchive` and `archive` processors, as
//! pure functions on messages.
//!
//! `unarchive` turns one message into the messages of its entries; each
//! keeps the original's metadata (and error flag), and gets
//! `archive_filename` for tar and zip entries and `archive_key` for the
//! values of `json_map`. `archive` joins a batch into one message that
//! keeps the first message's metadata. [`ArchiveLimits`] bound what an
//! archive may expand to, so a decompression bomb is an error, not an
//! exhausted memory.

mod binary;
mod structured;
mod zip;

use super::tar::{BLOCK, Step, TarDecoder, TarWriter};
use std::fmt;
use tarn_lang::value::Blob;
use tarn_lang::{Message, Value};

/// Default of both [`ArchiveLimits`] byte limits: 256 MiB.
pub const DEFAULT_MAX_ARCHIVE_BYTES: usize = 256 * 1024 * 1024;

/// Default of [`ArchiveLimits::max_entries`].
pub const DEFAULT_MAX_ENTRIES: usize = 1_000_000;

/// Bounds on what one message may unarchive to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// Largest entry, in bytes once extracted.
    pub max_entry_bytes: usize,
    /// Largest sum of the extracted entries' sizes.
    pub max_total_bytes: usize,
    /// Most entries (messages) one message may expand to.
    pub max_entries: usize,
}

impl Default for ArchiveLimits {
    fn default() -> ArchiveLimits {
        ArchiveLimits {
            max_entry_bytes: DEFAULT_MAX_ARCHIVE_BYTES,
            max_total_bytes: DEFAULT_MAX_ARCHIVE_BYTES,
            max_entries: DEFAULT_MAX_ENTRIES,
        }
    }
}

/// The `format` of the `unarchive` processor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnarchiveFormat {
    /// Benthos's binary batch format.
    Binary,
    /// A tar archive; `archive_filename` names each entry.
    Tar,
    /// A zip archive; `archive_filename` names each entry.
    Zip,
    /// Concatenated JSON documents, one message each.
    JsonDocuments,
    /// A JSON array, one message per element.
    JsonArray,
    /// A JSON object, one message per value, `archive_key` its key.
    JsonMap,
    /// One message per `\n`-separated part (a trailing `\n` gives a last
    /// empty message, as Go's `bytes.Split` does).
    Lines,
    /// CSV with a header row: one JSON object per row.
    Csv {
        /// Separates fields (`csv:X` sets it).
        delimiter: char,
    },
}

/// The `format` of the `archive` processor, as the config names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArchiveFormat {
    /// Benthos's binary batch format (a count, then each length and
    /// content).
    Binary,
    /// The raw contents one after another.
    Concatenate,
    /// A JSON array of every message's JSON document.
    JsonArray,
    /// The raw contents joined with line breaks.
    Lines,
    /// A tar archive, one file per message named by `path`.
    Tar,
    /// A zip archive (deflated), one file per message named by `path`.
    Zip,
}

/// Why (un)archiving failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ArchiveError {
    /// An unknown or malformed `format` setting.
    Format(String),
    /// The message is not in the format (Benthos's wording where it has
    /// one).
    Malformed {
        /// The format.
        format: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// A feature of the archive Tarn does not read yet (an unusual zip
    /// compression method, encryption, sparse tar files).
    Unsupported(String),
    /// An entry, the total or the entry count is over its limit.
    TooLarge {
        /// What is over (`zip entry`, `unarchived total` …).
        what: &'static str,
        /// The limit.
        limit: usize,
    },
    /// The `path` of an entry could not be computed.
    Path {
        /// The entry's index in the batch.
        index: usize,
        /// Why.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl fmt::Display for ArchiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArchiveError::Format(text) | ArchiveError::Unsupported(text) => f.write_str(text),
            ArchiveError::Malformed { format, detail } => write!(f, "{format}: {detail}"),
            ArchiveError::TooLarge { what, limit } => {
                write!(f, "{what} is over the limit of {limit}")
            }
            ArchiveError::Path { index, source } => {
                write!(f, "path of message {index}: {source}")
            }
        }
    }
}

impl std::error::Error for ArchiveError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ArchiveError::Path { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl UnarchiveFormat {
    /// Parses the `format` setting (`csv:X` takes one character).
    pub fn parse(text: &str) -> Result<UnarchiveFormat, ArchiveError> {
        Ok(match text {
            "binary" => UnarchiveFormat::Binary,
            "tar" => UnarchiveFormat::Tar,
            "zip" => UnarchiveFormat::Zip,
            "json_documents" => UnarchiveFormat::JsonDocuments,
            "json_array" => UnarchiveFormat::JsonArray,
            "json_map" => UnarchiveFormat::JsonMap,
            "lines" => UnarchiveFormat::Lines,
            "csv" => UnarchiveFormat::Csv { delimiter: ',' },
            _ => {
                let Some(delim) = text.strip_prefix("csv:") else {
                    return Err(ArchiveError::Format(format!(
                        "archive format not recognised: {text}"
                    )));
                };
                let mut chars = delim.chars();
                let delimiter = match (chars.next(), chars.next()) {
                    (None, _) => {
                        return Err(ArchiveError::Format(
                            "csv format requires a non-empty delimiter".into(),
                        ));
                    }
                    (Some(c), None) => c,
                    _ => {
                        return Err(ArchiveError::Format(
                            "csv format requires a single character delimiter".into(),
                        ));
                    }
                };
                if !super::csv::valid_delimiter(delimiter) {
                    return Err(ArchiveError::Format(format!(
                        "csv: invalid field delimiter {delimiter:?}"
                    )));
                }
                UnarchiveFormat::Csv { delimiter }
            }
        })
    }
}

impl ArchiveFormat {
    /// Whether each message becomes a named file (`path` applies).
    pub fn has_paths(self) -> bool {
        matches!(self, ArchiveFormat::Tar | ArchiveFormat::Zip)
    }

    /// Parses the `format` setting.
    pub fn parse(text: &str) -> Result<ArchiveFormat, ArchiveError> {
        Ok(match text {
            "binary" => ArchiveFormat::Binary,
            "concatenate" => ArchiveFormat::Concatenate,
            "json_array" => ArchiveFormat::JsonArray,
            "lines" => ArchiveFormat::Lines,
            "tar" => ArchiveFormat::Tar,
            "zip" => ArchiveFormat::Zip,
            _ => {
                return Err(ArchiveError::Format(format!(
                    "archive format not recognised: {text}"
                )));
            }
        })
    }
}

/// Counts what unarchiving has produced against the limits.
pub(crate) struct Budget<'a> {
    limits: &'a ArchiveLimits,
    entries: usize,
    total: usize,
}

impl<'a> Budget<'a> {
    pub(crate) fn new(limits: &'a ArchiveLimits) -> Budget<'a> {
        Budget {
            limits,
            entries: 0,
            total: 0,
        }
    }

    /// Accounts for one more entry of `size` bytes, before it is
    /// extracted when its size is known up front.
    pub(crate) fn take(&mut self, what: &'static str, size: u64) -> Result<(), ArchiveError> {
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        if size > self.limits.max_entry_bytes {
            return Err(ArchiveError::TooLarge {
                what,
                limit: self.limits.max_entry_bytes,
            });
        }
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            return Err(ArchiveError::TooLarge {
                what: "the number of unarchived messages",
                limit: self.limits.max_entries,
            });
        }
        self.total = self.total.saturating_add(size);
        if self.total > self.limits.max_total_bytes {
            return Err(ArchiveError::TooLarge {
                what: "the unarchived total",
                limit: self.limits.max_total_bytes,
            });
        }
        Ok(())
    }
}

/// A copy of `original` (metadata, error flag) with new raw content.
pub(crate) fn with_content(original: &Message, content: &[u8]) -> Message {
    let mut msg = original.clone();
    msg.set_content(Blob::new(content));
    msg
}

/// Splits one message into the messages of its entries.
pub fn unarchive(
    format: UnarchiveFormat,
    message: &Message,
    limits: &ArchiveLimits,
) -> Result<Vec<Message>, ArchiveError> {
    let mut budget = Budget::new(limits);
    let bytes = message.content().as_bytes();
    match format {
        UnarchiveFormat::Binary => binary::unarchive(message, &mut budget),
        UnarchiveFormat::Tar => unarchive_tar(message, &mut budget),
        UnarchiveFormat::Zip => zip::unarchive(message, &mut budget),
        UnarchiveFormat::Lines => bytes
            .split(|&b| b == b'\n')
            .map(|line| {
                budget.take("a line", line.len() as u64)?;
                Ok(with_content(message, line))
            })
            .collect(),
        UnarchiveFormat::JsonDocuments => structured::json_documents(message, &mut budget),
        UnarchiveFormat::JsonArray => structured::json_array(message, &mut budget),
        UnarchiveFormat::JsonMap => structured::json_map(message, &mut budget),
        UnarchiveFormat::Csv { delimiter } => structured::csv(message, delimiter, &mut budget),
    }
}

fn unarchive_tar(message: &Message, budget: &mut Budget<'_>) -> Result<Vec<Message>, ArchiveError> {
    let malformed = |detail: String| ArchiveError::Malformed {
        format: "tar",
        detail,
    };
    let data = message.content().as_bytes();
    let mut decoder = TarDecoder::default();
    let mut out = Vec::new();
    let mut at = 0usize;
    let mut after_zero = false;
    let entry = |name: &str, content: &[u8]| {
        with_content(message, content).with_meta("archive_filename", Value::str(name))
    };
    // Bytes `[at, at + n)`: `None` when the archive ends before them.
    let take = |at: usize, n: u64| -> Option<&[u8]> {
        let end = at.checked_add(usize::try_from(n).ok()?)?;
        data.get(at..end)
    };
    loop {
        if at == data.len() {
            return Ok(out);
        }
        let Some(block) = take(at, BLOCK as u64) else {
            return Err(malformed("unexpected EOF".into()));
        };
        at += BLOCK;
        let step = decoder.header(block).map_err(|e| {
            if e.0.contains("not supported") {
                ArchiveError::Unsupported(e.0)
            } else {
                malformed(e.0)
            }
        })?;
        let (size, pad) = match step {
            Step::Zero if after_zero => return Ok(out),
            Step::Zero => {
                after_zero = true;
                continue;
            }
            _ if after_zero => return Err(malformed("archive/tar: invalid tar header".into())),
            Step::Meta { size, pad } => {
                let Some(meta) = take(at, size) else {
                    return Err(malformed("unexpected EOF".into()));
                };
                if let Some(name) = decoder.meta(meta).map_err(|e| malformed(e.0))? {
                    budget.take("a tar entry", 0)?;
                    out.push(entry(&name, b""));
                }
                (size, pad)
            }
            Step::Entry { name, size, pad } => {
                budget.take("a tar entry", size)?;
                let Some(content) = take(at, size) else {
                    return Err(malformed("unexpected EOF".into()));
                };
                out.push(entry(&name, content));
                (size, pad)
            }
        };
        // Go ends the archive quietly when padding is cut short.
        at = match take(at, size + pad) {
            Some(_) => at + (size + pad) as usize,
            None => return Ok(out),
        };
    }
}

/// Joins a batch into one message with the first message's metadata;
/// `None` for an empty batch (Benthos emits nothing then). `path_for(i)`
/// names message `i` inside tar and zip archives (the processor's
/// interpolated `path`); other formats never call it.
pub fn archive<E>(
    format: ArchiveFormat,
    messages: &[Message],
    path_for: impl Fn(usize) -> Result<String, E>,
) -> Result<Option<Message>, ArchiveError>
where
    E: std::error::Error + Send + Sync + 'static,
{
    let Some(first) = messages.first() else {
        return Ok(None);
    };
    let contents = messages.iter().map(|m| m.content().as_bytes());
    let path = |i: usize| {
        path_for(i).map_err(|e| ArchiveError::Path {
            index: i,
            source: Box::new(e),
        })
    };
    let content = match format {
        ArchiveFormat::Binary => binary::archive(messages)?,
        ArchiveFormat::Concatenate => contents.collect::<Vec<_>>().concat(),
        ArchiveFormat::Lines => contents.collect::<Vec<_>>().join(&b'\n'),
        ArchiveFormat::JsonArray => return structured::archive_json_array(messages).map(Some),
        ArchiveFormat::Tar => {
            let mut writer = TarWriter::new(chrono::Utc::now().timestamp());
            for (i, msg) in messages.iter().enumerate() {
                writer.add(&path(i)?, msg.content().as_bytes());
            }
            writer.finish()
        }
        ArchiveFormat::Zip => {
            let mut writer = zip::ZipWriter::new(chrono::Local::now());
            for (i, msg) in messages.iter().enumerate() {
                writer.add(&path(i)?, msg.content().as_bytes())?;
            }
            writer.finish()?
        }
    };
    Ok(Some(with_content(first, &content)))
}
