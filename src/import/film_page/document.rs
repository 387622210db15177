//! The film page document: one JSON file describes one film page with every
//! section the product shows. This module only defines and validates its shape;
//! `import::film_page` writes it to the database.

use serde::{Deserialize, Serialize};

/// The `format` value every document must carry, so a future format can be told apart.
pub const FORMAT: &str = "cinegraph-film-page/1";

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FilmPage {
    pub format: String,
    pub film: FilmFacts,
    #[serde(default)]
    pub based_on: Option<SourceWork>,
    #[serde(default)]
    pub people: Vec<PersonFacts>,
    #[serde(default)]
    pub characters: Vec<CharacterFacts>,
    #[serde(default)]
    pub credits: Vec<CreditFacts>,
    #[serde(default)]
    pub quotes: Vec<QuoteFacts>,
    #[serde(default)]
    pub synopsis: Vec<SynopsisFacts>,
    #[serde(default)]
    pub external_ratings: Vec<ExternalRatingFacts>,
    #[serde(default)]
    pub box_office: Vec<BoxOfficeFacts>,
    #[serde(default)]
    pub reviews: Vec<ReviewFacts>,
    #[serde(default)]
    pub audience_reactions: Vec<AudienceReactionFacts>,
    #[serde(default)]
    pub recommended_for: Vec<String>,
    #[serde(default)]
    pub content_warnings: Vec<String>,
    #[serde(default)]
    pub nominations: Vec<NominationFacts>,
    #[serde(default)]
    pub trivia: Vec<String>,
    #[serde(default)]
    pub faq: Vec<FaqFacts>,
    #[serde(default)]
    pub videos: Vec<VideoFacts>,
    #[serde(default)]
    pub soundtrack: Vec<TrackFacts>,
    #[serde(default)]
    pub filming_locations: Vec<LocationFacts>,
    #[serde(default)]
    pub offers: Vec<OfferFacts>,
    #[serde(default)]
    pub similar_films: Vec<SimilarFilmFacts>,
    #[serde(default)]
    pub products: Vec<ProductFacts>,
    // The details (format 1 gained them later): left out when empty, so a
    // page without them reads back as it was written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub titles: Vec<TitleFacts>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub releases: Vec<ReleaseFacts>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub images: Vec<ImageFacts>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<CollectionFacts>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub companies: Vec<CompanyFacts>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FilmFacts {
    pub imdb_id: String,
    pub slug: String,
    pub title: String,
    #[serde(default)]
    pub original_title: Option<String>,
    #[serde(default)]
    pub release_date: Option<chrono::NaiveDate>,
    #[serde(default)]
    pub release_year: Option<i32>,
    #[serde(default)]
    pub runtime_minutes: Option<i32>,
    #[serde(default)]
    pub certification: Option<String>,
    #[serde(default)]
    pub tagline: Option<String>,
    #[serde(default)]
    pub badly_explained_plot: Option<String>,
    #[serde(default)]
    pub overview: Option<String>,
    #[serde(default)]
    pub ending_explained: Option<String>,
    #[serde(default)]
    pub consensus: Option<String>,
    #[serde(default)]
    pub where_to_watch_note: Option<String>,
    #[serde(default)]
    pub soundtrack_note: Option<String>,
    #[serde(default)]
    pub genres: Vec<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceWork {
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub published_year: Option<i32>,
    #[serde(default)]
    pub description: Option<String>,
    /// Person keys (`people[].slug`); each also gets a NOVEL/SOURCE credit.
    #[serde(default)]
    pub authors: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PersonFacts {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub bio: Option<String>,
    #[serde(default)]
    pub birth_date: Option<chrono::NaiveDate>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CharacterFacts {
    /// Document-local key that credits and quotes refer to.
    pub key: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreditFacts {
    pub person: String,
    pub kind: String,
    #[serde(default)]
    pub job: Option<String>,
    #[serde(default)]
    pub character: Option<String>,
    #[serde(default)]
    pub billing_order: Option<i32>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuoteFacts {
    #[serde(default)]
    pub character: Option<String>,
    pub text: String,
    #[serde(default)]
    pub context: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SynopsisFacts {
    pub heading: String,
    pub body: String,
    #[serde(default)]
    pub spoiler: bool,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalRatingFacts {
    pub source: String,
    pub value: f64,
    pub scale: f64,
    #[serde(default)]
    pub votes: Option<i64>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BoxOfficeFacts {
    pub kind: String,
    /// Whole units of `currency` (USD has no cents in box office reporting).
    pub amount: i64,
    #[serde(default = "usd")]
    pub currency: String,
    pub source: String,
}

fn usd() -> String {
    "USD".to_string()
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviewFacts {
    /// CRITIC or EDITORIAL; USER reviews come from users, never from documents.
    pub kind: String,
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub outlet: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    pub body: String,
    #[serde(default)]
    pub score: Option<f64>,
    #[serde(default)]
    pub spoiler: bool,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AudienceReactionFacts {
    pub headline: String,
    pub description: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NominationFacts {
    pub organization: String,
    pub award: String,
    pub category: String,
    pub year: i32,
    pub won: bool,
    /// Person keys (`people[].slug`).
    #[serde(default)]
    pub recipients: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaqFacts {
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VideoFacts {
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrackFacts {
    pub title: String,
    #[serde(default)]
    pub artists: Vec<String>,
    #[serde(default)]
    pub duration_seconds: Option<i32>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocationFacts {
    pub place: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OfferFacts {
    pub platform: String,
    pub kind: String,
    #[serde(default)]
    pub format: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

/// A film mentioned by the page: found by IMDb id, created from these facts if missing.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FilmRef {
    pub imdb_id: String,
    pub title: String,
    #[serde(default)]
    pub release_year: Option<i32>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SimilarFilmFacts {
    pub film: FilmRef,
    pub reason: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductFacts {
    pub slug: String,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The films the product covers; the page's own film must be listed too if covered.
    pub films: Vec<FilmRef>,
}

/// The film's title, and optionally its overview, in one language.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TitleFacts {
    /// BCP 47 tag: a language (`fr`), optionally with a region (`pt-BR`).
    pub language: String,
    pub title: String,
    #[serde(default)]
    pub overview: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReleaseFacts {
    /// ISO 3166-1 alpha-2 code, such as `US`.
    pub country: String,
    pub kind: String,
    pub date: chrono::NaiveDate,
    #[serde(default)]
    pub certification: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageFacts {
    pub kind: String,
    pub url: String,
    pub width: i32,
    pub height: i32,
    /// The language of the text on the image; none when it has none.
    #[serde(default)]
    pub language: Option<String>,
    pub source: String,
    /// The person (`people[].slug`) a PROFILE photo shows.
    #[serde(default)]
    pub person: Option<String>,
}

/// The collection the film belongs to, and its place there.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CollectionFacts {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub overview: Option<String>,
    /// 1 for the first film of the collection.
    pub position: i32,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CompanyFacts {
    pub name: String,
    pub role: String,
}
