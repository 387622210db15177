//! The smaller sections of a film page: genres, synopsis, outside ratings, box
//! office, trivia, FAQ, videos, soundtrack, locations, offers, similar films and
//! the source work.

use async_graphql::{Context, ID, Object, SimpleObject};

use super::GqlResult;
use super::film::{Film, parent_film};
use super::ids::{self, NodeKind};
use super::person::Person;
use crate::db::entities::*;
use crate::error::AppError;
use crate::kinds::*;

/// Reads a stored vocabulary value; the importer only writes valid ones.
pub fn stored<K>(text: &str, parse: fn(&str) -> Option<K>) -> async_graphql::Result<K> {
    parse(text)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("unknown stored value {text:?}")))
        .gql()
}

/// A genre such as Drama.
#[derive(Clone)]
pub struct Genre(pub genre::Model);

#[Object]
impl Genre {
    pub async fn id(&self) -> ID {
        ids::encode(NodeKind::Genre, self.0.id)
    }
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// One headed section of a synopsis.
pub struct SynopsisSection(pub synopsis_section::Model);

#[Object]
impl SynopsisSection {
    async fn heading(&self) -> &str {
        &self.0.heading
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// True when the section gives away the plot.
    async fn spoiler(&self) -> bool {
        self.0.spoiler
    }
}

/// A rating from an outside source.
pub struct ExternalRating(pub external_rating::Model);

#[Object]
impl ExternalRating {
    async fn source(&self) -> async_graphql::Result<RatingSource> {
        stored(&self.0.source, RatingSource::parse)
    }
    /// The score on the source's own scale.
    async fn value(&self) -> f64 {
        self.0.value
    }
    /// The top of the source's scale (10 for IMDb, 100 for percentages).
    async fn scale(&self) -> f64 {
        self.0.scale
    }
    /// Who reported the figure: a film page, Wikidata or vega-datasets. The same
    /// source can be reported twice with different figures; both are kept.
    async fn provider(&self) -> &str {
        &self.0.provider
    }
    /// How many votes or reviews the score is based on, when known.
    async fn votes(&self) -> Option<i64> {
        self.0.votes
    }
}

/// An amount of money in a currency.
#[derive(SimpleObject)]
pub struct Money {
    /// Whole units of the currency.
    pub amount: i64,
    /// ISO 4217 code, such as USD.
    pub currency: String,
}

/// A budget or gross figure with its source (sources often disagree).
pub struct BoxOfficeFigure(pub box_office_figure::Model);

#[Object]
impl BoxOfficeFigure {
    async fn kind(&self) -> async_graphql::Result<BoxOfficeKind> {
        stored(&self.0.kind, BoxOfficeKind::parse)
    }
    async fn amount(&self) -> Money {
        Money {
            amount: self.0.amount,
            currency: self.0.currency.clone(),
        }
    }
    /// Who reported the figure.
    async fn source(&self) -> &str {
        &self.0.source
    }
}

/// A behind-the-scenes fact.
pub struct Trivia(pub trivia::Model);

#[Object]
impl Trivia {
    async fn text(&self) -> &str {
        &self.0.text
    }
}

/// A frequently asked question with its answer.
pub struct FaqEntry(pub faq_entry::Model);

#[Object]
impl FaqEntry {
    async fn question(&self) -> &str {
        &self.0.question
    }
    async fn answer(&self) -> &str {
        &self.0.answer
    }
}

/// A trailer or bonus video.
pub struct Video(pub video::Model);

#[Object]
impl Video {
    async fn kind(&self) -> async_graphql::Result<VideoKind> {
        stored(&self.0.kind, VideoKind::parse)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Where to watch it, when known.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
}

/// A soundtrack track.
pub struct SoundtrackTrack(pub soundtrack_track::Model);

#[Object]
impl SoundtrackTrack {
    /// 1-based position on the album.
    async fn position(&self) -> i32 {
        self.0.position
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Performing artists.
    async fn artists(&self) -> Vec<&str> {
        self.0
            .artists
            .split(ARTIST_SEPARATOR)
            .filter(|a| !a.is_empty())
            .collect()
    }
    async fn duration_seconds(&self) -> Option<i32> {
        self.0.duration_seconds
    }
}

/// A place where the film was shot.
pub struct FilmingLocation(pub filming_location::Model);

#[Object]
impl FilmingLocation {
    async fn place(&self) -> &str {
        &self.0.place
    }
    /// What was shot there.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

/// A way to watch the film.
pub struct Offer(pub offer::Model);

#[Object]
impl Offer {
    /// The service or shop, such as Apple TV.
    async fn platform(&self) -> &str {
        &self.0.platform
    }
    async fn kind(&self) -> async_graphql::Result<OfferKind> {
        stored(&self.0.kind, OfferKind::parse)
    }
    /// Digital, Blu-ray, DVD...
    async fn format(&self) -> Option<&str> {
        self.0.format.as_deref()
    }
    /// Region where the offer holds; null when not limited or not known.
    async fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
}

/// A film recommended alongside another, with the reason.
pub struct SimilarFilm(pub similar_film::Model);

#[Object]
impl SimilarFilm {
    async fn film(&self, ctx: &Context<'_>) -> async_graphql::Result<Film> {
        parent_film(ctx, self.0.similar_film_id).await
    }
    /// Why the two films go together.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
}

/// The work a film is adapted from.
pub struct SourceWork(pub source_work::Model);

#[Object]
impl SourceWork {
    async fn kind(&self) -> async_graphql::Result<SourceWorkKind> {
        stored(&self.0.kind, SourceWorkKind::parse)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn published_year(&self) -> Option<i32> {
        self.0.published_year
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The authors: the people credited as NOVEL on the film.
    async fn authors(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Person>> {
        super::film::credited_people(ctx, self.0.film_id, CreditKind::Novel).await
    }
}
