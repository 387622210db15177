//! Accounts and sessions: password hashing (argon2id), bearer tokens (random,
//! stored only as SHA-256 hashes, with expiry), the rules for usernames and
//! passwords, and how often one may try to sign in.

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use super::events::Events;
use super::limits::{RateLimiter, Scope};
use crate::db::Db;
use crate::db::entities::app_user;
use crate::db::queries::account::{self, SessionOrigin};
use crate::db::queries::sessions;
use crate::error::{AppError, AppResult};

/// How long a session lasts after sign-in.
pub const SESSION_DAYS: i64 = 30;

/// The signed-in user of a request, resolved once from its bearer token.
#[derive(Clone, Copy, Debug)]
pub struct Viewer {
    pub user_id: i32,
    pub session_id: i32,
}

/// The `User-Agent` a request came with, kept with the sessions it starts.
#[derive(Clone, Debug)]
pub struct UserAgent(pub String);

impl UserAgent {
    /// At most this many characters are kept.
    pub const KEPT: usize = 300;

    pub fn new(value: &str) -> Self {
        Self(
            value
                .chars()
                .filter(|c| !c.is_control())
                .take(Self::KEPT)
                .collect(),
        )
    }
}

/// A new session: the token is shown to the client once, never stored.
pub struct NewSession {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: app_user::Model,
}

/// 3 to 32 characters: lowercase letters, digits, `_`, `-` and `.`, starting with a letter or digit.
pub fn check_username(username: &str) -> AppResult<()> {
    let ok_chars = username
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.'));
    let starts_well = username
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if !(3..=32).contains(&username.len()) || !ok_chars || !starts_well {
        return Err(AppError::bad_input(
            "a username has 3 to 32 characters: lowercase letters, digits, `_`, `-` or `.`, starting with a letter or digit",
        ));
    }
    Ok(())
}

/// At least 10 characters and 5 different ones, at most 200, and not the username.
pub fn check_password(username: &str, password: &str) -> AppResult<()> {
    let chars: Vec<char> = password.chars().collect();
    let mut distinct = chars.clone();
    distinct.sort();
    distinct.dedup();
    if chars.len() < 10 || chars.len() > 200 {
        return Err(AppError::bad_input("a password has 10 to 200 characters"));
    }
    if distinct.len() < 5 || password.to_lowercase().contains(username) {
        return Err(AppError::bad_input(
            "this password is too easy to guess: use at least 5 different characters and not your username",
        ));
    }
    Ok(())
}

pub(crate) fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("hashing a password: {e}")))
}

pub(super) fn password_matches(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Argon2 runs on a blocking thread so it never stalls the async workers.
pub(super) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("password worker failed: {e}")))
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates an account and signs it in.
pub async fn sign_up(
    db: &Db,
    username: &str,
    password: &str,
    origin: SessionOrigin,
) -> AppResult<NewSession> {
    check_username(username)?;
    check_password(username, password)?;
    let password = password.to_string();
    let hash = blocking(move || hash_password(&password)).await??;
    let user = account::insert_user(db, username, hash, Utc::now())
        .await
        .map_err(|e| match AppError::from(e) {
            AppError::Conflict(_) => {
                AppError::Conflict(format!("the username {username:?} is taken"))
            }
            other => other,
        })?;
    start_session(db, user, origin).await
}

/// Signs in. An unknown user and a wrong password get the same answer, after
/// the same work (a hash is checked either way). Too many attempts from one
/// client, or from one client for one username, are RATE_LIMITED first
/// (never all attempts for a username: see `limits`).
pub async fn sign_in(
    db: &Db,
    limiter: &RateLimiter,
    client_address: &str,
    username: &str,
    password: &str,
    origin: SessionOrigin,
) -> AppResult<NewSession> {
    limiter
        .check(Scope::SignInByAddress, client_address)
        .await?;
    limiter
        .check(
            Scope::SignInByAddressAndUsername,
            &RateLimiter::client_and_username(client_address, username),
        )
        .await?;
    let user = account::user_by_name(db, username).await?;
    // A fixed, valid argon2id hash, so an unknown username costs as much as a known one.
    const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Hdh0vWETtC1oMyvkQOb53PObLd5YUW5UeJ3uwv76hpY";
    let stored = user
        .as_ref()
        .map_or(DECOY.to_string(), |u| u.password_hash.clone());
    let password = password.to_string();
    let matches = blocking(move || password_matches(&password, &stored)).await?;
    match user {
        Some(user) if matches => start_session(db, user, origin).await,
        _ => Err(AppError::Unauthenticated),
    }
}

