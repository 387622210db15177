//! The closed vocabularies (credit kinds, review kinds, ...) as GraphQL enums,
//! with what each value means. They mirror `crate::kinds`, where the stored
//! names live; `remote` derives the conversions both ways, so the two lists
//! cannot drift apart without a compile error.

use async_graphql::Enum;

use crate::error::AppError;
use crate::graphql::context::GqlResult;
use crate::kinds::KindSet;

/// What a person did on a film.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::kinds::CreditKind")]
pub enum CreditKind {
    /// Acted a character.
    #[graphql(name = "CAST")]
    Cast,
    /// Directed the film.
    #[graphql(name = "DIRECTOR")]
    Director,
    /// Wrote the screenplay or the story.
    #[graphql(name = "WRITER")]
    Writer,
    /// Composed the film's music.
    #[graphql(name = "COMPOSER")]
    Composer,
    /// Produced the film.
    #[graphql(name = "PRODUCER")]
    Producer,
    /// Photographed the film (director of photography).
    #[graphql(name = "CINEMATOGRAPHER")]
    Cinematographer,
    /// Edited the film.
    #[graphql(name = "EDITOR")]
    Editor,
    /// Wrote the novel (or other source work) the film is based on.
    #[graphql(name = "NOVEL")]
    Novel,
}

/// Who wrote a review.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::kinds::ReviewKind")]
pub enum ReviewKind {
    /// A professional critic, with outlet.
    #[graphql(name = "CRITIC")]
    Critic,
    /// cinegraph's own editorial review.
    #[graphql(name = "EDITORIAL")]
    Editorial,
    /// A signed-up user.
    #[graphql(name = "USER")]
    User,
}

/// Where an outside rating comes from.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::kinds::RatingSource")]
pub enum RatingSource {
    /// IMDb users' rating, out of 10.
    #[graphql(name = "IMDB")]
    Imdb,
    /// Rotten Tomatoes critics' Tomatometer (percent fresh).
    #[graphql(name = "ROTTEN_TOMATOES")]
    RottenTomatoes,
    /// Rotten Tomatoes critics' average score.
    #[graphql(name = "ROTTEN_TOMATOES_AVERAGE")]
    RottenTomatoesAverage,
    /// Metacritic's Metascore from critics, out of 100.
    #[graphql(name = "METACRITIC")]
    Metacritic,
}

/// What a box office figure measures.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::kinds::BoxOfficeKind")]
pub enum BoxOfficeKind {
    /// What the film cost to make.
    #[graphql(name = "BUDGET")]
    Budget,
    /// A gross whose region the source does not state.
    #[graphql(name = "GROSS")]
    Gross,
    /// Takings in the film's home market (for US films, the US and Canada).
    #[graphql(name = "DOMESTIC_GROSS")]
    DomesticGross,
    /// Takings in every market together.
    #[graphql(name = "WORLDWIDE_GROSS")]
    WorldwideGross,
}

/// How a film can be watched.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::kinds::OfferKind")]
pub enum OfferKind {
    /// Included in a streaming subscription.
    #[graphql(name = "STREAM")]
    Stream,
    /// Rented for a limited time.
    #[graphql(name = "RENT")]
    Rent,
    /// Bought to keep, usually as a digital copy.
    #[graphql(name = "BUY")]
    Buy,
    /// A disc or other physical copy.
    #[graphql(name = "PHYSICAL")]
    Physical,
}

/// What kind of video.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::kinds::VideoKind")]
pub enum VideoKind {
    /// A trailer or teaser.
    #[graphql(name = "TRAILER")]
    Trailer,
    /// Bonus content: interviews, ceremonies, analyses.
    #[graphql(name = "BONUS")]
    Bonus,
    /// An excerpt of the film.
    #[graphql(name = "CLIP")]
    Clip,
}

/// What kind of product.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::kinds::ProductKind")]
pub enum ProductKind {
    /// A Blu-ray disc or box set.
    #[graphql(name = "BLU_RAY")]
    BluRay,
    /// A DVD or DVD box set.
    #[graphql(name = "DVD")]
    Dvd,
    /// A music CD, such as the soundtrack album.
    #[graphql(name = "CD")]
    Cd,
    /// A book, such as the novel or a making-of.
    #[graphql(name = "BOOK")]
    Book,
    /// A download or digital edition.
    #[graphql(name = "DIGITAL")]
    Digital,
    /// Posters, clothing, toys and other merchandise.
    #[graphql(name = "MERCHANDISE")]
    Merchandise,
}

