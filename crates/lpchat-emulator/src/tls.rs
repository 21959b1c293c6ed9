//! `--tls`: HTTPS on the emulator's address with a self-signed certificate generated at
//! start, so clients that always build `https://` + `baseURI` (every LivePerson client)
//! run against it unchanged, trusting only that certificate.
//!
//! The certificate names `127.0.0.1`, `::1`, `localhost` and the bound address; its PEM is
//! written to a file (its path printed in the banner) and kept on the [`crate::Emulator`]
//! handle. Handshakes run in their own tasks, so a slow or silent client never holds up
//! the accept loop.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_rustls::rustls;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// Longest a TLS handshake may take before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Handshaken connections waiting for the server to take them.
const BACKLOG: usize = 64;

/// The certificate of a TLS emulator. `Debug` omits the private key (it is not kept).
#[derive(Clone)]
pub struct TlsCert {
    /// The certificate, PEM.
    pub pem: String,
    /// Where the PEM was written.
    pub path: PathBuf,
}

impl std::fmt::Debug for TlsCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsCert")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Generates the certificate for `addr`, writes its PEM and builds the rustls acceptor.
pub fn setup(addr: SocketAddr) -> io::Result<(TlsCert, TlsAcceptor)> {
    let mut names = vec![
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
        "localhost".to_owned(),
    ];
    let ip = addr.ip();
    if !ip.is_unspecified() && !names.contains(&ip.to_string()) {
        names.push(ip.to_string());
    }
    let certified = rcgen::generate_simple_self_signed(names).map_err(io::Error::other)?;
    let pem = certified.cert.pem();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .map_err(io::Error::other)?;
    // axum serves HTTP/1.1 only here (no `http2` feature).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let path = cert_path(addr);
    write_pem(&path, &pem)?;
    Ok((TlsCert { pem, path }, TlsAcceptor::from(Arc::new(config))))
}

/// A file per emulator process and port in the temporary directory.
fn cert_path(addr: SocketAddr) -> PathBuf {
    let host = match addr.ip() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => v6.to_string().replace(':', "_"),
    };
    std::env::temp_dir().join(format!(
        "lpchat-emulator-{}-{host}-{}.pem",
        std::process::id(),
        addr.port()
    ))
}

fn write_pem(path: &Path, pem: &str) -> io::Result<()> {
    std::fs::write(path, pem)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}

/// Removes the PEM file written by [`setup`]; a file already gone is fine.
pub fn remove(cert: &TlsCert) {
    let _ = std::fs::remove_file(&cert.path);
}

/// An axum listener that yields TLS streams handshaken by a background accept loop.
pub struct TlsListener {
    rx: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
    acceptor_task: JoinHandle<()>,
}

impl TlsListener {
    /// Starts accepting on `tcp`, handshaking each connection with `acceptor`.
    pub fn new(tcp: TcpListener, acceptor: TlsAcceptor) -> io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let (tx, rx) = mpsc::channel(BACKLOG);
        let acceptor_task = tokio::spawn(accept_loop(tcp, acceptor, tx));
        Ok(TlsListener {
            rx,
            local,
            acceptor_task,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        self.acceptor_task.abort();
    }
}

async fn accept_loop(
    tcp: TcpListener,
    acceptor: TlsAcceptor,
    tx: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    loop {
        let (stream, peer) = match tcp.accept().await {
            Ok(c) => c,
            Err(_) => {
                // Out of descriptors and the like: wait rather than spin (as axum does).
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            // A failed or slow handshake drops only this connection.
            if let Ok(Ok(tls)) =
                tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
            {
                let _ = tx.send((tls, peer)).await;
            }
        });
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(c) => c,
            // The accept loop only ends when this listener is dropped.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}
