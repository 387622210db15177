//! Secrets every server of one database shares: the first server to need
//! one makes it, the others (and later starts) read the same value.

use sea_orm::DbErr;

use crate::db::Db;
use crate::db::sql::Sql;

/// The secret called `name`, made with `make` and kept if no server has
/// made it yet (two servers starting at once keep the first one written).
pub async fn shared(db: &Db, name: &str, make: impl FnOnce() -> String) -> Result<String, DbErr> {
    let mut insert = Sql::new(db.backend());
    insert
        .push("INSERT INTO server_secret (name, value) VALUES (")
        .bind(name.to_string())
        .push(", ")
        .bind(make())
        .push(") ON CONFLICT (name) DO NOTHING");
    insert.execute(db.connection()).await?;
    let mut select = Sql::new(db.backend());
    select
        .push("SELECT value FROM server_secret WHERE name = ")
        .bind(name.to_string());
    let row = select
        .query_all_prepared(db)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| DbErr::RecordNotFound(format!("server secret {name}")))?;
    row.try_get("", "value")
}
