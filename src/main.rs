use clap::Parser;

// mimalloc: cheaper than glibc's malloc for the many small allocations of a
// request, and it returns the 19 MiB blocks of each password hash instead of
// keeping them per thread (glibc grew to 1.1 GB after 50 sign-ups).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
