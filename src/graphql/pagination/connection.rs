//! Relay connection types that carry a description, and the builders of
//! both kinds of connection: pages of relations (loaded per parent through
//! the DataLoader) and pages of the top-level lists.
//!
//! async-graphql's `connection::Connection` gives its types no description and
//! has no hook for one. This object has the same fields (`pageInfo`, `edges`,
//! `nodes` and the list's own fields, such as `totalCount`, flattened) and takes
//! each type's name and description from its `Name`. Edges and `PageInfo` are
//! async-graphql's. An edge's cursor is any `CursorType`, encoded when a
//! client asks for it: a relation's page keeps its cursors as numbers, and
//! most queries never ask (encoding every edge's cursor was 3% of the deep
//! query's server instructions under load).

use std::borrow::Cow;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::connection::{CursorType, Edge, EdgeNameType, PageInfo};
use async_graphql::{
    Context, Description, Object, ObjectType, OutputType, SelectionField, TypeName,
};

use super::args::PageRequest;
use super::cursor::{self, CursorKeys, EdgeCursor, ListCursor};
use crate::db::columns::ColumnSet;
use crate::db::queries::keyset::{self, KeysetPage, Ordering};
use crate::db::queries::pages::{
    CountKey, Joined, Page, PageColumns, PageKey, PageRow, Paged, PagedRelation, Window,
};
use crate::error::AppResult;
use crate::graphql::context::{GqlResult, cursor_keys, loader};
use crate::graphql::direct::Direct;
use crate::kinds::KindSet;

/// A connection type's name and description in the schema.
pub trait ConnectionName: Send + Sync {
    const NAME: &'static str;
    const DESCRIPTION: &'static str;
}

/// One page of a list: its edges (each node with its cursor and `EdgeFields`),
/// whether items come before or after it, and the list's own `Fields`.
pub struct Connection<Node, Fields, EdgeFields, Name, EdgeName, C = ListCursor>
where
    Node: OutputType,
    Fields: ObjectType,
    EdgeFields: ObjectType,
    Name: ConnectionName,
    EdgeName: EdgeNameType,
    C: CursorType + Send + Sync,
{
    pub edges: Vec<Edge<C, Node, EdgeFields, EdgeName>>,
    pub fields: Fields,
    pub has_previous_page: bool,
    pub has_next_page: bool,
    name: PhantomData<Name>,
}

impl<Node, Fields, EdgeFields, Name, EdgeName, C>
    Connection<Node, Fields, EdgeFields, Name, EdgeName, C>
where
    Node: OutputType,
    Fields: ObjectType,
    EdgeFields: ObjectType,
    Name: ConnectionName,
    EdgeName: EdgeNameType,
    C: CursorType + Send + Sync,
{
    /// A page without edges yet: push them onto `edges`.
    pub fn new(has_previous_page: bool, has_next_page: bool, fields: Fields) -> Self {
        Self {
            edges: Vec::new(),
            fields,
            has_previous_page,
            has_next_page,
            name: PhantomData,
        }
    }
}

#[Object(name_type, use_type_description)]
impl<Node, Fields, EdgeFields, Name, EdgeName, C>
    Connection<Node, Fields, EdgeFields, Name, EdgeName, C>
where
    Node: OutputType,
    Fields: ObjectType,
    EdgeFields: ObjectType,
    Name: ConnectionName,
    EdgeName: EdgeNameType,
    C: CursorType + Send + Sync,
{
    /// Whether items come before or after this page, and the cursors of its
    /// first and last edges to page on with `before` or `after`.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_previous_page: self.has_previous_page,
            has_next_page: self.has_next_page,
            start_cursor: self.edges.first().map(|edge| edge.cursor.encode_cursor()),
            end_cursor: self.edges.last().map(|edge| edge.cursor.encode_cursor()),
        }
    }

    /// The page's items in the list's order, each with its cursor.
    async fn edges(&self) -> Vec<Direct<&Edge<C, Node, EdgeFields, EdgeName>>> {
        self.edges.iter().map(Direct).collect()
    }

    /// The page's items without their edges, in the same order as `edges`.
    async fn nodes(&self) -> Vec<&Node> {
        self.edges.iter().map(|edge| &edge.node).collect()
    }

    #[graphql(flatten)]
    async fn fields(&self) -> &Fields {
        &self.fields
    }
}

impl<Node, Fields, EdgeFields, Name, EdgeName, C> TypeName
    for Connection<Node, Fields, EdgeFields, Name, EdgeName, C>
where
    Node: OutputType,
    Fields: ObjectType,
    EdgeFields: ObjectType,
    Name: ConnectionName,
    EdgeName: EdgeNameType,
    C: CursorType + Send + Sync,
{
    fn type_name() -> Cow<'static, str> {
        Cow::Borrowed(Name::NAME)
    }
}

impl<Node, Fields, EdgeFields, Name, EdgeName, C> Description
    for Connection<Node, Fields, EdgeFields, Name, EdgeName, C>
