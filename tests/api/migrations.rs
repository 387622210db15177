//! Migrations are reversible: down removes every table, up brings them back.

use migrations::{Migrator, MigratorTrait};
use sea_orm::ConnectionTrait;

use crate::helpers::{TestApp, on_both_databases};

async fn migrations_go_down_and_up_again(app: TestApp) {
    assert!(app.count_rows("film").await > 0);
    Migrator::down(&app.connection, None).await.expect("down");
    let gone = app
        .connection
        .execute_unprepared("SELECT COUNT(*) FROM film")
        .await;
    assert!(gone.is_err(), "film table still exists after down");
    Migrator::up(&app.connection, None).await.expect("up");
    assert_eq!(app.count_rows("film").await, 0);
    assert_eq!(
        Migrator::get_pending_migrations(&app.connection)
            .await
            .unwrap()
            .len(),
        0
    );
}

on_both_databases!(migrations_go_down_and_up_again);
