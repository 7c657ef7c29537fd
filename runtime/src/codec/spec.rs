//! [`ScannerSpec`]: a scanner ready to open on streams, built from the
//! typed `scanner` field or parsed from the older `codec` string.

use super::config::{DecompressAlgorithm, ScannerConfig};
use super::csv::valid_delimiter;
use super::csv_scan::CsvScanner;
use super::inflate::{Inflater, Inflation};
use super::lines::LinesScanner;
use super::source::SkipBom;
use super::split::{ChunkerScanner, ReMatchScanner, ToTheEndScanner};
use super::tar_scan::TarScanner;
use super::{BoxedReader, CodecError, Scanner, ScannerLimits};
use regex::bytes::Regex;

/// The default `max_buffer` of inputs with a `codec` field.
pub const DEFAULT_CODEC_MAX_BUFFER: i64 = 1_000_000;

/// A scanner's settings, checked.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ScannerSpec {
    /// One message per line.
    Lines(LinesSpec),
    /// Messages of `size` bytes.
    Chunker {
        /// Bytes per message.
        size: usize,
    },
    /// One message per CSV row.
    Csv(CsvSpec),
    /// Decompresses, then scans with `into`.
    Decompress {
        /// The compression.
        algorithm: DecompressAlgorithm,
        /// The scanner of the decompressed stream.
        into: Box<ScannerSpec>,
    },
    /// Segments starting at each match of `pattern`.
    ReMatch {
        /// The pattern.
        pattern: Regex,
        /// Segments must be shorter than this many bytes.
        max_buffer_size: usize,
        /// The setting `max_buffer_size` came from (for errors).
        limit_setting: &'static str,
    },
    /// Drops one byte order mark, then scans with `into`.
    SkipBom {
        /// The scanner of the rest.
        into: Box<ScannerSpec>,
    },
    /// The first case whose pattern matches the source name.
    Switch(Vec<SwitchCase>),
    /// One message per tar entry.
    Tar {
        /// Sets `tar_name` (the `tar` scanner does, the `tar` codec not).
        name_metadata: bool,
    },
    /// The whole stream as one message.
    ToTheEnd,
    /// The `auto` codec: chosen from the source name's extension.
    Auto,
}

/// Settings of the `lines` scanner.
#[derive(Debug, Clone)]
pub struct LinesSpec {
    /// `None`: `\n` (dropping a `\r` before it); else this exact text.
    pub delimiter: Option<Vec<u8>>,
    /// A line and its delimiter must fit in this many bytes.
    pub max_buffer_size: usize,
    /// Drops empty lines.
    pub omit_empty: bool,
    /// The setting `max_buffer_size` came from (for errors).
    pub limit_setting: &'static str,
}

/// Settings of the `csv` scanner.
#[derive(Debug, Clone)]
pub struct CsvSpec {
    /// Separates fields.
    pub delimiter: char,
    /// First row as field names.
    pub parse_header_row: bool,
    /// Lenient quotes.
    pub lazy_quotes: bool,
    /// A bad row becomes a flagged message instead of ending the stream.
    pub continue_on_error: bool,
    /// Sets `csv_row` (the scanner does, the `csv` codec not).
    pub row_metadata: bool,
}

/// One case of the `switch` scanner.
#[derive(Debug, Clone)]
pub struct SwitchCase {
    /// Matches source names; `None` matches all.
    pub name_pattern: Option<regex::Regex>,
    /// The scanner of this case.
    pub scanner: ScannerSpec,
}

fn config_error(text: impl Into<String>) -> CodecError {
    CodecError::Config(text.into())
}

fn unsupported_scanner(name: &str) -> CodecError {
    CodecError::Unsupported(format!("scanner `{name}` is not supported yet"))
}

fn positive(value: i64, field: &str) -> Result<usize, CodecError> {
    usize::try_from(value)
        .ok()
        .filter(|&v| v > 0)
        .ok_or_else(|| config_error(format!("`{field}` must be at least 1, got {value}")))
}

fn compile(pattern: &str) -> Result<Regex, CodecError> {
    Regex::new(pattern).map_err(|e| config_error(format!("invalid pattern `{pattern}`: {e}")))
}

fn csv_delimiter(text: Option<&str>) -> Result<char, CodecError> {
    let mut chars = text.unwrap_or_default().chars();
    let delimiter = match (chars.next(), chars.next()) {
        (None, _) => ',',
        (Some(c), None) => c,
        // Benthos would use the first character and ignore the rest.
        _ => {
            return Err(config_error(format!(
                "csv: `custom_delimiter` must be a single character, got {:?}",
                text.unwrap_or_default()
            )));
        }
    };
    if !valid_delimiter(delimiter) {
        return Err(config_error(format!(
            "csv: invalid field delimiter {delimiter:?}"
        )));
    }
    Ok(delimiter)
}

