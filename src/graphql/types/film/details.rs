//! A film's details beside its page: localised titles and overviews (chosen
//! by `language` or the client's `Accept-Language`), releases per country
//! with their certification, images (and the best poster for a width),
//! keywords, its collection and its companies.

use async_graphql::{Context, ID, Object, SimpleObject};

use super::{Film, films_by_ids};
use crate::db::entities::*;
use crate::db::queries::rows::rel;
use crate::domain::languages::Languages;
use crate::error::AppError;
use crate::graphql::context::{GqlResult, loader};
use crate::graphql::cost::{assumed, list_size};
use crate::graphql::loaders::RowLoader;
use crate::graphql::types::global_id;
use crate::graphql::types::person::Person;
use crate::graphql::types::vocabulary::*;
use crate::ids::NodeKind;
use crate::import::film_page::{is_country_code, is_language_tag};
use crate::kinds;

/// The languages a localised field answers in: its `language` argument,
/// else the client's `Accept-Language`.
pub fn languages(ctx: &Context<'_>, argument: Option<&str>) -> async_graphql::Result<Languages> {
    match argument {
        Some(tag) if is_language_tag(tag) => Ok(Languages::only(tag)),
        Some(tag) => Err(AppError::bad_input(format!(
            "`language` {tag:?} is not a language tag such as fr or pt-BR"
        )))
        .gql(),
        None => Ok(ctx.data_opt::<Languages>().cloned().unwrap_or_default()),
    }
}

/// The film's localised title row the languages choose, if any (read only
/// when some language is asked for).
pub async fn localised(
    ctx: &Context<'_>,
    film_id: i32,
    languages: &Languages,
) -> async_graphql::Result<Option<film_title::Model>> {
    if languages.is_empty() {
        return Ok(None);
    }
    let titles = loader(ctx).children::<rel::Titles>(film_id).await.gql()?;
    let best = languages.best(titles.iter().map(|t| t.language.as_str()));
    Ok(best.map(|i| titles[i].clone()))
}

/// The country argument of a field, checked.
pub fn country(argument: Option<String>) -> async_graphql::Result<Option<String>> {
    match argument {
        Some(code) if !is_country_code(&code) => Err(AppError::bad_input(format!(
            "`country` {code:?} is not an ISO 3166-1 alpha-2 code such as US"
        )))
        .gql(),
        other => Ok(other),
    }
}

/// The image of `kind` that suits a client best: among those in the
/// client's language (else in the language of the page's first one, else
/// those without text, else any), the smallest at
/// least `width` pixels wide, or the largest when none is that wide (or no
/// width is asked for).
pub fn best_image(
    images: Vec<image::Model>,
    kind: kinds::ImageKind,
    width: Option<i32>,
    languages: &Languages,
) -> Option<image::Model> {
    let candidates: Vec<image::Model> = images
        .into_iter()
        .filter(|i| i.kind == kind.as_str())
        .collect();
    let tagged = candidates.iter().filter_map(|i| i.language.as_deref());
    // Without a match, the language of the page's first image (its main one).
    let chosen = match languages.best(tagged.clone()) {
        Some(i) => tagged.clone().nth(i),
        None => candidates.first().and_then(|i| i.language.as_deref()),
    };
    let group = |image: &image::Model| match (&image.language, chosen) {
        (Some(tag), Some(chosen)) if tag == chosen => 0,
        (None, _) => 1,
        _ => 2,
    };
    let best_group = candidates.iter().map(group).min()?;
    let group: Vec<&image::Model> = candidates
        .iter()
        .filter(|i| group(i) == best_group)
        .collect();
    let wide_enough = width.and_then(|width| {
        group
            .iter()
            .filter(|i| i.width >= width)
            .min_by_key(|i| i.width)
    });
    let largest = || group.iter().max_by_key(|i| (i.width, -i.position));
    wide_enough.or_else(largest).map(|i| (*i).clone())
}

pub struct Image(pub image::Model);

