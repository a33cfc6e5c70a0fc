//! A listener that accepts connections, reads whatever is sent, and never answers: a stuck
//! Okta, STS or IAM endpoint for deadline tests (point `AWS_ENDPOINT_URL_STS` or
//! `AWS_ENDPOINT_URL_IAM` at [`Blackhole::url`]). Plain threads, no async runtime: it must
//! keep connections open however the client behaves.

use std::io::Read;
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// A running blackhole on 127.0.0.1. Dropping it closes every connection it holds.
pub struct Blackhole {
    url: String,
    addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    held: Arc<Mutex<Vec<TcpStream>>>,
    thread: Option<JoinHandle<()>>,
}

impl Blackhole {
    /// Listens on a free loopback port.
    pub fn start() -> Blackhole {
        let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .expect("blackhole could not listen");
        let addr = listener.local_addr().expect("blackhole address");
        let stopping = Arc::new(AtomicBool::new(false));
        let held = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (stopping, held) = (stopping.clone(), held.clone());
            std::thread::Builder::new()
                .name("blackhole".to_string())
                .spawn(move || accept_all(&listener, &stopping, &held))
                .expect("blackhole thread")
        };
        Blackhole {
            url: format!("http://{addr}"),
            addr,
            stopping,
            held,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// How many connections it has accepted so far.
    pub fn connections(&self) -> usize {
        self.held.lock().map(|held| held.len()).unwrap_or_default()
    }
}

fn accept_all(listener: &TcpListener, stopping: &AtomicBool, held: &Mutex<Vec<TcpStream>>) {
    for stream in listener.incoming() {
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        if let Ok(reader) = stream.try_clone() {
            // Drain what the client sends, so its request is fully written and it waits
            // for an answer that never comes.
            let _ = std::thread::Builder::new()
                .name("blackhole-conn".to_string())
                .spawn(move || drain(reader));
        }
        if let Ok(mut held) = held.lock() {
            held.push(stream);
        }
    }
}

fn drain(mut stream: TcpStream) {
    let mut buffer = [0u8; 8192];
    while matches!(stream.read(&mut buffer), Ok(n) if n > 0) {}
}

impl Drop for Blackhole {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        if let Ok(held) = self.held.lock() {
            for stream in held.iter() {
                // Ends the draining threads too.
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
    }
}
