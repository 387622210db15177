//! Accounts' roles: set one, count the admins (a role is read with its
//! account's row, `account::user_by_id`).

use sea_orm::{ConnectionTrait, DatabaseTransaction};

use crate::db::DbErr;
use crate::db::sql::Sql;

/// Sets the role of the account named `username`: its id, or `None` when no
/// account has that name. (On SQLite a concurrent role change that read
/// first finds the database busy when it writes, and is tried again.)
pub async fn set_role(
    txn: &DatabaseTransaction,
    username: &str,
    role: &str,
) -> Result<Option<i32>, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("UPDATE app_user SET role = ")
        .bind(role.to_string())
        .push(" WHERE username = ")
        .bind(username.to_string())
        .push(" RETURNING id");
    let rows: Vec<(i32,)> = sql.tuples(txn).await?;
    Ok(rows.into_iter().next().map(|(id,)| id))
}

/// How many accounts are admins.
pub async fn count_admins(txn: &DatabaseTransaction) -> Result<i64, DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("SELECT COUNT(*) FROM app_user WHERE role = 'admin'");
    let rows: Vec<(i64,)> = sql.tuples(txn).await?;
    Ok(rows.into_iter().next().map_or(0, |(n,)| n))
}
