//! Spans to an OpenTelemetry collector over OTLP/HTTP (protobuf), batched on
//! the exporter's own thread. Built only with the `otel` cargo feature.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::Layer;
use tracing_subscriber::registry::LookupSpan;

/// Flushes and stops the exporter when dropped (at the end of `main`).
pub struct OtelGuard(SdkTracerProvider);

impl Drop for OtelGuard {
    fn drop(&mut self) {
        if let Err(err) = self.0.shutdown() {
            eprintln!("OpenTelemetry: the last spans could not be sent: {err}");
        }
    }
}

/// A tracing layer that turns spans (each request's, with its id, and the
/// operations inside) into OpenTelemetry spans sent to `endpoint`.
pub fn layer<S>(endpoint: &str) -> anyhow::Result<(impl Layer<S>, OtelGuard)>
where
    S: tracing::Subscriber + for<'span> LookupSpan<'span>,
{
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(endpoint)
        .build()
        .map_err(|e| anyhow::anyhow!("cannot set up the OTLP exporter for {endpoint}: {e}"))?;
    let resource = Resource::builder()
        .with_service_name("cinegraph")
        .with_attribute(opentelemetry::KeyValue::new(
            "service.version",
            env!("CARGO_PKG_VERSION"),
        ))
        .build();
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(resource)
        .build();
    let tracer = provider.tracer("cinegraph");
    Ok((
        tracing_opentelemetry::layer().with_tracer(tracer),
        OtelGuard(provider),
    ))
}
