//! Columns and tables that summarise other rows, refreshed in the importer's
//! transaction: the film list's sort columns, people's credit counts and the
//! search index.

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait, QueryFilter,
};

use crate::db::entities::{film_character, quote, search_document};
use crate::db::queries::origins::{DOCUMENT_PROVIDER, ORIGIN_CATALOGUE, ORIGIN_DOCUMENT};
use crate::db::sql::Sql;
use crate::kinds::{BoxOfficeKind, CreditKind, RatingSource};
use crate::text::fold;

/// `yyyymmdd`, or `yyyy0000` when only the year is known: one sortable number.
pub fn release_sort(date: Option<chrono::NaiveDate>, year: Option<i32>) -> Option<i32> {
    use chrono::Datelike;
    match (date, year) {
        (Some(d), _) => Some(d.year() * 10_000 + d.month() as i32 * 100 + d.day() as i32),
        (None, Some(y)) => Some(y * 10_000),
        (None, None) => None,
    }
}

/// The award graph's slug of the Academy Award (`slugify("Academy Award")`).
pub const ACADEMY_AWARD_SLUG: &str = "academy-award";

/// Recomputes each film's per-source rating columns (a film page's figure wins
/// over the catalogue's), its Academy Award counts where the award graph has
/// its nominations, and its largest reported USD gross.
pub async fn refresh_films(txn: &DatabaseTransaction, film: Option<i32>) -> Result<(), DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("UPDATE film SET ");
    let columns = [
        ("rating_imdb", RatingSource::Imdb),
        ("rating_rotten_tomatoes", RatingSource::RottenTomatoes),
        (
            "rating_rotten_tomatoes_average",
            RatingSource::RottenTomatoesAverage,
        ),
        ("rating_metacritic", RatingSource::Metacritic),
    ];
    for (column, source) in columns {
        sql.push(&format!(
            "{column} = (SELECT er.value FROM external_rating er WHERE er.film_id = film.id AND er.source = "
        ))
        .bind(source.as_str())
        .push(" ORDER BY CASE WHEN er.provider = ")
        .bind(DOCUMENT_PROVIDER)
        .push(" THEN 0 ELSE 1 END, er.id LIMIT 1), ");
    }
    // Where the award graph has the film's Academy Award nominations (a page
    // document listed them by category), the counts are the graph's, so they
    // agree with the `nominations` the same page shows.
    let academy = format!(
        "FROM nomination n JOIN award a ON a.id = n.award_id \
         WHERE n.film_id = film.id AND a.slug = '{ACADEMY_AWARD_SLUG}'"
    );
    sql.push(&format!(
        "academy_award_wins = CASE WHEN EXISTS (SELECT 1 {academy}) \
           THEN (SELECT SUM(CASE WHEN n.won THEN 1 ELSE 0 END) {academy}) \
           ELSE academy_award_wins END, \
         academy_award_nominations = CASE WHEN EXISTS (SELECT 1 {academy}) \
           THEN (SELECT COUNT(*) {academy}) ELSE academy_award_nominations END, "
    ));
    sql.push("box_office_usd = (SELECT MAX(b.amount) FROM box_office_figure b WHERE b.film_id = film.id AND b.currency = 'USD' AND b.kind <> ")
        .bind(BoxOfficeKind::Budget.as_str())
        .push(")");
    if let Some(film) = film {
        sql.push(" WHERE id = ").bind(film);
    }
    sql.execute(txn).await?;
    Ok(())
}

/// Recomputes every person's number of credits (the people list sorts on it).
pub async fn refresh_people(txn: &DatabaseTransaction) -> Result<(), DbErr> {
    txn.execute_unprepared(
        "UPDATE person SET credit_count = (SELECT COUNT(*) FROM credit c WHERE c.person_id = person.id)",
    )
    .await?;
    Ok(())
}

