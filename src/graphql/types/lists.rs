//! Users' lists of films: the `List` node, its items, `Film.lists`,
//! `User.lists`, and the mutations that keep them.

use async_graphql::connection::EmptyFields;
use async_graphql::{Context, ID, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::account::User;
use super::film::{Film, film_columns};
use super::global_id;
use super::vocabulary::ListVisibility;
use crate::db::entities::{app_user, film, film_list};
use crate::db::queries::keyset::{Position, SortValue};
use crate::db::queries::lists::{self as statements, ListsOf};
use crate::domain::lists::{self, ListChange, visible_to};
use crate::error::{AppError, AppResult};
use crate::graphql::context::{GqlResult, cursor_keys, db, events, loader, viewer};
use crate::graphql::cost::{connection, list_size};
use crate::graphql::loaders::RowLoader;
use crate::graphql::pagination::{
    Connection, PageRequest, connection_names, list_connection, list_window, node_selections,
};
use crate::ids::{self, NodeKind};
use crate::kinds;

connection_names!(
    ListItemConnection / ListItemEdge = "A page of a list's films, in the list's order; each edge carries the item's rank and note.",
    ListConnection / ListEdge = "A page of lists of films, the newest first.",
);

/// A user's list of films.
pub struct UserList(pub film_list::Model);

/// One film's place in a list.
#[derive(SimpleObject)]
pub struct ListItemFields {
    /// The film's place, 1 for the first.
    pub rank: i64,
    /// What the list's owner wrote about the film here.
    pub note: Option<String>,
    /// When the film was added to the list.
    pub added_at: DateTime<Utc>,
}

/// How many items a list has.
pub struct ListItemSummary(i32);

#[Object]
impl ListItemSummary {
    /// How many films the whole list holds.
    async fn total_count(&self) -> i64 {
        self.0.into()
    }
}

pub type ListItemList =
    Connection<Film, ListItemSummary, ListItemFields, ListItemConnection, ListItemEdge>;

/// A user's list of films, in the order its owner gave them.
#[Object(name = "List")]
impl UserList {
    /// Opaque global id; `node(id:)` fetches the list back (null for a private list of someone else).
    pub async fn id(&self) -> ID {
        global_id(NodeKind::List, self.0.id)
    }
    /// The list's name, 1 to 100 characters.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What the list is about; null when its owner wrote nothing.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Who can see the list.
    async fn visibility(&self) -> async_graphql::Result<ListVisibility> {
        kinds::ListVisibility::parse(&self.0.visibility)
            .map(Into::into)
            .ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("a list's stored visibility is unknown"))
            })
            .gql()
    }
    /// Whether the order is a ranking (items show their rank).
    async fn ranked(&self) -> bool {
        self.0.ranked
    }
    /// How many films the list holds.
    async fn item_count(&self) -> i32 {
        self.0.item_count
    }
    /// When the list was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the list or its items last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Whose list it is.
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        user_by_id(ctx, self.0.user_id).await.gql()
    }
    /// Whether the signed-in viewer may change the list (only its owner may).
    async fn viewer_can_edit(&self, ctx: &Context<'_>) -> bool {
        viewer(ctx).is_ok_and(|v| v.user_id == self.0.user_id)
    }
    /// The list's films in its order.
    #[graphql(directive = list_size::apply(connection(20)))]
    async fn items(
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
    ) -> async_graphql::Result<ListItemList> {
        let request = PageRequest::parse(first, after, last, before).gql()?;
        items_page(ctx, &self.0, request).await.gql()
    }
}

async fn user_by_id(ctx: &Context<'_>, id: i32) -> AppResult<User> {
    loader(ctx)
        .by_id::<app_user::Entity>(id)
        .await?
        .map(User)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("user {id} is missing")))
}