/// An image in one size: a poster, a backdrop, a still, or a photo of one
/// of the film's people.
#[Object]
impl Image {
    /// What the image shows.
    async fn kind(&self) -> async_graphql::Result<ImageKind> {
        stored(&self.0.kind, kinds::ImageKind::parse)
    }
    /// Where to load it from (an absolute http or https URL).
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// Width in pixels.
    async fn width(&self) -> i32 {
        self.0.width
    }
    /// Height in pixels.
    async fn height(&self) -> i32 {
        self.0.height
    }
    /// Width divided by height (a poster is about 0.67).
    async fn aspect_ratio(&self) -> f64 {
        f64::from(self.0.width) / f64::from(self.0.height)
    }
    /// The language of the text on the image (BCP 47); null when it has none.
    async fn language(&self) -> Option<&str> {
        self.0.language.as_deref()
    }
    /// Who provided it, as its page states.
    async fn source(&self) -> &str {
        &self.0.source
    }
    /// The person a PROFILE photo shows; null for other images.
    async fn person(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Person>> {
        let Some(id) = self.0.person_id else {
            return Ok(None);
        };
        let person = loader(ctx).by_id::<person::Entity>(id).await.gql()?;
        Ok(person.map(Person::new))
    }
}

pub struct LocalisedTitle(pub film_title::Model);

/// The film's title, and its overview when known, in one language.
#[Object]
impl LocalisedTitle {
    /// BCP 47 tag, such as `fr` or `pt-BR`.
    async fn language(&self) -> &str {
        &self.0.language
    }
    /// The title the film has in that language.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// A short spoiler-free overview in that language, when known.
    async fn overview(&self) -> Option<&str> {
        self.0.overview.as_deref()
    }
}

pub struct Release(pub film_release::Model);

/// A release of the film in one country.
#[Object]
impl Release {
    /// ISO 3166-1 alpha-2 code of the country, such as `US`.
    async fn country(&self) -> &str {
        &self.0.country
    }
    /// How it was released; null when the source does not say (the
    /// catalogue knows a film's US certification, not its release).
    async fn kind(&self) -> async_graphql::Result<Option<ReleaseKind>> {
        match &self.0.kind {
            Some(kind) => stored(kind, kinds::ReleaseKind::parse).map(Some),
            None => Ok(None),
        }
    }
    /// The day (ISO 8601); null when the source does not say.
    async fn date(&self) -> Option<chrono::NaiveDate> {
        self.0.release_date
    }
    /// The age certification there, such as `R` (US) or `15` (GB).
    async fn certification(&self) -> Option<&str> {
        self.0.certification.as_deref()
    }
    /// Anything else about this release, such as the festival's name.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    /// Who states it: `film page` (the film's page document, kept by
    /// editors) or `catalogue` (the bundled catalogue's US release: its
    /// certification, and its day when vega-datasets knows it).
    async fn source(&self) -> &str {
        &self.0.provider
    }
}

pub struct Keyword(pub keyword::Model);

/// A subject or theme films share, such as "alcoholism".
#[Object]
impl Keyword {
    /// URL slug, unique.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The keyword as written.
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// A company (a studio, a distributor).
#[derive(SimpleObject)]
pub struct Company {
    /// URL slug, unique.
    pub slug: String,
    /// The company's name.
    pub name: String,
}

/// A company's part in the film.
#[derive(SimpleObject)]
pub struct FilmCompany {
    /// The company.
    pub company: Company,
    /// What it did for the film.
    pub role: CompanyRole,
    /// Who states it: `film page` (the film's page document) or `catalogue`
    /// (the bundled catalogue's US distributor, from vega-datasets).
    pub source: String,
}

#[derive(Clone)]
pub struct Collection(pub collection::Model);

/// A collection of films, such as a franchise's: its films in order.
#[Object]
impl Collection {
    /// Opaque global id; `node(id:)` fetches the collection back.
    pub async fn id(&self) -> ID {
        global_id(NodeKind::Collection, self.0.id)
    }
    /// URL slug, unique; `collection(slug:)` finds it.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// The collection's name, such as "The Matrix Collection".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What the collection is, when known.
    async fn overview(&self) -> Option<&str> {
        self.0.overview.as_deref()
    }
    /// Its films in the collection's order (films that share a place, by
    /// the order they joined).
    #[graphql(directive = list_size::apply(assumed(20)))]
    async fn films(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Film>> {
        let links = loader(ctx)
            .children::<rel::FilmsOfCollection>(self.0.id)
            .await
            .gql()?;
        let mut links = links;
        links.sort_by_key(|l| (l.position, l.id));
        let ids: Vec<i32> = links.iter().map(|l| l.film_id).collect();
        films_by_ids(ctx, &ids).await.gql()
    }
}

/// The film's collection, if it is in one.
pub async fn collection_of(
    ctx: &Context<'_>,
    film_id: i32,
) -> async_graphql::Result<Option<Collection>> {
    let links = loader(ctx)
        .children::<rel::CollectionOfFilm>(film_id)
        .await
        .gql()?;
    let Some(link) = links.first() else {
        return Ok(None);
    };
    let collection = loader(ctx)
        .by_id::<collection::Entity>(link.collection_id)
        .await
        .gql()?;
    Ok(collection.map(Collection))
}

/// The film's keywords in page order.
pub async fn keywords_of(ctx: &Context<'_>, film_id: i32) -> async_graphql::Result<Vec<Keyword>> {
    let links = loader(ctx).children::<rel::Keywords>(film_id).await.gql()?;
    let keywords = loader(ctx)
        .by_ids::<keyword::Entity>(links.iter().map(|l| l.keyword_id).collect())
        .await
        .gql()?;
    Ok(links
        .iter()
        .filter_map(|l| keywords.get(&l.keyword_id).cloned().map(Keyword))
        .collect())
}

/// The film's companies in page order, those of `role` only when given.
pub async fn companies_of(
    ctx: &Context<'_>,
    film_id: i32,
    role: Option<CompanyRole>,
) -> async_graphql::Result<Vec<FilmCompany>> {
    let role = role.map(|r| kinds::CompanyRole::from(r).as_str());
    let links: Vec<film_company::Model> = loader(ctx)
        .children::<rel::Companies>(film_id)
        .await
        .gql()?
        .into_iter()
        .filter(|l| role.is_none_or(|role| l.role == role))
        .collect();
    let companies = loader(ctx)
        .by_ids::<company::Entity>(links.iter().map(|l| l.company_id).collect())
        .await
        .gql()?;
    links
        .into_iter()
        .filter_map(|l| Some((companies.get(&l.company_id)?.clone(), l)))
        .map(|(company, link)| {
            Ok(FilmCompany {
                company: Company {
                    slug: company.slug,
                    name: company.name,
                },
                role: stored(&link.role, kinds::CompanyRole::parse)?,
                source: link.provider,
            })
        })
        .collect()
}
