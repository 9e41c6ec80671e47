//! A STARTTLS-stripping SMTP proxy (the downgrade attacker of RFC 8461 §1 / RFC 7672 §1.3):
//! it accepts on 127.0.0.1:0, connects each client to the real server, and forwards both ways
//! — except that it removes the `STARTTLS` line from the server's EHLO reply (re-terminating
//! the multi-line reply when it was the last line) and answers a client's `STARTTLS` command
//! itself with `502` instead of passing it on. So the client sees a server without STARTTLS.
//!
//! The client→server side is read line by line; between a `DATA` command and the lone `.`
//! lines are passed unchanged (a body line reading `STARTTLS` is content). CHUNKING is left
//! alone: the gateway does not send BDAT.
//!
//! Guarantees: loopback only; `start` returns once bound; counts connections and refused
//! STARTTLS commands; stops (closing every connection) when dropped.

use crate::OrDie;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

/// A running proxy.
pub struct StripProxy {
    /// Where it listens.
    pub addr: SocketAddr,
    connections: Arc<AtomicUsize>,
    refused: Arc<AtomicUsize>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl StripProxy {
    /// A proxy in front of `upstream`.
    pub fn start(upstream: SocketAddr) -> StripProxy {
        let connections = Arc::new(AtomicUsize::new(0));
        let refused = Arc::new(AtomicUsize::new(0));
        let (c, r) = (Arc::clone(&connections), Arc::clone(&refused));
        let (ready_tx, ready_rx) = mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .or_die("proxy runtime");
            rt.block_on(async move {
                let l = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .or_die("bind proxy");
                let _ = ready_tx.send(l.local_addr().or_die("proxy address"));
                let serve = async {
                    while let Ok((client, _)) = l.accept().await {
                        c.fetch_add(1, Ordering::SeqCst);
                        let r = Arc::clone(&r);
                        tokio::spawn(async move {
                            if let Ok(server) = TcpStream::connect(upstream).await {
                                relay(client, server, r).await;
                            }
                        });
                    }
                };
                tokio::select! {
                    _ = serve => {}
                    _ = stop_rx => {}
                }
            });
        });
        let addr = ready_rx
            .recv_timeout(Duration::from_secs(30))
            .or_die("proxy did not start");
        StripProxy {
            addr,
            connections,
            refused,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// `STARTTLS` commands answered `502` instead of passed on.
    pub fn starttls_refused(&self) -> usize {
        self.refused.load(Ordering::SeqCst)
    }
}

impl Drop for StripProxy {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// True for a reply line advertising STARTTLS (`250-STARTTLS`, `250 STARTTLS`).
fn is_starttls_line(line: &[u8]) -> bool {
    line.len() >= 4
        && String::from_utf8_lossy(&line[4..])
            .trim()
            .eq_ignore_ascii_case("STARTTLS")
}

/// One complete server reply without its STARTTLS line, still well terminated.
fn strip_reply(lines: Vec<Vec<u8>>) -> Vec<u8> {
    let ended_with_it = lines.last().is_some_and(|l| is_starttls_line(l));
    let mut kept: Vec<Vec<u8>> = lines.into_iter().filter(|l| !is_starttls_line(l)).collect();
    if ended_with_it
        && let Some(last) = kept.last_mut()
        && last.len() > 3
    {
        last[3] = b' ';
    }
    kept.concat()
}

async fn relay(client: TcpStream, server: TcpStream, refused: Arc<AtomicUsize>) {
    let (client_r, client_w) = client.into_split();
    let (server_r, mut server_w) = server.into_split();
    let client_w = Arc::new(Mutex::new(client_w));
    let to_client = Arc::clone(&client_w);
    let down = async move {
        let mut r = BufReader::new(server_r);
        let mut reply: Vec<Vec<u8>> = Vec::new();
        loop {
            let mut line = Vec::new();
            match r.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let last = line.get(3) != Some(&b'-');
            reply.push(line);
            if last {
                let out = strip_reply(std::mem::take(&mut reply));
                if to_client.lock().await.write_all(&out).await.is_err() {
                    return;
                }
            }
        }
    };
    let up = async move {
        let mut r = BufReader::new(client_r);
        let mut in_data = false;
        loop {
            let mut line = Vec::new();
            match r.read_until(b'\n', &mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&line).trim().to_ascii_uppercase();
            if in_data {
                in_data = text != ".";
            } else if text == "STARTTLS" {
                refused.fetch_add(1, Ordering::SeqCst);
                let no = b"502 5.5.1 Command not implemented\r\n";
                if client_w.lock().await.write_all(no).await.is_err() {
                    return;
                }
                continue;
            } else if text == "DATA" {
                in_data = true;
            }
            if server_w.write_all(&line).await.is_err() {
                return;
            }
        }
    };
    tokio::select! {
        _ = down => {}
        _ = up => {}
    }
}

#[cfg(test)]
mod tests {
    use super::strip_reply;

    fn lines(text: &str) -> Vec<Vec<u8>> {
        text.split_inclusive("\r\n")
            .map(|l| l.as_bytes().to_vec())
            .collect()
    }

    #[test]
    fn starttls_is_removed_from_the_middle_and_from_the_end_of_an_ehlo_reply() {
        let middle = lines("250-mx.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 SMTPUTF8\r\n");
        assert_eq!(
            strip_reply(middle),
            b"250-mx.test\r\n250-PIPELINING\r\n250 SMTPUTF8\r\n".to_vec()
        );
        let last = lines("250-mx.test\r\n250-SIZE 10240000\r\n250 starttls\r\n");
        assert_eq!(
            strip_reply(last),
            b"250-mx.test\r\n250 SIZE 10240000\r\n".to_vec()
        );
        let other = lines("220 mx.test ESMTP STARTTLS\r\n");
        assert_eq!(
            strip_reply(other),
            b"220 mx.test ESMTP STARTTLS\r\n".to_vec()
        );
    }
}
