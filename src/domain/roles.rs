//! Roles (issue 23): `viewer` (every account at sign-up), `editor` (may
//! change content) and `admin` (may also grant roles). The first admin is
//! made on the command line (`cinegraph users grant NAME --role admin`);
//! after that admins grant roles through `grantRole`. A role is read from
//! the database on every check, so a role taken away stops working at the
//! account's next request, not when its sessions end.

use super::account::Viewer;
use super::retry::retrying;
use crate::db::entities::app_user;
use crate::db::queries::{account as accounts, roles};
use crate::db::{Db, lock_rebuild};
use crate::error::{AppError, AppResult};

/// What an account may do; each role may do everything the ones before it may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Editor,
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Editor, Role::Admin];

    /// The stored (and command-line) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.as_str() == text)
    }

    /// The role of an account's row (`app_user.role`).
    pub fn of(account: &app_user::Model) -> AppResult<Role> {
        Role::parse(&account.role).ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("unknown stored role {:?}", account.role))
        })
    }
}

/// The advisory lock that serialises role changes on PostgreSQL, so two
/// admins demoting each other at once cannot leave no admin.
const ROLE_CHANGES: i64 = 0x726f_6c65;

/// The role of the signed-in viewer, read now.
pub async fn role_of(db: &Db, viewer: &Viewer) -> AppResult<Role> {
    let account = accounts::user_by_id(db, viewer.user_id).await?;
    // A session outlives nothing: its account is gone.
    Role::of(&account.ok_or(AppError::Unauthenticated)?)
}

/// FORBIDDEN unless the viewer has `needed` (or a role above it).
pub async fn require(db: &Db, viewer: &Viewer, needed: Role) -> AppResult<Role> {
    let role = role_of(db, viewer).await?;
    if role < needed {
        return Err(AppError::Forbidden(format!(
            "this needs the {} role; the account is {}",
            needed.as_str(),
            role.as_str()
        )));
    }
    Ok(role)
}

/// Gives the account named `username` the role `role` (the command line's
/// `users grant`, trusted: it reaches the database directly). NOT_FOUND for
/// no such account; CONFLICT when it would leave no admin. Returns the
/// account's id.
pub async fn grant(db: &Db, username: &str, role: Role) -> AppResult<i32> {
    retrying(|| async {
        let txn = db.begin().await?;
        lock_rebuild(&txn, ROLE_CHANGES).await?;
        // Before any admin exists (a new installation), any role may be given.
        let admins_before = roles::count_admins(&txn).await?;
        let Some(user) = roles::set_role(&txn, username, role.as_str()).await? else {
            return Err(AppError::not_found("user", username));
        };
        if admins_before > 0 && roles::count_admins(&txn).await? == 0 {
            // Dropped, the transaction rolls back.
            return Err(AppError::Conflict(format!(
                "{username} is the last admin: make another account admin first"
            )));
        }
        txn.commit().await?;
        Ok(user)
    })
    .await
}

/// [`grant`] on behalf of the signed-in `viewer`, who must be an admin.
pub async fn grant_as(db: &Db, viewer: &Viewer, username: &str, role: Role) -> AppResult<i32> {
    require(db, viewer, Role::Admin).await?;
    grant(db, username, role).await
}
