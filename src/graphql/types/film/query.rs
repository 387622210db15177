//! The film root fields (`film`, `films`, `genres`) and the film look-ups
//! other types use: a film by id, the film a row belongs to, the people
//! credited on a film.

use async_graphql::{Context, ID, Object, OneofObject, SelectionField};

use super::{Film, FilmFilter, FilmListConnection, FilmOrder, film_columns, list};
use crate::db::columns::ColumnSet;
use crate::db::entities::{collection, credit, film, person};
use crate::db::queries::editing;
use crate::db::queries::pages::PagedRelation;
use crate::error::AppResult;
use crate::graphql::context::{GqlResult, db, loader};
use crate::graphql::cost::{assumed, connection, list_size};
use crate::graphql::loaders::RowLoader;
use crate::graphql::pagination::{MAX_PAGE_SIZE, first_rows};
use crate::graphql::types::genre::GenreCount;
use crate::graphql::types::person::{Person, person_columns};
use crate::ids::{self, NodeKind};
use crate::kinds::{self, KindSet};

/// How to find one film: exactly one of its id, slug or IMDb id.
#[derive(OneofObject)]
pub enum FilmBy {
    /// The film's global id.
    Id(ID),
    /// The film's URL slug, such as `leaving-las-vegas`.
    Slug(String),
    /// The film's IMDb id, such as `tt0113627`.
    ImdbId(String),
}

#[derive(Default)]
pub struct FilmQuery;

#[Object]
impl FilmQuery {
    /// One film by id, slug or IMDb id; null when no film matches. A slug a
    /// film had before it was renamed finds it (its `slug` is the current one).
    async fn film(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Exactly one of the film's id, slug or IMDb id.")] by: FilmBy,
    ) -> async_graphql::Result<Option<Film>> {
        find_film(ctx, by).await.gql()
    }

    /// Browse the catalogue: filters combine, every ordering has a stable
    /// tie-break, pages are Relay cursors (`first` 20 by default, at most 100).
    #[graphql(directive = list_size::apply(connection(20)))]
    #[allow(clippy::too_many_arguments)]
    async fn films(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which films to list; every film when omitted.")] filter: Option<
            FilmFilter,
        >,
        #[graphql(desc = "Title A to Z when omitted.")] order_by: Option<FilmOrder>,
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
    ) -> async_graphql::Result<FilmListConnection> {
        list::films(ctx, filter, order_by, first, after, last, before)
            .await
            .gql()
    }

    /// One collection (franchise) by slug, with its films in order; null
    /// when there is none.
    async fn collection(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The collection's slug, such as `the-matrix-collection`.")] slug: String,
    ) -> async_graphql::Result<Option<super::Collection>> {
        let columns = ColumnSet::all::<collection::Entity>();
        let found = loader(ctx)
            .by_text_with::<collection::Entity>(collection::Column::Slug, slug, columns)
            .await
            .gql()?;
        Ok(found.map(super::Collection))
    }

