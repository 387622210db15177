//! Abuse limits: how many sign-in attempts and mutations a client address or
//! a user may make per minute, and how much cost (the operations' estimated
//! costs, `http::pipeline::cost`) a client address may spend per minute, as
//! GCRA rate limits (`governor`): a client may
//! use its whole minute's allowance at once, then earns one attempt back every
//! `60 / limit` seconds. With `REDIS_URL` the counts live in Redis and every
//! node shares them (`db::redis_limits`, the same algorithm as one atomic
//! script); without it, or while Redis cannot answer, each process counts
//! its own (behind a load balancer, each node its own share).
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
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::config::DEFAULT_COST_PER_MINUTE;
use crate::db::redis_limits::RedisLimits;
use crate::error::AppError;

/// What a limit counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    SignInByAddress,
    /// Keyed by [`RateLimiter::client_and_username`].
    SignInByAddressAndUsername,
    MutationByAddress,
    MutationByUser,
    /// An editor's changes to content (heavier than other writes).
    EditByUser,
    /// Charged each operation's estimated cost, not 1.
    CostByAddress,
}

impl Scope {
    /// The scope's part of a shared (Redis) key.
    fn name(self) -> &'static str {
        match self {
            Scope::SignInByAddress => "sign-in-client",
            Scope::SignInByAddressAndUsername => "sign-in-client-username",
            Scope::MutationByAddress => "mutation-client",
            Scope::MutationByUser => "mutation-user",
            Scope::EditByUser => "edit-user",
            Scope::CostByAddress => "cost-client",
        }
    }
}

/// How many usernames' worth of sign-in attempts one client may make.
pub const SIGN_INS_PER_CLIENT: u32 = 10;

/// Keys tracked before the idle ones are dropped (checked every so often).
const KEYS_KEPT: usize = 10_000;
/// Checks between two looks at how many keys are tracked.
const CLEANUP_EVERY: u64 = 1024;

/// One limit: attempts per minute, counted in this process.
struct Limit {
    per_minute: u32,
    /// None when the limit is 0: every attempt is refused.
    local: Option<DefaultKeyedRateLimiter<(Scope, String)>>,
}

impl Limit {
    fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            local: NonZeroU32::new(per_minute)
                .map(|n| DefaultKeyedRateLimiter::dashmap(Quota::per_minute(n))),
        }
    }
}

pub struct RateLimiter {
    sign_in_by_client: Limit,
    sign_in: Limit,
    mutations: Limit,
    edits: Limit,
    cost: Limit,
    /// The counts every node shares, when Redis is configured.
    shared: Option<RedisLimits>,
    checks: AtomicU64,
    /// When (seconds since the epoch) Redis's failure was last logged.
    warned_at: AtomicU64,
}

impl RateLimiter {
    /// Limits counted in this process.
    pub fn new(sign_in_per_minute: u32, mutations_per_minute: u32) -> Self {
        Self {
            sign_in_by_client: Limit::new(sign_in_per_minute.saturating_mul(SIGN_INS_PER_CLIENT)),
            sign_in: Limit::new(sign_in_per_minute),
            mutations: Limit::new(mutations_per_minute),
            edits: Limit::new(mutations_per_minute),
            cost: Limit::new(DEFAULT_COST_PER_MINUTE),
            shared: None,
            checks: AtomicU64::new(0),
            warned_at: AtomicU64::new(0),
        }
    }

    /// Each editor may change content this many times a minute.
    pub fn with_edit_limit(mut self, per_minute: u32) -> Self {
        self.edits = Limit::new(per_minute);
        self
    }

    /// Each client address may spend this much cost per minute.
    pub fn with_cost_budget(mut self, per_minute: u32) -> Self {
        self.cost = Limit::new(per_minute);
        self
    }

    /// Shares the counts with every node through the Redis at `url`.
    pub fn shared_through(mut self, url: &str) -> Result<Self, String> {
        let redis = RedisLimits::new(url).map_err(|e| format!("REDIS_URL {url:?}: {e}"))?;
        self.shared = Some(redis);
        Ok(self)
    }

    /// The key of [`Scope::SignInByAddressAndUsername`] (a newline cannot
    /// be part of an address, so two pairs never share a key).
    pub fn client_and_username(client: &str, username: &str) -> String {
        format!("{client}\n{username}")
    }

    /// Counts one attempt; RATE_LIMITED (with the seconds to wait) past the limit.
    pub async fn check(&self, scope: Scope, key: &str) -> Result<(), AppError> {
        self.take(scope, key, 1).await.map_err(rate_limited)
    }

    /// Charges an operation's estimated cost to the client's budget; past
    /// it, RATE_LIMITED with the seconds until the budget allows it. A cost
    /// above the whole minute's budget is never allowed.
    pub async fn charge_cost(&self, client: &str, cost: u64) -> Result<(), AppError> {
        let spent = |wait: Duration| AppError::CostBudgetSpent {
            cost,
            budget: self.cost.per_minute,
            retry_after_seconds: seconds(wait),
        };
        if cost == 0 {
            return Ok(());
        }
        match u32::try_from(cost) {
            Ok(amount) if amount <= self.cost.per_minute => self
                .take(Scope::CostByAddress, client, amount)
                .await
                .map_err(spent),
            _ => Err(spent(Duration::from_secs(60))),
        }
    }

