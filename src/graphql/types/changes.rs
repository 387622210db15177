//! The changes feed, for whoever mirrors the content (a search index, an
//! app's offline copy): `changes`, a connection of every change in commit
//! order with no gaps, and `contentChanged`, the same changes live. Both
//! read the outbox the writers fill in their own transactions
//! (`db::queries::changes`).

use async_graphql::connection::EmptyFields;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use futures_util::Stream;

use super::film::{Film, film_by_id};
use super::global_id;
use super::vocabulary::{ContentChangeKind, ContentEntity};
use crate::db::entities::content_change;
use crate::db::queries::changes::{self as statements, ChangeFilter};
use crate::db::queries::keyset::{Position, SortValue};
use crate::error::{AppError, AppResult};
use crate::graphql::context::{GqlResult, cursor_keys, db, events};
use crate::graphql::cost::{connection, list_size};
use crate::graphql::pagination::{
    Connection, PageRequest, connection_names, list_connection, list_window,
};
use crate::ids::NodeKind;
use crate::kinds;

connection_names!(
    ContentChangeConnection / ContentChangeEdge =
        "A page of the changes feed, in commit order (the oldest first).",
);

/// One change of the feed.
pub struct ContentChange(pub content_change::Model);

/// A change to the content: which entity, what happened, when. Numbered in
/// commit order.
#[Object]
impl ContentChange {
    /// The change's number: larger than that of every change committed
    /// before it. `changes(afterSequence:)` goes on from it.
    async fn sequence(&self) -> i32 {
        self.0.id
    }
    /// The kind of entity that changed.
    async fn entity(&self) -> async_graphql::Result<ContentEntity> {
        kinds::ChangeEntity::parse(&self.0.entity)
            .map(ContentEntity::from)
            .ok_or_else(|| stored("entity", &self.0.entity))
            .gql()
    }
    /// The entity's global id (it may have been deleted since).
    async fn entity_id(&self) -> ID {
        global_id(NodeKind::Film, self.0.entity_id)
    }
    /// What happened to it.
    async fn kind(&self) -> async_graphql::Result<ContentChangeKind> {
        kinds::ChangeKind::parse(&self.0.kind)
            .map(ContentChangeKind::from)
            .ok_or_else(|| stored("kind", &self.0.kind))
            .gql()
    }
    /// When the change was committed.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// The film as it is now; null when it has been deleted since.
    async fn film(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Film>> {
        film_by_id(ctx, self.0.entity_id).await.gql()
    }
}

fn stored(what: &str, value: &str) -> AppError {
    AppError::Internal(anyhow::anyhow!("a change's stored {what} {value:?}"))
}

pub type ChangeList =
    Connection<ContentChange, EmptyFields, EmptyFields, ContentChangeConnection, ContentChangeEdge>;

#[derive(Default)]
pub struct ChangesQuery;

#[Object]
impl ChangesQuery {
    /// Every change to the content, in commit order, the oldest first: a
    /// reader that has read up to a change has seen every change committed
    /// before it (none is committed later with a smaller number). Start
    /// from a time (`since`) or from a change (`afterSequence`, or the
    /// cursor `after`), and keep the last `sequence` or cursor to go on.
    #[graphql(directive = list_size::apply(connection(20)))]
    // A GraphQL field's arguments, each its own parameter.
    #[allow(clippy::too_many_arguments)]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only changes committed at or after this time.")] since: Option<
            DateTime<Utc>,
        >,
        #[graphql(
            desc = "Only changes numbered after this `sequence`. Not with `after` or `before`."
        )]
        after_sequence: Option<i32>,
        #[graphql(desc = "Only changes of these kinds (all when omitted or empty).")] kinds: Option<
            Vec<ContentChangeKind>,
        >,
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
    ) -> async_graphql::Result<ChangeList> {
        let request = PageRequest::parse(first, after, last, before).gql()?;
        let filter = ChangeFilter {
            since,
            kinds: kinds::ChangeKind::names(kinds.map(|k| k.into_iter().map(Into::into).collect())),
        };
        changes_page(ctx, filter, after_sequence, request)
            .await
            .gql()
    }
}

async fn changes_page(
    ctx: &Context<'_>,
    filter: ChangeFilter,
    after_sequence: Option<i32>,
    request: PageRequest,
) -> AppResult<ChangeList> {
    let ordering = statements::change_order();
    let keys = cursor_keys(ctx);
    let mut window = list_window(keys, &ordering, None, request)?;
    if let Some(sequence) = after_sequence {
        if window.cursor.is_some() || window.backward {
            return Err(AppError::bad_input(
                "afterSequence goes with first alone, not with after, last or before",
            ));
        }
        window.cursor = Some(Position {
            value: SortValue::Int(sequence.into()),
            id: sequence,
        });
    }
    let page = statements::changes_page(db(ctx), &filter, &ordering, &window).await?;
    Ok(list_connection(
        keys,
        &ordering,
        None,
        page,
        EmptyFields,
        |change| {
            let at = Position {
                value: statements::change_position(&change),
                id: change.id,
            };
            (at, ContentChange(change), EmptyFields)
        },
    ))
}

#[derive(Default)]
pub struct ChangeSubscription;

#[async_graphql::Subscription]
impl ChangeSubscription {
    /// Each change to the content from now on, as it commits on any server,
    /// in commit order. A subscriber more than a thousand changes behind
    /// gets a `CHANGES_MISSED` error (and the stream goes on): read
    /// `changes(afterSequence:)` from the last `sequence` it saw.
    async fn content_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only changes of these kinds (all when omitted or empty).")] kinds: Option<
            Vec<ContentChangeKind>,
        >,
    ) -> impl Stream<Item = async_graphql::Result<ContentChange>> + use<> {
        use tokio::sync::broadcast::error::RecvError;
        let wanted =
            kinds::ChangeKind::names(kinds.map(|k| k.into_iter().map(Into::into).collect()));
        let receiver = events(ctx).subscribe_content();
        futures_util::stream::unfold(receiver, move |mut receiver| {
            let wanted = wanted.clone();
            async move {
                loop {
                    match receiver.recv().await {
                        Ok(change) if wanted.is_empty() || wanted.contains(&change.kind) => {
                            return Some((Ok(ContentChange(change)), receiver));
                        }
                        Ok(_) => continue,
                        Err(RecvError::Lagged(missed)) => {
                            let err = AppError::Limit {
                                code: "CHANGES_MISSED",
                                message: format!(
                                    "this subscriber fell behind and missed {missed} changes: read changes(afterSequence:) from the last sequence seen"
                                ),
                            };
                            return Some((AppResult::<ContentChange>::Err(err).gql(), receiver));
                        }
                        Err(RecvError::Closed) => return None,
                    }
                }
            }
        })
    }
}