/// What kind of work a film is adapted from.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::kinds::SourceWorkKind")]
pub enum SourceWorkKind {
    /// A novel.
    #[graphql(name = "NOVEL")]
    Novel,
    /// A short story or novella.
    #[graphql(name = "SHORT_STORY")]
    ShortStory,
    /// A stage play.
    #[graphql(name = "PLAY")]
    Play,
    /// A memoir or autobiography.
    #[graphql(name = "MEMOIR")]
    Memoir,
    /// A comic book or graphic novel.
    #[graphql(name = "COMIC")]
    Comic,
}

/// Reads a stored vocabulary value as its GraphQL enum; the importer only
/// writes valid ones.
pub fn stored<K, G: From<K>>(text: &str, parse: fn(&str) -> Option<K>) -> async_graphql::Result<G> {
    parse(text)
        .map(G::from)
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("unknown stored value {text:?}")))
        .gql()
}

/// The stored kinds a list argument names (none: no filter).
pub fn kind_set<G, K>(kinds: Option<Vec<G>>, set: fn(Option<Vec<K>>) -> KindSet) -> KindSet
where
    K: From<G>,
{
    set(kinds.map(|kinds| kinds.into_iter().map(K::from).collect()))
}

/// How a film's cast is ordered in `Film.credits`.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CastOrder {
    /// The source gave billing: the cast in billing order (`billingOrder`
    /// set), followed by any cast it did not bill, by prominence.
    #[graphql(name = "BILLING")]
    Billing,
    /// No billing is known (the catalogue lists cast alphabetically):
    /// the cast by prominence, the person's number of credits in cinegraph,
    /// most first, then name. `billingOrder` is null.
    #[graphql(name = "PROMINENCE")]
    Prominence,
}

/// What happened to an entity, in the changes feed.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::kinds::ChangeKind")]
pub enum ContentChangeKind {
    /// It was created.
    #[graphql(name = "CREATED")]
    Created,
    /// It changed.
    #[graphql(name = "UPDATED")]
    Updated,
    /// It was deleted.
    #[graphql(name = "DELETED")]
    Deleted,
}

/// The kinds of entity the changes feed reports.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::kinds::ChangeEntity")]
pub enum ContentEntity {
    /// A film: its facts or any part of its page.
    #[graphql(name = "FILM")]
    Film,
}

/// What made a revision of a film.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::kinds::RevisionKind")]
pub enum RevisionKind {
    /// An editor created the film (`createFilm`).
    #[graphql(name = "CREATED")]
    Created,
    /// An editor changed the film's own facts (`updateFilm`) or a section of its page (`setFilmSection`).
    #[graphql(name = "UPDATED")]
    Updated,
    /// A page document was written: a file by `cinegraph import` or at
    /// start, or an editor's `importFilmPage`.
    #[graphql(name = "IMPORTED")]
    Imported,
    /// An editor put the film back as an earlier revision left it (`revertFilm`).
    #[graphql(name = "REVERTED")]
    Reverted,
}

/// Who can see a list of films.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::kinds::ListVisibility")]
pub enum ListVisibility {
    /// Anyone; shown on the owner's profile and on `Film.lists`.
    #[graphql(name = "PUBLIC")]
    Public,
    /// Anyone with its id; listed nowhere.
    #[graphql(name = "UNLISTED")]
    Unlisted,
    /// The owner alone; NOT_FOUND to anyone else.
    #[graphql(name = "PRIVATE")]
    Private,
}

/// What an image shows.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::kinds::ImageKind")]
pub enum ImageKind {
    /// A poster: portrait, usually with the title on it.
    #[graphql(name = "POSTER")]
    Poster,
    /// A wide image for the background of a page.
    #[graphql(name = "BACKDROP")]
    Backdrop,
    /// A frame from the film or a set photograph.
    #[graphql(name = "STILL")]
    Still,
    /// A photograph of one of the film's people (`Image.person`).
    #[graphql(name = "PROFILE")]
    Profile,
}

