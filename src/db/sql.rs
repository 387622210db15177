//! Hand-written SQL for the statements the query builder cannot say (window
//! functions, keyset conditions, bulk summaries), with the placeholders of the
//! connected backend (`$1` on PostgreSQL, `?` on SQLite).

use std::sync::Arc;
use std::time::Instant;

use futures_util::TryStreamExt;
use sea_orm::sea_query::Values;
use sea_orm::sqlx::Either;
use sea_orm::{
    ConnAcquireErr, ConnectionTrait, DbBackend, DbErr, QueryResult, RuntimeErr, Statement,
    TryGetableMany, Value, sqlx,
};
use sea_query_sqlx::SqlxValues;

use super::Db;

/// Builds SQL with the placeholders of the connected backend.
pub struct Sql {
    backend: DbBackend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            text: String::new(),
            values: Vec::new(),
        }
    }
    /// The backend the text is written for.
    pub fn backend(&self) -> DbBackend {
        self.backend
    }
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.text.push_str(sql);
        self
    }
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => {
                use std::fmt::Write;
                // Into the text, without a string of its own.
                let _ = write!(self.text, "${}", self.values.len());
            }
            _ => self.text.push('?'),
        }
        self
    }
    pub fn bind_list<T: Into<Value> + Clone>(&mut self, items: &[T]) -> &mut Self {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(item.clone());
        }
        self
    }
    /// A number written into the statement's text rather than bound: a
    /// statement whose values are all written in has no parameters, so its
    /// plan is made for them and can be kept (see [`Sql::query_all_own_plan`]).
    pub fn push_number(&mut self, value: impl Into<Number>) -> &mut Self {
        use std::fmt::Write;
        let _ = match value.into() {
            Number::Int(value) => write!(self.text, "{value}"),
            // Finite (the callers refuse the others); Display never writes an
            // exponent, so the text is a plain decimal literal on both backends.
            Number::Float(value) => write!(self.text, "{value}"),
        };
        self
    }
    /// Text values as [`Sql::push_number`] writes numbers, when they are plain
    /// (ASCII letters, digits, space, `-`, `_`, `.`: enum names, slugs,
    /// country codes, certifications): such a value cannot end its quotes
    /// whatever the server's string settings. Any other value is bound.
    ///
    /// Written in, a closed set's names also reach the planner: bound,
    /// PostgreSQL estimates a parameter at an average frequency and keeps
    /// re-planning a statement whose custom plans look cheaper than its
    /// generic one (see `queries::pages::statements::filter_kinds`).
    pub fn push_plain_text_list(
        &mut self,
        items: impl IntoIterator<Item = impl AsRef<str>>,
    ) -> &mut Self {
        let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.');
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            let item = item.as_ref();
            if item.chars().all(plain) {
                self.text.push('\'');
                self.text.push_str(item);
                self.text.push('\'');
            } else {
                self.bind(item.to_string());
            }
        }
        self
    }
    /// ` AND (' ' || column) LIKE '% word%'` for each word of `folded` (text
    /// folded by `text::fold`: lowercase letters, digits and single spaces):
    /// every word must start a word of the column's folded text, the rule
    /// search follows too. Folded words hold no `%` or `_`.
    pub fn push_word_prefixes(&mut self, column: &str, folded: &str) -> &mut Self {
        for word in folded.split(' ').filter(|w| !w.is_empty()) {
            self.push(&format!(" AND (' ' || {column}) LIKE "))
                .bind(format!("% {word}%"));
        }
        self
    }

    pub fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }
}

/// A number for [`Sql::push_number`].
#[derive(Clone, Copy, Debug)]
pub enum Number {
    Int(i64),
    Float(f64),
}

