//! Accounts: sign up, sign in, sign out, and `me`.

use async_graphql::connection::EmptyFields;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::discovery::{Recommendation, recommendations_of};
use super::global_id;
use super::library::{
    Added, DiaryEntry, DiaryList, FavoriteList, LibraryOrder, WatchlistList, own_library,
    shelf_page,
};
use super::lists::{ListList, lists_of_user};
use super::rating::Rating;
use super::review::Review;
use super::roles::Role;
use super::sessions::{Session, sessions_of_viewer};
use crate::db::entities::app_user;
use crate::db::queries::account::SessionOrigin;
use crate::db::queries::keyset::{Position, SortValue};
use crate::db::queries::library::Shelf;
use crate::db::queries::rating as ratings;
use crate::db::queries::review as reviews;
use crate::domain::account::{self, UserAgent, Viewer};
use crate::domain::roles;
use crate::error::AppResult;
use crate::graphql::context::{
    GqlResult, client_address, cursor_keys, db, events, limiter, loader, viewer,
};
use crate::graphql::cost::{assumed, connection, list_size, sliced_by};
use crate::graphql::loaders::ProfileCountsOf;
use crate::graphql::pagination::{
    Connection, PageRequest, connection_names, list_connection, list_window,
};
use crate::ids::NodeKind;

connection_names!(
    RatingConnection / RatingEdge =
        "A page of a user's film ratings, the most recently given (or changed) first.",
    UserReviewConnection / UserReviewEdge = "A page of a user's reviews, the newest first.",
);

/// A username and password, to sign up or sign in.
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
    /// When the token stops working (30 days after sign-in) unless signed out sooner.
    pub expires_at: chrono::DateTime<chrono::Utc>,
    /// The account signed in.
    pub user: User,
}

impl From<account::NewSession> for AuthPayload {
    fn from(session: account::NewSession) -> Self {
        Self {
            token: session.token,
            expires_at: session.expires_at,
            user: User(session.user),
        }
    }
}

/// Where a sign-in comes from, kept with its session.
fn origin(ctx: &Context<'_>) -> SessionOrigin {
    SessionOrigin {
        user_agent: ctx.data_opt::<UserAgent>().map(|agent| agent.0.clone()),
        // Served without a peer (in-process), the address is unknown: null.
        address: Some(client_address(ctx))
            .filter(|address| *address != "unknown")
            .map(str::to_string),
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
        #[graphql(desc = "The new account's username and password.")] input: Credentials,
    ) -> async_graphql::Result<AuthPayload> {
        let session = account::sign_up(db(ctx), &input.username, &input.password, origin(ctx))
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
        #[graphql(desc = "The account's username and password.")] input: Credentials,
    ) -> async_graphql::Result<AuthPayload> {
        let session = account::sign_in(
            db(ctx),
            limiter(ctx),
            client_address(ctx),
            &input.username,
            &input.password,
            origin(ctx),
        )
        .await
        .gql()?;
        Ok(session.into())
    }

    /// Sets the name the viewer shows on their profile (up to 50
    /// characters); null or blank removes it.
    async fn update_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Up to 50 characters; null or blank removes it.")] display_name: Option<
            String,
        >,
    ) -> async_graphql::Result<User> {
        let viewer = viewer(ctx).gql()?;
        let user = account::set_display_name(db(ctx), events(ctx), viewer, display_name)
            .await
            .gql()?;
        Ok(User(user))
    }

    /// Ends the viewer's session: its token stops working at once.
    async fn sign_out(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let viewer = viewer(ctx).gql()?;
        account::sign_out(db(ctx), viewer).await.gql()?;
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
        let user = account::user(db(ctx), viewer).await.gql()?;
        Ok(user.map(User))
    }
}

pub struct User(pub app_user::Model);

