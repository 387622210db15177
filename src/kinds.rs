//! The closed vocabularies of the data model (credit kinds, review kinds...).
//! Stored as their SCREAMING_CASE names in text columns and validated by the
//! importer; `graphql::types::vocabulary` exposes them as GraphQL enums with
//! the same names and says what each value means.

macro_rules! kinds {
    ($(
        $(#[$doc:meta])*
        $name:ident { $($variant:ident = $text:literal),* $(,)? }
    )*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// The stored names, in the order of `ALL`.
            pub const NAMES: &'static [&'static str] = &[$($text),*];

            /// The stored (and GraphQL) name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)* _ => None }
            }

            /// The stored names of `kinds`, or none for "no filter".
            pub fn names(kinds: Option<Vec<Self>>) -> Vec<String> {
                let mut names: Vec<String> =
                    kinds.unwrap_or_default().into_iter().map(|k| k.as_str().to_string()).collect();
                names.sort();
                names.dedup();
                names
            }

            /// `kinds` as a set (none or empty: no filter).
            pub fn set(kinds: Option<Vec<Self>>) -> KindSet {
                let kinds = kinds.unwrap_or_default().into_iter();
                KindSet(kinds.fold(0, |bits, kind| bits | KindSet::from(kind).0))
            }

            /// Every stored name, for error messages.
            pub fn expected() -> String {
                Self::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        // A `KindSet` has a bit for each kind.
        const _: () = assert!($name::ALL.len() <= 32);

        impl From<$name> for KindSet {
            fn from(kind: $name) -> Self {
                KindSet(1 << kind as u32)
            }
        }
    )*};
}

/// Some kinds of one vocabulary, as bits of their positions in its `ALL`;
/// empty means no filter. A page key carries one: it is copied and hashed
/// for every key, where a list of names was allocated and cloned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct KindSet(u32);

impl KindSet {
    /// Any kind: no filter.
    pub const ANY: Self = Self(0);

    pub fn is_any(self) -> bool {
        self.0 == 0
    }

    /// The set as one bit per kind, for hashing a key that holds it.
    pub fn bits(self) -> u32 {
        self.0
    }

    /// The names (from the vocabulary's `NAMES`) of the kinds in the set.
    pub fn names(self, vocabulary: &'static [&'static str]) -> impl Iterator<Item = &'static str> {
        vocabulary
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, name)| *name)
    }
}

kinds! {
    /// What a person did on a film.
    CreditKind {
        Cast = "CAST",
        Director = "DIRECTOR",
        Writer = "WRITER",
        Composer = "COMPOSER",
        Producer = "PRODUCER",
        Cinematographer = "CINEMATOGRAPHER",
        Editor = "EDITOR",
        Novel = "NOVEL",
    }

    /// Who wrote a review.
    ReviewKind {
        Critic = "CRITIC",
        Editorial = "EDITORIAL",
        User = "USER",
    }

    /// Where an outside rating comes from.
    RatingSource {
        Imdb = "IMDB",
        RottenTomatoes = "ROTTEN_TOMATOES",
        RottenTomatoesAverage = "ROTTEN_TOMATOES_AVERAGE",
        Metacritic = "METACRITIC",
    }

    /// What a box office figure measures.
    BoxOfficeKind {
        Budget = "BUDGET",
        Gross = "GROSS",
        DomesticGross = "DOMESTIC_GROSS",
        WorldwideGross = "WORLDWIDE_GROSS",
    }

    /// How a film can be watched.
    OfferKind {
        Stream = "STREAM",
        Rent = "RENT",
        Buy = "BUY",
        Physical = "PHYSICAL",
    }

    /// What kind of video.
    VideoKind {
        Trailer = "TRAILER",
        Bonus = "BONUS",
        Clip = "CLIP",
    }

    /// What kind of product.
    ProductKind {
        BluRay = "BLU_RAY",
        Dvd = "DVD",
        Cd = "CD",
        Book = "BOOK",
        Digital = "DIGITAL",
        Merchandise = "MERCHANDISE",
    }

    /// What kind of work a film is adapted from.
    SourceWorkKind {
        Novel = "NOVEL",
        ShortStory = "SHORT_STORY",
        Play = "PLAY",
        Memoir = "MEMOIR",
        Comic = "COMIC",
    }

    /// Who can see a user's list of films.
    ListVisibility {
        Public = "PUBLIC",
        Unlisted = "UNLISTED",
        Private = "PRIVATE",
    }

    /// What made a revision of a film.
    RevisionKind {
        Created = "CREATED",
        Updated = "UPDATED",
        Imported = "IMPORTED",
        Reverted = "REVERTED",
    }

    /// What happened to an entity, in the changes feed.
    ChangeKind {
        Created = "CREATED",
        Updated = "UPDATED",
        Deleted = "DELETED",
    }

    /// The kinds of entity the changes feed reports.
    ChangeEntity {
        Film = "FILM",
    }

    /// What an image shows.
    ImageKind {
        Poster = "POSTER",
        Backdrop = "BACKDROP",
        Still = "STILL",
        Profile = "PROFILE",
    }

    /// How a film was released in a country.
    ReleaseKind {
        Premiere = "PREMIERE",
        Festival = "FESTIVAL",
        LimitedTheatrical = "LIMITED_THEATRICAL",
        Theatrical = "THEATRICAL",
        Digital = "DIGITAL",
        Physical = "PHYSICAL",
        Tv = "TV",
    }

    /// A company's part in a film.
    CompanyRole {
        Production = "PRODUCTION",
        Distribution = "DISTRIBUTION",
    }

    /// A section of a film page, as `setFilmSection` replaces it.
    PageSection {
        BasedOn = "BASED_ON",
        CastAndCrew = "CAST_AND_CREW",
        Quotes = "QUOTES",
        Synopsis = "SYNOPSIS",
        ExternalRatings = "EXTERNAL_RATINGS",
        BoxOffice = "BOX_OFFICE",
        Reviews = "REVIEWS",
        AudienceReactions = "AUDIENCE_REACTIONS",
        RecommendedFor = "RECOMMENDED_FOR",
        ContentWarnings = "CONTENT_WARNINGS",
        Awards = "AWARDS",
        Trivia = "TRIVIA",
        Faq = "FAQ",
        Videos = "VIDEOS",
        Soundtrack = "SOUNDTRACK",
        Locations = "LOCATIONS",
        Offers = "OFFERS",
        SimilarFilms = "SIMILAR_FILMS",
        Products = "PRODUCTS",
        Titles = "TITLES",
        Releases = "RELEASES",
        Images = "IMAGES",
        Keywords = "KEYWORDS",
        Collection = "COLLECTION",
        Companies = "COMPANIES",
    }
}

/// Separates the artists stored in one `soundtrack_track.artists` column
/// (a control character no name contains).
pub const ARTIST_SEPARATOR: char = '\u{1f}';

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_set_names_its_kinds_in_vocabulary_order() {
        let set = CreditKind::set(Some(vec![
            CreditKind::Novel,
            CreditKind::Cast,
            CreditKind::Cast,
        ]));
        let names: Vec<_> = set.names(CreditKind::NAMES).collect();
        assert_eq!(names, ["CAST", "NOVEL"]);
        assert!(!set.is_any());
        for none in [None, Some(Vec::new())] {
            assert_eq!(CreditKind::set(none), KindSet::ANY);
        }
        let last = ReviewKind::ALL[ReviewKind::ALL.len() - 1];
        let names: Vec<_> = KindSet::from(last).names(ReviewKind::NAMES).collect();
        assert_eq!(names, [last.as_str()]);
    }
}