impl From<i64> for Number {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<i32> for Number {
    fn from(value: i32) -> Self {
        Self::Int(value.into())
    }
}

impl From<f64> for Number {
    fn from(value: f64) -> Self {
        debug_assert!(value.is_finite(), "only finite numbers have a literal");
        Self::Float(value)
    }
}

impl Sql {
    /// Runs a query with a plan made for its own values, for statements whose
    /// best plan depends on them (list filters, search words).
    ///
    /// Every other statement is a prepared statement whose generic plan
    /// PostgreSQL caches after five runs, which saves planning each time (most
    /// of PostgreSQL's time for a film page). For the film list's filters that
    /// generic plan guesses badly: B2 (dramas of the 1990s by rating) took
    /// 12.6 ms with it and 1.1 ms with its own plan. An unnamed statement is
    /// planned for the values it is bound to. SQLite plans every run anyway.
    ///
    /// A statement whose values are all written into its text (no
    /// parameters; see [`Sql::push_number`]) is already planned for them: it
    /// is prepared and kept on its connection like any other, so the same
    /// filters again (a popular list page) skip parsing and planning, which
    /// were two thirds of PostgreSQL's time for B7's list statement.
    ///
    /// sea-orm cannot run an unnamed statement, so this one goes to sqlx
    /// directly and counts in the metrics itself, as sea-orm's do through its
    /// metric callback.
    pub async fn query_all_own_plan(self, db: &Db) -> Result<Vec<QueryResult>, DbErr> {
        let persistent = self.backend != DbBackend::Postgres || self.values.is_empty();
        self.fetch_all(db, persistent).await
    }

    /// Runs a read on `db`'s pool as a prepared statement (planned once per
    /// connection, and generically after five runs on PostgreSQL), straight
    /// through sqlx: sea-orm's own path wraps it in a span and a future large
    /// enough for every backend, which a loader's statement paid for in
    /// copies (5% of B7's server instructions).
    pub async fn query_all_prepared(self, db: &Db) -> Result<Vec<QueryResult>, DbErr> {
        self.fetch_all(db, true).await
    }

    /// Runs the statement on `db`'s pool and counts it in the metrics, as
    /// sea-orm's metric callback does for the statements sea-orm runs.
    async fn fetch_all(self, db: &Db, persistent: bool) -> Result<Vec<QueryResult>, DbErr> {
        let started = Instant::now();
        let connection = db.connection();
        let values = SqlxValues(Values(self.values));
        let result = match self.backend {
            DbBackend::Postgres => {
                let pool = connection.get_postgres_connection_pool();
                fetch_all_from(pool, &self.text, values, persistent).await
            }
            _ => {
                let pool = connection.get_sqlite_connection_pool();
                fetch_all_from(pool, &self.text, values, persistent).await
            }
        };
        db.metrics()
            .record_statement(&self.text, started.elapsed(), result.is_err());
        result
    }

    /// The first row of [`Sql::query_all_own_plan`], if any.
    pub async fn query_one_own_plan(self, db: &Db) -> Result<Option<QueryResult>, DbErr> {
        Ok(self.query_all_own_plan(db).await?.into_iter().next())
    }

    /// Runs a query on `db` through sea-orm: in a transaction (on the pool,
    /// [`Sql::query_all_prepared`] skips sea-orm's wrapping).
    pub async fn query_all(self, db: &impl ConnectionTrait) -> Result<Vec<QueryResult>, DbErr> {
        db.query_all_raw(self.statement()).await
    }

    /// [`Sql::query_all`], each row read as a tuple of its columns in order.
    pub async fn tuples<T: TryGetableMany>(
        self,
        db: &impl ConnectionTrait,
    ) -> Result<Vec<T>, DbErr> {
        let rows = self.query_all(db).await?;
        rows.iter()
            .map(QueryResult::try_get_many_by_index)
            .collect()
    }

    /// [`Sql::query_all_own_plan`], each row read as a tuple of its columns in order.
    pub async fn tuples_own_plan<T: TryGetableMany>(self, db: &Db) -> Result<Vec<T>, DbErr> {
        let rows = self.query_all_own_plan(db).await?;
        rows.iter()
            .map(QueryResult::try_get_many_by_index)
            .collect()
    }

    /// Runs read statements that have their values written in (integer ids,
    /// quoted by sea-query) in one round trip, and returns each one's rows.
    ///
    /// Each statement sent on its own costs the pool's check of the connection
    /// on the way out and on the way back, and a trip to the server; a film
    /// page asks for twenty small sections at once. On PostgreSQL the batch is
    /// one simple query (planned on each run, but trivial to plan); on SQLite
    /// one call into the connection's worker.
    pub async fn query_batch(
        db: &Db,
        statements: &[String],
    ) -> Result<Vec<Vec<QueryResult>>, DbErr> {
        let text = statements.join(";\n");
        let started = Instant::now();
        let connection = db.connection();
        let result = match db.backend() {
            DbBackend::Postgres => {
                run_batch(
                    connection.get_postgres_connection_pool(),
                    text,
                    statements.len(),
                )
                .await
            }
            _ => {
                run_batch(
                    connection.get_sqlite_connection_pool(),
                    text,
                    statements.len(),
                )
                .await
            }
        };
        db.metrics()
            .record_batch(statements.len(), started.elapsed(), result.is_err());
        result
    }

