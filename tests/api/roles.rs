//! Roles (issue 23, part 1): every account starts a viewer; the command line
//! makes the first admin; only admins grant roles; the last admin stays.

use std::process::Command;

use cinegraph::domain::roles::{self, Role};
use serde_json::{Value, json};

use crate::helpers::{TestApp, leaving_las_vegas, on_both_databases};
use crate::ids::base64_id;

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

/// Every mutation an editor makes, and one argument set for each.
fn editorial_mutations(film: &Value, version: i64) -> Vec<(&'static str, Value)> {
    let revision = base64_id("Revision:1");
    vec![
        (
            "mutation($v: NewFilmInput!) { createFilm(film: $v) { __typename } }",
            json!({ "v": { "imdbId": "tt9990009", "title": "Nobody's" } }),
        ),
        (
            "mutation($id: ID!, $n: Int!) { updateFilm(id: $id, expectedVersion: $n, film: { title: \"X\" }) { __typename } }",
            json!({ "id": film, "n": version }),
        ),
        (
            "mutation($id: ID!, $n: Int!) { deleteFilm(id: $id, expectedVersion: $n) { __typename } }",
            json!({ "id": film, "n": version }),
        ),
        (
            "mutation($d: JSON!, $n: Int) { importFilmPage(document: $d, expectedVersion: $n) { __typename } }",
            json!({ "d": leaving_las_vegas(), "n": version }),
        ),
        (
            "mutation($id: ID!, $n: Int!) { setFilmSection(id: $id, expectedVersion: $n, section: TRIVIA, content: [\"x\"]) { __typename } }",
            json!({ "id": film, "n": version }),
        ),
        (
            "mutation($r: ID!, $n: Int!) { revertFilm(revisionId: $r, expectedVersion: $n) { __typename } }",
            json!({ "r": revision, "n": version }),
        ),
    ]
}

/// Every mutation only an admin makes.
fn admin_mutations() -> Vec<(&'static str, Value)> {
    vec![
        (
            "mutation { createWebhook(url: \"https://hooks.example.com/x\", secret: \"s3cret-s3cret\") { __typename } }",
            json!({}),
        ),
        (
            "mutation($id: ID!) { deleteWebhook(id: $id) { __typename } }",
            json!({ "id": base64_id("Webhook:1") }),
        ),
        (GRANT, grant("nobody", "EDITOR")),
    ]
}

/// The mutations anyone may call: signing up, in and out.
const PUBLIC_MUTATIONS: [&str; 3] = ["signUp", "signIn", "signOut"];

/// The name of the mutation a document calls.
fn mutation_name(document: &str) -> &str {
    let body = &document[document.find('{').unwrap() + 1..];
    body.trim_start()
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap()
}

