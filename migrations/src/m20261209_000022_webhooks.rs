//! Webhooks (issue 23): an admin's subscriptions of a URL to the changes
//! feed, and each delivery to it. Deliveries are made from the feed's
//! outbox: a webhook keeps the number of the last change it has a delivery
//! for, and a delivery stays until its receiver answered 2xx or its tries
//! ran out, so none is lost when a process dies mid-delivery.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261121_000001_content_model::{fk, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

const WEBHOOKS: &str = "webhook";
const DELIVERIES: &str = "webhook_delivery";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WEBHOOKS)
                .col(pk_auto("id"))
                .col(text("url"))
                // Comma-separated `kinds::ChangeKind` names; empty: all.
                .col(string("events"))
                // Signs each delivery (HMAC-SHA256); never shown again.
                .col(string("secret"))
                .col(integer_null("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                // The feed's number up to which deliveries exist.
                .col(integer("last_change_id"))
                .foreign_key(
                    &mut fk(WEBHOOKS, "created_by", "app_user")
                        .on_delete(ForeignKeyAction::SetNull)
                        .to_owned(),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(DELIVERIES)
                .col(pk_auto("id"))
                .col(integer("webhook_id"))
                .col(integer("change_id"))
                // `FILM.UPDATED`.
                .col(string("event"))
                // PENDING, DELIVERED or FAILED.
                .col(string("status"))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                // A worker is delivering it until then (a dead one's lease runs out).
                .col(timestamp_with_time_zone_null("lease_until"))
                .col(integer_null("response_status"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("delivered_at"))
                .foreign_key(&mut fk(DELIVERIES, "webhook_id", WEBHOOKS))
                .to_owned(),
        )
        .await?;
        unique(m, DELIVERIES, &["webhook_id", "change_id"]).await?;
        index(m, DELIVERIES, &["status", "next_attempt_at"]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [DELIVERIES, WEBHOOKS] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
