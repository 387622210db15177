//! The whole content model: films and everything a film page shows, people and
//! credits, awards, products, and users with their sessions, ratings and reviews.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Creation order: a table only refers to tables created before it.
/// `down` drops them in reverse.
const TABLES: &[&str] = &[
    "film",
    "genre",
    "film_genre",
    "film_country",
    "film_language",
    "external_rating",
    "box_office_figure",
    "synopsis_section",
    "person",
    "source_work",
    "film_character",
    "credit",
    "quote",
    "app_user",
    "user_session",
    "review",
    "audience_reaction",
    "content_warning",
    "recommended_audience",
    "award",
    "nomination",
    "nomination_recipient",
    "trivia",
    "faq_entry",
    "video",
    "soundtrack_track",
    "filming_location",
    "offer",
    "similar_film",
    "product",
    "product_film",
    "rating",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("film")
                .col(pk_auto("id"))
                .col(string_uniq("slug"))
                .col(string_null("imdb_id").unique_key())
                .col(string("title"))
                .col(string_null("original_title"))
                .col(date_null("release_date"))
                .col(integer_null("release_year"))
                .col(integer_null("runtime_minutes"))
                .col(string_null("certification"))
                .col(text_null("tagline"))
                .col(text_null("badly_explained_plot"))
                .col(text_null("overview"))
                .col(text_null("ending_explained"))
                .col(text_null("consensus"))
                .col(text_null("where_to_watch_note"))
                .col(text_null("soundtrack_note"))
                .col(string_null("document_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        index(m, "film", &["title"]).await?;
        index(m, "film", &["release_year"]).await?;

        m.create_table(
            Table::create()
                .table("genre")
                .col(pk_auto("id"))
                .col(string_uniq("slug"))
                .col(string("name"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("film_genre")
                .col(integer("film_id"))
                .col(integer("genre_id"))
                .col(integer("position"))
                .primary_key(Index::create().col("film_id").col("genre_id"))
                .foreign_key(&mut fk("film_genre", "film_id", "film"))
                .foreign_key(&mut fk("film_genre", "genre_id", "genre"))
                .to_owned(),
        )
        .await?;
        index(m, "film_genre", &["genre_id"]).await?;

        for (table, column) in [("film_country", "country"), ("film_language", "language")] {
            m.create_table(
                Table::create()
                    .table(table)
                    .col(integer("film_id"))
                    .col(string(column))
                    .col(integer("position"))
                    .primary_key(Index::create().col("film_id").col(column))
                    .foreign_key(&mut fk(table, "film_id", "film"))
                    .to_owned(),
            )
            .await?;
            index(m, table, &[column]).await?;
        }

        film_child(
            m,
            "external_rating",
            vec![
                string("source"),
                double("value"),
                double("scale"),
                big_integer_null("votes"),
            ],
        )
        .await?;
        unique(m, "external_rating", &["film_id", "source"]).await?;
        index(m, "external_rating", &["source", "value"]).await?;

        film_child(
            m,
            "box_office_figure",
            vec![
                string("kind"),
                big_integer("amount"),
                string("currency"),
                string("source"),
            ],
        )
        .await?;
        unique(m, "box_office_figure", &["film_id", "kind", "source"]).await?;

        film_child(
            m,
            "synopsis_section",
            vec![
                integer("position"),
                string("heading"),
                text("body"),
                boolean("spoiler"),
            ],
        )
        .await?;

        m.create_table(
            Table::create()
                .table("person")
                .col(pk_auto("id"))
                .col(string_uniq("slug"))
                .col(string("name"))
                .col(text_null("bio"))
                .col(date_null("birth_date"))
                .to_owned(),
        )
        .await?;
        index(m, "person", &["name"]).await?;

        m.create_table(
            Table::create()
                .table("source_work")
                .col(pk_auto("id"))
                .col(integer_uniq("film_id"))
                .col(string("kind"))
                .col(string("title"))
                .col(integer_null("published_year"))
                .col(text_null("description"))
                .foreign_key(&mut fk("source_work", "film_id", "film"))
                .to_owned(),
        )
        .await?;

        film_child(
            m,
            "film_character",
            vec![
                integer("position"),
                string("name"),
                text_null("description"),
            ],
        )
        .await?;
        unique(m, "film_character", &["film_id", "name"]).await?;

        m.create_table(
            Table::create()
                .table("credit")
                .col(pk_auto("id"))
                .col(integer("film_id"))
                .col(integer("person_id"))
                .col(string("kind"))
                .col(string_null("job"))
                .col(integer_null("billing_order"))
                .col(integer_null("character_id"))
                .foreign_key(&mut fk("credit", "film_id", "film"))
                .foreign_key(&mut fk("credit", "person_id", "person"))
                .foreign_key(
                    fk("credit", "character_id", "film_character")
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .to_owned(),
        )
        .await?;
        index(m, "credit", &["film_id", "kind", "billing_order"]).await?;
        index(m, "credit", &["person_id", "kind"]).await?;
        index(m, "credit", &["character_id"]).await?;

        let mut quote = film_child_table(
            "quote",
            vec![
                integer("position"),
                integer_null("character_id"),
                text("text"),
                text_null("context"),
            ],
        );
        quote.foreign_key(
            fk("quote", "character_id", "film_character").on_delete(ForeignKeyAction::SetNull),
        );
        create_film_child(m, "quote", quote).await?;
        index(m, "quote", &["character_id"]).await?;

        m.create_table(
            Table::create()
                .table("app_user")
                .col(pk_auto("id"))
                .col(string_uniq("username"))
                .col(string("password_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("user_session")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(string_uniq("token_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk("user_session", "user_id", "app_user"))
                .to_owned(),
        )
        .await?;
        index(m, "user_session", &["user_id"]).await?;

        m.create_table(
            Table::create()
                .table("review")
                .col(pk_auto("id"))
                .col(integer("film_id"))
                .col(string("kind"))
                .col(integer_null("user_id"))
                .col(string_null("author"))
                .col(string_null("outlet"))
                .col(string_null("title"))
                .col(text("body"))
                .col(double_null("score"))
                .col(boolean("spoiler"))
                .col(integer("helpful_count").default(0))
                .col(integer("position"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("review", "film_id", "film"))
                .foreign_key(&mut fk("review", "user_id", "app_user"))
                .to_owned(),
        )
        .await?;
        index(m, "review", &["film_id", "kind", "created_at"]).await?;
        // One review per user and film; critic rows have no user (NULLs never collide).
        unique(m, "review", &["user_id", "film_id"]).await?;

        for table in ["audience_reaction"] {
            film_child(
                m,
                table,
                vec![integer("position"), string("headline"), text("description")],
            )
            .await?;
        }
        for table in ["content_warning", "recommended_audience", "trivia"] {
            film_child(m, table, vec![integer("position"), text("text")]).await?;
        }

        m.create_table(
            Table::create()
                .table("award")
                .col(pk_auto("id"))
                .col(string_uniq("slug"))
                .col(string("organization"))
                .col(string("name"))
                .to_owned(),
        )
        .await?;
        let mut nomination = film_child_table(
            "nomination",
            vec![
                integer("award_id"),
                integer("year"),
                string("category"),
                boolean("won"),
            ],
        );
        nomination.foreign_key(&mut fk("nomination", "award_id", "award"));
        create_film_child(m, "nomination", nomination).await?;
        index(m, "nomination", &["award_id", "year"]).await?;
        m.create_table(
            Table::create()
                .table("nomination_recipient")
                .col(integer("nomination_id"))
                .col(integer("person_id"))
                .primary_key(Index::create().col("nomination_id").col("person_id"))
                .foreign_key(&mut fk(
                    "nomination_recipient",
                    "nomination_id",
                    "nomination",
                ))
                .foreign_key(&mut fk("nomination_recipient", "person_id", "person"))
                .to_owned(),
        )
        .await?;
        index(m, "nomination_recipient", &["person_id"]).await?;

        film_child(
            m,
            "faq_entry",
            vec![integer("position"), text("question"), text("answer")],
        )
        .await?;
        film_child(
            m,
            "video",
            vec![
                integer("position"),
                string("kind"),
                string("title"),
                text_null("description"),
                string_null("url"),
            ],
        )
        .await?;
        film_child(
            m,
            "soundtrack_track",
            vec![
                integer("position"),
                string("title"),
                string("artists"),
                integer_null("duration_seconds"),
            ],
        )
        .await?;
        film_child(
            m,
            "filming_location",
            vec![integer("position"), string("place"), text_null("note")],
        )
        .await?;
        film_child(
            m,
            "offer",
            vec![
                integer("position"),
                string("platform"),
                string("kind"),
                string_null("format"),
                string_null("region"),
                string_null("url"),
            ],
        )
        .await?;

        m.create_table(
            Table::create()
                .table("similar_film")
                .col(pk_auto("id"))
                .col(integer("film_id"))
                .col(integer("similar_film_id"))
                .col(integer("position"))
                .col(text("reason"))
                .foreign_key(&mut fk("similar_film", "film_id", "film"))
                .foreign_key(&mut fk("similar_film", "similar_film_id", "film"))
                .to_owned(),
        )
        .await?;
        unique(m, "similar_film", &["film_id", "similar_film_id"]).await?;
        index(m, "similar_film", &["similar_film_id"]).await?;

        m.create_table(
            Table::create()
                .table("product")
                .col(pk_auto("id"))
                .col(string_uniq("slug"))
                .col(string("name"))
                .col(string("kind"))
                .col(text_null("description"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("product_film")
                .col(integer("product_id"))
                .col(integer("film_id"))
                .col(integer("position"))
                .primary_key(Index::create().col("product_id").col("film_id"))
                .foreign_key(&mut fk("product_film", "product_id", "product"))
                .foreign_key(&mut fk("product_film", "film_id", "film"))
                .to_owned(),
        )
        .await?;
        index(m, "product_film", &["film_id"]).await?;

        m.create_table(
            Table::create()
                .table("rating")
                .col(pk_auto("id"))
                .col(integer("user_id"))
                .col(integer("film_id"))
                .col(small_integer("score"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk("rating", "user_id", "app_user"))
                .foreign_key(&mut fk("rating", "film_id", "film"))
                .check(Expr::col("score").between(1, 10))
                .to_owned(),
        )
        .await?;
        unique(m, "rating", &["user_id", "film_id"]).await?;
        index(m, "rating", &["film_id", "score"]).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            m.drop_table(Table::drop().table(*table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

/// A table that belongs to one film: `id`, `film_id` (cascading) and `columns`.
fn film_child_table(table: &'static str, columns: Vec<ColumnDef>) -> TableCreateStatement {
    let mut create = Table::create();
    create
        .table(table)
        .col(pk_auto("id"))
        .col(integer("film_id"));
    for column in columns {
        create.col(column);
    }
    create.foreign_key(&mut fk(table, "film_id", "film"));
    create
}

/// Creates a film child table and the index its DataLoader filters on.
async fn create_film_child(
    m: &SchemaManager<'_>,
    table: &'static str,
    create: TableCreateStatement,
) -> Result<(), DbErr> {
    m.create_table(create).await?;
    index(m, table, &["film_id"]).await
}

async fn film_child(
    m: &SchemaManager<'_>,
    table: &'static str,
    columns: Vec<ColumnDef>,
) -> Result<(), DbErr> {
    create_film_child(m, table, film_child_table(table, columns)).await
}

pub(crate) fn fk(
    table: &'static str,
    column: &'static str,
    target: &'static str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk-{table}-{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

pub(crate) async fn index(
    m: &SchemaManager<'_>,
    table: &'static str,
    columns: &[&'static str],
) -> Result<(), DbErr> {
    let mut create = Index::create();
    create.name(index_name(table, columns)).table(table);
    for column in columns {
        create.col(*column);
    }
    m.create_index(create.to_owned()).await
}

/// The name [`index`] gives the index of `table` on `columns`.
pub(crate) fn index_name(table: &str, columns: &[&str]) -> String {
    format!("idx-{table}-{}", columns.join("-"))
}

pub(crate) async fn unique(
    m: &SchemaManager<'_>,
    table: &'static str,
    columns: &[&'static str],
) -> Result<(), DbErr> {
    let mut create = Index::create();
    create
        .name(format!("uniq-{table}-{}", columns.join("-")))
        .table(table)
        .unique();
    for column in columns {
        create.col(*column);
    }
    m.create_index(create.to_owned()).await
}
