//! Managing an account: `me.sessions`, `changePassword`, `endSession`,
//! `signOutEverywhere`, `deleteAccount` and `exportMyData`.

use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::global_id;
use crate::db::entities::user_session;
use crate::domain::sessions;
use crate::graphql::context::{GqlResult, client_address, db, events, limiter, viewer};
use crate::ids::{self, NodeKind};

pub struct Session {
    row: user_session::Model,
    current: bool,
}

/// One of the viewer's signed-in sessions (a bearer token that still works).
#[Object]
impl Session {
    /// Opaque global id, for `endSession`.
    async fn id(&self) -> ID {
        global_id(NodeKind::Session, self.row.id)
    }
    /// When the session signed in.
    async fn created_at(&self) -> DateTime<Utc> {
        self.row.created_at
    }
    /// When a request last used it, to the minute.
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.row.last_used_at
    }
    /// When it stops working unless ended sooner.
    async fn expires_at(&self) -> DateTime<Utc> {
        self.row.expires_at
    }
    /// The `User-Agent` it signed in with (up to 300 characters).
    async fn user_agent(&self) -> Option<&str> {
        self.row.user_agent.as_deref()
    }
    /// The client address it signed in from.
    async fn address(&self) -> Option<&str> {
        self.row.address.as_deref()
    }
    /// Whether this request uses it.
    async fn current(&self) -> bool {
        self.current
    }
}

/// `me.sessions`: the viewer's working sessions, newest first.
pub async fn sessions_of_viewer(ctx: &Context<'_>) -> async_graphql::Result<Vec<Session>> {
    let viewer = viewer(ctx).gql()?;
    let rows = sessions::list(db(ctx), viewer).await.gql()?;
    Ok(rows
        .into_iter()
        .map(|row| Session {
            current: row.id == viewer.session_id,
            row,
        })
        .collect())
}

/// How many other sessions a new password ended.
#[derive(SimpleObject)]
pub struct ChangePasswordPayload {
    /// Sessions ended: every one but this request's.
    pub ended_sessions: i64,
}

/// What went with the account.
#[derive(SimpleObject)]
pub struct DeleteAccountPayload {
    /// The id the account had.
    pub deleted_user_id: ID,
    /// Ratings removed (the films' figures are recounted without them).
    pub ratings_removed: i64,
    /// Reviews removed.
    pub reviews_removed: i64,
}

#[derive(Default)]
pub struct SessionMutation;

/// The viewer's account: password, sessions, deletion, export. All need a
/// signed-in viewer.
#[Object]
impl SessionMutation {
    /// Sets a new password (the rules of `signUp`) and ends every other
    /// session. A wrong current password is FORBIDDEN; tries count against
    /// the sign-in limits.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The password now.")] current: String,
        #[graphql(desc = "The new password.")] new: String,
    ) -> async_graphql::Result<ChangePasswordPayload> {
        let viewer = viewer(ctx).gql()?;
        let (db, limiter) = (db(ctx), limiter(ctx));
        let ended =
            sessions::change_password(db, limiter, client_address(ctx), viewer, &current, &new)
                .await
                .gql()?;
        Ok(ChangePasswordPayload {
            ended_sessions: ended as i64,
        })
    }

    /// Ends one of the viewer's sessions: its token stops working at once.
    /// False when it had ended already; another user's session is NOT_FOUND.
    async fn end_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session's id, from `me.sessions`.")] id: ID,
    ) -> async_graphql::Result<bool> {
        let viewer = viewer(ctx).gql()?;
        let session = ids::decode_as(NodeKind::Session, &id).gql()?;
        sessions::end(db(ctx), viewer, session).await.gql()
    }

    /// Ends every session of the viewer, this one included; how many ended.
    async fn sign_out_everywhere(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        let viewer = viewer(ctx).gql()?;
        let ended = sessions::end_all(db(ctx), viewer).await.gql()?;
        Ok(ended as i64)
    }

    /// Deletes the viewer's account and everything it owns: sessions,
    /// ratings, reviews (deleted, not anonymised), votes, library and lists.
    /// Films' rating figures and reviews' helpful counts are recounted
    /// without them. A wrong password is FORBIDDEN.
    async fn delete_account(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account's password, to confirm.")] password: String,
    ) -> async_graphql::Result<DeleteAccountPayload> {
        let viewer = viewer(ctx).gql()?;
        let deleted = sessions::delete_account(
            db(ctx),
            events(ctx),
            limiter(ctx),
            client_address(ctx),
            viewer,
            &password,
        )
        .await
        .gql()?;
        Ok(DeleteAccountPayload {
            deleted_user_id: global_id(NodeKind::User, viewer.user_id),
            ratings_removed: deleted.ratings,
            reviews_removed: deleted.reviews,
        })
    }

    /// Everything the viewer's account owns as one JSON document: the
    /// account, its sessions (never their tokens), ratings, reviews, votes,
    /// watchlist, diary, favourites and lists with their items.
    async fn export_my_data(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Json<serde_json::Value>> {
        let viewer = viewer(ctx).gql()?;
        Ok(Json(sessions::export(db(ctx), viewer).await.gql()?))
    }
}
