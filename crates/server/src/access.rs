//! Who may do what: the tokens file maps SHA-256 digests of API tokens to roles.
//!
//! ```yaml
//! tokens:
//!   - name: return-desk            # for the log
//!     sha256: 5e88…                # printf %s "$TOKEN" | sha256sum
//!     role: operator               # admin | operator | reader
//! ```

use std::path::Path;

use axum::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;

use crate::error::{ApiError, StartError};
use crate::ids::{same_secret, sha256_hex};

/// What a token may do; each role may do what the ones below it may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Read cases, decisions and actions.
    Reader,
    /// Also evaluate, open cases, post events, mark actions done.
    Operator,
    /// Also reload policies.
    Admin,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    tokens: Vec<Entry>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    sha256: String,
    role: Role,
    /// The workflow roles the token's holder has (`acts_as: [warehouse]`): events a policy
    /// gives to other roles (`on approve by reviewer`) are refused. Without it the token
    /// speaks for a system that may post any event.
    #[serde(default)]
    acts_as: Option<Vec<String>>,
}

/// Who sent a request: the token's name and the workflow roles it acts as.
#[derive(Clone, Debug, Default)]
pub struct Caller {
    /// The token's name in the tokens file (none with open access).
    pub name: Option<String>,
    /// The workflow roles it may act as; `None`: any (open access, or a token without
    /// `acts_as`).
    pub acts_as: Option<Vec<String>>,
}

impl Caller {
    /// Whether the caller may post an event that `roles` may post (anyone when empty).
    pub fn may_post(&self, roles: &[&str]) -> bool {
        roles.is_empty() || self.acts_as.as_ref().is_none_or(|mine| roles.iter().any(|r| mine.iter().any(|m| m == r)))
    }
}

/// The access rules: open (no tokens file, loopback only) or the tokens of a file.
#[derive(Clone, Debug)]
pub struct Access {
    tokens: Option<Vec<Entry>>,
}

impl Access {
    /// No tokens: everyone on this machine may do everything.
    pub fn open() -> Access {
        Access { tokens: None }
    }

    /// Reads a tokens file; every problem names the file and the entry.
    pub fn from_file(path: &Path) -> Result<Access, StartError> {
        let shown = path.display();
        let text = std::fs::read_to_string(path)
            .map_err(|e| StartError::Usage(format!("--tokens {shown}: 无法读取 · cannot read: {e}")))?;
        let file: File = yaml_serde::from_str(&text).map_err(|e| {
            StartError::Usage(format!(
                "--tokens {shown}: {e}\n  写成 tokens: [{{name, sha256, role}}]，role 为 admin、operator 或 reader · \
                 write tokens: [{{name, sha256, role}}] with role admin, operator or reader"
            ))
        })?;
        for (i, t) in file.tokens.iter().enumerate() {
            let valid = t.sha256.len() == 64 && t.sha256.bytes().all(|b| b.is_ascii_hexdigit());
            if !valid {
                return Err(StartError::Usage(format!(
                    "--tokens {shown}: tokens[{i}].sha256 ({}) 不是 64 位十六进制摘要；用 printf %s \"$TOKEN\" | sha256sum 计算 · \
                     is not a 64-digit hex digest; compute it with printf %s \"$TOKEN\" | sha256sum",
                    t.name
                )));
            }
        }
        let tokens = file.tokens.into_iter().map(|t| Entry { sha256: t.sha256.to_ascii_lowercase(), ..t }).collect();
        Ok(Access { tokens: Some(tokens) })
    }

    /// True when no tokens file was given.
    pub fn is_open(&self) -> bool {
        self.tokens.is_none()
    }

    /// The caller's role from `Authorization: Bearer …`, if it is at least `needed`.
    pub fn check(&self, headers: &HeaderMap, needed: Role) -> Result<Caller, ApiError> {
        let Some(tokens) = &self.tokens else { return Ok(Caller::default()) };
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let Some(given) = given else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "缺少令牌：请加上 Authorization: Bearer <令牌>",
                "no token: send Authorization: Bearer <token>",
            ));
        };
        let digest = sha256_hex(given.as_bytes());
        // Compare against every entry, so the time taken says nothing about which matched.
        let mut found = None;
        for t in tokens {
            if same_secret(&t.sha256, &digest) {
                found = Some(t);
            }
        }
        match found.map(|t| t.role) {
            None => Err(ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "令牌无效", "the token is not valid")),
            Some(r) if r < needed => Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("这个令牌的角色不能做这件事（需要 {needed:?}）"),
                format!("this token's role may not do this (needs {needed:?})"),
            )),
            Some(_) => {
                Ok(found.map(|t| Caller { name: Some(t.name.clone()), acts_as: t.acts_as.clone() }).unwrap_or_default())
            }
        }
    }
}
