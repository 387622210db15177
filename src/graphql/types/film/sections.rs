//! The smaller sections of a film page: synopsis, outside ratings, box office,
//! Academy Award counts, trivia, FAQ, videos, soundtrack, locations, offers,
//! similar films and the source work.

use async_graphql::{Context, Object, SimpleObject};

use super::{Film, credited_people, film_of_field};
use crate::db::entities::*;
use crate::db::queries::rows::{ChildOf, Relation, rel};
use crate::db::read_row::ReadRow;
use crate::graphql::context::{GqlResult, loader};
use crate::graphql::cost::{assumed, list_size};
use crate::graphql::loaders::RowLoader;
use crate::graphql::pagination::connection_names;
use crate::graphql::types::person::Person;
use crate::graphql::types::vocabulary::*;
use crate::kinds::{self, ARTIST_SEPARATOR};

connection_names!(
    FilmCreditConnection / FilmCreditEdge = "A page of a film's cast and crew: the people, each edge with the role (the cast first, in the order `Film.castOrder` names, then the crew).",
    QuoteConnection / QuoteEdge =
        "A page of a film's memorable quotes, in the order of the film's page.",
    ReviewConnection / ReviewEdge =
        "A page of a film's reviews, in the order asked for, with how many there are.",
);

/// Children of this film along relation `R`.
pub(super) async fn children<R: Relation>(
    ctx: &Context<'_>,
    film_id: i32,
) -> async_graphql::Result<Vec<ChildOf<R>>>
where
    ChildOf<R>: ReadRow + Clone + Send + Sync,
{
    loader(ctx).children::<R>(film_id).await.gql()
}

pub struct SynopsisSection(pub synopsis_section::Model);

/// One headed section of a synopsis.
#[Object]
impl SynopsisSection {
    /// The section's title, such as "Meeting Sera".
    async fn heading(&self) -> &str {
        &self.0.heading
    }
    /// What happens in this part of the film.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// True when the section gives away the plot.
    async fn spoiler(&self) -> bool {
        self.0.spoiler
    }
}

pub struct ExternalRating(pub external_rating::Model);