impl TryFrom<ScannerConfig> for ScannerSpec {
    type Error = CodecError;

    fn try_from(config: ScannerConfig) -> Result<ScannerSpec, CodecError> {
        Ok(match config {
            ScannerConfig::Lines(c) => ScannerSpec::Lines(LinesSpec {
                delimiter: c
                    .custom_delimiter
                    .filter(|d| !d.is_empty())
                    .map(String::into_bytes),
                max_buffer_size: positive(c.max_buffer_size, "max_buffer_size")?,
                omit_empty: c.omit_empty,
                limit_setting: "max_buffer_size",
            }),
            ScannerConfig::Chunker(c) => ScannerSpec::Chunker {
                size: positive(c.size, "size")?,
            },
            ScannerConfig::Csv(c) => ScannerSpec::Csv(CsvSpec {
                delimiter: csv_delimiter(c.custom_delimiter.as_deref())?,
                parse_header_row: c.parse_header_row,
                lazy_quotes: c.lazy_quotes,
                continue_on_error: c.continue_on_error,
                row_metadata: true,
            }),
            ScannerConfig::Decompress(c) => {
                check_algorithm(c.algorithm)?;
                ScannerSpec::Decompress {
                    algorithm: c.algorithm,
                    into: Box::new(ScannerSpec::try_from(*c.into)?),
                }
            }
            ScannerConfig::ReMatch(c) => ScannerSpec::ReMatch {
                pattern: compile(&c.pattern)?,
                max_buffer_size: positive(c.max_buffer_size, "max_buffer_size")?,
                limit_setting: "max_buffer_size",
            },
            ScannerConfig::SkipBom(c) => ScannerSpec::SkipBom {
                into: Box::new(ScannerSpec::try_from(*c.into)?),
            },
            ScannerConfig::Switch(cases) => ScannerSpec::Switch(
                cases
                    .into_iter()
                    .map(|case| {
                        let name_pattern = match case.re_match_name {
                            Some(p) => Some(regex::Regex::new(&p).map_err(|e| {
                                config_error(format!("invalid pattern `{p}`: {e}"))
                            })?),
                            None => None,
                        };
                        Ok(SwitchCase {
                            name_pattern,
                            scanner: ScannerSpec::try_from(case.scanner)?,
                        })
                    })
                    .collect::<Result<_, CodecError>>()?,
            ),
            ScannerConfig::Tar(_) => ScannerSpec::Tar {
                name_metadata: true,
            },
            ScannerConfig::ToTheEnd(_) => ScannerSpec::ToTheEnd,
            ScannerConfig::Avro(_) => return Err(unsupported_scanner("avro")),
            ScannerConfig::JsonDocuments(_) => return Err(unsupported_scanner("json_documents")),
            ScannerConfig::JsonArray(_) => return Err(unsupported_scanner("json_array")),
        })
    }
}

fn check_algorithm(algorithm: DecompressAlgorithm) -> Result<Inflation, CodecError> {
    let name = match algorithm {
        DecompressAlgorithm::Gzip | DecompressAlgorithm::Pgzip => return Ok(Inflation::Gzip),
        DecompressAlgorithm::Zlib => return Ok(Inflation::Zlib),
        DecompressAlgorithm::Flate => return Ok(Inflation::Flate),
        DecompressAlgorithm::Bzip2 => "bzip2",
        DecompressAlgorithm::Snappy => "snappy",
        DecompressAlgorithm::Lz4 => "lz4",
        DecompressAlgorithm::Zstd => "zstd",
    };
    Err(CodecError::Unsupported(format!(
        "decompression algorithm `{name}` is not supported yet"
    )))
}

/// Codecs that turn a stream into another stream (`gzip/…`).
enum StreamCodec {
    Gzip,
    SkipBom,
}

