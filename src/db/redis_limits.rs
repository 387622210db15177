//! Rate limits every node shares, in Redis (`REDIS_URL`): GCRA, the
//! algorithm `governor` runs in process, as one Lua script per check, so the
//! read and the write of a key's "theoretical arrival time" are one atomic
//! step and every node's attempts count against one allowance. The clock is
//! Redis's own (`TIME`), so nodes whose clocks disagree still agree here.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::OnceCell;

/// GCRA over one key. KEYS[1]: the key. ARGV[1]: the emission interval in
/// microseconds (60 s / the limit per minute); ARGV[2]: the burst (the
/// limit per minute: a client may use its whole minute at once); ARGV[3]:
/// how many units this attempt takes (1, or an operation's cost). Returns 0
/// when the attempt is allowed, or the microseconds to wait.
const GCRA: &str = r"
local now = redis.call('TIME')
local now_us = tonumber(now[1]) * 1000000 + tonumber(now[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local amount = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now_us)
if tat < now_us then tat = now_us end
local next_tat = tat + interval * amount
local allowed_from = next_tat - interval * burst
if now_us < allowed_from then
  return allowed_from - now_us
end
redis.call('SET', KEYS[1], string.format('%d', next_tat), 'PX', math.ceil((next_tat - now_us) / 1000) + 1)
return 0
";

/// How long a check waits for Redis before the node counts alone.
const TIMEOUT: Duration = Duration::from_millis(500);
/// After a failed connection, how long checks count alone before Redis is
/// tried again (so an unreachable Redis costs one timeout per period, not
/// one per request).
const RETRY_EVERY: Duration = Duration::from_secs(5);

/// The connection to the Redis that holds the shared limits, opened on
/// first use and reconnecting by itself after.
pub struct RedisLimits {
    client: redis::Client,
    connection: OnceCell<ConnectionManager>,
    script: redis::Script,
    /// Until when (since `started`) not to try connecting again.
    quiet_until: AtomicU64,
    started: Instant,
}

impl RedisLimits {
    /// Checks the URL; connects on the first check.
    pub fn new(url: &str) -> Result<Self, redis::RedisError> {
        Ok(Self {
            client: redis::Client::open(url)?,
            connection: OnceCell::new(),
            script: redis::Script::new(GCRA),
            quiet_until: AtomicU64::new(0),
            started: Instant::now(),
        })
    }

    /// Takes `amount` from `key` under a limit of `per_minute`: `Ok(None)`
    /// when allowed, `Ok(Some(wait))` when refused, `Err` when Redis cannot
    /// say (down, or slower than [`TIMEOUT`]).
    pub async fn check(
        &self,
        key: &str,
        per_minute: u32,
        amount: u32,
    ) -> Result<Option<Duration>, redis::RedisError> {
        let now = self.started.elapsed().as_millis() as u64;
        if self.connection.get().is_none() && now < self.quiet_until.load(Ordering::Relaxed) {
            return Err(redis::RedisError::from((
                redis::ErrorKind::IoError,
                "not connected; retrying in a few seconds",
            )));
        }
        let connection = self
            .connection
            .get_or_try_init(|| {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(TIMEOUT)
                    .set_response_timeout(TIMEOUT)
                    .set_number_of_retries(1);
                self.client.get_connection_manager_with_config(config)
            })
            .await
            .inspect_err(|_| {
                let retry = now + RETRY_EVERY.as_millis() as u64;
                self.quiet_until.store(retry, Ordering::Relaxed);
            })?;
        let interval_us = 60_000_000 / u64::from(per_minute.max(1));
        let wait_us: u64 = self
            .script
            .key(key)
            .arg(interval_us)
            .arg(per_minute)
            .arg(amount)
            .invoke_async(&mut connection.clone())
            .await?;
        Ok((wait_us > 0).then(|| Duration::from_micros(wait_us)))
    }
}
