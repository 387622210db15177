//! Existing databases get what a fresh import of the catalogue now gives:
//! the catalogue's implausible box office figures removed (a USD gross under
//! $1,000; a gross of at most a thousandth of the film's budget; a worldwide
//! gross below, or equal to the dollar to, the same source's domestic gross),
//! and Academy Award counts taken from the award graph where it has the
//! film's nominations. A frozen copy of the rules of
//! `import::catalogue::findings` and `summaries::refresh_films`; the film
//! list's `box_office_usd` is recomputed from what is left.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const CATALOGUE: &str = "source IN ('wikidata', 'vega-datasets')";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // The worldwide comparisons first: they read the domestic figures as
        // the floor rule would leave them (the rules of the importer see
        // every figure of a film at once, in this order).
        let gross = "kind <> 'BUDGET' AND currency = 'USD'";
        let floor = format!("{gross} AND amount < 1000");
        let thousandth = format!(
            "{gross} AND EXISTS (SELECT 1 FROM box_office_figure b WHERE b.film_id = box_office_figure.film_id \
             AND b.kind = 'BUDGET' AND b.currency = 'USD' AND box_office_figure.amount * 1000 <= b.amount)"
        );
        let worldwide = String::from(
            "kind = 'WORLDWIDE_GROSS' AND currency = 'USD' AND EXISTS (SELECT 1 FROM box_office_figure d \
             WHERE d.film_id = box_office_figure.film_id AND d.kind = 'DOMESTIC_GROSS' AND d.currency = 'USD' \
             AND d.source = box_office_figure.source AND d.amount >= 1000 \
             AND box_office_figure.amount <= d.amount \
             AND NOT EXISTS (SELECT 1 FROM box_office_figure b WHERE b.film_id = d.film_id \
               AND b.kind = 'BUDGET' AND b.currency = 'USD' AND d.amount * 1000 <= b.amount))",
        );
        for rule in [worldwide, floor, thousandth] {
            db.execute_unprepared(&format!(
                "DELETE FROM box_office_figure WHERE {CATALOGUE} AND {rule}"
            ))
            .await?;
        }
        let academy = "FROM nomination n JOIN award a ON a.id = n.award_id \
                       WHERE n.film_id = film.id AND a.slug = 'academy-award'";
        db.execute_unprepared(&format!(
            "UPDATE film SET \
               academy_award_wins = CASE WHEN EXISTS (SELECT 1 {academy}) \
                 THEN (SELECT SUM(CASE WHEN n.won THEN 1 ELSE 0 END) {academy}) \
                 ELSE academy_award_wins END, \
               academy_award_nominations = CASE WHEN EXISTS (SELECT 1 {academy}) \
                 THEN (SELECT COUNT(*) {academy}) ELSE academy_award_nominations END, \
               box_office_usd = (SELECT MAX(b.amount) FROM box_office_figure b \
                 WHERE b.film_id = film.id AND b.currency = 'USD' AND b.kind <> 'BUDGET')"
        ))
        .await?;
        Ok(())
    }

    /// The dropped figures are not brought back; importing the catalogue
    /// with an older cinegraph would.
    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}
