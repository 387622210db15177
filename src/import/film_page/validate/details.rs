//! The rules of a film's details: localised titles, releases, images,
//! keywords, its collection and its companies.

use std::collections::HashSet;

use chrono::Datelike;

use super::Checker;
use crate::import::film_page::document::FilmPage;
use crate::kinds::*;
use crate::text::slugify;

/// Longest image URL accepted (browsers and CDNs handle this much).
const MAX_URL: usize = 2000;
/// Largest image side, in pixels.
const MAX_SIDE: i32 = 20_000;

/// A BCP 47 tag of the form films use: a language (`fr`, ISO 639), with an
/// optional region (`pt-BR`, ISO 3166-1) or area (`es-419`).
pub fn is_language_tag(tag: &str) -> bool {
    let (language, region) = match tag.split_once('-') {
        Some((language, region)) => (language, Some(region)),
        None => (tag, None),
    };
    let language_ok =
        (2..=3).contains(&language.len()) && language.bytes().all(|b| b.is_ascii_lowercase());
    let region_ok = match region {
        None => true,
        Some(r) => {
            (r.len() == 2 && r.bytes().all(|b| b.is_ascii_uppercase()))
                || (r.len() == 3 && r.bytes().all(|b| b.is_ascii_digit()))
        }
    };
    language_ok && region_ok
}

/// An ISO 3166-1 alpha-2 code, such as `US`.
pub fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

impl Checker<'_> {
    pub(super) fn details(&mut self, page: &FilmPage, people: &HashSet<&str>) {
        let mut languages = HashSet::new();
        for (i, title) in page.titles.iter().enumerate() {
            let path = format!("titles[{i}]");
            self.language(&title.language, format!("{path}.language"));
            self.unique(
                &mut languages,
                &title.language,
                format!("{path}.language"),
                "language",
            );
            self.text(&title.title, format!("{path}.title"));
            if let Some(overview) = &title.overview {
                self.text(overview, format!("{path}.overview"));
            }
        }
        let mut releases = HashSet::new();
        for (i, release) in page.releases.iter().enumerate() {
            let path = format!("releases[{i}]");
            self.require(
                is_country_code(&release.country),
                format!("{path}.country"),
                format!(
                    "{:?} is not an ISO 3166-1 alpha-2 country code such as US",
                    release.country
                ),
            );
            self.kind(
                &release.kind,
                format!("{path}.kind"),
                ReleaseKind::parse,
                ReleaseKind::expected(),
            );
            self.year(release.date.year(), format!("{path}.date"));
            self.require(
                releases.insert((&release.country, &release.kind, release.date)),
                path.clone(),
                format!(
                    "the {} release in {} on {} is listed twice",
                    release.kind, release.country, release.date
                ),
            );
            if let Some(certification) = &release.certification {
                self.text(certification, format!("{path}.certification"));
                self.require(
                    certification.chars().count() <= 20,
                    format!("{path}.certification"),
                    "must be at most 20 characters",
                );
            }
            if let Some(note) = &release.note {
                self.text(note, format!("{path}.note"));
            }
        }
        let mut urls = HashSet::new();
        for (i, image) in page.images.iter().enumerate() {
            let path = format!("images[{i}]");
            self.kind(
                &image.kind,
                format!("{path}.kind"),
                ImageKind::parse,
                ImageKind::expected(),
            );
            self.image_url(&image.url, format!("{path}.url"));
            self.unique(&mut urls, &image.url, format!("{path}.url"), "image URL");
            for (side, value) in [("width", image.width), ("height", image.height)] {
                self.require(
                    (1..=MAX_SIDE).contains(&value),
                    format!("{path}.{side}"),
                    format!("must be between 1 and {MAX_SIDE} pixels"),
                );
            }
            if let Some(language) = &image.language {
                self.language(language, format!("{path}.language"));
            }
            self.text(&image.source, format!("{path}.source"));
            let profile = image.kind == ImageKind::Profile.as_str();
            match &image.person {
                Some(person) => {
                    self.require(
                        profile,
                        format!("{path}.person"),
                        "only PROFILE images show a person",
                    );
                    self.reference(people, person, format!("{path}.person"), "person");
                }
                None => self.require(
                    !profile,
                    format!("{path}.person"),
                    "a PROFILE image names the person it shows",
                ),
            }
        }
        let mut keywords = HashSet::new();
        for (i, keyword) in page.keywords.iter().enumerate() {
            let path = format!("keywords[{i}]");
            if !slugify(keyword).is_empty() && keyword.chars().count() > 100 {
                self.fail(path, "must be at most 100 characters");
                continue;
            }
            self.shared_name(&mut keywords, keyword, path, "keyword");
        }
        if let Some(collection) = &page.collection {
            self.slug(&collection.slug, "collection.slug".into());
            self.text(&collection.name, "collection.name".into());
            if let Some(overview) = &collection.overview {
                self.text(overview, "collection.overview".into());
            }
            self.require(
                (1..=1000).contains(&collection.position),
                "collection.position",
                "must be between 1 and 1000",
            );
        }
        let mut companies = HashSet::new();
        for (i, company) in page.companies.iter().enumerate() {
            let path = format!("companies[{i}]");
            self.kind(
                &company.role,
                format!("{path}.role"),
                CompanyRole::parse,
                CompanyRole::expected(),
            );
            let slug = slugify(&company.name);
            self.require(
                !slug.is_empty(),
                format!("{path}.name"),
                "must contain a letter or a digit",
            );
            self.require(
                companies.insert((slug, company.role.as_str())),
                format!("{path}.name"),
                format!(
                    "{:?} is listed twice as {} (names that differ only in case, accents or punctuation are one company)",
                    company.name, company.role
                ),
            );
        }
    }

    fn language(&mut self, tag: &str, path: String) {
        self.require(
            is_language_tag(tag),
            path,
            format!("{tag:?} is not a language tag such as fr or pt-BR"),
        );
    }

    /// An absolute http(s) URL without spaces: what a client can load.
    fn image_url(&mut self, url: &str, path: String) {
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        let host = rest.map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
        let ok = url.len() <= MAX_URL
            && host.is_some_and(|host| !host.is_empty())
            && !url.chars().any(|c| c.is_whitespace() || c.is_control());
        self.require(
            ok,
            path,
            format!("must be an absolute http or https URL of at most {MAX_URL} characters"),
        );
    }
}
