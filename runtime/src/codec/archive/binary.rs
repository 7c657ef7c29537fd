//! Benthos's binary batch format: a big-endian `u32` count of parts,
//! then for each part a big-endian `u32` length and its bytes.

use super::{ArchiveError, Budget, with_content};
use tarn_lang::Message;

fn malformed() -> ArchiveError {
    ArchiveError::Malformed {
        format: "binary",
        detail: "serialised message bytes were in unexpected format".into(),
    }
}

fn read_u32(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at + 4)?;
    Some(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

pub(super) fn unarchive(
    message: &Message,
    budget: &mut Budget<'_>,
) -> Result<Vec<Message>, ArchiveError> {
    let data = message.content().as_bytes();
    let count = read_u32(data, 0).ok_or_else(malformed)? as usize;
    // As Go checks: a count no smaller than the blob cannot be real.
    if count >= data.len() {
        return Err(malformed());
    }
    let mut at = 4;
    let mut out = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        let len = read_u32(data, at).ok_or_else(malformed)? as usize;
        at += 4;
        let part = data.get(at..at + len).ok_or_else(malformed)?;
        budget.take("a binary part", len as u64)?;
        out.push(with_content(message, part));
        at += len;
    }
    Ok(out)
}

pub(super) fn archive(messages: &[Message]) -> Result<Vec<u8>, ArchiveError> {
    let too_big = || ArchiveError::TooLarge {
        what: "a part of the binary format",
        limit: u32::MAX as usize,
    };
    let count = u32::try_from(messages.len()).map_err(|_| too_big())?;
    let total: usize = messages.iter().map(|m| 4 + m.content().len()).sum();
    let mut out = Vec::with_capacity(4 + total);
    out.extend_from_slice(&count.to_be_bytes());
    for msg in messages {
        let content = msg.content().as_bytes();
        let len = u32::try_from(content.len()).map_err(|_| too_big())?;
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(content);
    }
    Ok(out)
}
