//! Who a request is from: the bearer token of an `Authorization` value (an
//! HTTP header, or the same key in a WebSocket's `connection_init` payload),
//! read by the same rules on both transports.

use crate::db::Db;
use crate::domain::account::{self, Viewer};
use crate::domain::limits::{ClientAddress, Scope};
use crate::error::{AppError, AppResult};
use crate::http::state::AppState;

/// The viewer of an `Authorization` value: none without one. A value that is
/// there but malformed (not `Bearer <token>`, any case of the scheme), or a
/// token that is unknown, expired or revoked, is UNAUTHENTICATED (never
/// silently anonymous).
pub async fn viewer(db: &Db, authorization: Option<&str>) -> AppResult<Option<Viewer>> {
    let Some(value) = authorization else {
        return Ok(None);
    };
    let token = bearer_token(value).ok_or(AppError::Unauthenticated)?;
    account::viewer_for(db, token).await.map(Some)
}

/// The token of `Bearer <token>` (RFC 6750; the scheme is case-insensitive).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= 200)
        .then_some(token)
}

/// The viewer's and its address's mutations count against their limits.
pub async fn check_mutation_limits(
    state: &AppState,
    client: &ClientAddress,
    viewer: Option<&Viewer>,
) -> Result<(), AppError> {
    let limits = [
        Some((Scope::MutationByAddress, client.0.clone())),
        viewer.map(|v| (Scope::MutationByUser, v.user_id.to_string())),
    ];
    for (scope, key) in limits.into_iter().flatten() {
        state.limiter.check(scope, &key).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn only_bearer_tokens_are_read() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer abc "), Some("abc"));
        assert_eq!(bearer_token("BEARER abc"), Some("abc"));
        for refused in [
            "abc",
            "Basic abc",
            "Bearer ",
            "Bearer",
            &format!("Bearer {}", "x".repeat(201)),
        ] {
            assert_eq!(bearer_token(refused), None, "{refused}");
        }
    }
}
