//! The facets of the `films` list (`FilmListSummary.facets`): counts for a
//! filter sidebar, each under every filter of the list but its own
//! (disjunctive), cached per filter like `totalCount`. The SQL is
//! `db::queries::facets`.

use async_graphql::{Context, Enum, Object, SimpleObject};

use super::list::cached;
use crate::db::queries::facets::{self as counts, Facet};
use crate::db::queries::film_list as list;
use crate::graphql::context::{GqlResult, db};
use crate::graphql::cost::{assumed, list_size};
use crate::graphql::types::genre::Genre;

/// The facets of a film list, computed only when asked.
pub struct FilmFacets {
    pub(super) filter: list::FilmFilter,
}

/// How many films of the list have a genre.
#[derive(SimpleObject, Clone)]
pub struct GenreFacet {
    /// A genre that films of the list have.
    pub genre: Genre,
    /// How many films of the list (leaving out its genre filter) have it.
    pub count: i64,
}

/// How many films of the list came out in a decade.
#[derive(SimpleObject, Clone)]
pub struct DecadeFacet {
    /// The decade's first year, such as 1990.
    pub decade: i32,
    /// How many films of the list (leaving out its `releaseYear` filter) came
    /// out in the decade.
    pub count: i64,
}

/// How many films of the list were made in a country.
#[derive(SimpleObject, Clone)]
pub struct CountryFacet {
    /// A country of production, as the `countries` filter takes it.
    pub country: String,
    /// How many films of the list (leaving out its `countries` filter) were
    /// made in it.
    pub count: i64,
}

/// How many films of the list are spoken in a language.
#[derive(SimpleObject, Clone)]
pub struct LanguageFacet {
    /// A spoken language, as the `languages` filter takes it.
    pub language: String,
    /// How many films of the list (leaving out its `languages` filter) are
    /// spoken in it.
    pub count: i64,
}

/// How many films of the list have a certification.
#[derive(SimpleObject, Clone)]
pub struct CertificationFacet {
    /// A certification such as R, as the `certifications` filter takes it.
    pub certification: String,
    /// How many films of the list (leaving out its `certifications` filter)
    /// have it.
    pub count: i64,
}

/// A band of running times. The bands cover every running time once; each
/// `RuntimeFacet` gives its band's bounds, to pass to `runtimeMinutes`.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "crate::db::queries::facets::RuntimeBand")]
pub enum RuntimeBand {
    /// Under 90 minutes (0 to 89).
    #[graphql(name = "UNDER_90")]
    Under90,
    /// 90 to 119 minutes.
    #[graphql(name = "FROM_90_TO_119")]
    From90To119,
    /// 120 to 149 minutes.
    #[graphql(name = "FROM_120_TO_149")]
    From120To149,
    /// 150 minutes or more.
    #[graphql(name = "FROM_150")]
    From150,
}

/// How many films of the list run for a band of running times.
#[derive(SimpleObject, Clone)]
pub struct RuntimeFacet {
    /// The band of running times.
    pub band: RuntimeBand,
    /// The band's shortest running time in minutes (inclusive).
    pub min_minutes: i32,
    /// The band's longest running time in minutes (inclusive); null for the
    /// last band, which has no upper bound.
    pub max_minutes: Option<i32>,
    /// How many films of the list (leaving out its `runtimeMinutes` filter)
    /// run for a time in the band.
    pub count: i64,
}

impl FilmFacets {
    /// The list's filter without the facet's own, which is also what the
    /// counts are cached under: picking another value of the same facet
    /// reuses them.
    fn filter(&self, facet: Facet) -> list::FilmFilter {
        self.filter.without(facet)
    }
}

/// Counts for a filter sidebar. Facets are disjunctive: each facet counts
/// the films matching every filter of the list except its own (the genres
/// facet ignores `genres` and `genreMatch`, decades `releaseYear`, countries
/// `countries`, languages `languages`, certifications `certifications`,
/// runtimes `runtimeMinutes`), so it still shows what each of its other
/// values would give. Films whose value is not known are not counted in that
/// facet, and values no film has are left out.
#[Object]
impl FilmFacets {
    /// Films per genre, most films first, then by name; ignores the list's
    /// `genres` and `genreMatch`.
    #[graphql(directive = list_size::apply(assumed(30)))]
    async fn genres(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<GenreFacet>> {
        let filter = self.filter(Facet::Genres);
        let counted = cached(ctx, "genres", &filter, || counts::genres(db(ctx), &filter)).await;
        let facets = counted.gql()?.into_iter().map(|(genre, count)| GenreFacet {
            genre: Genre(genre),
            count,
        });
        Ok(facets.collect())
    }
    /// Films per decade of release, oldest first; ignores the list's
    /// `releaseYear`. Films whose year is not known are not counted.
    #[graphql(directive = list_size::apply(assumed(15)))]
    async fn decades(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DecadeFacet>> {
        let filter = self.filter(Facet::Decades);
        let counted = cached(ctx, "decades", &filter, || {
            counts::decades(db(ctx), &filter)
        })
        .await;
        let facets = counted
            .gql()?
            .into_iter()
            .map(|(decade, count)| DecadeFacet { decade, count });
        Ok(facets.collect())
    }
    /// Films per country of production, most films first, then by name;
    /// ignores the list's `countries`. A film made in several countries
    /// counts in each.
    #[graphql(directive = list_size::apply(assumed(100)))]
    async fn countries(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CountryFacet>> {
        let filter = self.filter(Facet::Countries);
        let compute = || counts::countries(db(ctx), &filter);
        let counted = cached(ctx, "countries", &filter, compute).await;
        let facets = counted
            .gql()?
            .into_iter()
            .map(|(country, count)| CountryFacet { country, count });
        Ok(facets.collect())
    }
    /// Films per spoken language, most films first, then by name; ignores
    /// the list's `languages`. A film in several languages counts in each.
    #[graphql(directive = list_size::apply(assumed(100)))]
    async fn languages(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<LanguageFacet>> {
        let filter = self.filter(Facet::Languages);
        let compute = || counts::languages(db(ctx), &filter);
        let counted = cached(ctx, "languages", &filter, compute).await;
        let facets = counted
            .gql()?
            .into_iter()
            .map(|(language, count)| LanguageFacet { language, count });
        Ok(facets.collect())
    }
    /// Films per certification, most films first, then by name; ignores the
    /// list's `certifications`. Films without a certification are not counted.
    #[graphql(directive = list_size::apply(assumed(20)))]
    async fn certifications(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<CertificationFacet>> {
        let filter = self.filter(Facet::Certifications);
        let compute = || counts::certifications(db(ctx), &filter);
        let counted = cached(ctx, "certifications", &filter, compute).await;
        let facets = counted
            .gql()?
            .into_iter()
            .map(|(certification, count)| CertificationFacet {
                certification,
                count,
            });
        Ok(facets.collect())
    }
    /// Films per band of running time, shortest band first; ignores the
    /// list's `runtimeMinutes`. Films whose length is not known are not
    /// counted; bands without films are left out.
    #[graphql(directive = list_size::apply(assumed(4)))]
    async fn runtimes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RuntimeFacet>> {
        let filter = self.filter(Facet::Runtimes);
        let compute = || counts::runtimes(db(ctx), &filter);
        let counted = cached(ctx, "runtimes", &filter, compute).await;
        let facets = counted
            .gql()?
            .into_iter()
            .map(|(band, count)| RuntimeFacet {
                band: band.into(),
                min_minutes: band.min_minutes(),
                max_minutes: band.max_minutes(),
                count,
            });
        Ok(facets.collect())
    }
}
