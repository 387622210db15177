//! Abuse limits: sign-in attempts and mutations per client address and per user.

use serde_json::json;

use crate::helpers::TestApp;

async fn run(app: TestApp) {
    let sign_in = "mutation($i: Credentials!) { signIn(input: $i) { token } }";
    let wrong = json!({ "i": { "username": "ben", "password": "wrong-horse-battery" } });
    app.sign_up("ben").await;
    for _ in 0..3 {
        assert_eq!(
            app.error_code(sign_in, wrong.clone()).await,
            "UNAUTHENTICATED"
        );
    }
    let (_, body) = app.post(sign_in, wrong.clone()).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{body}"
    );
    let wait = body["errors"][0]["extensions"]["retryAfterSeconds"]
        .as_u64()
        .unwrap();
    assert!((1..=60).contains(&wait));
    // Even the right password waits: the limit is on attempts.
    let right = json!({ "i": { "username": "ben", "password": "correct-horse-battery" } });
    assert_eq!(app.error_code(sign_in, right).await, "RATE_LIMITED");

    // Mutations: 5 a minute here, counted per address (the sign-ups and
    // sign-ins above used 5 of them already).
    let (_, body) = app.post("mutation { signOut }", json!({})).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{body}"
    );
    // Reads are never limited.
    let data = app
        .data(
            r#"{ film(by: { slug: "leaving-las-vegas" }) { title } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["film"]["title"], "Leaving Las Vegas");
}

async fn limited(postgres: bool) -> TestApp {
    TestApp::with_config(postgres, |config| {
        config.sign_in_per_minute = 3;
        config.mutations_per_minute = 5;
    })
    .await
}

#[tokio::test]
async fn sign_ins_and_mutations_are_rate_limited_on_sqlite() {
    run(limited(false).await).await;
}

#[tokio::test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set TEST_DATABASE_URL=postgres://... to run it"
)]
async fn sign_ins_and_mutations_are_rate_limited_on_postgres() {
    run(limited(true).await).await;
}
