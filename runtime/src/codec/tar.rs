//! The tar format, as Go's `archive/tar` reads and writes it (Benthos
//! uses Go's): 512-byte headers in the V7, USTAR, PAX and GNU flavours,
//! with PAX `path` / `linkpath` / `size` records and GNU long names
//! applied to the entry that follows them.
//!
//! [`TarDecoder`] holds no I/O: a reader hands it each header block and
//! the data of metadata entries, and it says how many bytes to read
//! next, so the streaming scanner and the in-memory unarchiver share it.

use std::fmt;

/// Size of a header block and the unit data is padded to.
pub(crate) const BLOCK: usize = 512;

/// Largest PAX header or GNU long name accepted (Go's limit too).
pub(crate) const MAX_META_BYTES: u64 = 1 << 20;

/// A tar format problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TarError(pub(crate) String);

impl fmt::Display for TarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn invalid() -> TarError {
    TarError("archive/tar: invalid tar header".into())
}

/// What a header block says to read next.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// An all-zero block: the archive ends if the next block is zero too.
    Zero,
    /// An entry: read `size` bytes of content, then skip `pad`.
    Entry { name: String, size: u64, pad: u64 },
    /// A metadata entry: read `size` bytes, hand them to
    /// [`TarDecoder::meta`], skip `pad`.
    Meta { size: u64, pad: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MetaKind {
    Pax,
    GlobalPax,
    LongName,
    LongLink,
}

/// Entry-to-entry state: metadata waiting for the entry it applies to.
#[derive(Default)]
pub(crate) struct TarDecoder {
    pending: Option<MetaKind>,
    /// The header name of a global PAX header being read.
    global_name: Option<String>,
    path: Option<String>,
    size: Option<u64>,
}

/// Padding after `size` bytes of data.
pub(crate) fn padding(size: u64) -> u64 {
    (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64
}

fn cstr(field: &[u8]) -> &[u8] {
    let end = memchr::memchr(0, field).unwrap_or(field.len());
    &field[..end]
}

/// A numeric field: octal text (spaces and NULs around it), or Go's
/// base-256 form when the top bit of the first byte is set.
fn number(field: &[u8]) -> Result<i64, TarError> {
    if let Some(&first) = field.first()
        && first & 0x80 != 0
    {
        let negative = first & 0x40 != 0;
        let mut value: i64 = 0;
        for (i, &b) in field.iter().enumerate() {
            let mut b = if negative { b ^ 0xff } else { b };
            if i == 0 {
                b &= 0x7f;
            }
            value = value
                .checked_mul(256)
                .and_then(|v| v.checked_add(i64::from(b)))
                .ok_or_else(invalid)?;
        }
        return Ok(if negative { -value - 1 } else { value });
    }
    let text = cstr(field);
    let text = std::str::from_utf8(text).map_err(|_| invalid())?;
    let text = text.trim_matches(|c| c == ' ' || c == '\0');
    if text.is_empty() {
        return Ok(0);
    }
    i64::from_str_radix(text, 8).map_err(|_| invalid())
}

fn checksum_ok(block: &[u8]) -> bool {
    let Ok(stored) = number(&block[148..156]) else {
        return false;
    };
    let (mut unsigned, mut signed) = (0i64, 0i64);
    for (i, &b) in block.iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += i64::from(b);
        signed += i64::from(b as i8);
    }
    stored == unsigned || stored == signed
}

/// Bytes → name text; tar names are byte strings, shown lossily.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl TarDecoder {
    /// Reads one header block.
    pub(crate) fn header(&mut self, block: &[u8]) -> Result<Step, TarError> {
        if block.len() != BLOCK {
            return Err(invalid());
        }
        if block.iter().all(|&b| b == 0) {
            return Ok(Step::Zero);
        }
        if !checksum_ok(block) {
            return Err(invalid());
        }
        let typeflag = block[156];
        let raw_size = number(&block[124..136])?;
        let size = u64::try_from(raw_size).map_err(|_| invalid())?;
        let magic = &block[257..265];
        let ustar = &magic[..6] == b"ustar\0";
        let meta = |kind| {
            if size > MAX_META_BYTES {
                return Err(TarError("archive/tar: header field too long".into()));
            }
            Ok((kind, size))
        };
        let meta = match typeflag {
            b'x' => Some(meta(MetaKind::Pax)?),
            b'g' => Some(meta(MetaKind::GlobalPax)?),
            b'L' => Some(meta(MetaKind::LongName)?),
            b'K' => Some(meta(MetaKind::LongLink)?),
            b'S' => {
                return Err(TarError("sparse tar entries are not supported yet".into()));
            }
            _ => None,
        };
        let mut name = text(cstr(&block[..100]));
        if ustar {
            let star = &block[508..512] == b"tar\0";
            let prefix = cstr(if star {
                &block[345..476]
            } else {
                &block[345..500]
            });
            if !prefix.is_empty() {
                name = format!("{}/{name}", text(prefix));
            }
        }
        if let Some((kind, size)) = meta {
            self.pending = Some(kind);
            if kind == MetaKind::GlobalPax {
                self.global_name = Some(name);
            }
            return Ok(Step::Meta {
                size,
                pad: padding(size),
            });
        }
        if let Some(path) = self.path.take() {
            name = path;
        }
        let mut size = self.size.take().unwrap_or(size);
        // Links, devices, directories and FIFOs have no data whatever
        // their size field says (Go's isHeaderOnlyType).
        if matches!(typeflag, b'1'..=b'6') {
            size = 0;
        }
        Ok(Step::Entry {
            name,
            size,
            pad: padding(size),
        })
    }

    /// Takes the data of the metadata entry the last header announced.
    /// A global PAX header is itself an entry (Go returns it as one):
    /// its name comes back to become an empty message.
    pub(crate) fn meta(&mut self, data: &[u8]) -> Result<Option<String>, TarError> {
        match self.pending.take() {
            Some(MetaKind::LongName) => {
                self.path = Some(text(cstr(data)));
                Ok(None)
            }
            Some(MetaKind::LongLink) => Ok(None),
            Some(MetaKind::Pax) => {
                for (key, value) in pax_records(data)? {
                    match key {
                        "path" => self.path = Some(value.to_string()),
                        "size" => {
                            let size = value.parse::<u64>().map_err(|_| invalid())?;
                            self.size = Some(size);
                        }
                        k if k.starts_with("GNU.sparse.") => {
                            return Err(TarError(
                                "sparse tar entries are not supported yet".into(),
                            ));
                        }
                        _ => {}
                    }
                }
                Ok(None)
            }
            Some(MetaKind::GlobalPax) => {
                pax_records(data)?;
                Ok(Some(self.global_name.take().unwrap_or_default()))
            }
            None => Err(invalid()),
        }
    }
}

