// The playground bundle is embedded with `include_dir!`, which stable Rust
// cannot track: rebuild when any file of it changes.
//
// `TEST_DATABASE_URL` at build time turns on the `postgres_tests` cfg: the
// integration tests' PostgreSQL variants are compiled as ignored without it,
// so cargo's summary says they did not run instead of counting them as passed.
fn main() {
    println!("cargo:rerun-if-changed=playground/ui/dist");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=TEST_DATABASE_URL");
    println!("cargo::rustc-check-cfg=cfg(postgres_tests)");
    if std::env::var_os("TEST_DATABASE_URL").is_some_and(|url| !url.is_empty()) {
        println!("cargo:rustc-cfg=postgres_tests");
    }
    // Likewise `TEST_REDIS_URL` and the tests of limits shared through Redis.
    println!("cargo:rerun-if-env-changed=TEST_REDIS_URL");
    println!("cargo::rustc-check-cfg=cfg(redis_tests)");
    if std::env::var_os("TEST_REDIS_URL").is_some_and(|url| !url.is_empty()) {
        println!("cargo:rustc-cfg=redis_tests");
    }
    // And `TEST_POSTGRES_BIN` (PostgreSQL's programs), for the tests that
    // start a primary and a streaming replica of their own.
    println!("cargo:rerun-if-env-changed=TEST_POSTGRES_BIN");
    println!("cargo::rustc-check-cfg=cfg(replica_tests)");
    if std::env::var_os("TEST_POSTGRES_BIN").is_some_and(|bin| !bin.is_empty()) {
        println!("cargo:rustc-cfg=replica_tests");
    }
    // And `TEST_VARNISHD`, for the test with an HTTP cache in front.
    println!("cargo:rerun-if-env-changed=TEST_VARNISHD");
    println!("cargo::rustc-check-cfg=cfg(varnish_tests)");
    if std::env::var_os("TEST_VARNISHD").is_some_and(|path| !path.is_empty()) {
        println!("cargo:rustc-cfg=varnish_tests");
    }
}
