//! The command line as users meet it: every option explained with its default
//! and env variable, exit codes 0 (ok), 2 (usage) and 1 (failure), and errors
//! that say what to do.

use std::process::{Command, Output};

use clap::CommandFactory;

fn cinegraph(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cinegraph"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("CINEGRAPH_LISTEN")
        .env_remove("CINEGRAPH_OTLP_ENDPOINT")
        .output()
        .unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn every_option_has_help_and_an_env_variable() {
    let mut cli = cinegraph::cli::Cli::command();
    cli.build();
    let mut missing = Vec::new();
    check_options(&cli, "cinegraph", &mut missing);
    assert!(missing.is_empty(), "{missing:#?}");
}

/// Collects the options of `command` and its subcommands that lack help or an
/// env variable (operators configure servers and commands by environment;
/// only the one-off `migrate down --steps/--all` and `users grant --role`
/// are exempt).
fn check_options(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
    for arg in command.get_arguments() {
        let id = arg.get_id().as_str();
        if matches!(id, "help" | "version") || arg.is_positional() {
            continue;
        }
        if arg.get_help().is_none() {
            missing.push(format!("{path} --{id}: no help"));
        }
        if arg.get_env().is_none() && !matches!(id, "steps" | "all" | "role") {
            missing.push(format!("{path} --{id}: no env variable"));
        }
    }
    for sub in command.get_subcommands() {
        check_options(sub, &format!("{path} {}", sub.get_name()), missing);
    }
}

#[test]
fn help_shows_defaults_and_env_variables_and_exits_0() {
    let output = cinegraph(&["serve", "--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8_lossy(&output.stdout);
    for expected in [
        "--listen <LISTEN>",
        "[env: CINEGRAPH_LISTEN=]",
        "[default: 127.0.0.1:8000]",
        "--database-url",
        "[env: DATABASE_URL=]",
        "--max-complexity",
        "[env: CINEGRAPH_MAX_COMPLEXITY=]",
        "--slow-operation-ms",
        "[default: 1000]",
        "--otlp-endpoint",
    ] {
        assert!(help.contains(expected), "no {expected:?} in:\n{help}");
    }
    for command in [
        "--help",
        "migrate --help",
        "import --help",
        "generate --help",
        "print-schema --help",
    ] {
        let args: Vec<&str> = command.split(' ').collect();
        assert_eq!(cinegraph(&args).status.code(), Some(0), "{command}");
    }
    let import = String::from_utf8(cinegraph(&["import", "--help"]).stdout).unwrap();
    for kind in ["*.json", "*.jsonl.gz"] {
        assert!(import.contains(kind), "import takes {kind}:\n{import}");
    }
    for flag in ["--trusted-proxies", "--websocket-init-timeout-ms"] {
        assert!(help.contains(flag), "no {flag} in:\n{help}");
    }
    let output = cinegraph(&["--trusted-proxies", "10.0.0.0/8,not-a-network"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("neither an IP address nor a CIDR network"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_usage_error_exits_2_and_says_what_was_wrong() {
    let output = cinegraph(&["--no-such-flag"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unexpected argument '--no-such-flag'"));

    let output = cinegraph(&["--listen", "not-an-address"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("invalid value 'not-an-address'"));

    let output = cinegraph(&["migrate"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));

    let output = cinegraph(&["generate"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("nothing to generate"),
        "{}",
        stderr(&output)
    );
    let output = cinegraph(&["generate", "--users", "10"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--ratings"), "{}", stderr(&output));

    let output = cinegraph(&["generate", "--films", "0"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("--films"), "{}", stderr(&output));
}

#[test]
fn generate_fills_a_fresh_database_and_then_refuses_to_run_twice() {
    let dir = std::env::temp_dir().join(format!("cinegraph-generate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/catalogue.db?mode=rwc", dir.display());
    let output = cinegraph(&["generate", "--films", "40", "--database-url", &url]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        printed.contains("added 40 synthetic films, 40 people"),
        "{printed}"
    );
    // The bundled catalogue came first (an empty database), so the real film page is there too.
    assert!(
        stderr(&output).contains("imported bundled film page"),
        "{}",
        stderr(&output)
    );

    let output = cinegraph(&["generate", "--films", "40", "--database-url", &url]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("already holds 40 synthetic films"),
        "{}",
        stderr(&output)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(not(feature = "otel"))]
#[test]
fn tracing_to_a_collector_without_the_feature_is_a_usage_error() {
    let output = cinegraph(&[
        "--listen",
        "127.0.0.1:0",
        "--otlp-endpoint",
        "http://127.0.0.1:4318/v1/traces",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--features otel"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_failure_exits_1_and_says_what_to_check() {
    let dir = std::env::temp_dir().join(format!("cinegraph-cli-{}", std::process::id()));
    let url = format!("sqlite://{}/missing/dir/x.db?mode=rwc", dir.display());
    let output = cinegraph(&["migrate", "status", "--database-url", &url]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("cannot open the database"), "{message}");
    assert!(
        message.contains("--database-url or DATABASE_URL"),
        "{message}"
    );

    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let output = cinegraph(&["--listen", &address, "--database-url", "sqlite::memory:"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains(&format!("cannot listen on {address}")),
        "{message}"
    );
    assert!(
        message.contains("--listen or CINEGRAPH_LISTEN"),
        "{message}"
    );
}
