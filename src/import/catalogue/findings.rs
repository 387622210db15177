//! What the importer does not take from a catalogue line as fact, and why:
//! values that parse but that the source cannot have known (a year-only date
//! written as 1 January), does not say in a way we understand (an award text
//! of another phrasing), or that cannot be true (box office figures). Each
//! is dropped from the film and recorded as a [`Finding`]; `cinegraph import
//! --report FILE` writes them out, and `data/catalogue/import-report.json`
//! keeps the counts for the bundled catalogue.

use std::collections::BTreeMap;

use chrono::Datelike;
use serde::Serialize;

use super::{CatalogueFigure, CatalogueFilm, awards};
use crate::kinds::BoxOfficeKind;

/// A reported gross below this many US dollars is not a theatrical gross
/// (the catalogue's source gives Wonder Woman (2009) $7 and A Little Chaos
/// $10): a unit slipped somewhere.
pub const GROSS_FLOOR_USD: i64 = 1_000;

/// Why a value was dropped; the names are the report's `reason` codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Reason {
    /// `released` is 1 January: the source's way of writing "only the year".
    YearOnlyDate,
    /// `academyAwardsText` is in none of the source's phrasings.
    AwardTextNotUnderstood,
    /// A USD gross below [`GROSS_FLOOR_USD`].
    GrossBelowFloor,
    /// A gross of at most a thousandth of the film's budget.
    GrossAtMostThousandthOfBudget,
    /// A worldwide gross below the same source's domestic gross.
    WorldwideBelowDomestic,
    /// A worldwide gross equal to the dollar to the same source's domestic
    /// gross: the domestic figure copied into the worldwide one (1,021 of
    /// vega-datasets' films).
    WorldwideCopiedFromDomestic,
}

/// One value the importer dropped.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub wikidata_id: String,
    pub imdb_id: Option<String>,
    pub title: String,
    /// The JSON path of the value in the catalogue line.
    pub field: String,
    /// The value as the line gave it.
    pub value: serde_json::Value,
    pub reason: Reason,
    pub detail: String,
}

/// How many values were dropped for each reason.
pub fn summary(findings: &[Finding]) -> BTreeMap<Reason, usize> {
    let mut counts = BTreeMap::new();
    for finding in findings {
        *counts.entry(finding.reason).or_insert(0) += 1;
    }
    counts
}

/// What a rule dropped: the field, its value, why, and the details.
type Dropped = Vec<(String, serde_json::Value, Reason, String)>;

/// Applies every rule to one checked line: drops what it must from `film`
/// (and reads its award text into `film.academy_awards`), and returns what
/// it dropped.
pub fn apply(film: &mut CatalogueFilm) -> Vec<Finding> {
    let mut dropped = Dropped::new();
    keep_known_day(film, &mut dropped);
    read_award_text(film, &mut dropped);
    keep_plausible_box_office(film, &mut dropped);
    dropped
        .into_iter()
        .map(|(field, value, reason, detail)| Finding {
            wikidata_id: film.wikidata_id.clone(),
            imdb_id: film.imdb_id.clone(),
            title: film.title.clone(),
            field,
            value,
            reason,
            detail,
        })
        .collect()
}

/// A release date says only what the source knew. The catalogue's source
/// writes a date it knows only to the year as 1 January (two films in three
/// have it; any other day at most 56 of 17,472), so 1 January means "the
/// year": the date is dropped and the year kept. A film truly released on 1
/// January (about 16 expected by chance) loses its day, the price of not
/// inventing 11,000 others.
fn keep_known_day(film: &mut CatalogueFilm, dropped: &mut Dropped) {
    if let Some(date) = film.released
        && date.month() == 1
        && date.day() == 1
    {
        film.year = film.year.or(Some(date.year()));
        film.released = None;
        dropped.push((
            "released".into(),
            date.to_string().into(),
            Reason::YearOnlyDate,
            format!("1 January stands for the year {} alone", date.year()),
        ));
    }
}

