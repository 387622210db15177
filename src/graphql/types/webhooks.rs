//! Webhooks for admins: `webhooks`, `createWebhook`, `deleteWebhook`, and
//! each webhook's deliveries with their status. The rules and the worker
//! that delivers are `domain::webhooks`'.

use async_graphql::connection::EmptyFields;
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::global_id;
use super::vocabulary::ContentChangeKind;
use crate::db::entities::{webhook, webhook_delivery};
use crate::db::queries::keyset::Position;
use crate::db::queries::webhooks as statements;
use crate::domain::roles::{self, Role};
use crate::domain::webhooks;
use crate::error::AppResult;
use crate::graphql::context::{GqlResult, cursor_keys, db, viewer};
use crate::graphql::cost::{assumed, connection, list_size};
use crate::graphql::pagination::{
    Connection, PageRequest, connection_names, list_connection, list_window,
};
use crate::ids::{self, NodeKind};
use crate::kinds;

connection_names!(
    WebhookDeliveryConnection / WebhookDeliveryEdge =
        "A page of a webhook's deliveries, the newest first.",
);

/// A row of the webhooks.
pub struct Webhook(pub webhook::Model);

/// A URL the changes feed is delivered to: each change of the kinds it
/// wants is POSTed as JSON, signed with its secret (which is never shown
/// again).
#[Object]
impl Webhook {
    /// The webhook's global id, for `deleteWebhook`.
    async fn id(&self) -> ID {
        global_id(NodeKind::Webhook, self.0.id)
    }
    /// Where deliveries are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// The kinds of change delivered; empty: every kind.
    #[graphql(directive = list_size::apply(assumed(3)))]
    async fn events(&self) -> Vec<ContentChangeKind> {
        self.0
            .events
            .split(',')
            .filter_map(kinds::ChangeKind::parse)
            .map(ContentChangeKind::from)
            .collect()
    }
    /// When it was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Its deliveries, the newest first: each change sent, or being sent,
    /// and how that went.
    #[graphql(directive = list_size::apply(connection(20)))]
    async fn deliveries(
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
    ) -> async_graphql::Result<DeliveryList> {
        let request = PageRequest::parse(first, after, last, before).gql()?;
        deliveries_page(ctx, self.0.id, request).await.gql()
    }
}

/// Where a delivery stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum WebhookDeliveryStatus {
    /// Not delivered yet: being tried, or waiting for its next try.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every try failed; no more are made.
    Failed,
}

/// A row of a webhook's deliveries.
pub struct WebhookDelivery(pub webhook_delivery::Model);

/// One change delivered (or being delivered) to a webhook.
#[Object]
impl WebhookDelivery {
    /// The delivery's id: the `Cinegraph-Delivery` header of each of its
    /// tries, so a receiver can tell a repeat.
    async fn id(&self) -> String {
        self.0.id.to_string()
    }
    /// The change's kind, such as `FILM.UPDATED` (the `Cinegraph-Event` header).
    async fn event(&self) -> &str {
        &self.0.event
    }
    /// The change's `sequence` in the changes feed.
    async fn sequence(&self) -> i32 {
        self.0.change_id
    }
    /// Where it stands.
    async fn status(&self) -> WebhookDeliveryStatus {
        match self.0.status.as_str() {
            statements::DELIVERED => WebhookDeliveryStatus::Delivered,
            statements::FAILED => WebhookDeliveryStatus::Failed,
            _ => WebhookDeliveryStatus::Pending,
        }
    }
    /// Tries made so far.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// The HTTP status of the last answer; null when there was none.
    async fn response_status(&self) -> Option<i32> {
        self.0.response_status
    }
    /// Why the last try failed.
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    /// When the next try is due (while pending).
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.status == statements::PENDING).then_some(self.0.next_attempt_at)
    }
    /// When it was enqueued.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the receiver took it.
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
}

pub type DeliveryList = Connection<
    WebhookDelivery,
    EmptyFields,
    EmptyFields,
    WebhookDeliveryConnection,
    WebhookDeliveryEdge,
>;

async fn deliveries_page(
    ctx: &Context<'_>,
    webhook_id: i32,
    request: PageRequest,
) -> AppResult<DeliveryList> {
    roles::require(db(ctx), viewer(ctx)?, Role::Admin).await?;
    let ordering = statements::delivery_order(webhook_id);
    let keys = cursor_keys(ctx);
    let window = list_window(keys, &ordering, None, request)?;
    let page = statements::deliveries_page(db(ctx), webhook_id, &ordering, &window).await?;
    Ok(list_connection(
        keys,
        &ordering,
        None,
        page,
        EmptyFields,
        |delivery| {
            let at = Position {
                value: statements::delivery_position(&delivery),
                id: delivery.id,
            };
            (at, WebhookDelivery(delivery), EmptyFields)
        },
    ))
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// Every webhook, the oldest first. Admins only (FORBIDDEN otherwise).
    #[graphql(directive = list_size::apply(assumed(20)))]
    async fn webhooks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Webhook>> {
        let viewer = viewer(ctx).gql()?;
        let all = webhooks::list(db(ctx), viewer).await.gql()?;
        Ok(all.into_iter().map(Webhook).collect())
    }
}

/// A webhook created.
#[derive(SimpleObject)]
pub struct WebhookPayload {
    /// The webhook (its secret is not shown, now or later).
    pub webhook: Webhook,
}

/// A webhook deleted.
#[derive(SimpleObject)]
pub struct DeleteWebhookPayload {
    /// The global id it had.
    pub webhook_id: ID,
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Delivers each change of the feed of the kinds given to `url`, from
    /// now on, at least once: a POST of JSON with the headers
    /// `Cinegraph-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
    /// "<t>.<body>" with the secret>`, `Cinegraph-Delivery` (the same on
    /// every try) and `Cinegraph-Event`. A receiver that does not answer 2xx
    /// is tried again with growing waits (1 s, 2 s, 4 s... up to an hour,
    /// ten tries). The URL must be http(s) and not point at a loopback,
    /// link-local or private address unless the operator allows it.
    /// Admins only.
    async fn create_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Where to POST each change: http:// or https://.")] url: String,
        #[graphql(desc = "The kinds of change to deliver; omitted or empty: every kind.")]
        events: Option<Vec<ContentChangeKind>>,
        #[graphql(desc = "16 to 200 characters that sign each delivery; never shown again.")]
        secret: String,
    ) -> async_graphql::Result<WebhookPayload> {
        let viewer = viewer(ctx).gql()?;
        let settings = ctx.data_unchecked::<crate::config::Webhooks>();
        let events: Vec<kinds::ChangeKind> = events
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let created = webhooks::create(db(ctx), viewer, settings, &url, &events, &secret)
            .await
            .gql()?;
        Ok(WebhookPayload {
            webhook: Webhook(created),
        })
    }

    /// Deletes a webhook and its deliveries; none are made after. Admins only.
    async fn delete_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The webhook's global id.")] id: ID,
    ) -> async_graphql::Result<DeleteWebhookPayload> {
        let viewer = viewer(ctx).gql()?;
        let webhook_id = ids::decode_as(NodeKind::Webhook, &id).gql()?;
        webhooks::delete(db(ctx), viewer, webhook_id).await.gql()?;
        Ok(DeleteWebhookPayload { webhook_id: id })
    }
}
