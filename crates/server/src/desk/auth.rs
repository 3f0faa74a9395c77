//! Signing in to the desk: argon2id password hashes, server-side sessions behind an
//! `HttpOnly`, `SameSite=Strict` cookie (also `Secure` behind TLS), a CSRF token per
//! session that every form carries, and sign-in failures that slow down.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use cookie::{Cookie, SameSite};

use crate::app::App;
use crate::ids::{random_hex, same_secret, sha256_hex};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "tenet_desk";
/// The sign-in form's own token cookie (before there is a session to hold one).
pub const LOGIN_COOKIE: &str = "tenet_login";
/// How long a session lasts from sign-in: a working day and a half.
pub const SESSION_HOURS: i64 = 12;

/// A password's argon2id hash (PHC string, with its own random salt).
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt_bytes = random_hex(16).ok_or("no randomness")?;
    let salt = SaltString::encode_b64(salt_bytes.as_bytes()).map_err(|e| e.to_string())?;
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
}

/// Whether `password` is the one `hash` was made from.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash no password matches, checked for names that have no account so that a wrong
/// name takes as long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy · no account has this password").unwrap_or_default())
}

/// Checks a sign-in: the account when the name and password match an enabled account.
pub fn check_password(user: Option<&crate::store::UserRow>, password: &str) -> bool {
    match user {
        Some(u) => verify_password(password, &u.password_hash) && !u.disabled,
        None => {
            let _ = verify_password(password, decoy_hash());
            false
        }
    }
}

/// The value of cookie `name` in the request.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// Whether the request came over TLS (directly or through a proxy that says so): then
/// cookies are `Secure`.
pub fn behind_tls(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value for the desk: `HttpOnly`, `SameSite=Strict`, path `/desk`,
/// `Secure` behind TLS; `max_age` in seconds (0 removes it).
pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    Cookie::build((name.to_owned(), value.to_owned()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/desk")
        .max_age(cookie::time::Duration::seconds(max_age))
        .build()
        .to_string()
}

/// A new session's cookie value and what is stored: (cookie, its hash, CSRF token).
pub fn new_session_secrets() -> Option<(String, String, String)> {
    let cookie = random_hex(32)?;
    let hash = sha256_hex(cookie.as_bytes());
    Some((cookie, hash, random_hex(16)?))
}

/// A signed-in person, for a desk page.
#[derive(Clone, Debug)]
pub struct Staff {
    /// The account's name.
    pub name: String,
    /// Its workflow roles.
    pub roles: Vec<String>,
    /// The session's CSRF token.
    pub csrf: String,
    /// The session cookie's hash.
    pub session: String,
    /// Cookies are `Secure`.
    pub secure: bool,
}

impl Staff {
    /// Whether a form's token is this session's.
    pub fn csrf_ok(&self, given: Option<&str>) -> bool {
        given.is_some_and(|g| same_secret(&self.csrf, g))
    }

    /// The caller this person is when posting an event: their name, acting as their roles.
    pub fn caller(&self) -> crate::access::Caller {
        crate::access::Caller { name: Some(self.name.clone()), acts_as: Some(self.roles.clone()) }
    }
}

/// Without a session (or with one that ended): `303` to the sign-in page, which comes
/// back here after.
impl FromRequestParts<Arc<App>> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Staff, Response> {
        let back = parts.uri.path_and_query().map_or("/desk/cases", |p| p.as_str());
        let to_login = || {
            let next: String = form_urlencoded::byte_serialize(back.as_bytes()).collect();
            Redirect::to(&format!("/desk/login?next={next}")).into_response()
        };
        let Some(cookie) = cookie_value(&parts.headers, SESSION_COOKIE) else { return Err(to_login()) };
        let hash = sha256_hex(cookie.as_bytes());
        let now = crate::clock::stamp(crate::clock::now());
        match app.store.session(&hash, &now).await {
            Ok(Some(s)) => Ok(Staff {
                name: s.user.name,
                roles: s.user.roles,
                csrf: s.csrf,
                session: hash,
                secure: behind_tls(&parts.headers),
            }),
            Ok(None) => Err(to_login()),
            Err(e) => Err(crate::error::ApiError::internal(e).into_response()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let h = hash_password("correct horse").unwrap_or_default();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct hors", &h));
        assert_ne!(h, hash_password("correct horse").unwrap_or_default(), "each hash has its own salt");
    }

    #[test]
    fn failures_wait_longer_each_time_and_a_success_forgets_them() {
        use super::super::failures::Failures;
        use std::time::Duration;
        let f = Failures::default();
        let waits: Vec<Duration> = (0..6).map(|_| f.failed("amy")).collect();
        let ms: Vec<u128> = waits.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [0, 0, 250, 500, 1000, 2000]);
        assert!(f.turn("amy") <= Duration::from_millis(1), "the first attempt after a failure goes at once");
        assert!(f.turn("amy") >= Duration::from_millis(1500), "the one after it waits its turn");
        f.succeeded("amy");
        assert_eq!(f.turn("amy"), Duration::ZERO);
        assert_eq!(Failures::delay(40), Duration::from_millis(30_000));
    }
}
