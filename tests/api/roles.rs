//! Roles (issue 23, part 1): every account starts a viewer; the command line
//! makes the first admin; only admins grant roles; the last admin stays.

use std::process::Command;

use cinegraph::domain::roles::{self, Role};
use serde_json::json;

use crate::helpers::{TestApp, on_both_databases};

const GRANT: &str = "mutation($u: String!, $r: Role!) {
    grantRole(input: { username: $u, role: $r }) { role user { username } } }";

fn grant(username: &str, role: &str) -> serde_json::Value {
    json!({ "u": username, "r": role })
}

async fn role_of(app: &TestApp, token: &str) -> String {
    let data = app.data_as(token, "{ me { role } }", json!({})).await;
    data["me"]["role"].as_str().unwrap().to_string()
}

async fn only_admins_grant_roles(app: TestApp) {
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    let carol = app.sign_up("carol").await;
    assert_eq!(role_of(&app, &alice).await, "VIEWER");
    // Nobody is an admin yet: not even for oneself.
    let code = app
        .error_code_as(Some(&alice), GRANT, grant("alice", "ADMIN"))
        .await;
    assert_eq!(code, "FORBIDDEN");
    assert_eq!(role_of(&app, &alice).await, "VIEWER");
    // Before any admin exists, the command line gives any role (no admin is
    // lost by making an editor).
    roles::grant(&app.db, "carol", Role::Editor).await.unwrap();
    assert_eq!(role_of(&app, &carol).await, "EDITOR");
    roles::grant(&app.db, "carol", Role::Viewer).await.unwrap();
    // The first admin comes from the command line (its function here).
    roles::grant(&app.db, "alice", Role::Admin).await.unwrap();
    assert_eq!(role_of(&app, &alice).await, "ADMIN");

    let data = app.data_as(&alice, GRANT, grant("bob", "EDITOR")).await;
    assert_eq!(
        data["grantRole"],
        json!({ "role": "EDITOR", "user": { "username": "bob" } })
    );
    assert_eq!(role_of(&app, &bob).await, "EDITOR");
    // Editors and viewers grant nothing; nobody signed in is UNAUTHENTICATED.
    for (token, target) in [(&bob, "carol"), (&carol, "carol"), (&bob, "bob")] {
        let code = app
            .error_code_as(Some(token), GRANT, grant(target, "ADMIN"))
            .await;
        assert_eq!(code, "FORBIDDEN");
    }
    assert_eq!(
        app.error_code_as(None, GRANT, grant("carol", "EDITOR"))
            .await,
        "UNAUTHENTICATED"
    );
    assert_eq!(role_of(&app, &carol).await, "VIEWER");
    // An unknown account is NOT_FOUND.
    let code = app
        .error_code_as(Some(&alice), GRANT, grant("nobody", "EDITOR"))
        .await;
    assert_eq!(code, "NOT_FOUND");
    // A role is the account's own business: not on someone else's profile.
    let (_, answer) = app
        .post_as(
            Some(&alice),
            "mutation { grantRole(input: { username: \"carol\", role: VIEWER }) { user { role } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{answer}"
    );
}

async fn the_last_admin_stays_and_a_lost_role_stops_at_once(app: TestApp) {
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    roles::grant(&app.db, "alice", Role::Admin).await.unwrap();
    // The only admin cannot step down, by either door.
    let code = app
        .error_code_as(Some(&alice), GRANT, grant("alice", "EDITOR"))
        .await;
    assert_eq!(code, "CONFLICT");
    let refused = roles::grant(&app.db, "alice", Role::Viewer)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "CONFLICT");
    assert_eq!(role_of(&app, &alice).await, "ADMIN");
    // With a second admin, the first may; and her next request has lost it.
    app.data_as(&alice, GRANT, grant("bob", "ADMIN")).await;
    app.data_as(&alice, GRANT, grant("alice", "VIEWER")).await;
    assert_eq!(role_of(&app, &alice).await, "VIEWER");
    let code = app
        .error_code_as(Some(&alice), GRANT, grant("alice", "ADMIN"))
        .await;
    assert_eq!(code, "FORBIDDEN");
    assert_eq!(role_of(&app, &bob).await, "ADMIN");
}

/// Two admins demoting each other at once: one wins, one admin is left.
async fn concurrent_demotions_leave_an_admin(app: TestApp) {
    let alice = app.sign_up("alice").await;
    let bob = app.sign_up("bob").await;
    roles::grant(&app.db, "alice", Role::Admin).await.unwrap();
    roles::grant(&app.db, "bob", Role::Admin).await.unwrap();
    let (a, b) = tokio::join!(
        app.post_as(Some(&alice), GRANT, grant("bob", "VIEWER")),
        app.post_as(Some(&bob), GRANT, grant("alice", "VIEWER")),
    );
    let admins = [role_of(&app, &alice).await, role_of(&app, &bob).await];
    let left = admins.iter().filter(|role| *role == "ADMIN").count();
    assert_eq!(left, 1, "{a:?} {b:?}");
}

on_both_databases!(
    only_admins_grant_roles,
    the_last_admin_stays_and_a_lost_role_stops_at_once,
    concurrent_demotions_leave_an_admin
);

/// `cinegraph users grant NAME --role ROLE` on a server's database.
async fn the_command_line_grants_roles(app: TestApp, url: &str) {
    let alice = app.sign_up("alice").await;
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cinegraph"))
            .args(["users", "grant"])
            .args(args)
            .args(["--database-url", url])
            .output()
            .unwrap()
    };
    let made = run(&["alice", "--role", "admin"]);
    assert_eq!(made.status.code(), Some(0), "{made:?}");
    assert_eq!(
        String::from_utf8_lossy(&made.stdout),
        "alice is now admin\n"
    );
    assert_eq!(role_of(&app, &alice).await, "ADMIN");
    let unknown = run(&["nobody", "--role", "editor"]);
    assert_eq!(unknown.status.code(), Some(1), "{unknown:?}");
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("nobody"),
        "{unknown:?}"
    );
    let wrong = run(&["alice", "--role", "owner"]);
    assert_eq!(wrong.status.code(), Some(2), "{wrong:?}");
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("viewer, editor or admin"));
    let last = run(&["alice", "--role", "viewer"]);
    assert_eq!(last.status.code(), Some(1), "{last:?}");
    assert_eq!(role_of(&app, &alice).await, "ADMIN");
}

#[tokio::test]
async fn the_command_line_grants_roles_on_sqlite() {
    let app = TestApp::sqlite_file().await;
    let url = app.url.clone();
    the_command_line_grants_roles(app, &url).await;
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set TEST_DATABASE_URL=postgres://... to run it"
)]
async fn the_command_line_grants_roles_on_postgres() {
    let app = TestApp::postgres().await;
    let url = app.url.clone();
    the_command_line_grants_roles(app, &url).await;
}
