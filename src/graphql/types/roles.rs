//! Roles: the `Role` enum and `grantRole`. What each role may do is
//! `domain::roles`'.

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};

use super::account::User;
use crate::db::queries::account as accounts;
use crate::domain::roles;
use crate::error::AppError;
use crate::graphql::context::{GqlResult, db, viewer};

/// What an account may do. Each role may do everything the ones before it may.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "crate::domain::roles::Role")]
pub enum Role {
    /// Reads, rates, reviews and keeps a library: every account at sign-up.
    Viewer,
    /// May also change content.
    Editor,
    /// May also grant roles.
    Admin,
}

/// Whom to give which role.
#[derive(InputObject)]
pub struct GrantRoleInput {
    /// The account's username.
    pub username: String,
    /// The role it gets (in place of the one it had).
    pub role: Role,
}

/// The account and the role it has now.
#[derive(SimpleObject)]
pub struct GrantRolePayload {
    /// The account's public profile.
    pub user: User,
    /// Its role now.
    pub role: Role,
}

#[derive(Default)]
pub struct RoleMutation;

#[Object]
impl RoleMutation {
    /// Gives an account a role. Only admins may (FORBIDDEN otherwise); an
    /// unknown username is NOT_FOUND; taking the admin role from the last
    /// admin is CONFLICT. The change applies from the account's next request.
    async fn grant_role(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account and the role.")] input: GrantRoleInput,
    ) -> async_graphql::Result<GrantRolePayload> {
        let viewer = viewer(ctx).gql()?;
        let role: roles::Role = input.role.into();
        let user = roles::grant_as(db(ctx), viewer, &input.username, role)
            .await
            .gql()?;
        let account = accounts::user_by_id(db(ctx), user).await.gql()?;
        let account = account
            .ok_or_else(|| AppError::not_found("user", &input.username))
            .gql()?;
        Ok(GrantRolePayload {
            user: User(account),
            role: input.role,
        })
    }
}