/// Recomputes each credit's place in its film's credit list
/// (`credit.list_position`), where it changed: billed cast in billing order,
/// then the unbilled cast by prominence (the person's credit count, most
/// first, then name), then the crew in credit order; ties by id. Runs after
/// `refresh_people`, whose counts it reads, so a page import that changes a
/// person's count reorders the other films they are in.
pub async fn refresh_credit_order(txn: &DatabaseTransaction) -> Result<(), DbErr> {
    let cast = CreditKind::Cast.as_str();
    txn.execute_unprepared(&format!(
        "UPDATE credit SET list_position = r.n FROM (\
           SELECT c.id, ROW_NUMBER() OVER (PARTITION BY c.film_id ORDER BY \
             CASE WHEN c.kind = '{cast}' THEN 0 ELSE 1 END, \
             CASE WHEN c.kind = '{cast}' THEN COALESCE(c.billing_order, 1000000) ELSE 0 END, \
             CASE WHEN c.kind = '{cast}' THEN -p.credit_count ELSE 0 END, \
             CASE WHEN c.kind = '{cast}' THEN p.name_sort ELSE '' END, \
             c.id) AS n \
           FROM credit c JOIN person p ON p.id = c.person_id) r \
         WHERE credit.id = r.id AND credit.list_position <> r.n"
    ))
    .await?;
    Ok(())
}

/// Copies each film's release year onto its credits (`credit.film_year`, 0
/// when unknown), where it differs: for one film, or for all. Writers set it
/// when they insert a credit; this catches the credits of a film whose year
/// an import changed.
pub async fn refresh_credit_years(
    txn: &DatabaseTransaction,
    film: Option<i32>,
) -> Result<(), DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push(
        "UPDATE credit SET film_year = COALESCE(film.release_year, 0) FROM film \
         WHERE film.id = credit.film_id AND credit.film_year <> COALESCE(film.release_year, 0)",
    );
    if let Some(film) = film {
        sql.push(" AND credit.film_id = ").bind(film);
    }
    sql.execute(txn).await?;
    Ok(())
}

/// A film page's credit replaces the catalogue's credit of the same person and
/// kind; the catalogue's remaining cast (never billed) follows the page's
/// billed cast.
pub async fn reconcile_catalogue_credits(
    txn: &DatabaseTransaction,
    film: i32,
) -> Result<(), DbErr> {
    let mut sql = Sql::new(txn.get_database_backend());
    sql.push("DELETE FROM credit WHERE film_id = ")
        .bind(film)
        .push(" AND origin = ")
        .bind(ORIGIN_CATALOGUE)
        .push(" AND EXISTS (SELECT 1 FROM credit d WHERE d.film_id = credit.film_id AND d.person_id = credit.person_id AND d.kind = credit.kind AND d.origin = ")
        .bind(ORIGIN_DOCUMENT)
        .push(")");
    sql.execute(txn).await?;
    Ok(())
}

/// Writes the search entries of films (every film; `editing::reindex_film`
/// adds a `WHERE` for one): the folded title and year, weighted by credits,
/// and films with page facts first.
pub(crate) const FILM_SEARCH_ENTRIES: &str = "INSERT INTO search_document (kind, target_id, body, weight) \
     SELECT 'FILM', f.id, f.title_sort || COALESCE(' ' || CAST(f.release_year AS TEXT), ''), \
            CAST((SELECT COUNT(*) FROM credit c WHERE c.film_id = f.id) AS DOUBLE PRECISION) \
            + CASE WHEN f.document_hash IS NULL THEN 0 ELSE 100 END \
     FROM film f";

/// Rebuilds the search index from films, people, characters and quotes.
/// Weights rank equally good matches: films and people by how much they are credited.
pub async fn rebuild_search(txn: &DatabaseTransaction) -> Result<(), DbErr> {
    txn.execute_unprepared("DELETE FROM search_document")
        .await?;
    txn.execute_unprepared(FILM_SEARCH_ENTRIES).await?;
    txn.execute_unprepared(
        "INSERT INTO search_document (kind, target_id, body, weight) \
         SELECT 'PERSON', p.id, p.name_sort, CAST(p.credit_count AS DOUBLE PRECISION) FROM person p",
    )
    .await?;
    // Characters and quotes come only from film pages: few rows, folded here.
    let mut rows = Vec::new();
    for character in film_character::Entity::find().all(txn).await? {
        rows.push(("CHARACTER", character.id, fold(&character.name), 10.0));
    }
    for line in quote::Entity::find()
        .filter(quote::Column::Id.gt(0))
        .all(txn)
        .await?
    {
        rows.push(("QUOTE", line.id, fold(&line.text), 5.0));
    }
    for chunk in rows.chunks(200) {
        let models =
            chunk.iter().map(
                |(kind, target, body, weight)| search_document::ActiveModel {
                    id: sea_orm::ActiveValue::NotSet,
                    kind: sea_orm::ActiveValue::Set(kind.to_string()),
                    target_id: sea_orm::ActiveValue::Set(*target),
                    body: sea_orm::ActiveValue::Set(body.clone()),
                    weight: sea_orm::ActiveValue::Set(*weight),
                },
            );
        search_document::Entity::insert_many(models)
            .exec(txn)
            .await?;
    }
    if txn.get_database_backend() == DbBackend::Sqlite {
        txn.execute_unprepared("INSERT INTO search_fts(search_fts) VALUES('rebuild')")
            .await?;
    }
    Ok(())
}