async fn items_page(
    ctx: &Context<'_>,
    list: &film_list::Model,
    request: PageRequest,
) -> AppResult<ListItemList> {
    let ordering = statements::item_order(list.id);
    let keys = cursor_keys(ctx);
    let window = list_window(keys, &ordering, Some(list.id), request)?;
    let mut page = statements::items_page(db(ctx), list.id, &window).await?;
    let columns = film_columns(&node_selections(ctx));
    let ids = page.rows.iter().map(|item| item.film_id).collect();
    let mut films = loader(ctx)
        .by_ids_with::<film::Entity>(ids, columns)
        .await?;
    page.rows.retain(|item| films.contains_key(&item.film_id));
    Ok(list_connection(
        keys,
        &ordering,
        Some(list.id),
        page,
        ListItemSummary(list.item_count),
        |item| {
            let at = Position {
                value: SortValue::Text(item.position),
                id: item.id,
            };
            // Present: items without their film were left out above.
            let film = films.remove(&item.film_id).expect("film of a kept item");
            let fields = ListItemFields {
                rank: item.rank,
                note: item.note,
                added_at: item.added_at,
            };
            (at, Film::with_columns(film, columns), fields)
        },
    ))
}

/// How many lists a page is cut from.
pub struct ListSummary(ListsOf);

#[Object]
impl ListSummary {
    /// How many lists there are in all.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        statements::count_lists(db(ctx), &self.0)
            .await
            .map_err(AppError::from)
            .gql()
    }
}

pub type ListList = Connection<UserList, ListSummary, EmptyFields, ListConnection, ListEdge>;

/// A page of the lists of `of`, the newest first.
pub async fn lists_page(
    ctx: &Context<'_>,
    of: ListsOf,
    tag: String,
    request: PageRequest,
) -> AppResult<ListList> {
    let ordering = statements::list_order(&tag);
    let keys = cursor_keys(ctx);
    let window = list_window(keys, &ordering, None, request)?;
    let page = statements::lists_page(db(ctx), &of, &ordering, &window).await?;
    Ok(list_connection(
        keys,
        &ordering,
        None,
        page,
        ListSummary(of),
        |list| {
            let at = Position {
                value: statements::list_position(&list),
                id: list.id,
            };
            (at, UserList(list), EmptyFields)
        },
    ))
}

/// `User.lists`: all of them for the user themself, the public ones for anyone else.
pub async fn lists_of_user(
    ctx: &Context<'_>,
    user: i32,
    request: PageRequest,
) -> AppResult<ListList> {
    let all = viewer(ctx).is_ok_and(|v| v.user_id == user);
    let tag = format!("user:{user}:{all}");
    lists_page(ctx, ListsOf::User { user, all }, tag, request).await
}

/// `Film.lists`: the public lists that hold the film.
pub async fn lists_of_film(
    ctx: &Context<'_>,
    film: i32,
    request: PageRequest,
) -> AppResult<ListList> {
    lists_page(ctx, ListsOf::Film(film), format!("film:{film}"), request).await
}

/// The list with this id as the viewer may see it (None: missing or private to someone else).
pub async fn visible_list(ctx: &Context<'_>, id: i32) -> AppResult<Option<UserList>> {
    let found = loader(ctx).by_id::<film_list::Entity>(id).await?;
    let viewer = viewer(ctx).ok().map(|v| v.user_id);
    Ok(found.filter(|list| visible_to(list, viewer)).map(UserList))
}

/// The list as saved.
#[derive(SimpleObject)]
pub struct ListPayload {
    /// The list as saved.
    pub list: UserList,
}

/// Whether the film's place in the list changed, and the list.
#[derive(SimpleObject)]
pub struct ListItemPayload {
    /// False when the call changed nothing (the film was already there, or was not).
    pub changed: bool,
    /// The list as it is now.
    pub list: UserList,
    /// The film.
    pub film: Film,
}

/// The list removed.
#[derive(SimpleObject)]
pub struct DeleteListPayload {
    /// The id of the deleted list.
    pub list_id: ID,
}

fn decode_list(id: &ID) -> AppResult<i32> {
    ids::decode_as(NodeKind::List, id)
}

async fn item_payload(
    ctx: &Context<'_>,
    list: film_list::Model,
    changed: bool,
    film: i32,
) -> async_graphql::Result<ListItemPayload> {
    Ok(ListItemPayload {
        changed,
        list: UserList(list),
        film: super::film::payload_film(ctx, film).await?,
    })
}

#[derive(Default)]
pub struct ListMutation;

