//! Inputs: where transactions come from. Each input feeds the pipeline's
//! channel and waits for acknowledgements before it considers a message
//! done.

pub mod cron;
pub mod file;
pub mod http_response;
pub mod http_server;
pub mod multipart;
pub mod ws;

use crate::txn::{ResponseStore, Transaction};
use std::sync::Arc;
use std::time::Duration;
use tarn_lang::{Message, Mode, Program, Value, Vm};
use tokio::io::AsyncBufReadExt;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

pub use http_server::HttpServerInput;

/// When the `generate` input makes its batches.
#[derive(Debug, Clone)]
pub enum Schedule {
    /// The first at once, then one per period.
    Every(Duration),
    /// At the times a cron schedule names.
    Cron(cron::Cron),
}

/// One configured input.
#[derive(Debug)]
pub enum Input {
    /// Lines from standard input.
    Stdin,
    /// Messages made by a mapping.
    Generate {
        /// The mapping; its `root` becomes the message.
        program: Arc<Program>,
        /// When batches are made (`None`: as fast as possible).
        interval: Option<Schedule>,
        /// How many batches (0: no limit).
        count: u64,
        /// Messages per batch.
        batch_size: usize,
    },
    /// Lines of the files matched by glob patterns.
    File {
        /// The glob patterns.
        paths: Vec<String>,
        /// Delete each file once all its messages are acknowledged.
        delete_on_finish: bool,
    },
    /// HTTP requests on the service server; served by the HTTP layer.
    HttpServer(Arc<HttpServerInput>),
}

/// Sends one transaction and waits for its outcome in the background;
/// rejected messages are reported on stderr (these inputs cannot replay).
async fn send_and_track(
    tx: &mpsc::Sender<Transaction>,
    batch: Vec<Message>,
    pending: &mut JoinSet<()>,
) -> bool {
    let (txn, done) = Transaction::new(batch, None::<Arc<ResponseStore>>);
    if tx.send(txn).await.is_err() {
        return false;
    }
    pending.spawn(async move {
        match done.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => crate::log::error(&format!("message rejected: {e}")),
            Err(_) => crate::log::error("message dropped during shutdown"),
        }
    });
    true
}

impl Input {
    /// Produces transactions until the input ends or `stop` turns true,
    /// then waits for every outstanding acknowledgement.
    pub async fn run(&self, tx: mpsc::Sender<Transaction>, mut stop: watch::Receiver<bool>) {
        let mut pending = JoinSet::new();
        match self {
            Input::Stdin => {
                let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
                loop {
                    let line = tokio::select! {
                        l = lines.next_line() => l,
                        _ = stop.changed() => break,
                    };
                    match line {
                        Ok(Some(l)) => {
                            if !send_and_track(&tx, vec![Message::new(l.as_bytes())], &mut pending)
                                .await
                            {
                                break;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            crate::log::error(&format!("stdin: {e}"));
                            break;
                        }
                    }
                }
            }
            Input::Generate {
                program,
                interval,
                count,
                batch_size,
            } => {
                let mut vm = Vm::new();
                let mut made = 0u64;
                while *count == 0 || made < *count {
                    if *stop.borrow() {
                        break;
                    }
                    if let Some(Schedule::Cron(cron)) = interval {
                        let now = chrono::Local::now();
                        let Some(wait) = cron
                            .next_after(now)
                            .and_then(|next| (next - now).to_std().ok())
                        else {
                            break;
                        };
                        tokio::select! {
                            _ = tokio::time::sleep(wait) => {}
                            _ = stop.changed() => break,
                        }
                    }
                    let batch: Vec<Message> = (0..*batch_size)
                        .filter_map(|_| generate_one(program, &mut vm))
                        .collect();
                    made += 1;
                    if !batch.is_empty() && !send_and_track(&tx, batch, &mut pending).await {
                        break;
                    }
                    if let Some(Schedule::Every(pause)) = interval {
                        tokio::select! {
                            _ = tokio::time::sleep(*pause) => {}
                            _ = stop.changed() => break,
                        }
                    }
                }
            }
            Input::File {
                paths,
                delete_on_finish,
            } => file::run(paths, *delete_on_finish, &tx, &stop, &mut pending).await,
            Input::HttpServer(_) => {
                // Requests arrive through the HTTP server; wait for shutdown.
                while !*stop.borrow() {
                    if stop.changed().await.is_err() {
                        break;
                    }
                }
            }
        }
        while pending.join_next().await.is_some() {}
    }
}

/// Runs the generate mapping on an empty message.
fn generate_one(program: &Program, vm: &mut Vm) -> Option<Message> {
    let seed = [Message::new(b"")];
    match tarn_lang::vm::run(program, vm, &seed, 0, Mode::Mapping) {
        Ok(outcome) => {
            if matches!(outcome.root, Value::Nothing) {
                return None;
            }
            let mut msg = Message::new(b"");
            msg.set_meta(outcome.meta);
            match crate::processor::flow::set_root(&mut msg, outcome.root) {
                Ok(true) => Some(msg),
                Ok(false) => None,
                Err(e) => {
                    crate::log::error(&format!("generate: {e}"));
                    None
                }
            }
        }
        Err(e) => {
            crate::log::error(&format!("generate: {e}"));
            None
        }
    }
}
