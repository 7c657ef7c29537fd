//! Locking shared state without propagating poison: a panic elsewhere
//! while holding a lock must not turn every later access into a panic
//! (the runtime's locked state stays consistent between statements).

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `m`, taking the guard even if another thread panicked with it.
pub fn lock<T: ?Sized>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