/// Splits PAX extended header data into `key=value` records
/// (`"<length> <key>=<value>\n"`, the length counting the whole record).
fn pax_records(mut data: &[u8]) -> Result<Vec<(&str, &str)>, TarError> {
    let mut records = Vec::new();
    // Go ignores NUL padding after the last record.
    while !data.is_empty() && data[0] != 0 {
        let space = memchr::memchr(b' ', data).ok_or_else(invalid)?;
        let len: usize = std::str::from_utf8(&data[..space])
            .ok()
            .and_then(|n| n.parse().ok())
            .ok_or_else(invalid)?;
        if len <= space + 1 || len > data.len() || data[len - 1] != b'\n' {
            return Err(invalid());
        }
        let record = std::str::from_utf8(&data[space + 1..len - 1]).map_err(|_| invalid())?;
        let (key, value) = record.split_once('=').ok_or_else(invalid)?;
        records.push((key, value));
        data = &data[len..];
    }
    Ok(records)
}

/// Writes an archive of regular files as Go's `tar.Writer` does for
/// `archive`: USTAR headers (mode 0666, no owner, `mtime` in whole
/// seconds), a PAX `path` record for a name USTAR cannot hold, and two
/// zero blocks at the end.
pub(crate) struct TarWriter {
    out: Vec<u8>,
    mtime: i64,
}

