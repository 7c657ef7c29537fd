//! Line mode's plumbing: the input is read in large blocks cut at line
//! ends, each block is mapped into one output buffer, and buffers are
//! written in input order. With several threads a reader thread cuts
//! blocks, workers map them, and the calling thread writes them.

use super::{LineOptions, map_one};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use tarn_lang::{Program, Vm};

/// Bytes read per block (a longer line makes its block longer).
const BLOCK: usize = 256 * 1024;

/// One block's results: its output lines, how many input lines it held,
/// and the errors of the lines that failed.
#[derive(Default)]
struct Mapped {
    out: Vec<u8>,
    lines: u64,
    errors: Vec<Failure>,
}

/// A line that failed to map.
struct Failure {
    /// The output offset the error belongs at.
    at: usize,
    /// The line's 0-based index within its block.
    line: u64,
    /// The error text.
    error: String,
}

/// Maps every line of `block` (whole lines; the last may lack its newline).
fn map_block(prog: &Program, vm: &mut Vm, block: &[u8], opts: LineOptions, into: &mut Mapped) {
    into.out.clear();
    into.errors.clear();
    into.lines = 0;
    into.out.reserve(block.len() + block.len() / 2);
    let mut rest = block;
    while !rest.is_empty() {
        let (line, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let start = into.out.len();
        match map_one(prog, vm, line, opts, &mut into.out) {
            Ok(()) => into.out.push(b'\n'),
            Err(error) => {
                into.out.truncate(start);
                into.errors.push(Failure {
                    at: start,
                    line: into.lines,
                    error,
                });
            }
        }
        into.lines += 1;
    }
}

/// Writes a block's output, whose first input line is line `first_line`
/// (1-based); before each error, what precedes it is flushed so that
/// stdout and stderr interleave as the lines did. Each error is printed
/// as `input line N: ` and its text.
fn emit(writer: &mut impl Write, mapped: &Mapped, first_line: u64) -> io::Result<()> {
    let mut from = 0;
    for failure in &mapped.errors {
        writer.write_all(&mapped.out[from..failure.at])?;
        writer.flush()?;
        eprintln!(
            "input line {}: {}",
            first_line + failure.line,
            failure.error
        );
        from = failure.at;
    }
    writer.write_all(&mapped.out[from..])
}

/// An input buffer: `bytes[..len]` holds whole lines. The rest is room
/// for the next read; it stays allocated and initialised from block to
/// block, so reading never has to zero memory again.
#[derive(Default)]
struct Block {
    bytes: Vec<u8>,
    len: usize,
}

impl Block {
    fn lines(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Reads whole lines into `block` (after `carry`, the unfinished line of
/// the previous block); returns false at the end of the input. What
/// follows the block's last newline is moved back into `carry`. One read
/// that ends a line is enough, so slow input is mapped as it arrives.
fn fill_block(input: &mut dyn Read, block: &mut Block, carry: &mut Vec<u8>) -> io::Result<bool> {
    let room = carry.len() + BLOCK;
    if block.bytes.len() < room {
        block.bytes.resize(room, 0);
    }
    block.bytes[..carry.len()].copy_from_slice(carry);
    block.len = carry.len();
    carry.clear();
    loop {
        let start = block.len;
        if block.bytes.len() < start + BLOCK {
            block.bytes.resize(start + BLOCK, 0);
        }
        let n = loop {
            match input.read(&mut block.bytes[start..start + BLOCK]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        if n == 0 {
            return Ok(block.len > 0);
        }
        let read = &block.bytes[start..start + n];
        match memchr::memrchr(b'\n', read) {
            Some(last) => {
                carry.extend_from_slice(&read[last + 1..]);
                block.len = start + last + 1;
                return Ok(true);
            }
            None => block.len = start + n,
        }
    }
}

/// Maps the input on the calling thread.
pub(super) fn run_sequential(
    prog: &Program,
    mut input: Box<dyn Read + Send>,
    opts: LineOptions,
) -> io::Result<()> {
    let stdout = io::stdout();
    let mut writer = stdout.lock();
    let mut vm = Vm::new();
    let (mut block, mut carry) = (Block::default(), Vec::new());
    let mut mapped = Mapped::default();
    let mut first_line = 1;
    while fill_block(&mut input, &mut block, &mut carry)? {
        map_block(prog, &mut vm, block.lines(), opts, &mut mapped);
        emit(&mut writer, &mapped, first_line)?;
        first_line += mapped.lines;
    }
    writer.flush()
}

/// Maps the input on `threads` workers and writes the results in input
/// order. Blocks and result buffers go back and forth through bounded
/// channels, so memory stays at a few blocks per thread.
pub(super) fn run_parallel(
    prog: &Program,
    mut input: Box<dyn Read + Send>,
    threads: usize,
    opts: LineOptions,
) -> io::Result<()> {
    let (work_tx, work_rx) = sync_channel::<Job>(threads * 2);
    let (done_tx, done_rx) = sync_channel::<Job>(threads * 2);
    // Written jobs return their buffers to the reader for reuse.
    let (spare_tx, spare_rx) = sync_channel::<Job>(threads * 4);
    let work_rx = Arc::new(Mutex::new(work_rx));
    std::thread::scope(|s| {
        let reader = s.spawn(move || -> io::Result<()> {
            let mut carry = Vec::new();
            for seq in 0u64.. {
                let mut job = spare_rx.try_recv().unwrap_or_default();
                if !fill_block(&mut input, &mut job.block, &mut carry)? {
                    return Ok(());
                }
                job.seq = seq;
                if work_tx.send(job).is_err() {
                    return Ok(()); // the writer stopped
                }
            }
            Ok(())
        });
        for _ in 0..threads {
            let work_rx = Arc::clone(&work_rx);
            let done_tx = done_tx.clone();
            s.spawn(move || {
                let mut vm = Vm::new();
                while let Some(mut job) = next_job(&work_rx) {
                    map_block(prog, &mut vm, job.block.lines(), opts, &mut job.mapped);
                    if done_tx.send(job).is_err() {
                        return;
                    }
                }
            });
        }
        drop((work_rx, done_tx));
        let written = write_in_order(done_rx, spare_tx);
        // If writing failed, the workers stop, the work queue closes and
        // the reader's next send fails, so this join returns.
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the input reader panicked")));
        written.and(read)
    })
}

/// A block of input lines and, once mapped, its results.
#[derive(Default)]
struct Job {
    seq: u64,
    block: Block,
    mapped: Mapped,
}

fn next_job(work: &Mutex<Receiver<Job>>) -> Option<Job> {
    work.lock().ok()?.recv().ok()
}

/// Writes results as they arrive, holding back any that overtook an
/// earlier block, and hands their buffers back for reuse. Blocks are
/// written in input order, so counting their lines as they are written
/// numbers the error lines as one thread would.
fn write_in_order(done: Receiver<Job>, spares: SyncSender<Job>) -> io::Result<()> {
    let stdout = io::stdout();
    let mut writer = stdout.lock();
    let mut waiting = BTreeMap::new();
    let mut next = 0u64;
    let mut first_line = 1;
    for job in done {
        waiting.insert(job.seq, job);
        while let Some(job) = waiting.remove(&next) {
            emit(&mut writer, &job.mapped, first_line)?;
            first_line += job.mapped.lines;
            let _ = spares.try_send(job);
            next += 1;
        }
    }
    writer.flush()
}
