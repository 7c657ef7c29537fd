//! The typed `scanner` field: one key naming the scanner, its fields
//! under it (`lines: {max_buffer_size: 100}`), as Benthos writes it.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

/// How a stream of bytes is cut into messages.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ScannerConfig {
    /// One message per line.
    Lines(#[serde(deserialize_with = "null_as_default")] LinesConfig),
    /// Messages of a fixed number of bytes.
    Chunker(ChunkerConfig),
    /// One message per CSV row.
    Csv(#[serde(deserialize_with = "null_as_default")] CsvConfig),
    /// Decompresses the stream, then hands it to another scanner.
    Decompress(DecompressConfig),
    /// Segments that start where a regular expression matches.
    ReMatch(ReMatchConfig),
    /// Drops a byte order mark, then hands the stream to another scanner.
    SkipBom(#[serde(deserialize_with = "null_as_default")] SkipBomConfig),
    /// Picks a scanner by the name of each source (a file name).
    Switch(Vec<SwitchCaseConfig>),
    /// One message per file of a tar archive, named by `tar_name`.
    Tar(#[serde(deserialize_with = "null_as_default")] EmptyConfig),
    /// The whole stream as one message.
    ToTheEnd(#[serde(deserialize_with = "null_as_default")] EmptyConfig),
    /// Avro OCF datums (not supported yet).
    Avro(#[serde(deserialize_with = "null_as_default")] AvroConfig),
    /// A stream of JSON documents (not supported yet).
    JsonDocuments(#[serde(deserialize_with = "null_as_default")] EmptyConfig),
    /// The elements of one top-level JSON array (not supported yet).
    JsonArray(#[serde(deserialize_with = "null_as_default")] EmptyConfig),
}

/// `scanner: lines: ~` means the defaults, as `lines: {}` does.
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A scanner without fields.
#[derive(Deserialize, JsonSchema, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct EmptyConfig {}

/// Fields of the `lines` scanner.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct LinesConfig {
    /// Ends lines at this exact text instead of a line break (`\n`, with
    /// a `\r` before it dropped).
    #[serde(default)]
    pub custom_delimiter: Option<String>,
    /// Longest line, delimiter included, in bytes; a longer one is an
    /// error.
    #[serde(default = "default_line_buffer")]
    pub max_buffer_size: i64,
    /// Drops empty lines.
    #[serde(default)]
    pub omit_empty: bool,
}

impl Default for LinesConfig {
    fn default() -> LinesConfig {
        LinesConfig {
            custom_delimiter: None,
            max_buffer_size: default_line_buffer(),
            omit_empty: false,
        }
    }
}

/// Go's `bufio.MaxScanTokenSize`, the Benthos default.
fn default_line_buffer() -> i64 {
    65536
}

/// Fields of the `chunker` scanner.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct ChunkerConfig {
    /// Bytes per message (the last message holds what is left).
    pub size: i64,
}

/// Fields of the `csv` scanner.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct CsvConfig {
    /// Separates fields instead of a comma (one character).
    #[serde(default)]
    pub custom_delimiter: Option<String>,
    /// Takes the first row as field names: each later row becomes an
    /// object keyed by them; otherwise each row is an array of strings.
    #[serde(default = "default_true")]
    pub parse_header_row: bool,
    /// Allows a quote inside an unquoted field and a lone quote inside a
    /// quoted one.
    #[serde(default)]
    pub lazy_quotes: bool,
    /// Turns a row that fails to parse into a message flagged with the
    /// error, and goes on with the next row, instead of ending the stream.
    #[serde(default)]
    pub continue_on_error: bool,
}

impl Default for CsvConfig {
    fn default() -> CsvConfig {
        CsvConfig {
            custom_delimiter: None,
            parse_header_row: true,
            lazy_quotes: false,
            continue_on_error: false,
        }
    }
}

fn default_true() -> bool {
    true
}

/// Compression algorithms of the `decompress` scanner.
#[derive(Deserialize, JsonSchema, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DecompressAlgorithm {
    /// gzip (RFC 1952); members in a row are read as one stream.
    Gzip,
    /// gzip, decompressed in parallel by Benthos (the same bytes out).
    Pgzip,
    /// zlib (RFC 1950).
    Zlib,
    /// Raw deflate (RFC 1951).
    Flate,
    /// bzip2 (not supported yet).
    Bzip2,
    /// Snappy framing format (not supported yet).
    Snappy,
    /// LZ4 frames (not supported yet).
    Lz4,
    /// Zstandard (not supported yet).
    Zstd,
}

/// Fields of the `decompress` scanner.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct DecompressConfig {
    /// The compression the stream is in.
    pub algorithm: DecompressAlgorithm,
    /// The scanner that cuts the decompressed stream.
    #[serde(default = "to_the_end")]
    pub into: Box<ScannerConfig>,
}

fn to_the_end() -> Box<ScannerConfig> {
    Box::new(ScannerConfig::ToTheEnd(EmptyConfig {}))
}

/// Fields of the `re_match` scanner.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct ReMatchConfig {
    /// Each match starts a new message.
    pub pattern: String,
    /// Longest message in bytes; a longer one is an error.
    #[serde(default = "default_line_buffer")]
    pub max_buffer_size: i64,
}

/// Fields of the `skip_bom` scanner.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct SkipBomConfig {
    /// The scanner that cuts the stream once the mark is dropped.
    #[serde(default = "to_the_end")]
    pub into: Box<ScannerConfig>,
}

impl Default for SkipBomConfig {
    fn default() -> SkipBomConfig {
        SkipBomConfig { into: to_the_end() }
    }
}

/// One candidate of the `switch` scanner.
#[derive(Deserialize, JsonSchema, Debug)]
#[serde(deny_unknown_fields)]
pub struct SwitchCaseConfig {
    /// Chooses this case when the source name matches; a case without it
    /// matches every source.
    #[serde(default)]
    pub re_match_name: Option<String>,
    /// The scanner of this case.
    pub scanner: ScannerConfig,
}

/// Fields of the `avro` scanner.
#[derive(Deserialize, JsonSchema, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct AvroConfig {
    /// Plain JSON rather than Avro JSON for unions.
    #[serde(default)]
    pub raw_json: bool,
}
