//! A person's part in a film: cast (with character), director, writer...

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "credit")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub film_id: i32,
    pub person_id: i32,
    pub kind: String,
    pub job: Option<String>,
    pub billing_order: Option<i32>,
    pub character_id: Option<i32>,
    pub origin: String,
    /// The film's release year, 0 when unknown: a person's credits are
    /// ordered by it, through an index. Copied from the film by its writers
    /// and kept by `import::summaries::refresh_credit_years`.
    pub film_year: i32,
    /// Place in the film's credit list, kept by
    /// `summaries::refresh_credit_order`: a page of credits is cut by it.
    pub list_position: i32,
}

impl ActiveModelBehavior for ActiveModel {}
