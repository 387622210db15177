//! Films: the `Film` type with every section of a film page. The small
//! sections' types are in `sections`, the `films` list in `list` with its
//! facets in `facets`, the root fields and look-ups in `query`.
//!
//! Long because `Film` is one `#[Object]` impl (async-graphql takes one per
//! type) with a field for each section of a film page; each field's work is
//! in the module of its section.

mod columns;
mod details;
mod facets;
mod list;
mod query;
mod sections;

use async_graphql::connection::EmptyFields;
use async_graphql::{Context, ID, Object};

#[cfg(test)]
pub(crate) use columns::sdl_fields;
pub use columns::{Film, film_columns};
pub use details::{
    Collection, Company, FilmCompany, Image, Keyword, LocalisedTitle, Release, best_image,
};
pub use list::{FilmFilter, FilmListConnection, FilmOrder, OrderDirection};
pub use query::{
    FilmBy, FilmQuery, credited_people, director_columns, film_by_id, film_of_field, films_by_ids,
    payload_film, people_of, people_of_field,
};
use sections::children;
pub use sections::*;

use super::award::Nomination;
use super::character::{Character, Quote};
use super::credit::{CreditDetails, credit_page};
use super::genre::Genre;
use super::global_id;
use super::person::Person;
use super::product::{Product, products_by_ids};
use super::rating::{Rating, RatingSummary};
use super::review::{AudienceReaction, Review, ReviewOrder};
use super::vocabulary::{CastOrder, CompanyRole, CreditKind, ImageKind, ReviewKind, kind_set};
use crate::db::columns::ColumnSet;
use crate::db::entities::film::Column as C;
use crate::db::entities::{credit, genre, person, quote, review};
use crate::db::queries::pages::{Alone, PageColumns, PagedRelation};
use crate::db::queries::rows::rel;
use crate::graphql::context::{GqlResult, loader};
use crate::graphql::cost::{assumed, connection, list_size, sliced_by};
use crate::graphql::direct::Direct;
use crate::graphql::loaders::RowLoader;
use crate::graphql::pagination::{PageRequest, PagedConnection, first_rows, relation_connection};
use crate::ids::NodeKind;
use crate::kinds::{self, KindSet};

