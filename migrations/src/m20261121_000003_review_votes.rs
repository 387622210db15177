//! Who found which review helpful: one vote per user and review.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("review_vote")
                .col(integer("review_id"))
                .col(integer("user_id"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("review_id").col("user_id"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk-review_vote-review_id")
                        .from("review_vote", "review_id")
                        .to("review", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("fk-review_vote-user_id")
                        .from("review_vote", "user_id")
                        .to("app_user", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx-review_vote-user_id")
                .table("review_vote")
                .col("user_id")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx-review-film_id-helpful_count")
                .table("review")
                .col("film_id")
                .col("helpful_count")
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx-review-film_id-helpful_count")
                .table("review")
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table("review_vote").if_exists().to_owned())
            .await
    }
}