/// How a film was released in a country.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::kinds::ReleaseKind")]
pub enum ReleaseKind {
    /// A premiere, before any other release there.
    #[graphql(name = "PREMIERE")]
    Premiere,
    /// A screening at a film festival.
    #[graphql(name = "FESTIVAL")]
    Festival,
    /// In a few cinemas only.
    #[graphql(name = "LIMITED_THEATRICAL")]
    LimitedTheatrical,
    /// In cinemas.
    #[graphql(name = "THEATRICAL")]
    Theatrical,
    /// To stream, rent or buy online.
    #[graphql(name = "DIGITAL")]
    Digital,
    /// On disc or tape.
    #[graphql(name = "PHYSICAL")]
    Physical,
    /// On television.
    #[graphql(name = "TV")]
    Tv,
}

/// A company's part in a film.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::kinds::CompanyRole")]
pub enum CompanyRole {
    /// It made the film (a studio, a production company).
    #[graphql(name = "PRODUCTION")]
    Production,
    /// It released the film to cinemas, shops or services.
    #[graphql(name = "DISTRIBUTION")]
    Distribution,
}

/// A section of a film page, as `setFilmSection` replaces it: its value is
/// the section as the page document format writes it (see the README).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(remote = "crate::kinds::PageSection")]
pub enum PageSection {
    /// The book or play the film is based on (`basedOn`: an object, or null for none).
    #[graphql(name = "BASED_ON")]
    BasedOn,
    /// The people, characters and credits, together (an object with `people`, `characters` and `credits`), since credits name the other two.
    #[graphql(name = "CAST_AND_CREW")]
    CastAndCrew,
    /// Memorable quotes.
    #[graphql(name = "QUOTES")]
    Quotes,
    /// The synopsis' headed sections.
    #[graphql(name = "SYNOPSIS")]
    Synopsis,
    /// Ratings from elsewhere (the page's own; the catalogue's stay).
    #[graphql(name = "EXTERNAL_RATINGS")]
    ExternalRatings,
    /// Box office figures (the page's own; the catalogue's stay).
    #[graphql(name = "BOX_OFFICE")]
    BoxOffice,
    /// Critics' and editorial reviews (users' reviews are theirs).
    #[graphql(name = "REVIEWS")]
    Reviews,
    /// How audiences reacted.
    #[graphql(name = "AUDIENCE_REACTIONS")]
    AudienceReactions,
    /// Who would enjoy the film.
    #[graphql(name = "RECOMMENDED_FOR")]
    RecommendedFor,
    /// Content warnings.
    #[graphql(name = "CONTENT_WARNINGS")]
    ContentWarnings,
    /// Award nominations and wins (`nominations`).
    #[graphql(name = "AWARDS")]
    Awards,
    /// Trivia.
    #[graphql(name = "TRIVIA")]
    Trivia,
    /// Frequently asked questions.
    #[graphql(name = "FAQ")]
    Faq,
    /// Trailers, clips and bonus videos.
    #[graphql(name = "VIDEOS")]
    Videos,
    /// Soundtrack tracks.
    #[graphql(name = "SOUNDTRACK")]
    Soundtrack,
    /// Filming locations (`filmingLocations`).
    #[graphql(name = "LOCATIONS")]
    Locations,
    /// Where to watch.
    #[graphql(name = "OFFERS")]
    Offers,
    /// The page's own similar films.
    #[graphql(name = "SIMILAR_FILMS")]
    SimilarFilms,
    /// Related products.
    #[graphql(name = "PRODUCTS")]
    Products,
    /// Localised titles and overviews.
    #[graphql(name = "TITLES")]
    Titles,
    /// Releases per country with their certifications.
    #[graphql(name = "RELEASES")]
    Releases,
    /// Posters, backdrops, stills and profile photos.
    #[graphql(name = "IMAGES")]
    Images,
    /// Keywords.
    #[graphql(name = "KEYWORDS")]
    Keywords,
    /// The film's collection and place in it (`collection`: an object, or null for none).
    #[graphql(name = "COLLECTION")]
    Collection,
    /// Production and distribution companies.
    #[graphql(name = "COMPANIES")]
    Companies,
}