/// A feature film and everything its page shows.
#[Object]
impl Film {
    /// Opaque global id; `node(id:)` fetches the film back.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Film, self.row.id)
    }
    /// URL slug, unique.
    async fn slug(&self) -> &str {
        &self.row(C::Slug).slug
    }
    /// IMDb id (`tt...`), when known.
    async fn imdb_id(&self) -> Option<&str> {
        self.row(C::ImdbId).imdb_id.as_deref()
    }
    /// The title the film is known by; with `language`, or when the client
    /// sends `Accept-Language`, its title in the best matching language the
    /// film has one in (`titles` lists them), else the one it is known by.
    async fn title(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A language tag such as `fr` or `pt-BR`; overrides `Accept-Language`.")]
        language: Option<String>,
    ) -> async_graphql::Result<String> {
        let languages = details::languages(ctx, language.as_deref())?;
        let localised = details::localised(ctx, self.row.id, &languages).await?;
        Ok(match localised {
            Some(title) => title.title,
            None => self.row(C::Title).title.clone(),
        })
    }
    /// The film's title and overview in every language it has one in.
    #[graphql(directive = list_size::apply(assumed(20)))]
    async fn titles(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<LocalisedTitle>> {
        let rows = children::<rel::Titles>(ctx, self.row.id).await?;
        Ok(rows.into_iter().map(LocalisedTitle).collect())
    }
    /// Title in the original language, when it differs.
    async fn original_title(&self) -> Option<&str> {
        self.row(C::OriginalTitle).original_title.as_deref()
    }
    /// First release date (ISO 8601); null unless the source knows the day
    /// (`releaseYear` gives the year of a film whose day is not known).
    async fn release_date(&self) -> Option<chrono::NaiveDate> {
        self.row(C::ReleaseDate).release_date
    }
    /// Year of first release, when known (also for films whose exact date is not).
    async fn release_year(&self) -> Option<i32> {
        self.row(C::ReleaseYear).release_year
    }
    /// Running time in minutes.
    async fn runtime_minutes(&self) -> Option<i32> {
        self.row(C::RuntimeMinutes).runtime_minutes
    }
    /// Age certification (MPAA rating such as `R`).
    async fn certification(&self) -> Option<&str> {
        self.row(C::Certification).certification.as_deref()
    }
    /// The marketing line, such as a poster's, when known.
    async fn tagline(&self) -> Option<&str> {
        self.row(C::Tagline).tagline.as_deref()
    }
    /// The plot in one deliberately clumsy line.
    async fn badly_explained_plot(&self) -> Option<&str> {
        self.row(C::BadlyExplainedPlot)
            .badly_explained_plot
            .as_deref()
    }
    /// A short spoiler-free overview; in another language as `title` chooses
    /// one, when the film has an overview in it.
    async fn overview(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A language tag such as `fr` or `pt-BR`; overrides `Accept-Language`.")]
        language: Option<String>,
    ) -> async_graphql::Result<Option<String>> {
        let languages = details::languages(ctx, language.as_deref())?;
        let localised = details::localised(ctx, self.row.id, &languages).await?;
        Ok(match localised.and_then(|title| title.overview) {
            Some(overview) => Some(overview),
            None => self.row(C::Overview).overview.clone(),
        })
    }
    /// How the film ends and what the ending means. Contains spoilers.
    async fn ending_explained(&self) -> Option<&str> {
        self.row(C::EndingExplained).ending_explained.as_deref()
    }
    /// The overall consensus of critics and audiences in one sentence.
    async fn consensus(&self) -> Option<&str> {
        self.row(C::Consensus).consensus.as_deref()
    }
    /// General advice on where to watch, beside the concrete `offers`.
    async fn where_to_watch_note(&self) -> Option<&str> {
        self.row(C::WhereToWatchNote).where_to_watch_note.as_deref()
    }
    /// What the soundtrack is like and where to hear it, beside the `soundtrack` tracks.
    async fn soundtrack_note(&self) -> Option<&str> {
        self.row(C::SoundtrackNote).soundtrack_note.as_deref()
    }

    /// Wikidata item id (`Q...`), when the film comes from the catalogue.
    async fn wikidata_id(&self) -> Option<&str> {
        self.row(C::WikidataId).wikidata_id.as_deref()
    }
    /// Raised by every change to the film (an editor's or an import's): an
    /// editor sends the one read back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.row(C::Version).version
    }
    /// How many Academy Awards the film won and was nominated for, as its
    /// source counts them (categories are in `nominations` when known); null
    /// when the source says nothing of them.
    async fn academy_awards(&self) -> Option<AcademyAwardSummary> {
        let wins = self.row(C::AcademyAwardWins).academy_award_wins;
        let nominations = self
            .row(C::AcademyAwardNominations)
            .academy_award_nominations;
        match (wins, nominations) {
            (None, None) => None,
            (wins, nominations) => Some(AcademyAwardSummary { wins, nominations }),
        }
    }
    /// The average of cinegraph users' ratings (1 to 10); null when nobody rated it.
    async fn user_rating_average(&self) -> Option<f64> {
        self.row(C::UserRatingAverage).user_rating_average
    }
    /// How many cinegraph users rated the film.
    async fn user_rating_count(&self) -> i32 {
        self.row(C::UserRatingCount).user_rating_count
    }
    /// Users' ratings counted from the ratings themselves: average, count and
    /// how many gave each score.
    async fn rating_summary(&self, ctx: &Context<'_>) -> async_graphql::Result<RatingSummary> {
        super::rating::summary(ctx, self.row(C::UserRatingCount)).await
    }
    /// The signed-in viewer's own rating; null when signed out or not rated.
    async fn viewer_rating(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Rating>> {
        super::rating::viewer_rating(ctx, self.row.id).await
    }
    /// What the signed-in viewer keeps of the film (watchlist, diary,
    /// favourite, rating), for a whole page of films in one statement; null
    /// when signed out.
    async fn viewer_state(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::library::ViewerState>> {
        super::library::viewer_state(ctx, self.row.id).await
    }

    /// Genres, in the order the film's page lists them.
    #[graphql(directive = list_size::apply(assumed(10)))]
    async fn genres(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Genre>> {
        let links = children::<rel::Genres>(ctx, self.row.id).await?;
        let genres = loader(ctx)
            .by_ids::<genre::Entity>(links.iter().map(|l| l.genre_id).collect())
            .await
            .gql()?;
        Ok(links
            .iter()
            .filter_map(|l| genres.get(&l.genre_id).cloned().map(Genre))
            .collect())
    }
    /// Countries of production.
    #[graphql(directive = list_size::apply(assumed(10)))]
    async fn countries(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        let rows = children::<rel::Countries>(ctx, self.row.id).await?;
        Ok(rows.into_iter().map(|r| r.country).collect())
    }
    /// Spoken languages.
    #[graphql(directive = list_size::apply(assumed(10)))]
    async fn languages(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        let rows = children::<rel::Languages>(ctx, self.row.id).await?;
        Ok(rows.into_iter().map(|r| r.language).collect())
    }
    /// The detailed synopsis, section by section. Spoiler sections only when asked.
    #[graphql(directive = list_size::apply(assumed(20)))]
    async fn synopsis(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false, desc = "Include sections that give away the plot.")]
        include_spoilers: bool,
    ) -> async_graphql::Result<Vec<SynopsisSection>> {
        let rows = children::<rel::Synopsis>(ctx, self.row.id).await?;
        Ok(rows
            .into_iter()
            .filter(|s| include_spoilers || !s.spoiler)
            .map(SynopsisSection)
            .collect())
    }
    /// Ratings from outside sources (IMDb, Rotten Tomatoes, Metacritic).
    #[graphql(directive = list_size::apply(assumed(10)))]
    async fn external_ratings(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ExternalRating>> {
        let rows = children::<rel::ExternalRatings>(ctx, self.row.id).await?;
        Ok(rows.into_iter().map(ExternalRating).collect())
    }
    /// Budget and grosses, each with the source that reported it.
    #[graphql(directive = list_size::apply(assumed(20)))]
    async fn box_office(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<BoxOfficeFigure>> {
        let rows = children::<rel::BoxOffice>(ctx, self.row.id).await?;
        Ok(rows.into_iter().map(BoxOfficeFigure).collect())
    }
    /// Cast and crew: the cast first, in billing order where the source gave
    /// it and otherwise by prominence (see `castOrder`), then the crew. Each
    /// edge says the role.
    #[graphql(directive = list_size::apply(connection(20)))]
    async fn credits(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only these kinds of credit (all when omitted).")] kinds: Option<
            Vec<CreditKind>,
        >,
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
    ) -> async_graphql::Result<
        PagedConnection<Direct<Person>, CreditDetails, FilmCreditConnection, FilmCreditEdge>,
    > {
        let request = PageRequest::parse(first, after, last, before).gql()?;
        let kinds = kind_set(kinds, kinds::CreditKind::set);
        let known = self.known_credit_count(kinds);
        let relation = PagedRelation::FilmCredits;
        credit_page(ctx, relation, self.row.id, kinds, known, request).await
    }
    /// How `credits` orders the cast: by the source's billing, or by
    /// prominence where no billing is known. Null when the film has no cast.
    async fn cast_order(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CastOrder>> {
        // Billed cast comes first, so the first cast credit tells.
        let first = first_rows::<credit::Entity, person::Entity>(
            ctx,
            PagedRelation::FilmCredits,
            self.row.id,
            KindSet::from(kinds::CreditKind::Cast),
            1,
            // Only the credit's billing tells; nothing of the person is read.
            (
                ColumnSet::of::<credit::Entity>(&[credit::Column::BillingOrder]),
                ColumnSet::key::<person::Entity>(),
            ),
        )
        .await
        .gql()?;
        Ok(first
            .first()
            .map(|(credit, ..)| match credit.billing_order {
                Some(_) => CastOrder::Billing,
                None => CastOrder::Prominence,
            }))
    }
    /// The directors, in credit order.
    #[graphql(directive = list_size::apply(assumed(5)))]
    async fn directors(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Direct<Person>>> {
        let people = match self.known_directors() {
            Some(people) => people,
            None => credited_people(ctx, self.row.id, kinds::CreditKind::Director).await?,
        };
        Ok(people.into_iter().map(Direct).collect())
    }
    /// The characters of the film, in order of appearance on its page.
    #[graphql(directive = list_size::apply(assumed(50)))]
    async fn characters(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Character>> {
        let rows = children::<rel::Characters>(ctx, self.row.id).await?;
        Ok(rows.into_iter().map(Character).collect())
    }
    /// Memorable quotes with their speakers.
    #[graphql(directive = list_size::apply(connection(20)))]
    async fn quotes(
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
    ) -> async_graphql::Result<
        PagedConnection<Direct<Quote>, EmptyFields, QuoteConnection, QuoteEdge>,
    > {
        let request = PageRequest::parse(first, after, last, before).gql()?;
        relation_connection::<quote::Entity, Alone, _, _, _, _>(
            ctx,
            PagedRelation::FilmQuotes,
            self.row.id,
            KindSet::ANY,
            PageColumns::of(ColumnSet::all::<quote::Entity>(), ColumnSet::NONE),
            request,
            |(quote, (), _)| (Direct(Quote(quote)), EmptyFields),
        )
        .await
        .gql()
    }
    /// Critic, editorial and user reviews.
    #[graphql(directive = list_size::apply(connection(20)))]
    #[allow(clippy::too_many_arguments)]
    async fn reviews(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only these kinds of review (all when omitted).")] kinds: Option<
            Vec<ReviewKind>,
        >,
        #[graphql(desc = "PAGE when omitted.")] order_by: Option<ReviewOrder>,
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
    ) -> async_graphql::Result<
        PagedConnection<Direct<Review>, EmptyFields, ReviewConnection, ReviewEdge>,
    > {
        let relation = match order_by.unwrap_or(ReviewOrder::Page) {
            ReviewOrder::Page => PagedRelation::FilmReviews,
            ReviewOrder::Newest => PagedRelation::FilmReviewsNewest,
            ReviewOrder::MostHelpful => PagedRelation::FilmReviewsMostHelpful,
        };
        let request = PageRequest::parse(first, after, last, before).gql()?;
        relation_connection::<review::Entity, Alone, _, _, _, _>(
            ctx,
            relation,
            self.row.id,
            kind_set(kinds, kinds::ReviewKind::set),
            PageColumns::of(ColumnSet::all::<review::Entity>(), ColumnSet::NONE),
            request,
            |(review, (), _)| (Direct(Review(review)), EmptyFields),
        )
        .await
        .gql()
    }
    /// What audiences said about the film, point by point.
    #[graphql(directive = list_size::apply(assumed(10)))]
    async fn audience_reactions(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<AudienceReaction>> {
        let rows = children::<rel::AudienceReactions>(ctx, self.row.id).await?;
        Ok(rows.into_iter().map(AudienceReaction).collect())
    }
    /// Content warnings for sensitive viewers.
    #[graphql(directive = list_size::apply(assumed(20)))]
    async fn content_warnings(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        let rows = children::<rel::ContentWarnings>(ctx, self.row.id).await?;
        Ok(rows.into_iter().map(|r| r.text).collect())
    }
    /// Who would enjoy the film.
    #[graphql(directive = list_size::apply(assumed(10)))]
    async fn recommended_for(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        let rows = children::<rel::RecommendedAudiences>(ctx, self.row.id).await?;
        Ok(rows.into_iter().map(|r| r.text).collect())
    }
    /// Award nominations and wins, oldest first.
    #[graphql(directive = list_size::apply(assumed(50)))]
    async fn nominations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Nomination>> {
        let rows = children::<rel::Nominations>(ctx, self.row.id).await?;
        Ok(rows.into_iter().map(Nomination).collect())
    }
    /// Behind-the-scenes facts.
    #[graphql(directive = list_size::apply(assumed(50)))]
    async fn trivia(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Trivia>> {
        let rows = children::<rel::Trivia>(ctx, self.row.id).await?;
        Ok(rows.into_iter().map(Trivia).collect())
    }
    /// Frequently asked questions.
    #[graphql(directive = list_size::apply(assumed(20)))]
    async fn faq(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FaqEntry>> {
        let rows = children::<rel::Faq>(ctx, self.row.id).await?;
        Ok(rows.into_iter().map(FaqEntry).collect())
    }
    /// Trailers and bonus videos.
    #[graphql(directive = list_size::apply(assumed(20)))]
    async fn videos(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Video>> {
        let rows = children::<rel::Videos>(ctx, self.row.id).await?;
        Ok(rows.into_iter().map(Video).collect())
    }
    /// Soundtrack tracks in album order.
    #[graphql(directive = list_size::apply(assumed(50)))]
    async fn soundtrack(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SoundtrackTrack>> {
        let rows = children::<rel::Soundtrack>(ctx, self.row.id).await?;
        Ok(rows.into_iter().map(SoundtrackTrack).collect())
    }
    /// Where the film was shot.
    #[graphql(directive = list_size::apply(assumed(20)))]
    async fn filming_locations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<FilmingLocation>> {
        let rows = children::<rel::FilmingLocations>(ctx, self.row.id).await?;
        Ok(rows.into_iter().map(FilmingLocation).collect())
    }
    /// The book or play the film is based on, with its authors.
    async fn based_on(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<SourceWork>> {
        let rows = children::<rel::SourceWorks>(ctx, self.row.id).await?;
        Ok(rows.into_iter().next().map(SourceWork))
    }
    /// Where to stream, rent or buy the film.
    #[graphql(directive = list_size::apply(assumed(20)))]
    async fn offers(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Offer>> {
        let rows = children::<rel::Offers>(ctx, self.row.id).await?;
        Ok(rows.into_iter().map(Offer).collect())
    }
    /// Films like this one, each with the reason: those the film's page
    /// names first, then those computed from shared people, genres and decade.
    #[graphql(directive = list_size::apply(sliced_by(&["first"])))]
    async fn similar_films(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default = 10,
            validator(minimum = 0, maximum = 100),
            desc = "How many films at most (0 to 100): the page's own first, then the computed ones, most alike first."
        )]
        first: i32,
    ) -> async_graphql::Result<Vec<SimilarFilm>> {
        sections::similar_films(ctx, self.row.id, first as usize).await
    }
    /// Public lists that hold the film, the newest first.
    #[graphql(directive = list_size::apply(connection(20)))]
    async fn lists(
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
    ) -> async_graphql::Result<super::lists::ListList> {
        super::lists::lists_of_film(
            ctx,
            self.row.id,
            PageRequest::parse(first, after, last, before).gql()?,
        )
        .await
        .gql()
    }
    /// The film's history, the newest change first: who changed what, when
    /// and why. Editors only (FORBIDDEN otherwise).
    #[graphql(directive = list_size::apply(connection(20)))]
    async fn revisions(
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
    ) -> async_graphql::Result<super::revisions::RevisionList> {
        let request = PageRequest::parse(first, after, last, before).gql()?;
        // Boxed: every field of a film is as large as its largest resolver.
        Box::pin(super::revisions::revisions_of_film(
            ctx,
            self.row.id,
            request,
        ))
        .await
        .gql()
    }
    /// Releases country by country, in the page's order (then the
    /// catalogue's certification, whose release it does not know).
    #[graphql(directive = list_size::apply(assumed(20)))]
    async fn releases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the releases in this country (ISO 3166-1 alpha-2, such as `US`).")]
        country: Option<String>,
    ) -> async_graphql::Result<Vec<Release>> {
        let country = details::country(country)?;
        let rows = children::<rel::Releases>(ctx, self.row.id).await?;
        Ok(rows
            .into_iter()
            .filter(|r| country.as_ref().is_none_or(|c| r.country == *c))
            .map(Release)
            .collect())
    }
    /// Images: posters, backdrops, stills and the people's photos, each size
    /// of each one, in the page's order.
    #[graphql(directive = list_size::apply(assumed(50)))]
    async fn images(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only images of this kind.")] kind: Option<ImageKind>,
    ) -> async_graphql::Result<Vec<Image>> {
        let kind = kind.map(|k| kinds::ImageKind::from(k).as_str());
        let rows = children::<rel::Images>(ctx, self.row.id).await?;
        Ok(rows
            .into_iter()
            .filter(|i| kind.is_none_or(|k| i.kind == k))
            .map(Image)
            .collect())
    }
    /// The poster that suits the client best: in its language (`language`,
    /// else `Accept-Language`), else in the language of the page's first
    /// poster, else one without text, else any; the
    /// smallest at least `width` pixels wide, else the largest. Null when
    /// the film has no poster.
    async fn poster(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            validator(minimum = 1, maximum = 20000),
            desc = "The width in pixels the client will show it at (1 to 20000); the largest when omitted."
        )]
        width: Option<i32>,
        #[graphql(desc = "A language tag such as `fr` or `pt-BR`; overrides `Accept-Language`.")]
        language: Option<String>,
    ) -> async_graphql::Result<Option<Image>> {
        let languages = details::languages(ctx, language.as_deref())?;
        let rows = children::<rel::Images>(ctx, self.row.id).await?;
        let best = details::best_image(rows, kinds::ImageKind::Poster, width, &languages);
        Ok(best.map(Image))
    }
    /// Subjects and themes, in the page's order.
    #[graphql(directive = list_size::apply(assumed(30)))]
    async fn keywords(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Keyword>> {
        details::keywords_of(ctx, self.row.id).await
    }
    /// The collection (franchise) the film belongs to, if any.
    async fn collection(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Collection>> {
        details::collection_of(ctx, self.row.id).await
    }
    /// The companies that made and distributed the film, in the page's order.
    #[graphql(directive = list_size::apply(assumed(10)))]
    async fn companies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the companies with this part.")] role: Option<CompanyRole>,
    ) -> async_graphql::Result<Vec<FilmCompany>> {
        details::companies_of(ctx, self.row.id, role).await
    }
    /// Related products: discs, box sets, soundtracks, merchandise.
    #[graphql(directive = list_size::apply(assumed(20)))]
    async fn products(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Product>> {
        let links = children::<rel::ProductsOfFilm>(ctx, self.row.id).await?;
        products_by_ids(ctx, links.iter().map(|l| l.product_id))
            .await
            .gql()
    }
}
