use std::process::ExitCode;

use clap::Parser;

// mimalloc: cheaper than glibc's malloc for the many small allocations of a
// request, and it returns the 19 MiB blocks of each password hash instead of
// keeping them per thread (glibc grew to 1.1 GB after 50 sign-ups).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes: 0 done, 1 a failure while running, 2 a usage error (clap exits
/// with 2 itself for bad flags; a setting this build cannot honour is one too).
const USAGE_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = cinegraph::cli::Cli::parse();
    // Before the runtime: the trace exporter runs on its own thread.
    let _telemetry = match cinegraph::telemetry::init(cli.otlp_endpoint()) {
        Ok(guard) => guard,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cinegraph::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let told = cinegraph::server::describe(&err);
            tracing::error!("{told}");
            eprintln!("error: {told}");
            ExitCode::FAILURE
        }
    }
}