fn read_award_text(film: &mut CatalogueFilm, dropped: &mut Dropped) {
    let Some(text) = &film.academy_awards_text else {
        return;
    };
    film.academy_awards = awards::parse(text);
    if film.academy_awards.is_none() {
        dropped.push((
            "academyAwardsText".into(),
            text.as_str().into(),
            Reason::AwardTextNotUnderstood,
            "not \"Won N Oscar(s).\" and/or \"Nominated for N Oscar(s).\"".into(),
        ));
    }
}

/// Drops the box office figures that cannot be true; every kept figure keeps
/// its source. Which of two contradicting figures is wrong is not known; the
/// worldwide one is dropped, since a worldwide gross contains the domestic.
fn keep_plausible_box_office(film: &mut CatalogueFilm, dropped: &mut Dropped) {
    let kind = |figure: &CatalogueFigure| BoxOfficeKind::parse(&figure.kind);
    let usd = |figure: &CatalogueFigure| figure.currency == "USD";
    let budget = film
        .box_office
        .iter()
        .filter(|f| usd(f) && kind(f) == Some(BoxOfficeKind::Budget))
        .map(|f| f.amount)
        .max();
    let mut verdicts: Vec<Option<(Reason, String)>> = film
        .box_office
        .iter()
        .map(|figure| {
            if !usd(figure) || kind(figure) == Some(BoxOfficeKind::Budget) {
                return None;
            }
            if figure.amount < GROSS_FLOOR_USD {
                return Some((
                    Reason::GrossBelowFloor,
                    format!("${} is below ${GROSS_FLOOR_USD}", figure.amount),
                ));
            }
            match budget {
                Some(budget) if figure.amount.saturating_mul(1000) <= budget => Some((
                    Reason::GrossAtMostThousandthOfBudget,
                    format!(
                        "${} is at most a thousandth of the ${budget} budget",
                        figure.amount
                    ),
                )),
                _ => None,
            }
        })
        .collect();
    for (i, worldwide) in film.box_office.iter().enumerate() {
        if verdicts[i].is_some() || !usd(worldwide) {
            continue;
        }
        if kind(worldwide) != Some(BoxOfficeKind::WorldwideGross) {
            continue;
        }
        let domestic = film.box_office.iter().enumerate().find(|(j, f)| {
            verdicts[*j].is_none()
                && usd(f)
                && kind(f) == Some(BoxOfficeKind::DomesticGross)
                && f.source == worldwide.source
        });
        if let Some((_, domestic)) = domestic {
            let (ww, dom) = (worldwide.amount, domestic.amount);
            verdicts[i] = if ww < dom {
                Some((
                    Reason::WorldwideBelowDomestic,
                    format!("${ww} worldwide is below ${dom} domestic"),
                ))
            } else if ww == dom {
                Some((
                    Reason::WorldwideCopiedFromDomestic,
                    format!("${ww} worldwide equals the domestic gross to the dollar"),
                ))
            } else {
                None
            };
        }
    }
    let figures = std::mem::take(&mut film.box_office);
    for (i, (figure, verdict)) in figures.into_iter().zip(verdicts).enumerate() {
        match verdict {
            None => film.box_office.push(figure),
            Some((reason, detail)) => dropped.push((
                format!("boxOffice[{i}]"),
                serde_json::json!({
                    "kind": figure.kind,
                    "amount": figure.amount,
                    "currency": figure.currency,
                    "source": figure.source,
                }),
                reason,
                detail,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn film(figures: &[(&str, i64, &str)]) -> CatalogueFilm {
        let line = serde_json::json!({
            "wikidataId": "Q1", "imdbId": null, "title": "T", "year": 2000,
            "released": null, "runtime": null, "certification": null,
            "genres": [], "countries": [], "languages": [], "directors": [],
            "writers": [], "cast": [], "ratings": [],
            "boxOffice": figures.iter().map(|(kind, amount, source)| serde_json::json!({
                "kind": kind, "amount": amount, "currency": "USD", "source": source,
            })).collect::<Vec<_>>(),
            "academyAwardsText": null,
        });
        serde_json::from_value(line).unwrap()
    }

    /// The figures kept (kind, amount) and the fields dropped with why.
    type Verdict = (Vec<(String, i64)>, Vec<(String, Reason)>);

    fn kept_and_reasons(mut film: CatalogueFilm) -> Verdict {
        let findings = apply(&mut film);
        let kept = film
            .box_office
            .iter()
            .map(|f| (f.kind.clone(), f.amount))
            .collect();
        let reasons = findings.into_iter().map(|f| (f.field, f.reason)).collect();
        (kept, reasons)
    }

    #[test]
    fn a_gross_below_the_floor_is_dropped() {
        let (kept, reasons) = kept_and_reasons(film(&[("GROSS", 7, "wikidata")]));
        assert!(kept.is_empty());
        assert_eq!(
            reasons,
            [("boxOffice[0]".to_string(), Reason::GrossBelowFloor)]
        );
    }

    #[test]
    fn a_small_budget_is_kept() {
        // Tarnation was made for $218.
        let (kept, reasons) = kept_and_reasons(film(&[
            ("BUDGET", 218, "vega-datasets"),
            ("DOMESTIC_GROSS", 592_014, "vega-datasets"),
        ]));
        assert_eq!(kept.len(), 2);
        assert!(reasons.is_empty());
    }

    #[test]
    fn a_gross_of_a_thousandth_of_the_budget_is_dropped() {
        let (kept, reasons) = kept_and_reasons(film(&[
            ("BUDGET", 12_000_000, "vega-datasets"),
            ("GROSS", 12_000, "wikidata"),
            ("DOMESTIC_GROSS", 12_001, "vega-datasets"),
        ]));
        assert_eq!(
            kept,
            [
                ("BUDGET".to_string(), 12_000_000),
                ("DOMESTIC_GROSS".to_string(), 12_001)
            ]
        );
        assert_eq!(
            reasons,
            [(
                "boxOffice[1]".to_string(),
                Reason::GrossAtMostThousandthOfBudget
            )]
        );
    }

    #[test]
    fn a_worldwide_gross_below_or_equal_to_the_domestic_is_dropped() {
        let (kept, reasons) = kept_and_reasons(film(&[
            ("DOMESTIC_GROSS", 5_000_000, "vega-datasets"),
            ("WORLDWIDE_GROSS", 4_000_000, "vega-datasets"),
        ]));
        assert_eq!(kept, [("DOMESTIC_GROSS".to_string(), 5_000_000)]);
        assert_eq!(
            reasons,
            [("boxOffice[1]".to_string(), Reason::WorldwideBelowDomestic)]
        );
        let (kept, reasons) = kept_and_reasons(film(&[
            ("WORLDWIDE_GROSS", 9_929_135, "vega-datasets"),
            ("DOMESTIC_GROSS", 9_929_135, "vega-datasets"),
        ]));
        assert_eq!(kept, [("DOMESTIC_GROSS".to_string(), 9_929_135)]);
        assert_eq!(
            reasons,
            [(
                "boxOffice[0]".to_string(),
                Reason::WorldwideCopiedFromDomestic
            )]
        );
    }

    #[test]
    fn plausible_figures_are_all_kept() {
        let (kept, reasons) = kept_and_reasons(film(&[
            ("BUDGET", 4_000_000, "vega-datasets"),
            ("DOMESTIC_GROSS", 31_983_777, "vega-datasets"),
            ("WORLDWIDE_GROSS", 49_800_000, "vega-datasets"),
            ("GROSS", 31_983_777, "wikidata"),
        ]));
        assert_eq!(kept.len(), 4);
        assert!(reasons.is_empty());
    }

    #[test]
    fn a_year_only_date_and_an_unknown_award_text_are_reported() {
        let mut line = film(&[]);
        line.released = chrono::NaiveDate::from_ymd_opt(1999, 1, 1);
        line.academy_awards_text = Some("Won 1 Golden Globe.".into());
        let findings = apply(&mut line);
        let reasons: Vec<_> = findings.iter().map(|f| f.reason).collect();
        assert_eq!(
            reasons,
            [Reason::YearOnlyDate, Reason::AwardTextNotUnderstood]
        );
        assert_eq!(line.released, None);
        assert_eq!(line.academy_awards, None);
    }
}
