//! Relay connection types that carry a description.
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

use async_graphql::connection::{CursorType, Edge, EdgeNameType, PageInfo};
use async_graphql::{Description, Object, ObjectType, OutputType, TypeName};

/// A connection type's name and description in the schema.
pub trait ConnectionName: Send + Sync {
    const NAME: &'static str;
    const DESCRIPTION: &'static str;
}

/// One page of a list: its edges (each node with its cursor and `EdgeFields`),
/// whether items come before or after it, and the list's own `Fields`.
pub struct Connection<Node, Fields, EdgeFields, Name, EdgeName, C = String>
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
    async fn edges(&self) -> &[Edge<C, Node, EdgeFields, EdgeName>] {
        &self.edges
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
        impl $crate::graphql::connection::ConnectionName for $connection {
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
