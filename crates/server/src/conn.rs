//! Connections: hyper's HTTP/1 server with its timer, so a request head left unfinished
//! is closed after [`HEADER_READ_TIMEOUT`]; heads up to [`MAX_HEAD_BYTES`]; the refusals
//! hyper makes itself (a head it cannot read or that is too large) rewritten into the
//! API's JSON error; and a stop that lets requests in flight finish for at most
//! [`SHUTDOWN_GRACE`], then closes whatever is still open.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// How long a client may take to send a request's head once it has started (or, on a
/// new connection, to start): then the connection is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a stop waits for requests in flight before closing their connections.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The largest request head (request line and headers) read: a larger one is refused
/// with `431` before any of it reaches the service.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Serves `router` on `listener` until `stop` completes; then stops accepting, waits up
/// to [`SHUTDOWN_GRACE`] for the connections in flight, and closes the rest.
pub async fn serve(listener: TcpListener, router: Router, stop: impl Future<Output = ()>) -> io::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut connections = tokio::task::JoinSet::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        // Finished connections leave the set, so it holds only the open ones.
        while connections.try_join_next().is_some() {}
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: wait a moment rather than spin.
                eprintln!("tenet serve: accepting a connection failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .max_buf_size(MAX_HEAD_BYTES)
            .serve_connection(TokioIo::new(JsonRefusals::new(stream)), TowerToHyperService::new(router.clone()));
        let watched = graceful.watch(connection);
        connections.spawn(async move {
            let _ = watched.await;
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        eprintln!(
            "tenet serve: {} connections still open after {} s of grace; closing them",
            connections.len(),
            SHUTDOWN_GRACE.as_secs()
        );
    }
    connections.abort_all();
    Ok(())
}

/// A connection whose writes pass through unchanged, except hyper's own refusal of a
/// head it could not read: that answer has a status and no body, and becomes the API's
/// JSON error (`{"error", "message", "message_en"}`) with the same status.
struct JsonRefusals {
    inner: TcpStream,
    /// A rewritten refusal being written: the bytes, how many are written, and how many
    /// of hyper's bytes it stands for (reported once all are written).
    replacing: Option<(Vec<u8>, usize, usize)>,
}

impl JsonRefusals {
    fn new(inner: TcpStream) -> JsonRefusals {
        JsonRefusals { inner, replacing: None }
    }
}

/// The JSON refusal standing for hyper's bodiless automatic answer at the start of
/// `buf`, and how long that answer is; `None` for anything else.
fn refusal(buf: &[u8]) -> Option<(Vec<u8>, usize)> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(buf.get(..end)?).ok()?.to_ascii_lowercase();
    let status = head.strip_prefix("http/1.1 ")?.get(..3)?;
    // Hyper's automatic answer: no body and no type. The service's own refusals are JSON.
    if !head.contains("\r\ncontent-length: 0\r\n") || head.contains("\r\ncontent-type:") {
        return None;
    }
    let (code, reason, zh, en) = match status {
        "400" => (
            "bad_request",
            "Bad Request",
            "请求不是可读的 HTTP/1.1 请求（请求行或请求头有误）",
            "the request is not readable HTTP/1.1 (its request line or a header is malformed)",
        ),
        "414" => {
            ("uri_too_long", "URI Too Long", "请求的地址太长", "the request's address (its path and query) is too long")
        }
        "431" => (
            "headers_too_large",
            "Request Header Fields Too Large",
            "请求行和请求头合计超过 64 KiB",
            "the request line and headers together are over 64 KiB",
        ),
        _ => return None,
    };
    let body = serde_json::json!({"error": code, "message": zh, "message_en": en}).to_string();
    let answer = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    Some((answer.into_bytes(), end))
}

impl AsyncRead for JsonRefusals {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for JsonRefusals {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        if self.replacing.is_none() {
            match refusal(buf) {
                Some((answer, stands_for)) => self.replacing = Some((answer, 0, stands_for)),
                None => return Pin::new(&mut self.inner).poll_write(cx, buf),
            }
        }
        let this = &mut *self;
        let Some((answer, written, stands_for)) = this.replacing.as_mut() else { return Poll::Ready(Ok(0)) };
        while let Some(rest) = answer.get(*written..).filter(|r| !r.is_empty()) {
            let n = ready!(Pin::new(&mut this.inner).poll_write(cx, rest))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        let stands_for = *stands_for;
        this.replacing = None;
        Poll::Ready(Ok(stands_for))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    // Not vectored: hyper then writes each answer's head as one buffer, which is what
    // `refusal` looks at.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::refusal;

    #[test]
    fn only_hypers_bodiless_refusals_are_rewritten() {
        let auto = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let (answer, stands_for) = refusal(auto).expect("rewritten");
        assert_eq!(stands_for, auto.len());
        let text = String::from_utf8(answer).expect("text");
        assert!(text.starts_with("HTTP/1.1 431 "), "{text}");
        assert!(text.contains("content-type: application/json"), "{text}");
        assert!(text.ends_with("\"message_en\":\"the request line and headers together are over 64 KiB\"}"), "{text}");
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
        assert!(refusal(ours).is_none(), "the service's own answers pass unchanged");
        assert!(refusal(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(refusal(b"HTTP/1.1 431 Request Header").is_none(), "half a head is left alone");
    }
}
