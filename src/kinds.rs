//! The closed vocabularies of the data model (credit kinds, review kinds...).
//! Stored as their SCREAMING_CASE names in text columns, validated by the
//! importer, and exposed as GraphQL enums with the same names.

macro_rules! kinds {
    ($(
        $(#[$doc:meta])*
        $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),* $(,)? }
    )*) => {$(
        $(#[$doc])*
        #[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vdoc])* #[graphql(name = $text)] $variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

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

            /// Every stored name, for error messages.
            pub fn expected() -> String {
                Self::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
            }
        }
    )*};
}

kinds! {
    /// What a person did on a film.
    CreditKind {
        /// Acted a character.
        Cast = "CAST",
        Director = "DIRECTOR",
        Writer = "WRITER",
        Composer = "COMPOSER",
        Producer = "PRODUCER",
        Cinematographer = "CINEMATOGRAPHER",
        Editor = "EDITOR",
        /// Wrote the novel (or other source work) the film is based on.
        Novel = "NOVEL",
    }

    /// Who wrote a review.
    ReviewKind {
        /// A professional critic, with outlet.
        Critic = "CRITIC",
        /// cinegraph's own editorial review.
        Editorial = "EDITORIAL",
        /// A signed-up user.
        User = "USER",
    }

    /// Where an outside rating comes from.
    RatingSource {
        Imdb = "IMDB",
        /// Rotten Tomatoes critics' Tomatometer (percent fresh).
        RottenTomatoes = "ROTTEN_TOMATOES",
        /// Rotten Tomatoes critics' average score.
        RottenTomatoesAverage = "ROTTEN_TOMATOES_AVERAGE",
        Metacritic = "METACRITIC",
    }

    /// What a box office figure measures.
    BoxOfficeKind {
        Budget = "BUDGET",
        /// A gross whose region the source does not state.
        Gross = "GROSS",
        DomesticGross = "DOMESTIC_GROSS",
        WorldwideGross = "WORLDWIDE_GROSS",
    }

    /// How a film can be watched.
    OfferKind {
        /// Included in a streaming subscription.
        Stream = "STREAM",
        Rent = "RENT",
        Buy = "BUY",
        /// A disc or other physical copy.
        Physical = "PHYSICAL",
    }

    /// What kind of video.
    VideoKind {
        Trailer = "TRAILER",
        /// Bonus content: interviews, ceremonies, analyses.
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
}

/// Separates the artists stored in one `soundtrack_track.artists` column
/// (a control character no name contains).
pub const ARTIST_SEPARATOR: char = '\u{1f}';