/// A cinegraph user: a public profile (username, when joined, public
/// lists); the library and ratings are the user's alone.
#[Object]
impl User {
    /// Opaque global id of the account; `node` does not resolve it (accounts are private).
    async fn id(&self) -> ID {
        global_id(NodeKind::User, self.0.id)
    }
    /// The unique username chosen at sign-up.
    async fn username(&self) -> &str {
        &self.0.username
    }
    /// When the account was created (when the user joined).
    async fn created_at(&self) -> chrono::DateTime<chrono::Utc> {
        self.0.created_at
    }
    /// The name the user shows beside the username; null when none was given.
    async fn display_name(&self) -> Option<&str> {
        self.0.display_name.as_deref()
    }
    /// How many reviews the user has written.
    async fn review_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(profile_counts(ctx, self.0.id).await?.0)
    }
    /// How many public lists the user keeps.
    async fn list_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(profile_counts(ctx, self.0.id).await?.1)
    }
    /// The user's reviews, the newest first (reviews are public).
    #[graphql(directive = list_size::apply(connection(20)))]
    async fn reviews(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Items from the start of the list, or after `after`: 0 to 100 (20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of an edge of this list (in the same order): the page starts after it. Goes with `first`."
        )]
        after: Option<String>,
        #[graphql(
            desc = "Items from the end of the list, or before `before`: 0 to 100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Cursor of an edge of this list (in the same order): the page ends before it. Goes with `last`."
        )]
        before: Option<String>,
    ) -> async_graphql::Result<UserReviewList> {
        let request = PageRequest::parse(first, after, last, before).gql()?;
        user_reviews(ctx, self.0.id, request).await.gql()
    }
    /// The user's working sessions, newest first. Only the user sees them
    /// (FORBIDDEN otherwise).
    #[graphql(directive = list_size::apply(assumed(20)))]
    async fn sessions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Session>> {
        own_library(ctx, self.0.id).gql()?;
        sessions_of_viewer(ctx).await
    }
    /// The user's lists of films, the newest first: all of them for the user,
    /// the public ones for anyone else.
    #[graphql(directive = list_size::apply(connection(20)))]
    async fn lists(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Items from the start of the list, or after `after`: 0 to 100 (20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of an edge of this list (in the same order): the page starts after it. Goes with `first`."
        )]
        after: Option<String>,
        #[graphql(
            desc = "Items from the end of the list, or before `before`: 0 to 100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Cursor of an edge of this list (in the same order): the page ends before it. Goes with `last`."
        )]
        before: Option<String>,
    ) -> async_graphql::Result<ListList> {
        let request = PageRequest::parse(first, after, last, before).gql()?;
        lists_of_user(ctx, self.0.id, request).await.gql()
    }
    /// The user's ratings, the most recently given (or changed) first. Only
    /// the user sees them (FORBIDDEN otherwise).
    #[graphql(directive = list_size::apply(connection(20)))]
    async fn ratings(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Items from the start of the list, or after `after`: 0 to 100 (20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of an edge of this list (in the same order): the page starts after it. Goes with `first`."
        )]
        after: Option<String>,
        #[graphql(
            desc = "Items from the end of the list, or before `before`: 0 to 100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Cursor of an edge of this list (in the same order): the page ends before it. Goes with `last`."
        )]
        before: Option<String>,
    ) -> async_graphql::Result<RatingList> {
        own_library(ctx, self.0.id).gql()?;
        user_ratings(ctx, self.0.id, first, after, last, before)
            .await
            .gql()
    }
    /// What the account may do: VIEWER, EDITOR or ADMIN. Only the user sees
    /// it (FORBIDDEN otherwise).
    async fn role(&self, ctx: &Context<'_>) -> async_graphql::Result<Role> {
        own_library(ctx, self.0.id).gql()?;
        Ok(roles::Role::of(&self.0).gql()?.into())
    }
    /// Films for the user to see next, the strongest first, each with the
    /// reason: from the user's ratings, favourites, diary and watchlist.
    /// Only the user sees them (FORBIDDEN otherwise).
    #[graphql(directive = list_size::apply(sliced_by(&["first"])))]
    async fn recommendations(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default = 10,
            validator(minimum = 0, maximum = 50),
            desc = "How many films at most (0 to 50)."
        )]
        first: i32,
    ) -> async_graphql::Result<Vec<Recommendation>> {
        own_library(ctx, self.0.id).gql()?;
        recommendations_of(ctx, self.0.id, first).await.gql()
    }
    /// Films the user means to see, most recently added first. Only the user sees it (FORBIDDEN otherwise).
    #[graphql(directive = list_size::apply(connection(20)))]
    async fn watchlist(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Items from the start of the list, or after `after`: 0 to 100 (20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of an edge of this list (in the same order): the page starts after it. Goes with `first`."
        )]
        after: Option<String>,
        #[graphql(
            desc = "Items from the end of the list, or before `before`: 0 to 100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Cursor of an edge of this list (in the same order): the page ends before it. Goes with `last`."
        )]
        before: Option<String>,
        #[graphql(desc = "Most recently added first when omitted.")] order_by: Option<LibraryOrder>,
    ) -> async_graphql::Result<WatchlistList> {
        own_library(ctx, self.0.id).gql()?;
        let request = PageRequest::parse(first, after, last, before).gql()?;
        shelf_page(ctx, Shelf::Watchlist, self.0.id, order_by, request, |e| {
            Ok(Added {
                added_at: e.added_at,
            })
        })
        .await
        .gql()
    }
    /// The user's diary: each viewing of a film, the most recent day first. Only the user sees it (FORBIDDEN otherwise).
    #[graphql(directive = list_size::apply(connection(20)))]
    async fn seen(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Items from the start of the list, or after `after`: 0 to 100 (20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of an edge of this list (in the same order): the page starts after it. Goes with `first`."
        )]
        after: Option<String>,
        #[graphql(
            desc = "Items from the end of the list, or before `before`: 0 to 100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Cursor of an edge of this list (in the same order): the page ends before it. Goes with `last`."
        )]
        before: Option<String>,
        #[graphql(desc = "Most recently added first when omitted.")] order_by: Option<LibraryOrder>,
    ) -> async_graphql::Result<DiaryList> {
        own_library(ctx, self.0.id).gql()?;
        let request = PageRequest::parse(first, after, last, before).gql()?;
        shelf_page(
            ctx,
            Shelf::Diary,
            self.0.id,
            order_by,
            request,
            DiaryEntry::of,
        )
        .await
        .gql()
    }
    /// The user's favourite films, most recently added first. Only the user sees it (FORBIDDEN otherwise).
    #[graphql(directive = list_size::apply(connection(20)))]
    async fn favorites(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Items from the start of the list, or after `after`: 0 to 100 (20 when neither `first` nor `last` is given)."
        )]
        first: Option<i32>,
        #[graphql(
            desc = "Cursor of an edge of this list (in the same order): the page starts after it. Goes with `first`."
        )]
        after: Option<String>,
        #[graphql(
            desc = "Items from the end of the list, or before `before`: 0 to 100. Not with `first`."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Cursor of an edge of this list (in the same order): the page ends before it. Goes with `last`."
        )]
        before: Option<String>,
        #[graphql(desc = "Most recently added first when omitted.")] order_by: Option<LibraryOrder>,
    ) -> async_graphql::Result<FavoriteList> {
        own_library(ctx, self.0.id).gql()?;
        let request = PageRequest::parse(first, after, last, before).gql()?;
        shelf_page(ctx, Shelf::Favorites, self.0.id, order_by, request, |e| {
            Ok(Added {
                added_at: e.added_at,
            })
        })
        .await
        .gql()
    }
}

