//! Database-shaped entities, one per table. They never import async-graphql:
//! the GraphQL types in `crate::graphql` wrap them.

pub mod app_user;
pub mod audience_reaction;
pub mod award;
pub mod box_office_figure;
pub mod collection;
pub mod collection_film;
pub mod company;
pub mod content_change;
pub mod content_warning;
pub mod credit;
pub mod external_rating;
pub mod faq_entry;
pub mod film;
pub mod film_character;
pub mod film_company;
pub mod film_country;
pub mod film_genre;
pub mod film_keyword;
pub mod film_language;
pub mod film_list;
pub mod film_release;
pub mod film_revision;
pub mod film_similarity;
pub mod film_title;
pub mod filming_location;
pub mod genre;
pub mod image;
pub mod keyword;
pub mod nomination;
pub mod nomination_recipient;
pub mod offer;
pub mod person;
pub mod product;
pub mod product_film;
pub mod quote;
pub mod rating;
pub mod recommended_audience;
pub mod review;
pub mod search_document;
pub mod similar_film;
pub mod soundtrack_track;
pub mod source_work;
pub mod synopsis_section;
pub mod trivia;
pub mod user_session;
pub mod video;
pub mod webhook;
pub mod webhook_delivery;

/// For the layers that build rows to insert (the importers): a column's value
/// is `Set` or left `NotSet`.
pub use sea_orm::ActiveValue::{self, NotSet, Set};