    /// Takes `amount` from the key's allowance under the scope's limit; the
    /// wait until it could be taken when it cannot.
    async fn take(&self, scope: Scope, key: &str, amount: u32) -> Result<(), Duration> {
        let limit = match scope {
            Scope::SignInByAddress => &self.sign_in_by_client,
            Scope::SignInByAddressAndUsername => &self.sign_in,
            Scope::MutationByAddress | Scope::MutationByUser => &self.mutations,
            Scope::EditByUser => &self.edits,
            Scope::CostByAddress => &self.cost,
        };
        let (Some(local), Some(amount)) = (&limit.local, NonZeroU32::new(amount)) else {
            return Err(Duration::from_secs(60));
        };
        if let Some(shared) = &self.shared {
            let shared_key = format!("cinegraph:limit:{}:{key}", scope.name());
            match shared
                .check(&shared_key, limit.per_minute, amount.get())
                .await
            {
                Ok(None) => return Ok(()),
                Ok(Some(wait)) => return Err(wait),
                // Counted here instead: limits stay, per node, while Redis is away.
                Err(error) => self.warn_shared_failed(&error),
            }
        }
        if self
            .checks
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(CLEANUP_EVERY)
            && local.len() > KEYS_KEPT
        {
            local.retain_recent();
        }
        match local.check_key_n(&(scope, key.to_string()), amount) {
            Ok(Ok(())) => Ok(()),
            // The limiter's own clock: a new one runs `cpuid` to check the
            // TSC, which traps to the hypervisor on a VM; refused requests
            // spent 18% of the server's time there under a flood.
            Ok(Err(not_until)) => Err(not_until.wait_time_from(local.clock().now())),
            // More than the whole burst: never allowed.
            Err(_) => Err(Duration::from_secs(60)),
        }
    }

    /// Logs that Redis failed, at most every ten seconds.
    fn warn_shared_failed(&self, error: &dyn std::fmt::Display) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let last = self.warned_at.load(Ordering::Relaxed);
        if now >= last + 10
            && self
                .warned_at
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(%error, "Redis cannot count the shared rate limits; this node counts its own meanwhile");
        }
    }
}

fn rate_limited(wait: Duration) -> AppError {
    AppError::RateLimited {
        retry_after_seconds: seconds(wait),
    }
}

fn seconds(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

/// The client's address as the server saw it (not a forwarded header, which anyone can write).
#[derive(Clone, Debug)]
pub struct ClientAddress(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn attempts_past_the_limit_are_refused_with_a_wait() {
        let limiter = RateLimiter::new(2, 100);
        let ben = RateLimiter::client_and_username("1.2.3.4", "ben");
        assert!(
            limiter
                .check(Scope::SignInByAddressAndUsername, &ben)
                .await
                .is_ok()
        );
        assert!(
            limiter
                .check(Scope::SignInByAddressAndUsername, &ben)
                .await
                .is_ok()
        );
        match limiter.check(Scope::SignInByAddressAndUsername, &ben).await {
            Err(AppError::RateLimited {
                retry_after_seconds,
            }) => assert!((1..=30).contains(&retry_after_seconds)),
            other => panic!("expected RATE_LIMITED, got {other:?}"),
        }
        let elsewhere = RateLimiter::client_and_username("5.6.7.8", "ben");
        assert!(
            limiter
                .check(Scope::SignInByAddressAndUsername, &elsewhere)
                .await
                .is_ok(),
            "the same username from another client is counted apart"
        );
        assert!(
            limiter
                .check(Scope::MutationByAddress, "1.2.3.4")
                .await
                .is_ok(),
            "other scopes are counted apart"
        );
        for _ in 0..2 * SIGN_INS_PER_CLIENT {
            assert!(
                limiter
                    .check(Scope::SignInByAddress, "1.2.3.4")
                    .await
                    .is_ok()
            );
        }
        assert!(
            limiter
                .check(Scope::SignInByAddress, "1.2.3.4")
                .await
                .is_err(),
            "a client may try {SIGN_INS_PER_CLIENT} usernames' worth"
        );
    }

    #[tokio::test]
    async fn costs_are_charged_against_a_budget_per_client() {
        let limiter = RateLimiter::new(1, 1).with_cost_budget(100);
        assert!(limiter.charge_cost("1.2.3.4", 60).await.is_ok());
        assert!(limiter.charge_cost("1.2.3.4", 0).await.is_ok(), "free");
        match limiter.charge_cost("1.2.3.4", 60).await {
            Err(AppError::CostBudgetSpent {
                cost: 60,
                budget: 100,
                retry_after_seconds,
            }) => assert!((1..=60).contains(&retry_after_seconds)),
            other => panic!("expected the budget to be spent, got {other:?}"),
        }
        assert!(limiter.charge_cost("5.6.7.8", 100).await.is_ok());
        assert!(
            limiter.charge_cost("9.9.9.9", 101).await.is_err(),
            "more than a whole minute's budget"
        );
    }

    #[tokio::test]
    async fn a_limit_of_zero_refuses_everything() {
        let limiter = RateLimiter::new(0, 1);
        assert!(limiter.check(Scope::SignInByAddress, "ben").await.is_err());
        assert!(limiter.check(Scope::MutationByUser, "7").await.is_ok());
        assert!(limiter.check(Scope::MutationByUser, "7").await.is_err());
    }
}