impl ScannerSpec {
    /// Parses a Benthos `codec` string (`lines`, `all-bytes`, `delim:X`,
    /// `chunker:N`, `csv`, `csv:X`, `tar`, `regex:P`, `auto`, with
    /// `gzip/`, `pgzip/` and `skipbom/` prefixes such as `gzip/lines`).
    /// `max_buffer` is the input's `max_buffer` (Benthos default
    /// 1000000; 0 means that default): it bounds `lines`, `delim:X` and
    /// `regex:P` segments.
    pub fn from_codec(codec: &str, max_buffer: i64) -> Result<ScannerSpec, CodecError> {
        let max_buffer = if max_buffer == 0 {
            DEFAULT_CODEC_MAX_BUFFER
        } else {
            max_buffer
        };
        let max_buffer = positive(max_buffer, "max_buffer")?;
        let codec = match codec {
            "csv-gzip" => "gzip/csv",
            "tar-gzip" => "gzip/tar",
            other => other,
        };
        if codec == "auto" {
            return Ok(ScannerSpec::Auto);
        }
        let parts: Vec<&str> = codec.split('/').collect();
        let mut streams = Vec::new();
        let mut scanner: Option<ScannerSpec> = None;
        for (i, part) in parts.iter().enumerate() {
            let stream = match *part {
                "gzip" | "pgzip" => Some(StreamCodec::Gzip),
                "skipbom" => Some(StreamCodec::SkipBom),
                _ => None,
            };
            if let Some(stream) = stream {
                if scanner.is_some() {
                    return Err(config_error(format!(
                        "unable to follow codec '{}' with '{part}'",
                        parts[i - 1]
                    )));
                }
                streams.push(stream);
                continue;
            }
            if *part == "multipart" {
                return Err(CodecError::Unsupported(
                    "codec `multipart` is not supported yet".into(),
                ));
            }
            if scanner.is_some() {
                return Err(config_error(format!(
                    "unable to follow codec '{}' with '{part}'",
                    parts[i - 1]
                )));
            }
            scanner = Some(codec_scanner(part, max_buffer)?);
        }
        let mut spec = match scanner {
            Some(spec) => spec,
            None if !streams.is_empty() => ScannerSpec::ToTheEnd,
            None => return Err(config_error(format!("codec was not recognised: {codec}"))),
        };
        for stream in streams.into_iter().rev() {
            spec = match stream {
                StreamCodec::Gzip => ScannerSpec::Decompress {
                    algorithm: DecompressAlgorithm::Gzip,
                    into: Box::new(spec),
                },
                StreamCodec::SkipBom => ScannerSpec::SkipBom {
                    into: Box::new(spec),
                },
            };
        }
        Ok(spec)
    }

    /// The scanner of an input with Benthos's `scanner` field and its
    /// deprecated `codec` / `max_buffer` fields (`stdin`, `file` …):
    /// `codec` when set, else `scanner`, else `lines: {}` (their Benthos
    /// default). Benthos silently ignores `scanner` beside `codec` and
    /// `max_buffer` without `codec`; here both are errors.
    pub fn for_input(
        codec: Option<&str>,
        max_buffer: Option<i64>,
        scanner: Option<ScannerConfig>,
    ) -> Result<ScannerSpec, CodecError> {
        match (codec, scanner) {
            (Some(_), Some(_)) => Err(config_error(
                "`codec` and `scanner` cannot both be set (`codec` is the deprecated form)",
            )),
            (Some(codec), None) => {
                ScannerSpec::from_codec(codec, max_buffer.unwrap_or(DEFAULT_CODEC_MAX_BUFFER))
            }
            (None, _) if max_buffer.is_some() => Err(config_error(
                "`max_buffer` applies only with `codec`; set `max_buffer_size` of the scanner instead",
            )),
            (None, Some(scanner)) => ScannerSpec::try_from(scanner),
            (None, None) => ScannerSpec::try_from(ScannerConfig::Lines(Default::default())),
        }
    }

    /// Opens the scanner on a stream with the default [`ScannerLimits`].
    /// `source_name` (a file path, or `""`) is what `switch` and `auto`
    /// choose by.
    pub fn open(
        &self,
        reader: BoxedReader,
        source_name: &str,
    ) -> Result<Box<dyn Scanner>, CodecError> {
        self.open_with_limits(reader, source_name, &ScannerLimits::default())
    }

    /// Opens the scanner on a stream.
    pub fn open_with_limits(
        &self,
        reader: BoxedReader,
        source_name: &str,
        limits: &ScannerLimits,
    ) -> Result<Box<dyn Scanner>, CodecError> {
        let max = limits.max_message_bytes;
        Ok(match self {
            ScannerSpec::Lines(spec) => Box::new(LinesScanner::new(reader, spec)),
            ScannerSpec::Chunker { size } => {
                if *size > max {
                    return Err(CodecError::TooLong {
                        what: "the chunker `size`",
                        limit: max,
                        setting: "max_message_bytes",
                    });
                }
                Box::new(ChunkerScanner::new(reader, *size))
            }
            ScannerSpec::Csv(spec) => Box::new(CsvScanner::new(reader, spec.clone(), max)),
            ScannerSpec::Decompress { algorithm, into } => {
                let inflater = Inflater::new(reader, check_algorithm(*algorithm)?);
                into.open_with_limits(Box::new(inflater), source_name, limits)?
            }
            ScannerSpec::ReMatch {
                pattern,
                max_buffer_size,
                limit_setting,
            } => Box::new(ReMatchScanner::new(
                reader,
                pattern.clone(),
                *max_buffer_size,
                limit_setting,
            )),
            ScannerSpec::SkipBom { into } => {
                into.open_with_limits(Box::new(SkipBom::new(reader)), source_name, limits)?
            }
            ScannerSpec::Switch(cases) => {
                let case = cases
                    .iter()
                    .find(|c| {
                        c.name_pattern
                            .as_ref()
                            .is_none_or(|p| p.is_match(source_name))
                    })
                    .ok_or_else(|| CodecError::NoMatchingScanner {
                        source: source_name.to_string(),
                    })?;
                case.scanner.open_with_limits(reader, source_name, limits)?
            }
            ScannerSpec::Tar { name_metadata } => {
                Box::new(TarScanner::new(reader, max, *name_metadata))
            }
            ScannerSpec::ToTheEnd => Box::new(ToTheEndScanner::new(reader, max)),
            ScannerSpec::Auto => {
                auto_codec(source_name)?.open_with_limits(reader, source_name, limits)?
            }
        })
    }
}

