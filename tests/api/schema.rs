//! `schema.graphql` is generated from the code and must match it.

#[test]
fn schema_graphql_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let current = cinegraph::graphql::export_sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &current).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "schema.graphql is stale; run `UPDATE_SCHEMA=1 cargo test --test api schema` (or `cargo run -- print-schema > schema.graphql`) and commit it"
    );
}
