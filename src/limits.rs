//! Abuse limits: how many sign-in attempts and mutations a client address or a
//! user may make per minute. Fixed one-minute windows, counted in this process
//! (behind a load balancer each node counts its own share).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::AppError;

const WINDOW: Duration = Duration::from_secs(60);

/// What a limit counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    SignInByAddress,
    SignInByUsername,
    MutationByAddress,
    MutationByUser,
}

pub struct RateLimiter {
    sign_in_per_minute: u32,
    mutations_per_minute: u32,
    windows: Mutex<HashMap<(Scope, String), (Instant, u32)>>,
}

impl RateLimiter {
    pub fn new(sign_in_per_minute: u32, mutations_per_minute: u32) -> Self {
        Self {
            sign_in_per_minute,
            mutations_per_minute,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one attempt; RATE_LIMITED (with the seconds to wait) past the limit.
    pub fn check(&self, scope: Scope, key: &str) -> Result<(), AppError> {
        let limit = match scope {
            Scope::SignInByAddress | Scope::SignInByUsername => self.sign_in_per_minute,
            Scope::MutationByAddress | Scope::MutationByUser => self.mutations_per_minute,
        };
        let now = Instant::now();
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = windows.entry((scope, key.to_string())).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= limit {
            let retry_after = WINDOW
                .saturating_sub(now.duration_since(entry.0))
                .as_secs()
                .max(1);
            return Err(AppError::RateLimited {
                retry_after_seconds: retry_after,
            });
        }
        entry.1 += 1;
        Ok(())
    }
}

/// The client's address as the server saw it (not a forwarded header, which anyone can write).
#[derive(Clone, Debug)]
pub struct ClientAddress(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_past_the_limit_are_refused_with_a_wait() {
        let limiter = RateLimiter::new(2, 100);
        assert!(limiter.check(Scope::SignInByAddress, "1.2.3.4").is_ok());
        assert!(limiter.check(Scope::SignInByAddress, "1.2.3.4").is_ok());
        match limiter.check(Scope::SignInByAddress, "1.2.3.4") {
            Err(AppError::RateLimited {
                retry_after_seconds,
            }) => assert!((1..=60).contains(&retry_after_seconds)),
            other => panic!("expected RATE_LIMITED, got {other:?}"),
        }
        assert!(
            limiter.check(Scope::SignInByAddress, "5.6.7.8").is_ok(),
            "other addresses are counted apart"
        );
        assert!(
            limiter.check(Scope::MutationByAddress, "1.2.3.4").is_ok(),
            "other scopes are counted apart"
        );
    }
}