/// A part of a codec string that cuts the stream into messages.
fn codec_scanner(part: &str, max_buffer: usize) -> Result<ScannerSpec, CodecError> {
    let lines = |delimiter| {
        ScannerSpec::Lines(LinesSpec {
            delimiter,
            max_buffer_size: max_buffer,
            omit_empty: false,
            limit_setting: "max_buffer",
        })
    };
    let csv = |delimiter| {
        ScannerSpec::Csv(CsvSpec {
            delimiter,
            parse_header_row: true,
            lazy_quotes: false,
            continue_on_error: false,
            row_metadata: false,
        })
    };
    Ok(match part {
        "all-bytes" => ScannerSpec::ToTheEnd,
        "lines" => lines(None),
        "csv" => csv(','),
        "tar" => ScannerSpec::Tar {
            name_metadata: false,
        },
        "csv-safe" => {
            return Err(CodecError::Unsupported(
                "codec `csv-safe` is not supported yet".into(),
            ));
        }
        _ => {
            if let Some(delim) = part.strip_prefix("delim:") {
                if delim.is_empty() {
                    return Err(config_error(
                        "custom delimiter codec requires a non-empty delimiter",
                    ));
                }
                lines(Some(delim.as_bytes().to_vec()))
            } else if let Some(delim) = part.strip_prefix("csv:") {
                let mut chars = delim.chars();
                match (chars.next(), chars.next()) {
                    (None, _) => {
                        return Err(config_error("csv codec requires a non-empty delimiter"));
                    }
                    (Some(c), None) => csv(csv_delimiter(Some(delim)).map(|_| c)?),
                    _ => {
                        return Err(config_error(
                            "csv codec requires a single character delimiter",
                        ));
                    }
                }
            } else if let Some(size) = part.strip_prefix("chunker:") {
                let size: i64 = size.parse().map_err(|_| {
                    config_error(format!("invalid chunk size for chunker codec: {size}"))
                })?;
                ScannerSpec::Chunker {
                    size: positive(size, "chunker size")?,
                }
            } else if let Some(pattern) = part.strip_prefix("regex:") {
                if pattern.is_empty() {
                    return Err(config_error("regex codec requires a non-empty delimiter"));
                }
                ScannerSpec::ReMatch {
                    pattern: compile(pattern)?,
                    max_buffer_size: max_buffer,
                    limit_setting: "max_buffer",
                }
            } else if part.starts_with("avro-ocf") || part.starts_with("csv-safe:") {
                let name = part.split(':').next().unwrap_or(part);
                return Err(CodecError::Unsupported(format!(
                    "codec `{name}` is not supported yet"
                )));
            } else {
                return Err(config_error(format!("codec was not recognised: {part}")));
            }
        }
    })
}

/// The `auto` codec's choice for a file name: `.csv` → `csv`, `.tar` →
/// `tar`, `.tgz`, `.tar.gz` and `.tar.gzip` → `gzip/tar`, `.avro` →
/// `avro-ocf` (not supported), anything else → `all-bytes`.
fn auto_codec(name: &str) -> Result<ScannerSpec, CodecError> {
    let codec =
        if name.ends_with(".tar.gzip") || name.ends_with(".tar.gz") || name.ends_with(".tgz") {
            "gzip/tar"
        } else if name.ends_with(".csv") {
            "csv"
        } else if name.ends_with(".tar") {
            "tar"
        } else if name.ends_with(".avro") {
            "avro-ocf"
        } else {
            "all-bytes"
        };
    ScannerSpec::from_codec(codec, DEFAULT_CODEC_MAX_BUFFER)
}