/// Reviews, posts and lists counted for a profile, one statement per page of users.
async fn profile_counts(ctx: &Context<'_>, user: i32) -> async_graphql::Result<(i64, i64)> {
    let counts = loader(ctx).load_one(ProfileCountsOf(user)).await.gql()?;
    Ok(counts.unwrap_or((0, 0)))
}

type UserReviewList =
    Connection<Review, EmptyFields, EmptyFields, UserReviewConnection, UserReviewEdge>;

async fn user_reviews(
    ctx: &Context<'_>,
    user: i32,
    request: PageRequest,
) -> AppResult<UserReviewList> {
    let ordering = reviews::newest_of_user();
    let keys = cursor_keys(ctx);
    let window = list_window(keys, &ordering, Some(user), request)?;
    let page = reviews::page_of_user(db(ctx), user, &window).await?;
    Ok(list_connection(
        keys,
        &ordering,
        Some(user),
        page,
        EmptyFields,
        |review| {
            let at = Position {
                value: SortValue::Int(review.id.into()),
                id: review.id,
            };
            (at, Review(review), EmptyFields)
        },
    ))
}

type RatingList = Connection<Rating, EmptyFields, EmptyFields, RatingConnection, RatingEdge>;

async fn user_ratings(
    ctx: &Context<'_>,
    user_id: i32,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> AppResult<RatingList> {
    let ordering = ratings::newest_first();
    let keys = cursor_keys(ctx);
    let request = PageRequest::parse(first, after, last, before)?;
    let window = list_window(keys, &ordering, Some(user_id), request)?;
    let page = ratings::page_of_user(db(ctx), user_id, &window).await?;
    Ok(list_connection(
        keys,
        &ordering,
        Some(user_id),
        page,
        EmptyFields,
        |rating| {
            let at = Position {
                value: SortValue::Int(rating.id.into()),
                id: rating.id,
            };
            (at, Rating(rating), EmptyFields)
        },
    ))
}