async fn start_session(
    db: &Db,
    user: app_user::Model,
    origin: SessionOrigin,
) -> AppResult<NewSession> {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let now = Utc::now();
    let expires_at = now + Duration::days(SESSION_DAYS);
    account::insert_session(db, user.id, token_hash(&token), now, expires_at, origin).await?;
    Ok(NewSession {
        token,
        expires_at,
        user,
    })
}

/// The viewer a bearer token stands for; an unknown, expired or revoked token is UNAUTHENTICATED.
pub async fn viewer_for(db: &Db, token: &str) -> AppResult<Viewer> {
    let session = account::session_by_token_hash(db, &token_hash(token))
        .await?
        .filter(|s| s.revoked_at.is_none() && s.expires_at > Utc::now())
        .ok_or(AppError::Unauthenticated)?;
    // When it was last used, to the minute: one write a minute at most.
    let now = Utc::now();
    if session
        .last_used_at
        .is_none_or(|used| now - used > Duration::minutes(1))
    {
        // Only a convenience for `me.sessions`: a failed write must not
        // fail the request it came with.
        if let Err(err) = sessions::touch(db, session.id, now).await {
            tracing::warn!(error = %err, "cannot note when a session was last used");
        }
    }
    Ok(Viewer {
        user_id: session.user_id,
        session_id: session.id,
    })
}

/// Revokes the viewer's session: its token stops working at once.
pub async fn sign_out(db: &Db, viewer: &Viewer) -> AppResult<()> {
    account::revoke_session(db, viewer.session_id, Utc::now()).await?;
    Ok(())
}

/// The longest display name, in characters.
pub const DISPLAY_NAME_LENGTH: usize = 50;

/// Sets (or, when `display_name` is blank or missing, removes) the viewer's display name.
pub async fn set_display_name(
    db: &Db,
    events: &Events,
    viewer: &Viewer,
    display_name: Option<String>,
) -> AppResult<app_user::Model> {
    let name = display_name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if name
        .as_ref()
        .is_some_and(|n| n.chars().count() > DISPLAY_NAME_LENGTH || n.chars().any(char::is_control))
    {
        return Err(AppError::bad_input(format!(
            "a display name has up to {DISPLAY_NAME_LENGTH} characters and no control characters"
        )));
    }
    let user = account::set_display_name(db, viewer.user_id, name).await?;
    events.public_content_committed(db).await;
    Ok(user)
}

/// The viewer's account.
pub async fn user(db: &Db, viewer: &Viewer) -> AppResult<Option<app_user::Model>> {
    Ok(account::user_by_id(db, viewer.user_id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_and_passwords_follow_the_rules() {
        assert!(check_username("ben_sanderson").is_ok());
        for bad in ["ab", "Ben", "_ben", "ben sanderson", &"x".repeat(33)] {
            assert!(check_username(bad).is_err(), "{bad}");
        }
        assert!(check_password("ben", "leaving-las-vegas-1995").is_ok());
        for bad in [
            "short",
            "aaaaaaaaaaaa",
            "ababababababab",
            "ben-is-my-name-ok",
        ] {
            assert!(check_password("ben", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_decoy_hash_is_a_valid_hash() {
        assert!(PasswordHash::new(
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Hdh0vWETtC1oMyvkQOb53PObLd5YUW5UeJ3uwv76hpY"
        )
        .is_ok());
        let hash = hash_password("correct horse battery").unwrap();
        assert!(password_matches("correct horse battery", &hash));
        assert!(!password_matches("wrong horse battery", &hash));
    }
}
