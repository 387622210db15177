//! Abuse limits: how many sign-in attempts and mutations a client address or
//! a user may make per minute, as GCRA rate limits (`governor`): a client may
//! use its whole minute's allowance at once, then earns one attempt back every
//! `60 / limit` seconds. Counted in this process (behind a load balancer each
//! node counts its own share).
//!
//! Sign-in attempts are counted per client, and per client *and* username
//! (OWASP's authentication cheat sheet): guessing one account's password
//! from one client is slowed down, and guessing from many clients is slowed
//! per client, but nobody's failures lock the account's owner out: a client
//! that has not tried that account has its whole allowance. A client (which
//! may be a whole office behind one NAT address) may make
//! [`SIGN_INS_PER_CLIENT`] times as many attempts as it may for one username.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::error::AppError;

/// What a limit counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    SignInByAddress,
    /// Keyed by [`RateLimiter::client_and_username`].
    SignInByAddressAndUsername,
    MutationByAddress,
    MutationByUser,
}

/// How many usernames' worth of sign-in attempts one client may make.
pub const SIGN_INS_PER_CLIENT: u32 = 10;

/// Keys tracked before the idle ones are dropped (checked every so often).
const KEYS_KEPT: usize = 10_000;
/// Checks between two looks at how many keys are tracked.
const CLEANUP_EVERY: u64 = 1024;

pub struct RateLimiter {
    /// None when the limit is 0: every attempt is refused.
    sign_in_by_client: Option<DefaultKeyedRateLimiter<(Scope, String)>>,
    sign_in: Option<DefaultKeyedRateLimiter<(Scope, String)>>,
    mutations: Option<DefaultKeyedRateLimiter<(Scope, String)>>,
    checks: AtomicU64,
}

impl RateLimiter {
    pub fn new(sign_in_per_minute: u32, mutations_per_minute: u32) -> Self {
        let limiter = |per_minute: u32| {
            NonZeroU32::new(per_minute)
                .map(|n| DefaultKeyedRateLimiter::dashmap(Quota::per_minute(n)))
        };
        Self {
            sign_in_by_client: limiter(sign_in_per_minute.saturating_mul(SIGN_INS_PER_CLIENT)),
            sign_in: limiter(sign_in_per_minute),
            mutations: limiter(mutations_per_minute),
            checks: AtomicU64::new(0),
        }
    }

    /// The key of [`Scope::SignInByAddressAndUsername`] (a newline cannot
    /// be part of an address, so two pairs never share a key).
    pub fn client_and_username(client: &str, username: &str) -> String {
        format!("{client}\n{username}")
    }

    /// Counts one attempt; RATE_LIMITED (with the seconds to wait) past the limit.
    pub fn check(&self, scope: Scope, key: &str) -> Result<(), AppError> {
        let limiter = match scope {
            Scope::SignInByAddress => &self.sign_in_by_client,
            Scope::SignInByAddressAndUsername => &self.sign_in,
            Scope::MutationByAddress | Scope::MutationByUser => &self.mutations,
        };
        let Some(limiter) = limiter else {
            return Err(AppError::RateLimited {
                retry_after_seconds: 60,
            });
        };
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(CLEANUP_EVERY)
            && limiter.len() > KEYS_KEPT
        {
            limiter.retain_recent();
        }
        limiter
            .check_key(&(scope, key.to_string()))
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                AppError::RateLimited {
                    retry_after_seconds: wait.as_secs_f64().ceil().max(1.0) as u64,
                }
            })
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
        let ben = RateLimiter::client_and_username("1.2.3.4", "ben");
        assert!(
            limiter
                .check(Scope::SignInByAddressAndUsername, &ben)
                .is_ok()
        );
        assert!(
            limiter
                .check(Scope::SignInByAddressAndUsername, &ben)
                .is_ok()
        );
        match limiter.check(Scope::SignInByAddressAndUsername, &ben) {
            Err(AppError::RateLimited {
                retry_after_seconds,
            }) => assert!((1..=30).contains(&retry_after_seconds)),
            other => panic!("expected RATE_LIMITED, got {other:?}"),
        }
        let elsewhere = RateLimiter::client_and_username("5.6.7.8", "ben");
        assert!(
            limiter
                .check(Scope::SignInByAddressAndUsername, &elsewhere)
                .is_ok(),
            "the same username from another client is counted apart"
        );
        assert!(
            limiter.check(Scope::MutationByAddress, "1.2.3.4").is_ok(),
            "other scopes are counted apart"
        );
        for _ in 0..2 * SIGN_INS_PER_CLIENT {
            assert!(limiter.check(Scope::SignInByAddress, "1.2.3.4").is_ok());
        }
        assert!(
            limiter.check(Scope::SignInByAddress, "1.2.3.4").is_err(),
            "a client may try {SIGN_INS_PER_CLIENT} usernames' worth"
        );
    }

    #[test]
    fn a_limit_of_zero_refuses_everything() {
        let limiter = RateLimiter::new(0, 1);
        assert!(limiter.check(Scope::SignInByAddress, "ben").is_err());
        assert!(limiter.check(Scope::MutationByUser, "7").is_ok());
        assert!(limiter.check(Scope::MutationByUser, "7").is_err());
    }
}
