//! Accounts: sign up, sign in, sign out, and `me`.

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::film_list::OrderDirection;
use super::ids::{self, NodeKind};
use super::keyset::{Cursor, KeysetPage, Ordering, SortValue, ValueKind, Window};
use super::paging::connection_names;
use super::rating::Rating;
use super::{GqlResult, db};
use crate::auth::{self, Viewer};
use crate::db::entities::{app_user, rating};
use crate::db::sql::Sql;
use crate::error::{AppError, AppResult};
use crate::limits::{ClientAddress, RateLimiter, Scope};
use sea_orm::{EntityTrait, FromQueryResult};

connection_names!(RatingConnection / RatingEdge);

/// The viewer, or UNAUTHENTICATED.
pub fn viewer<'a>(ctx: &Context<'a>) -> AppResult<&'a Viewer> {
    ctx.data_opt::<Viewer>().ok_or(AppError::Unauthenticated)
}

#[derive(InputObject)]
pub struct Credentials {
    /// 3 to 32 characters: lowercase letters, digits, `_`, `-`, `.`.
    pub username: String,
    /// 10 to 200 characters, at least 5 different ones, not containing the username.
    pub password: String,
}

/// A new session: send `token` as `Authorization: Bearer <token>`.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// The bearer token. Shown once; the server keeps only its hash.
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub user: User,
}

impl From<auth::NewSession> for AuthPayload {
    fn from(session: auth::NewSession) -> Self {
        Self {
            token: session.token,
            expires_at: session.expires_at,
            user: User(session.user),
        }
    }
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Creates an account and signs it in. A taken username is CONFLICT.
    async fn sign_up(
        &self,
        ctx: &Context<'_>,
        input: Credentials,
    ) -> async_graphql::Result<AuthPayload> {
        let session = auth::sign_up(db(ctx), &input.username, &input.password)
            .await
            .gql()?;
        Ok(session.into())
    }

    /// Signs in. A wrong password and an unknown username both answer
    /// UNAUTHENTICATED; too many attempts from one address or for one username
    /// answer RATE_LIMITED with `retryAfterSeconds`.
    async fn sign_in(
        &self,
        ctx: &Context<'_>,
        input: Credentials,
    ) -> async_graphql::Result<AuthPayload> {
        let limiter = ctx.data_unchecked::<std::sync::Arc<RateLimiter>>();
        let address = ctx
            .data_opt::<ClientAddress>()
            .map_or("unknown", |a| a.0.as_str());
        limiter.check(Scope::SignInByAddress, address).gql()?;
        limiter
            .check(Scope::SignInByUsername, &input.username)
            .gql()?;
        let session = auth::sign_in(db(ctx), &input.username, &input.password)
            .await
            .gql()?;
        Ok(session.into())
    }

    /// Ends the viewer's session: its token stops working at once.
    async fn sign_out(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let viewer = viewer(ctx).gql()?;
        auth::sign_out(db(ctx), viewer).await.gql()?;
        Ok(true)
    }
}

#[derive(Default)]
pub struct MeQuery;

#[Object]
impl MeQuery {
    /// The signed-in user; null without a token.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let Some(viewer) = ctx.data_opt::<Viewer>() else {
            return Ok(None);
        };
        let user = app_user::Entity::find_by_id(viewer.user_id)
            .one(db(ctx))
            .await
            .map_err(AppError::from)
            .gql()?;
        Ok(user.map(User))
    }
}

/// A cinegraph user. Only the user sees their own account.
pub struct User(pub app_user::Model);

#[Object]
impl User {
    async fn id(&self) -> ID {
        ids::encode(NodeKind::User, self.0.id)
    }
    async fn username(&self) -> &str {
        &self.0.username
    }
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
    /// The user's ratings, the most recently given (or changed) first.
    async fn ratings(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> async_graphql::Result<
        Connection<String, Rating, EmptyFields, EmptyFields, RatingConnection, RatingEdge>,
    > {
        user_ratings(ctx, self.0.id, first, after, last, before)
            .await
            .gql()
    }
}

async fn user_ratings(
    ctx: &Context<'_>,
    user_id: i32,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> AppResult<Connection<String, Rating, EmptyFields, EmptyFields, RatingConnection, RatingEdge>> {
    let ordering = Ordering {
        tag: format!("ratings:{:?}", OrderDirection::Desc),
        column: "r.id".to_string(),
        kind: ValueKind::Int,
        descending: true,
        nullable: false,
    };
    let window = Window::parse(&ordering, first, after, last, before)?;
    let select = |sql: &mut Sql| {
        sql.push("SELECT r.* FROM rating r WHERE r.user_id = ")
            .bind(user_id);
        Ok(())
    };
    let rows = window.fetch(db(ctx), &ordering, &select).await?;
    let ratings = rows
        .iter()
        .map(|row| rating::Model::from_query_result(row, ""))
        .collect::<Result<Vec<_>, _>>()?;
    let page = KeysetPage::from_rows(ratings, &window);
    let mut connection = Connection::new(page.has_previous, page.has_next);
    for rating in page.rows {
        let cursor = Cursor {
            value: SortValue::Int(rating.id.into()),
            id: rating.id,
        }
        .encode(&ordering);
        connection.edges.push(Edge::new(cursor, Rating(rating)));
    }
    Ok(connection)
}