    /// Runs the statement.
    pub async fn execute(
        self,
        db: &impl sea_orm::ConnectionTrait,
    ) -> Result<sea_orm::ExecResult, sea_orm::DbErr> {
        db.execute_raw(self.statement()).await
    }
}

/// Runs one statement on a connection of `pool`; `persistent`: prepared and
/// kept on the connection, else planned for these values alone.
async fn fetch_all_from<DB: sqlx::Database + sqlx::database::HasStatementCache>(
    pool: &sqlx::Pool<DB>,
    text: &str,
    values: SqlxValues,
    persistent: bool,
) -> Result<Vec<QueryResult>, DbErr>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    SqlxValues: sqlx::IntoArguments<DB>,
    QueryResult: From<DB::Row>,
{
    let mut connection = pool.acquire().await.map_err(acquire_error)?;
    let rows = sqlx::query_with(sqlx::AssertSqlSafe(text), values)
        .persistent(persistent)
        .fetch_all(&mut *connection)
        .await
        .map_err(query_error)?;
    Ok(rows.into_iter().map(QueryResult::from).collect())
}

/// Sends `text`, `count` statements, as one simple query and splits the rows
/// by statement: sqlx yields each statement's rows, then its result.
async fn run_batch<DB: sqlx::Database>(
    pool: &sqlx::Pool<DB>,
    text: String,
    count: usize,
) -> Result<Vec<Vec<QueryResult>>, DbErr>
where
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    QueryResult: From<DB::Row>,
{
    let mut connection = pool.acquire().await.map_err(acquire_error)?;
    let mut results: Vec<Vec<QueryResult>> = Vec::with_capacity(count);
    let mut rows = Vec::new();
    let mut stream = sqlx::raw_sql(sqlx::AssertSqlSafe(text)).fetch_many(&mut *connection);
    while let Some(item) = stream.try_next().await.map_err(query_error)? {
        match item {
            Either::Right(row) => rows.push(QueryResult::from(row)),
            Either::Left(_) => results.push(std::mem::take(&mut rows)),
        }
    }
    if results.len() != count {
        return Err(DbErr::Custom(format!(
            "a batch of {count} statements returned {} results",
            results.len()
        )));
    }
    Ok(results)
}

/// sqlx's errors as sea-orm reports them (its own mapping is crate-private),
/// so that `error::is_connection_failure` recognises a database that is gone.
fn acquire_error(err: sqlx::Error) -> DbErr {
    match err {
        sqlx::Error::PoolTimedOut => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        sqlx::Error::PoolClosed => DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
        other => DbErr::Conn(RuntimeErr::SqlxError(Arc::new(other))),
    }
}

pub(crate) fn query_error(err: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(err)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_are_written_in_and_the_others_bound() {
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            let mut sql = Sql::new(backend);
            sql.push("a IN (")
                .push_plain_text_list(["drama", "PG-13", "United States", ""])
                .push(") AND y >= ")
                .push_number(1980)
                .push(" AND r >= ")
                .push_number(7.5)
                .push(" AND s <= ")
                .push_number(0.0);
            let statement = sql.statement();
            assert_eq!(
                statement.sql,
                "a IN ('drama', 'PG-13', 'United States', '') AND y >= 1980 AND r >= 7.5 AND s <= 0"
            );
            assert!(statement.values.is_none_or(|values| values.0.is_empty()));

            let mut sql = Sql::new(backend);
            sql.push("c IN (")
                .push_plain_text_list(["US", "People's Republic", "a\\", "Māori", "x;--"])
                .push(")");
            let placeholder = |n: usize| match backend {
                DbBackend::Postgres => format!("${n}"),
                _ => "?".to_string(),
            };
            let statement = sql.statement();
            assert_eq!(
                statement.sql,
                format!(
                    "c IN ('US', {}, {}, {}, {})",
                    placeholder(1),
                    placeholder(2),
                    placeholder(3),
                    placeholder(4)
                )
            );
            assert_eq!(statement.values.map_or(0, |values| values.0.len()), 4);
        }
    }
}