/// Lists of films. Every call needs a signed-in viewer; only a list's owner
/// may change it (FORBIDDEN for anyone else, NOT_FOUND when the list is
/// private).
#[Object]
impl ListMutation {
    /// Creates a list (at most 500 per user).
    async fn create_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "1 to 100 characters.")] name: String,
        #[graphql(desc = "Up to 2,000 characters.")] description: Option<String>,
        #[graphql(desc = "Who can see it; PRIVATE when omitted.")] visibility: Option<
            ListVisibility,
        >,
        #[graphql(desc = "Whether the order is a ranking; false when omitted.")] ranked: Option<
            bool,
        >,
    ) -> async_graphql::Result<ListPayload> {
        let user = viewer(ctx).gql()?.user_id;
        let visibility = visibility.map_or(kinds::ListVisibility::Private, Into::into);
        let list = lists::create(
            db(ctx),
            events(ctx),
            user,
            &name,
            description,
            visibility,
            ranked.unwrap_or(false),
        )
        .await
        .gql()?;
        Ok(ListPayload {
            list: UserList(list),
        })
    }

    /// Changes a list's name, description, visibility or ranking (those given).
    async fn update_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The list's global id.")] list_id: ID,
        #[graphql(desc = "1 to 100 characters.")] name: Option<String>,
        #[graphql(desc = "Up to 2,000 characters; null removes it.")] description: MaybeUndefined<
            String,
        >,
        #[graphql(desc = "Who can see it.")] visibility: Option<ListVisibility>,
        #[graphql(desc = "Whether the order is a ranking.")] ranked: Option<bool>,
    ) -> async_graphql::Result<ListPayload> {
        let user = viewer(ctx).gql()?.user_id;
        let list = decode_list(&list_id).gql()?;
        let change = ListChange {
            name,
            description: match description {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(text) => Some(Some(text)),
            },
            visibility: visibility.map(Into::into),
            ranked,
        };
        let list = lists::update(db(ctx), events(ctx), user, list, change)
            .await
            .gql()?;
        Ok(ListPayload {
            list: UserList(list),
        })
    }

    /// Deletes a list and its items.
    async fn delete_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The list's global id.")] list_id: ID,
    ) -> async_graphql::Result<DeleteListPayload> {
        let user = viewer(ctx).gql()?.user_id;
        let list = decode_list(&list_id).gql()?;
        lists::delete(db(ctx), events(ctx), user, list)
            .await
            .gql()?;
        Ok(DeleteListPayload { list_id })
    }

    /// Adds a film to a list (at most 5,000 films), at `position` or at the end.
    async fn add_to_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The list's global id.")] list_id: ID,
        #[graphql(desc = "The film's global id; an unknown film is NOT_FOUND.")] film_id: ID,
        #[graphql(desc = "Up to 1,000 characters.")] note: Option<String>,
        #[graphql(desc = "The place to put it, 1 for the first; the end when omitted.")]
        position: Option<i32>,
    ) -> async_graphql::Result<ListItemPayload> {
        let user = viewer(ctx).gql()?.user_id;
        let list = decode_list(&list_id).gql()?;
        let film = ids::decode_as(NodeKind::Film, &film_id).gql()?;
        let (list, changed) = lists::add(db(ctx), events(ctx), user, list, film, note, position)
            .await
            .gql()?;
        item_payload(ctx, list, changed, film).await
    }

    /// Moves a film of a list to `position` (1 for the first). One row is
    /// written however long the list is.
    async fn move_in_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The list's global id.")] list_id: ID,
        #[graphql(desc = "The film's global id; a film not in the list is NOT_FOUND.")] film_id: ID,
        #[graphql(desc = "Its new place, from 1 to the list's item count.")] position: i32,
    ) -> async_graphql::Result<ListItemPayload> {
        let user = viewer(ctx).gql()?.user_id;
        let list = decode_list(&list_id).gql()?;
        let film = ids::decode_as(NodeKind::Film, &film_id).gql()?;
        let (list, moved) = lists::move_item(db(ctx), events(ctx), user, list, film, position)
            .await
            .gql()?;
        item_payload(ctx, list, moved, film).await
    }

    /// Removes a film from a list.
    async fn remove_from_list(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The list's global id.")] list_id: ID,
        #[graphql(desc = "The film's global id.")] film_id: ID,
    ) -> async_graphql::Result<ListItemPayload> {
        let user = viewer(ctx).gql()?.user_id;
        let list = decode_list(&list_id).gql()?;
        let film = ids::decode_as(NodeKind::Film, &film_id).gql()?;
        let (list, removed) = lists::remove(db(ctx), events(ctx), user, list, film)
            .await
            .gql()?;
        item_payload(ctx, list, removed, film).await
    }
}