where
    Node: OutputType,
    Fields: ObjectType,
    EdgeFields: ObjectType,
    Name: ConnectionName,
    EdgeName: EdgeNameType,
    C: CursorType + Send + Sync,
{
    fn description() -> &'static str {
        Name::DESCRIPTION
    }
}

/// Declares the name types of connections and their edges, each connection
/// with its description: `FilmConnection / FilmEdge = "..."`.
macro_rules! connection_names {
    ($($connection:ident / $edge:ident = $description:literal),* $(,)?) => {$(
        pub struct $connection;
        impl $crate::graphql::pagination::ConnectionName for $connection {
            const NAME: &'static str = stringify!($connection);
            const DESCRIPTION: &'static str = $description;
        }
        pub struct $edge;
        impl async_graphql::connection::EdgeNameType for $edge {
            fn type_name<T: async_graphql::OutputType>() -> String {
                stringify!($edge).to_string()
            }
        }
    )*};
}
pub(crate) use connection_names;

/// A connection of `Node`s over a relation, with `totalCount` and per-edge `EdgeFields`.
pub type PagedConnection<Node, EdgeFields, Name, EdgeName> =
    Connection<Node, ConnectionTotals, EdgeFields, Name, EdgeName, EdgeCursor>;

/// The extra fields of every relation's connection: `totalCount`, known from
/// the page (see [`Page::total`]) or counted only when asked.
pub struct ConnectionTotals {
    key: CountKey,
    known: Option<i64>,
}

#[Object]
impl ConnectionTotals {
    /// How many items the whole list has, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        if let Some(total) = self.known {
            return Ok(total);
        }
        loader(ctx)
            .load_one(self.key.clone())
            .await
            .map(|n| n.unwrap_or(0))
            .gql()
    }
}

/// The window of a relation's page: the request, its cursor decoded for the
/// relation and parent, and whether the connection field's selection asks
/// for `totalCount`.
fn relation_window(
    ctx: &Context<'_>,
    relation: PagedRelation,
    parent: i32,
    request: PageRequest,
) -> AppResult<Window> {
    Ok(Window {
        limit: request.limit,
        backward: request.backward,
        cursor: request
            .cursor
            .map(|raw| cursor::decode_position(cursor_keys(ctx), relation, parent, &raw))
            .transpose()?,
        with_total: ctx.look_ahead().field("totalCount").exists(),
    })
}

/// The fields of a connection that read its page; `totalCount` and
/// `__typename` alone read none.
const PAGE_FIELDS: [&str; 3] = ["edges", "nodes", "pageInfo"];

/// Whether a connection field's selection reads its page (see
/// [`total_only`]): a list that counts its nodes' connections for them
/// counts those that do not.
pub fn selection_reads_page(field: &SelectionField<'_>) -> bool {
    field
        .selection_set()
        .any(|inner| PAGE_FIELDS.contains(&inner.name()))
}

/// The connection of a selection that reads nothing of the page (no edges,
/// nodes or page info: only `totalCount` and `__typename`), such as a film's
/// cast count in a list: the count `known` when the parent's statement read
/// it, else counted by one grouped statement per batch, with no page of
/// rows and their joined side. None when the selection reads the page.
pub fn total_only<Node, EdgeFields, Name, EdgeName>(
    ctx: &Context<'_>,
    relation: PagedRelation,
    parent: i32,
    kinds: KindSet,
    known: Option<i64>,
) -> Option<PagedConnection<Node, EdgeFields, Name, EdgeName>>
where
    Node: OutputType,
    EdgeFields: ObjectType,
    Name: ConnectionName,
    EdgeName: EdgeNameType,
{
    let look = ctx.look_ahead();
    if PAGE_FIELDS.iter().any(|name| look.field(name).exists()) {
        return None;
    }
    let key = CountKey {
        relation,
        parent,
        kinds,
    };
    let totals = ConnectionTotals { key, known };
    Some(Connection::new(false, false, totals))
}

/// The selections of a connection's nodes (`edges { node }` and `nodes`),
/// from the connection field's context, for the columns they need.
pub fn node_selections<'a>(ctx: &'a Context<'_>) -> Vec<SelectionField<'a>> {
    let look = ctx.look_ahead();
    let mut fields = look.field("edges").field("node").selection_fields();
    fields.extend(look.field("nodes").selection_fields());
    fields
}

/// Whether the edges of the connection being resolved select `field` (a
/// field of the edge itself, such as a credit's `character`).
pub fn edge_selects(ctx: &Context<'_>, field: &str) -> bool {
    ctx.look_ahead().field("edges").field(field).exists()
}

