//! A change to a film: who made it, when and why, the page as it left it and
//! what it changed.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "film_revision")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    /// The film's version this change made.
    pub version: i32,
    /// `kinds::RevisionKind`.
    pub kind: String,
    /// The editor; `None` for an import or a deleted account.
    pub author_id: Option<i32>,
    pub author_name: String,
    /// The imported file's name.
    pub source: Option<String>,
    pub comment: Option<String>,
    pub created_at: DateTimeUtc,
    /// JSON: the film's page document as the change left it (only the
    /// film's own facts, under `film`, when the page cannot be a document).
    #[sea_orm(column_type = "Text")]
    pub state: String,
    /// JSON: the fields the change changed, `[{path, before, after}]`.
    #[sea_orm(column_type = "Text")]
    pub changes: String,
}

impl ActiveModelBehavior for ActiveModel {}
