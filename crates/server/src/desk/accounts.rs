//! `tenet users`: staff accounts in the database the server uses (`--db`), for the
//! command line. The API's bearer tokens are separate and stay in the tokens file.

use crate::error::StartError;
use crate::store::UserRow;

/// A role or account name: a letter, then letters, digits, `_`, `.` or `-`, at most 64.
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.chars().next().is_some_and(|c| c.is_alphabetic())
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn db(e: sqlx::Error) -> StartError {
    StartError::Database(crate::error::with_causes(&e))
}

/// Adds an account with these roles and password (hashed with argon2id).
pub fn add(url: &str, name: &str, roles: &[String], password: &str) -> Result<(), StartError> {
    if !valid_name(name) {
        return Err(StartError::Usage(format!(
            "账号名 {name:?} 应以字母开头，只含字母、数字、_、.、-（最多 64 个） · the account name {name:?} must start with a letter and hold only letters, digits, _, . or - (at most 64)"
        )));
    }
    if roles.is_empty() {
        return Err(StartError::Usage(
            "至少给一个角色：--role reviewer（流程 `roles` 行里的名字） · give at least one role: --role reviewer (a name from the workflow's `roles` line)"
                .into(),
        ));
    }
    if let Some(bad) = roles.iter().find(|r| !valid_name(r)) {
        return Err(StartError::Usage(format!(
            "--role {bad:?} 不是角色名（流程 `roles` 行里的名字，如 reviewer） · is not a role name (a name from the workflow's `roles` line, such as reviewer)"
        )));
    }
    if password.chars().count() < 12 {
        return Err(StartError::Usage(
            "密码至少 12 个字符；不给 --password-stdin 时会生成一个 · the password must be at least 12 characters; without --password-stdin one is generated"
                .into(),
        ));
    }
    let hash = super::auth::hash_password(password).map_err(StartError::Usage)?;
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    let at = crate::clock::stamp(crate::clock::now());
    let name = name.to_owned();
    crate::with_store(url, |store| async move {
        if store.add_user(&name, &hash, &roles, &at).await.map_err(db)? {
            Ok(())
        } else {
            Err(StartError::Usage(format!(
                "账号 {name} 已经存在；换个名字，或先 tenet users disable {name} · the account {name} exists already; choose another name"
            )))
        }
    })
}

/// Every account, by name.
pub fn list(url: &str) -> Result<Vec<UserRow>, StartError> {
    crate::with_store(url, |store| async move { store.users().await.map_err(db) })
}

/// Disables an account and ends its sessions at once.
pub fn disable(url: &str, name: &str) -> Result<(), StartError> {
    let at = crate::clock::stamp(crate::clock::now());
    let name = name.to_owned();
    crate::with_store(url, |store| async move {
        if store.disable_user(&name, &at).await.map_err(db)? {
            Ok(())
        } else {
            Err(StartError::Usage(format!(
                "没有账号 {name}；tenet users list 列出现有账号 · there is no account {name}; tenet users list shows them"
            )))
        }
    })
}

/// A generated password: 20 characters from an alphabet without look-alikes (about 115
/// bits), printed once by `tenet users add`.
pub fn generated_password() -> Option<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).ok()?;
    // 256 is not a multiple of the alphabet's 55 letters: bytes past the last whole
    // multiple are drawn again, so every letter is equally likely.
    let limit = 256 - 256 % ALPHABET.len();
    let mut out = String::new();
    for b in bytes {
        let mut b = usize::from(b);
        while b >= limit {
            let mut one = [0u8; 1];
            getrandom::fill(&mut one).ok()?;
            b = usize::from(one[0]);
        }
        out.push(char::from(*ALPHABET.get(b % ALPHABET.len())?));
    }
    Some(out)
}