/// Letters whose folding changed (they once folded to one letter, now to
/// two: `ß` → `ss`, `æ` → `ae`, `œ` → `oe`), as SQL `LIKE` patterns.
const REFOLDED_LETTERS: [&str; 6] = ["%ß%", "%ẞ%", "%æ%", "%Æ%", "%œ%", "%Œ%"];

/// Brings the folded text of a database written before a change of
/// `text::fold` up to date: the films and people whose title or name has a
/// letter whose folding changed get their sort key folded again, and the
/// search index is rebuilt when anything it holds may have changed. Reads
/// only rows with those letters, so a database already up to date pays a
/// few scans at start. Returns how many rows changed.
pub async fn refold_changed_letters(txn: &DatabaseTransaction) -> Result<usize, DbErr> {
    let backend = txn.get_database_backend();
    let mut changed = 0;
    for (table, text, folded) in [
        ("film", "title", "title_sort"),
        ("person", "name", "name_sort"),
    ] {
        let mut select = Sql::new(backend);
        select.push(&format!(
            "SELECT id, {text} AS text, {folded} AS folded FROM {table} WHERE 1 = 0"
        ));
        for letter in REFOLDED_LETTERS {
            select.push(&format!(" OR {text} LIKE ")).bind(letter);
        }
        for row in select.query_all(txn).await? {
            let (id, text_value, stored): (i32, String, String) = (
                row.try_get("", "id")?,
                row.try_get("", "text")?,
                row.try_get("", "folded")?,
            );
            let refolded = fold(&text_value);
            if refolded != stored {
                let mut update = Sql::new(backend);
                update
                    .push(&format!("UPDATE {table} SET {folded} = "))
                    .bind(refolded)
                    .push(" WHERE id = ")
                    .bind(id);
                update.execute(txn).await?;
                changed += 1;
            }
        }
    }
    // Characters and quotes are folded into the index only: compare there.
    let mut stale_index = changed > 0;
    for (table, text, kind) in [
        ("film_character", "name", "CHARACTER"),
        ("quote", "text", "QUOTE"),
    ] {
        if stale_index {
            break;
        }
        let mut probe = Sql::new(backend);
        probe
            .push(&format!("SELECT t.{text} AS text, d.body FROM {table} t JOIN search_document d ON d.target_id = t.id AND d.kind = "))
            .bind(kind)
            .push(" WHERE 1 = 0");
        for letter in REFOLDED_LETTERS {
            probe.push(&format!(" OR t.{text} LIKE ")).bind(letter);
        }
        for row in probe.query_all(txn).await? {
            let (text_value, body): (String, String) =
                (row.try_get("", "text")?, row.try_get("", "body")?);
            stale_index |= fold(&text_value) != body;
        }
    }
    if stale_index {
        rebuild_search(txn).await?;
    }
    Ok(changed)
}

/// Fresh planner statistics after a bulk write, and on PostgreSQL the dead
/// rows it left cleared: an import rewrites every film, person and credit
/// once after inserting them (summaries, credit years), and until a vacuum
/// the indexes point at both versions and no page is all-visible. Where
/// autovacuum is off or slow to come (a first start serves at once), B7's
/// cast counts read 972 index entries and 59 heap pages for 486 credits;
/// vacuumed, an index-only scan reads the 486 entries (EXPLAIN ANALYZE:
/// 0.95 ms to 0.31 ms). SQLite keeps no dead rows.
pub async fn analyze(db: &crate::db::Db) -> Result<(), DbErr> {
    let statement = match db.backend() {
        DbBackend::Postgres => "VACUUM (ANALYZE)",
        _ => "ANALYZE",
    };
    db.connection().execute_unprepared(statement).await?;
    Ok(())
}