/// A rating from an outside source.
#[Object]
impl ExternalRating {
    /// Which rating this is (IMDb, Rotten Tomatoes, Metacritic).
    async fn source(&self) -> async_graphql::Result<RatingSource> {
        stored(&self.0.source, kinds::RatingSource::parse)
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
    /// Whole units of the currency. A `Float` because GraphQL's `Int` is 32
    /// bits and grosses pass 2^31 (Avatar: 2,847,379,794 USD); every whole
    /// number up to 2^53 is exact in it.
    pub amount: f64,
    /// ISO 4217 code, such as USD.
    pub currency: String,
}

pub struct BoxOfficeFigure(pub box_office_figure::Model);

/// A budget or gross figure with its source (sources often disagree).
#[Object]
impl BoxOfficeFigure {
    /// What the figure measures: the budget or a gross.
    async fn kind(&self) -> async_graphql::Result<BoxOfficeKind> {
        stored(&self.0.kind, kinds::BoxOfficeKind::parse)
    }
    /// The figure, in the currency its source gave.
    async fn amount(&self) -> Money {
        Money {
            // Amounts are far below 2^53: the conversion is exact.
            amount: self.0.amount as f64,
            currency: self.0.currency.clone(),
        }
    }
    /// Who reported the figure.
    async fn source(&self) -> &str {
        &self.0.source
    }
}

pub struct Trivia(pub trivia::Model);

/// A behind-the-scenes fact.
#[Object]
impl Trivia {
    /// The fact, in a sentence or two.
    async fn text(&self) -> &str {
        &self.0.text
    }
}

pub struct FaqEntry(pub faq_entry::Model);

/// A frequently asked question with its answer.
#[Object]
impl FaqEntry {
    /// A question viewers ask about the film, such as where it was filmed.
    async fn question(&self) -> &str {
        &self.0.question
    }
    /// The answer to `question`, in a few sentences.
    async fn answer(&self) -> &str {
        &self.0.answer
    }
}

pub struct Video(pub video::Model);

/// A trailer or bonus video.
#[Object]
impl Video {
    /// Trailer, clip or bonus video.
    async fn kind(&self) -> async_graphql::Result<VideoKind> {
        stored(&self.0.kind, kinds::VideoKind::parse)
    }
    /// The video's title, such as "Leaving Las Vegas trailer".
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What the video shows, when known.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Where to watch it, when known.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
}

pub struct SoundtrackTrack(pub soundtrack_track::Model);

/// A soundtrack track.
#[Object]
impl SoundtrackTrack {
    /// 1-based position on the album.
    async fn position(&self) -> i32 {
        self.0.position
    }
    /// The track's title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// Performing artists.
    #[graphql(directive = list_size::apply(assumed(10)))]
    async fn artists(&self) -> Vec<&str> {
        self.0
            .artists
            .split(ARTIST_SEPARATOR)
            .filter(|a| !a.is_empty())
            .collect()
    }
    /// Length in seconds, when known.
    async fn duration_seconds(&self) -> Option<i32> {
        self.0.duration_seconds
    }
}

pub struct FilmingLocation(pub filming_location::Model);

/// A place where the film was shot.
#[Object]
impl FilmingLocation {
    /// The place, such as "Las Vegas, Nevada".
    async fn place(&self) -> &str {
        &self.0.place
    }
    /// What was shot there.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
}

pub struct Offer(pub offer::Model);

/// A way to watch the film.
#[Object]
impl Offer {
    /// The service or shop, such as Apple TV.
    async fn platform(&self) -> &str {
        &self.0.platform
    }
    /// Stream, rent, buy or a physical copy.
    async fn kind(&self) -> async_graphql::Result<OfferKind> {
        stored(&self.0.kind, kinds::OfferKind::parse)
    }
    /// Digital, Blu-ray, DVD...
    async fn format(&self) -> Option<&str> {
        self.0.format.as_deref()
    }
    /// Region where the offer holds; null when not limited or not known.
    async fn region(&self) -> Option<&str> {
        self.0.region.as_deref()
    }
    /// Link to the offer on the platform, when known.
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
}

/// The film's page's own similar films, then the computed ones not already
/// named, at most `first`; both read in the level's one batch.
pub async fn similar_films(
    ctx: &Context<'_>,
    film_id: i32,
    first: usize,
) -> async_graphql::Result<Vec<SimilarFilm>> {
    let (named, computed) = futures_util::try_join!(
        children::<rel::SimilarFilms>(ctx, film_id),
        children::<rel::ComputedSimilarFilms>(ctx, film_id)
    )?;
    let mut films: Vec<SimilarFilm> = named
        .into_iter()
        .map(|row| SimilarFilm {
            film_id: row.similar_film_id,
            reason: row.reason,
            computed: false,
        })
        .collect();
    for row in computed {
        if !films.iter().any(|film| film.film_id == row.other_film_id) {
            films.push(SimilarFilm {
                film_id: row.other_film_id,
                reason: row.reason,
                computed: true,
            });
        }
    }
    films.truncate(first);
    Ok(films)
}

pub struct SimilarFilm {
    pub film_id: i32,
    pub reason: String,
    pub computed: bool,
}

/// A film recommended alongside another, with the reason.
#[Object]
impl SimilarFilm {
    /// The recommended film.
    async fn film(&self, ctx: &Context<'_>) -> async_graphql::Result<Film> {
        film_of_field(ctx, self.film_id).await
    }
    /// Why the two films go together.
    async fn reason(&self) -> &str {
        &self.reason
    }
    /// False when the film's page document names the film; true when
    /// cinegraph derived it from what the films share (people, genres,
    /// decade), which `reason` then states.
    async fn computed(&self) -> bool {
        self.computed
    }
}

pub struct SourceWork(pub source_work::Model);

/// The work a film is adapted from.
#[Object]
impl SourceWork {
    /// Novel, short story, play, memoir or comic.
    async fn kind(&self) -> async_graphql::Result<SourceWorkKind> {
        stored(&self.0.kind, kinds::SourceWorkKind::parse)
    }
    /// The work's title, which may differ from the film's.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The year the work was first published, when known.
    async fn published_year(&self) -> Option<i32> {
        self.0.published_year
    }
    /// What the work is and how the film adapts it, when known.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// The authors: the people credited as NOVEL on the film.
    #[graphql(directive = list_size::apply(assumed(10)))]
    async fn authors(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Person>> {
        credited_people(ctx, self.0.film_id, kinds::CreditKind::Novel).await
    }
}

/// Academy Award counts of a film.
#[derive(SimpleObject)]
pub struct AcademyAwardSummary {
    /// How many Academy Awards the film won; null when unknown.
    pub wins: Option<i32>,
    /// How many Academy Award nominations the film received, wins included;
    /// null when unknown (the source gave only wins, or fewer nominations
    /// than wins).
    pub nominations: Option<i32>,
}