    /// Every genre with how many films have it, most films first.
    #[graphql(directive = list_size::apply(assumed(50)))]
    async fn genres(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<GenreCount>> {
        crate::graphql::types::genre::genre_counts(ctx).await.gql()
    }
}

/// The film `by` names, read with only the columns the field's selection needs.
async fn find_film(ctx: &Context<'_>, by: FilmBy) -> AppResult<Option<Film>> {
    let columns = film_columns(&[ctx.field()]);
    let found = match by {
        FilmBy::Id(id) => {
            let row = ids::decode_as(NodeKind::Film, &id)?;
            loader(ctx).by_id_with::<film::Entity>(row, columns).await?
        }
        FilmBy::Slug(slug) => {
            let column = film::Column::Slug;
            let found = loader(ctx)
                .by_text_with::<film::Entity>(column, slug.clone(), columns)
                .await?;
            match found {
                Some(film) => Some(film),
                // A former slug of a renamed film leads to it; its `slug` is the new one.
                None => match editing::film_by_redirect(db(ctx), &slug).await? {
                    Some(row) => loader(ctx).by_id_with::<film::Entity>(row, columns).await?,
                    None => None,
                },
            }
        }
        FilmBy::ImdbId(imdb_id) => {
            let column = film::Column::ImdbId;
            loader(ctx)
                .by_text_with::<film::Entity>(column, imdb_id, columns)
                .await?
        }
    };
    Ok(found.map(|film| Film::with_columns(film, columns)))
}

pub async fn film_by_id(ctx: &Context<'_>, id: i32) -> AppResult<Option<Film>> {
    Ok(loader(ctx).by_id::<film::Entity>(id).await?.map(Film::new))
}

/// Loads the films with these ids, in the order given, skipping missing ones.
/// `ctx` is that of the field whose value they are, which says their columns.
pub async fn films_by_ids(ctx: &Context<'_>, ids: &[i32]) -> AppResult<Vec<Film>> {
    let columns = film_columns(&[ctx.field()]);
    let found = loader(ctx)
        .by_ids_with::<film::Entity>(ids.to_vec(), columns)
        .await?;
    Ok(ids
        .iter()
        .filter_map(|id| {
            let film = found.get(id).cloned()?;
            Some(Film::with_columns(film, columns))
        })
        .collect())
}

/// The film a row refers to, as the value of the field `ctx` resolves (a
/// review's `film`): read with only the columns that field's selection needs.
pub async fn film_of_field(ctx: &Context<'_>, id: i32) -> async_graphql::Result<Film> {
    referred_film(ctx, id, film_columns(&[ctx.field()])).await
}

/// The film of a mutation's payload (`ctx` is the mutation's field), read
/// with the columns the payload's `film` selects.
pub async fn payload_film(ctx: &Context<'_>, id: i32) -> async_graphql::Result<Film> {
    let columns = film_columns(&ctx.look_ahead().field("film").selection_fields());
    referred_film(ctx, id, columns).await
}

/// The film a row refers to, with the columns of `columns`; the row's
/// foreign key guarantees it exists.
async fn referred_film(
    ctx: &Context<'_>,
    id: i32,
    columns: ColumnSet,
) -> async_graphql::Result<Film> {
    let found = loader(ctx)
        .by_id_with::<film::Entity>(id, columns)
        .await
        .gql()?;
    found
        .map(|film| Film::with_columns(film, columns))
        .ok_or_else(|| crate::error::AppError::Internal(anyhow::anyhow!("film {id} is missing")))
        .gql()
}

/// The people with these ids, as the value of the field `ctx` resolves (a
/// nomination's `recipients`): read with only the columns its selection needs.
pub async fn people_of_field(
    ctx: &Context<'_>,
    ids: Vec<i32>,
) -> async_graphql::Result<std::collections::HashMap<i32, Person>> {
    let columns = person_columns(&[ctx.field()]);
    let found = loader(ctx)
        .by_ids_with::<person::Entity>(ids, columns)
        .await
        .gql()?;
    Ok(found
        .into_iter()
        .map(|(id, person)| (id, Person::with_columns(person, columns)))
        .collect())
}

/// The people with credits of one kind on a film (its directors, its novel's
/// authors), in credit order, through the same paged loader as `credits`.
/// `ctx` is that of the field whose value they are, which says their columns.
pub async fn credited_people(
    ctx: &Context<'_>,
    film_id: i32,
    kind: kinds::CreditKind,
) -> async_graphql::Result<Vec<Person>> {
    let columns = person_columns(&[ctx.field()]);
    let rows = first_rows::<credit::Entity, person::Entity>(
        ctx,
        PagedRelation::FilmCredits,
        film_id,
        KindSet::from(kind),
        MAX_PAGE_SIZE,
        // Nothing of the credits but the people they name.
        (ColumnSet::key::<credit::Entity>(), columns),
    )
    .await
    .gql()?;
    Ok(rows
        .into_iter()
        .map(|(_, person, _)| Person::with_columns(person, columns))
        .collect())
}

/// The columns of the people the `directors` fields among `fields` (the
/// selections of films: a list's nodes, a filmography's) show, aliased or
/// not; [`ColumnSet::NONE`] when no film asks for its directors. The
/// statement that reads the films reads their directors with them.
pub fn director_columns(fields: &[SelectionField<'_>]) -> ColumnSet {
    let directors: Vec<SelectionField<'_>> = fields
        .iter()
        .flat_map(|film| film.selection_set())
        .filter(|field| field.name() == "directors")
        .collect();
    if directors.is_empty() {
        return ColumnSet::NONE;
    }
    person_columns(&directors)
}

/// People by id, for the rows of a page.
pub async fn people_of(
    ctx: &Context<'_>,
    ids: Vec<i32>,
) -> async_graphql::Result<std::collections::HashMap<i32, person::Model>> {
    loader(ctx).by_ids::<person::Entity>(ids).await.gql()
}
