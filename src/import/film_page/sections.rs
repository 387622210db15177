//! The lists a page holds of its own: quotes, synopsis, outside ratings, box
//! office, critics' reviews, audience reactions, content warnings, who would
//! enjoy it, trivia, FAQ, videos, soundtrack, filming locations and offers.
//! Each is written in page order (positions from 1).

use chrono::Utc;

use super::document::FilmPage;
use super::people::Keys;
use crate::db::entities::*;
use crate::db::queries::film_page::insert_all;
use crate::db::queries::origins::DOCUMENT_PROVIDER;
use crate::db::{DbErr, Transaction};
use crate::kinds::ARTIST_SEPARATOR;

/// Position `index` of a list, counted from 1.
fn position(index: usize) -> ActiveValue<i32> {
    Set(index as i32 + 1)
}

pub async fn write(
    txn: &Transaction,
    film_id: i32,
    page: &FilmPage,
    keys: &Keys<'_>,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let character = |key: &Option<String>| key.as_ref().map(|k| keys.characters[k.as_str()]);
    let quotes = page
        .quotes
        .iter()
        .enumerate()
        .map(|(i, quote)| quote::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: position(i),
            character_id: Set(character(&quote.character)),
            text: Set(quote.text.clone()),
            context: Set(quote.context.clone()),
        });
    insert_all(txn, quotes.collect()).await?;
    let synopsis =
        page.synopsis
            .iter()
            .enumerate()
            .map(|(i, section)| synopsis_section::ActiveModel {
                id: NotSet,
                film_id: Set(film_id),
                position: position(i),
                heading: Set(section.heading.clone()),
                body: Set(section.body.clone()),
                spoiler: Set(section.spoiler),
            });
    insert_all(txn, synopsis.collect()).await?;
    let ratings = page
        .external_ratings
        .iter()
        .map(|rating| external_rating::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            source: Set(rating.source.clone()),
            value: Set(rating.value),
            scale: Set(rating.scale),
            votes: Set(rating.votes),
            provider: Set(DOCUMENT_PROVIDER.to_string()),
        });
    insert_all(txn, ratings.collect()).await?;
    let figures = page
        .box_office
        .iter()
        .map(|figure| box_office_figure::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            kind: Set(figure.kind.clone()),
            amount: Set(figure.amount),
            currency: Set(figure.currency.clone()),
            source: Set(figure.source.clone()),
        });
    insert_all(txn, figures.collect()).await?;
    let reviews = page
        .reviews
        .iter()
        .enumerate()
        .map(|(i, review)| review::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            kind: Set(review.kind.clone()),
            user_id: Set(None),
            author: Set(review.author.clone()),
            outlet: Set(review.outlet.clone()),
            title: Set(review.title.clone()),
            body: Set(review.body.clone()),
            score: Set(review.score),
            spoiler: Set(review.spoiler),
            helpful_count: Set(0),
            position: position(i),
            created_at: Set(now),
            updated_at: Set(now),
        });
    insert_all(txn, reviews.collect()).await?;
    let reactions = page
        .audience_reactions
        .iter()
        .enumerate()
        .map(|(i, reaction)| audience_reaction::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: position(i),
            headline: Set(reaction.headline.clone()),
            description: Set(reaction.description.clone()),
        });
    insert_all(txn, reactions.collect()).await?;
    let warnings =
        page.content_warnings
            .iter()
            .enumerate()
            .map(|(i, text)| content_warning::ActiveModel {
                id: NotSet,
                film_id: Set(film_id),
                position: position(i),
                text: Set(text.clone()),
            });
    insert_all(txn, warnings.collect()).await?;
    let audiences = page.recommended_for.iter().enumerate().map(|(i, text)| {
        recommended_audience::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: position(i),
            text: Set(text.clone()),
        }
    });
    insert_all(txn, audiences.collect()).await?;
    let trivia = page
        .trivia
        .iter()
        .enumerate()
        .map(|(i, text)| trivia::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: position(i),
            text: Set(text.clone()),
        });
    insert_all(txn, trivia.collect()).await?;
    let faq = page
        .faq
        .iter()
        .enumerate()
        .map(|(i, entry)| faq_entry::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: position(i),
            question: Set(entry.question.clone()),
            answer: Set(entry.answer.clone()),
        });
    insert_all(txn, faq.collect()).await?;
    let videos = page
        .videos
        .iter()
        .enumerate()
        .map(|(i, video)| video::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: position(i),
            kind: Set(video.kind.clone()),
            title: Set(video.title.clone()),
            description: Set(video.description.clone()),
            url: Set(video.url.clone()),
        });
    insert_all(txn, videos.collect()).await?;
    let tracks =
        page.soundtrack
            .iter()
            .enumerate()
            .map(|(i, track)| soundtrack_track::ActiveModel {
                id: NotSet,
                film_id: Set(film_id),
                position: position(i),
                title: Set(track.title.clone()),
                artists: Set(track.artists.join(&ARTIST_SEPARATOR.to_string())),
                duration_seconds: Set(track.duration_seconds),
            });
    insert_all(txn, tracks.collect()).await?;
    let locations = page
        .filming_locations
        .iter()
        .enumerate()
        .map(|(i, location)| filming_location::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: position(i),
            place: Set(location.place.clone()),
            note: Set(location.note.clone()),
        });
    insert_all(txn, locations.collect()).await?;
    let offers = page
        .offers
        .iter()
        .enumerate()
        .map(|(i, offer)| offer::ActiveModel {
            id: NotSet,
            film_id: Set(film_id),
            position: position(i),
            platform: Set(offer.platform.clone()),
            kind: Set(offer.kind.clone()),
            format: Set(offer.format.clone()),
            region: Set(offer.region.clone()),
            url: Set(offer.url.clone()),
        });
    insert_all(txn, offers.collect()).await
}
