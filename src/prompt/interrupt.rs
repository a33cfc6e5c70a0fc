//! Ctrl-C. Default SIGINT would kill us while the terminal is in no-echo or raw mode, so
//! while a prompt, menu or push poll runs (a `CooperativeInterrupt` guard lives) Ctrl-C is
//! only recorded and the code unwinds (restoring the terminal, cancelling the Okta
//! transaction). At any other time Ctrl-C exits at once with 130.
//!
//! On Windows (the `ctrlc` crate's console control handler) a push or browser wait is
//! cancelled the same way; a question or menu on the console is not cooperative, since a
//! console read may go on after Ctrl-C: the exit puts the console's mode back first
//! (`dev_tty::restore_after_interrupt`).
//!
//! Signals are the process's, so this is process-wide state.

use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use super::{Waited, Waiting};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static COOPERATIVE: AtomicUsize = AtomicUsize::new(0);

fn interrupt_notify() -> &'static tokio::sync::Notify {
    static NOTIFY: OnceLock<tokio::sync::Notify> = OnceLock::new();
    NOTIFY.get_or_init(tokio::sync::Notify::new)
}

/// Install the Ctrl-C handler (only on paths that may talk to the user or the network).
pub fn install_handler() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let _ = ctrlc::set_handler(|| {
            let first = !INTERRUPTED.swap(true, Ordering::SeqCst);
            if first && COOPERATIVE.load(Ordering::SeqCst) > 0 {
                interrupt_notify().notify_waiters();
            } else {
                super::dev_tty::restore_after_interrupt();
                std::process::exit(crate::error::EXIT_INTERRUPTED);
            }
        });
    });
}

/// Whether Ctrl-C was pressed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Resolves when Ctrl-C is pressed (for `tokio::select!` in waiting loops).
pub async fn wait_for_interrupt() {
    let notified = interrupt_notify().notified();
    if interrupted() {
        return;
    }
    notified.await;
}

/// While alive, Ctrl-C is recorded instead of exiting, so the holder can clean up.
pub struct CooperativeInterrupt(());

impl CooperativeInterrupt {
    pub fn enter() -> Self {
        install_handler();
        COOPERATIVE.fetch_add(1, Ordering::SeqCst);
        CooperativeInterrupt(())
    }
}

impl Drop for CooperativeInterrupt {
    fn drop(&mut self) {
        COOPERATIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A wait the user may cancel with Ctrl-C: both real back ends' `Waiting`.
pub struct CancellableWait {
    _cooperative: CooperativeInterrupt,
}

impl CancellableWait {
    pub fn start() -> CancellableWait {
        CancellableWait {
            _cooperative: CooperativeInterrupt::enter(),
        }
    }
}

impl Waiting for CancellableWait {
    fn pause(&mut self, period: Duration) -> Pin<Box<dyn Future<Output = Waited> + '_>> {
        Box::pin(async move {
            tokio::select! {
                _ = tokio::time::sleep(period) => Waited::Elapsed,
                _ = wait_for_interrupt() => Waited::Cancelled,
            }
        })
    }
}