/// Every editorial mutation checks the role before anything else: nobody
/// signed in is UNAUTHENTICATED, a viewer FORBIDDEN, an editor FORBIDDEN
/// where only admins may; and nothing changes. Every other mutation of the
/// schema is a viewer's own (signed in) or public: a new one must be put in
/// one of these lists.
async fn every_editorial_mutation_checks_the_role(app: TestApp) {
    let viewer = app.sign_up("viv").await;
    let editor = app.sign_up("eddie").await;
    roles::grant(&app.db, "eddie", Role::Editor).await.unwrap();
    let film = json!(app.film_id("leaving-las-vegas").await);
    let version_query = "query($id: ID!) { node(id: $id) { ... on Film { version } } }";
    let version = app.data(version_query, json!({ "id": film })).await["node"]["version"]
        .as_i64()
        .unwrap();
    let tables = ["film", "film_revision", "webhook", "content_change"];
    let mut counts = Vec::new();
    for table in tables {
        counts.push(app.count_rows(table).await);
    }
    let editorial = editorial_mutations(&film, version);
    let admin = admin_mutations();
    for (document, vars) in editorial.iter().chain(&admin) {
        let name = mutation_name(document);
        let anonymous = app.error_code_as(None, document, vars.clone()).await;
        assert_eq!(anonymous, "UNAUTHENTICATED", "{name}");
        let as_viewer = app
            .error_code_as(Some(&viewer), document, vars.clone())
            .await;
        assert_eq!(as_viewer, "FORBIDDEN", "{name}");
    }
    for (document, vars) in &admin {
        let as_editor = app
            .error_code_as(Some(&editor), document, vars.clone())
            .await;
        assert_eq!(as_editor, "FORBIDDEN", "{}", mutation_name(document));
    }
    let mut after = Vec::new();
    for table in tables {
        after.push(app.count_rows(table).await);
    }
    assert_eq!(after, counts);
    let now = app.data(version_query, json!({ "id": film })).await["node"]["version"].clone();
    assert_eq!(now, version);

    // The schema's other mutations are a viewer's own (signed in) or public.
    let own = own_mutations(&film);
    let introspection = "{ __schema { mutationType { fields { name } } } }";
    let data = app.data(introspection, json!({})).await;
    let mut schema: Vec<&str> = data["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|field| field["name"].as_str().unwrap())
        .collect();
    let mut known: Vec<&str> = editorial
        .iter()
        .chain(&admin)
        .chain(&own)
        .map(|(document, _)| mutation_name(document))
        .chain(PUBLIC_MUTATIONS)
        .collect();
    schema.sort_unstable();
    known.sort_unstable();
    assert_eq!(schema, known);
    for (document, vars) in &own {
        let anonymous = app.error_code_as(None, document, vars.clone()).await;
        assert_eq!(anonymous, "UNAUTHENTICATED", "{}", mutation_name(document));
    }
}

/// Every mutation a signed-in viewer makes of their own things.
fn own_mutations(film: &Value) -> Vec<(&'static str, Value)> {
    let list = json!(base64_id("List:1"));
    let review = json!(base64_id("Review:1"));
    let ids = json!({ "f": film, "l": list, "r": review, "s": base64_id("Session:1") });
    [
        "mutation($l: ID!, $f: ID!) { addToList(listId: $l, filmId: $f) { __typename } }",
        "mutation($f: ID!) { addToWatchlist(filmId: $f) { __typename } }",
        "mutation { changePassword(current: \"old-password\", new: \"new-password\") { __typename } }",
        "mutation { createList(name: \"Mine\") { __typename } }",
        "mutation { deleteAccount(password: \"a-password\") { __typename } }",
        "mutation($l: ID!) { deleteList(listId: $l) { __typename } }",
        "mutation($r: ID!) { deleteReview(id: $r) { __typename } }",
        "mutation($r: ID!) { editReview(input: { id: $r, body: \"b\" }) { __typename } }",
        "mutation($s: ID!) { endSession(id: $s) }",
        "mutation { exportMyData }",
        "mutation($r: ID!) { markReviewHelpful(id: $r) { __typename } }",
        "mutation($f: ID!) { markSeen(filmId: $f) { __typename } }",
        "mutation($l: ID!, $f: ID!) { moveInList(listId: $l, filmId: $f, position: 1) { __typename } }",
        "mutation($f: ID!) { rateFilm(input: { filmId: $f, score: 8 }) { __typename } }",
        "mutation($l: ID!, $f: ID!) { removeFromList(listId: $l, filmId: $f) { __typename } }",
        "mutation($f: ID!) { removeFromWatchlist(filmId: $f) { __typename } }",
        "mutation($f: ID!) { removeRating(filmId: $f) { __typename } }",
        "mutation($f: ID!) { setFavorite(filmId: $f) { __typename } }",
        "mutation { signOutEverywhere }",
        "mutation($f: ID!) { unmarkSeen(filmId: $f) { __typename } }",
        "mutation($l: ID!) { updateList(listId: $l, name: \"N\") { __typename } }",
        "mutation { updateProfile(displayName: \"N\") { __typename } }",
        "mutation($f: ID!) { writeReview(input: { filmId: $f, body: \"Fine.\" }) { __typename } }",
    ]
    .into_iter()
    .map(|document| (document, only_used(document, &ids)))
    .collect()
}

/// The variables of `all` that `document` declares.
fn only_used(document: &str, all: &Value) -> Value {
    let used = all
        .as_object()
        .unwrap()
        .iter()
        .filter(|(name, _)| document.contains(&format!("${name}:")))
        .map(|(name, value)| (name.clone(), value.clone()));
    Value::Object(used.collect())
}

on_both_databases!(
    every_editorial_mutation_checks_the_role,
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