impl TarWriter {
    pub(crate) fn new(mtime: i64) -> TarWriter {
        TarWriter {
            out: Vec::new(),
            mtime,
        }
    }

    pub(crate) fn add(&mut self, name: &str, data: &[u8]) {
        let (prefix, short) = match ustar_split(name) {
            Some(split) => split,
            None => {
                let record = pax_record("path", name);
                let base = name.rsplit('/').next().unwrap_or(name);
                let meta_name: String = format!("PaxHeaders.0/{base}")
                    .chars()
                    .filter(char::is_ascii)
                    .take(100)
                    .collect();
                self.block(b'x', "", &meta_name, record.len() as u64);
                self.data(&record);
                ("", name_head(name))
            }
        };
        self.block(b'0', prefix, short, data.len() as u64);
        self.data(data);
    }

    pub(crate) fn finish(mut self) -> Vec<u8> {
        self.out.resize(self.out.len() + 2 * BLOCK, 0);
        self.out
    }

    fn data(&mut self, data: &[u8]) {
        self.out.extend_from_slice(data);
        let pad = padding(data.len() as u64) as usize;
        self.out.resize(self.out.len() + pad, 0);
    }

    fn block(&mut self, typeflag: u8, prefix: &str, name: &str, size: u64) {
        let mut h = [0u8; BLOCK];
        put(&mut h[..100], name.as_bytes());
        octal(&mut h[100..108], 0o666);
        octal(&mut h[108..116], 0);
        octal(&mut h[116..124], 0);
        octal(&mut h[124..136], size);
        octal(&mut h[136..148], u64::try_from(self.mtime).unwrap_or(0));
        h[156] = typeflag;
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        octal(&mut h[329..337], 0);
        octal(&mut h[337..345], 0);
        put(&mut h[345..500], prefix.as_bytes());
        h[148..156].fill(b' ');
        let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
        octal(&mut h[148..155], sum);
        h[155] = b' ';
        self.out.extend_from_slice(&h);
    }
}

fn put(field: &mut [u8], bytes: &[u8]) {
    let n = bytes.len().min(field.len());
    field[..n].copy_from_slice(&bytes[..n]);
}

/// Zero-padded octal filling all but the last byte, which stays NUL.
fn octal(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    let text = format!("{value:0digits$o}");
    let text = &text.as_bytes()[text.len().saturating_sub(digits)..];
    field[..digits].copy_from_slice(text);
    field[digits] = 0;
}

/// How a name fits USTAR: in the name field, or split at a `/` into a
/// prefix of at most 155 bytes and a name of at most 100 (ASCII only).
fn ustar_split(name: &str) -> Option<(&str, &str)> {
    if !name.is_ascii() {
        return None;
    }
    if name.len() <= 100 {
        return Some(("", name));
    }
    let limit = name.len().min(156);
    let slash = name[..limit].rfind('/')?;
    let (prefix, rest) = (&name[..slash], &name[slash + 1..]);
    (!prefix.is_empty() && !rest.is_empty() && rest.len() <= 100).then_some((prefix, rest))
}

/// The first bytes of a name that fit the USTAR name field (the PAX
/// record holds the whole name).
fn name_head(name: &str) -> &str {
    let mut end = name.len().min(100);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

fn pax_record(key: &str, value: &str) -> Vec<u8> {
    let body = format!(" {key}={value}\n");
    let mut len = body.len() + 1;
    while len.to_string().len() + body.len() != len {
        len = len.to_string().len() + body.len();
    }
    format!("{len}{body}").into_bytes()
}
