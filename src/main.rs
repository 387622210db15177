use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = cinegraph::cli::Cli::parse();
    cinegraph::telemetry::init();
    match cinegraph::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
