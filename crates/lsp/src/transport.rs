//! Standard input and output as a JSON-RPC connection. Unlike `lsp_server`'s own stdio
//! transport, which stops the server at the first message that is not JSON, a body that
//! does not parse is answered with a JSON-RPC error (`-32700` parse error, `-32600`
//! invalid request) and the server keeps reading, as the JSON-RPC 2.0 specification asks.

use std::io::{self, BufRead, Write};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, bounded, select};
use lsp_server::{Connection, Message};
use serde_json::{Value, json};

/// The threads behind a [`stdio`] connection.
pub struct IoThreads {
    reader: JoinHandle<io::Result<()>>,
    writer: JoinHandle<io::Result<()>>,
}

impl IoThreads {
    /// Waits for both threads; the first I/O error is returned.
    pub fn join(self) -> io::Result<()> {
        let reader = self.reader.join().map_err(|_| io::Error::other("the reader thread panicked"))?;
        let writer = self.writer.join().map_err(|_| io::Error::other("the writer thread panicked"))?;
        reader.and(writer)
    }
}

/// What the reader found in one frame.
#[derive(Debug)]
pub(crate) enum Frame {
    /// A message for the server.
    Message(Message),
    /// An error answer to write back without troubling the server (JSON-RPC's own
    /// errors carry `id: null` when the id could not be read).
    Refused(Value),
}

/// A connection over standard input and output.
pub fn stdio() -> io::Result<(Connection, IoThreads)> {
    let (to_server, from_reader) = bounded::<Message>(0);
    let (to_writer, from_server) = bounded::<Message>(0);
    let (refuse, refusals) = bounded::<Value>(16);
    let reader = std::thread::Builder::new().name("tenet-lsp-reader".into()).spawn(move || {
        let stdin = io::stdin();
        read_loop(&mut stdin.lock(), &to_server, &refuse)
    })?;
    let writer = std::thread::Builder::new().name("tenet-lsp-writer".into()).spawn(move || {
        let stdout = io::stdout();
        write_loop(&mut stdout.lock(), &from_server, &refusals)
    })?;
    Ok((Connection { sender: to_writer, receiver: from_reader }, IoThreads { reader, writer }))
}

fn read_loop(input: &mut impl BufRead, to_server: &Sender<Message>, refuse: &Sender<Value>) -> io::Result<()> {
    while let Some(frame) = read_frame(input)? {
        match frame {
            Frame::Message(message) => {
                let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                if to_server.send(message).is_err() || exit {
                    return Ok(());
                }
            }
            Frame::Refused(answer) => {
                if refuse.send(answer).is_err() {
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

fn write_loop(out: &mut impl Write, from_server: &Receiver<Message>, refusals: &Receiver<Value>) -> io::Result<()> {
    // Once the reader is gone no refusal can come; wait on the server alone (a closed
    // channel in `select!` would be ready forever).
    let mut reading = true;
    loop {
        if !reading {
            for message in from_server {
                message.write(out)?;
            }
            return Ok(());
        }
        select! {
            recv(from_server) -> m => match m {
                Ok(message) => message.write(out)?,
                Err(_) => return Ok(()),
            },
            recv(refusals) -> r => match r {
                Ok(answer) => {
                    let body = answer.to_string();
                    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
                    out.flush()?;
                }
                Err(_) => reading = false,
            },
        }
    }
}

/// Reads one frame: headers, a blank line, then `Content-Length` bytes. `None` at the end
/// of the input. A frame without a length cannot be skipped safely, so it ends the input
/// with an error; a body that is not a message is refused and reading goes on.
pub(crate) fn read_frame(input: &mut impl BufRead) -> io::Result<Option<Frame>> {
    let mut length = None;
    let mut saw_header = false;
    loop {
        let mut line = String::new();
        if input.read_line(&mut line)? == 0 {
            return if saw_header {
                Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the input ended inside a message's headers"))
            } else {
                Ok(None)
            };
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        if let Some((name, value)) = line.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(value.trim().parse::<usize>().map_err(|_| {
                io::Error::new(io::ErrorKind::InvalidData, format!("Content-Length `{}` is not a number", value.trim()))
            })?);
        }
    }
    let Some(length) = length else {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "a message without a Content-Length header"));
    };
    let mut body = vec![0u8; length];
    input.read_exact(&mut body)?;
    Ok(Some(parse_body(&body)))
}

/// A body as a message, or the JSON-RPC error that answers it.
pub(crate) fn parse_body(body: &[u8]) -> Frame {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            return Frame::Refused(error(Value::Null, -32700, &format!("Parse error: the message is not JSON ({e})")));
        }
    };
    let id = value.get("id").cloned().unwrap_or(Value::Null);
    match serde_json::from_value::<Message>(value) {
        Ok(message) => Frame::Message(message),
        Err(e) => Frame::Refused(error(
            id,
            -32600,
            &format!("Invalid Request: not a JSON-RPC request, response or notification ({e})"),
        )),
    }
}

fn error(id: Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

#[cfg(test)]
mod tests {
    use super::{Frame, read_frame};

    fn frames(input: &str) -> Vec<Frame> {
        let mut reader = std::io::Cursor::new(input.as_bytes().to_vec());
        let mut out = Vec::new();
        while let Some(f) = read_frame(&mut reader).unwrap_or(None) {
            out.push(f);
        }
        out
    }

    fn framed(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn a_body_that_is_not_json_is_answered_and_reading_goes_on() {
        let input =
            framed("hello") + &framed(r#"{"jsonrpc":"2.0","id":7}"#) + &framed(r#"{"jsonrpc":"2.0","method":"exit"}"#);
        let got = frames(&input);
        assert_eq!(got.len(), 3, "{got:?}");
        let Frame::Refused(parse) = &got[0] else { panic!("{got:?}") };
        assert_eq!(parse["error"]["code"], -32700);
        assert_eq!(parse["id"], serde_json::Value::Null);
        let Frame::Refused(invalid) = &got[1] else { panic!("{got:?}") };
        assert_eq!(invalid["error"]["code"], -32600);
        assert_eq!(invalid["id"], 7);
        assert!(matches!(&got[2], Frame::Message(lsp_server::Message::Notification(n)) if n.method == "exit"));
    }
}
