//! Holds: keep matching Graph calls open (before Meta applies them) until enough of them have
//! arrived or the test lets them go, so concurrency tests really overlap instead of hoping two
//! requests happen to meet.
//!
//! A held call is neither applied nor recorded in the call log until it is let go.

use std::sync::Arc;

use tokio::sync::watch;

/// Which calls a hold catches: the method and a path suffix, like [`super::Simulator::calls_to`].
#[derive(Debug)]
pub(crate) struct Gate {
    method: String,
    path_suffix: String,
    /// Let everything go once this many calls are waiting.
    release_at: usize,
    arrived: watch::Sender<usize>,
    open: watch::Sender<bool>,
}

impl Gate {
    pub(crate) fn matches(&self, method: &str, path: &str) -> bool {
        !*self.open.borrow()
            && self.method.eq_ignore_ascii_case(method)
            && path.ends_with(&self.path_suffix)
    }

    fn release(&self) {
        self.open.send_replace(true);
    }

    /// Counts this call in, then waits until the gate opens.
    pub(crate) async fn pass(&self) {
        let mut open = self.open.subscribe();
        let mut now_waiting = 0;
        self.arrived.send_modify(|n| {
            *n += 1;
            now_waiting = *n;
        });
        if now_waiting >= self.release_at {
            self.release();
        }
        // The sender lives as long as `self`, so this only ends when the gate opens.
        let _ = open.wait_for(|is_open| *is_open).await;
    }

    pub(crate) fn is_open(&self) -> bool {
        *self.open.borrow()
    }
}

/// A test's handle on a hold (see [`super::Simulator::hold`]). Dropping it lets the calls go, so
/// a failing test never leaves the simulator stuck.
#[derive(Debug)]
pub struct Hold {
    gate: Arc<Gate>,
}

impl Hold {
    pub(crate) fn new(method: &str, path_suffix: &str, release_at: usize) -> (Hold, Arc<Gate>) {
        let gate = Arc::new(Gate {
            method: method.to_owned(),
            path_suffix: path_suffix.to_owned(),
            release_at: release_at.max(1),
            arrived: watch::channel(0).0,
            open: watch::channel(false).0,
        });
        (Hold { gate: gate.clone() }, gate)
    }

    /// How many matching calls have arrived so far (held or already let go).
    pub fn arrived(&self) -> usize {
        *self.gate.arrived.borrow()
    }

    /// Waits until at least `n` matching calls have arrived.
    pub async fn wait_arrived(&self, n: usize) {
        let mut rx = self.gate.arrived.subscribe();
        let _ = rx.wait_for(|arrived| *arrived >= n).await;
    }

    /// Lets every held call (and any later one) through.
    pub fn release(&self) {
        self.gate.release();
    }

    /// Whether the hold has been let go (by `release` or because enough calls arrived).
    pub fn is_released(&self) -> bool {
        self.gate.is_open()
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.gate.release();
    }
}