/// One page of `relation` for `parent`, each row with the row of `J` (the
/// relation's other side) it refers to, read with their `columns`.
pub async fn load_joined_page<E: Paged, J: Joined>(
    ctx: &Context<'_>,
    relation: PagedRelation,
    parent: i32,
    kinds: KindSet,
    window: Window,
    columns: PageColumns,
) -> AppResult<Page<PageRow<E, J>>> {
    let key = PageKey::<E, J>::with_columns(relation, parent, kinds, window, columns);
    Ok(match loader(ctx).load_one(key).await? {
        // The only copy once the loader has let go of it, unless another
        // request asked for the same page in the same batch.
        Some(page) => Arc::try_unwrap(page).unwrap_or_else(|shared| (*shared).clone()),
        None => Page {
            rows: Vec::new(),
            has_previous: false,
            has_next: false,
            total: None,
        },
    })
}

/// The first `limit` rows of `relation` for `parent` (with the columns of
/// `own`), each with the row of `J` it refers to (a film's directors: its
/// DIRECTOR credits and their people), which carries the columns of `joined`.
pub async fn first_rows<E: Paged, J: Joined>(
    ctx: &Context<'_>,
    relation: PagedRelation,
    parent: i32,
    kinds: KindSet,
    limit: i32,
    (own, joined): (ColumnSet, ColumnSet),
) -> AppResult<Vec<PageRow<E, J>>> {
    let request = PageRequest::first(limit);
    let window = Window {
        limit: request.limit,
        backward: false,
        cursor: None,
        with_total: false,
    };
    let columns = PageColumns::of(own, joined);
    let page = load_joined_page::<E, J>(ctx, relation, parent, kinds, window, columns).await?;
    Ok(page.rows.into_iter().map(|(_, row)| row).collect())
}

/// One page of `relation` for `parent` as a connection whose edges `node`
/// builds from each row and the `J` row it refers to (a credit and its
/// person or film, with their `columns`), with `totalCount` for the same
/// rows. `ctx` is the connection field's.
#[allow(clippy::too_many_arguments)]
pub async fn relation_connection<E, J, Node, EdgeFields, Name, EdgeName>(
    ctx: &Context<'_>,
    relation: PagedRelation,
    parent: i32,
    kinds: KindSet,
    columns: PageColumns,
    request: PageRequest,
    mut node: impl FnMut(PageRow<E, J>) -> (Node, EdgeFields),
) -> AppResult<PagedConnection<Node, EdgeFields, Name, EdgeName>>
where
    E: Paged,
    J: Joined,
    Node: OutputType,
    EdgeFields: ObjectType,
    Name: ConnectionName,
    EdgeName: EdgeNameType,
{
    if let Some(connection) = total_only(ctx, relation, parent, kinds, None) {
        return Ok(connection);
    }
    let key = CountKey {
        relation,
        parent,
        kinds,
    };
    let window = relation_window(ctx, relation, parent, request)?;
    let page = load_joined_page::<E, J>(ctx, relation, parent, kinds, window, columns).await?;
    let totals = ConnectionTotals {
        key,
        known: page.total,
    };
    let mut connection = Connection::new(page.has_previous, page.has_next, totals);
    let keys = cursor_keys(ctx);
    for (at, row) in page.rows {
        let (item, fields) = node(row);
        let cursor = EdgeCursor {
            keys: keys.clone(),
            relation,
            parent,
            at,
        };
        connection
            .edges
            .push(Edge::with_additional_fields(cursor, item, fields));
    }
    Ok(connection)
}

/// The window of a top-level list's page under `ordering` (`owner`: the user
/// whose list it is, if it is someone's; its cursors are bound to them).
pub fn list_window(
    keys: &CursorKeys,
    ordering: &Ordering,
    owner: Option<i32>,
    request: PageRequest,
) -> AppResult<keyset::Window> {
    Ok(keyset::Window {
        limit: request.limit,
        backward: request.backward,
        cursor: request
            .cursor
            .map(|raw| cursor::decode_list_position(keys, ordering, owner, &raw))
            .transpose()?,
    })
}

/// A page of a top-level list as a connection: each row's node, its edge's
/// own fields and its position (for its cursor) come from `node`.
pub fn list_connection<M, Node, Fields, EdgeFields, Name, EdgeName>(
    keys: &CursorKeys,
    ordering: &Ordering,
    owner: Option<i32>,
    page: KeysetPage<M>,
    fields: Fields,
    mut node: impl FnMut(M) -> (keyset::Position, Node, EdgeFields),
) -> Connection<Node, Fields, EdgeFields, Name, EdgeName>
where
    Node: OutputType,
    Fields: ObjectType,
    EdgeFields: ObjectType,
    Name: ConnectionName,
    EdgeName: EdgeNameType,
{
    let mut connection = Connection::new(page.has_previous, page.has_next, fields);
    let mut cursor_at = ListCursor::for_page(keys, ordering, owner);
    for row in page.rows {
        let (at, item, edge_fields) = node(row);
        let cursor = cursor_at(at);
        connection
            .edges
            .push(Edge::with_additional_fields(cursor, item, edge_fields));
    }
    connection
}
