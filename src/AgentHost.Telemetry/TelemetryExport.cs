using AgentHost.Hosting.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AgentHost.Telemetry;

/// <summary>
/// The process's OpenTelemetry pipeline: a tracer provider and a meter provider over the given activity sources and
/// meters, exporting over OTLP (gRPC or HTTP/protobuf) as <see cref="TelemetrySettings"/> say, and, for <c>agent
/// serve</c>, a Prometheus exporter its scrape endpoint reads. The SDK also reads the standard <c>OTEL_*</c> variables
/// the settings leave to it (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>_HEADERS</c>, <c>_TIMEOUT</c>, <c>OTEL_BSP_*</c>,
/// <c>OTEL_METRIC_EXPORT_INTERVAL</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>). Disposing it flushes what is buffered (a
/// last export of spans and metrics) and stops the exporters.
/// </summary>
/// <remarks>Thread-safe. One per process; start it only when <see cref="TelemetrySettings.Enabled"/>.</remarks>
public sealed class TelemetryExport : IDisposable
{
    private readonly TracerProvider? _tracing;
    private readonly MeterProvider? _metrics;

    private TelemetryExport(TracerProvider? tracing, MeterProvider? metrics, bool prometheus)
    {
        _tracing = tracing;
        _metrics = metrics;
        HasScrapeEndpoint = prometheus;
    }

    /// <summary>Whether <see cref="MapScrapeEndpoint"/> maps anything (the Prometheus exporter is on).</summary>
    public bool HasScrapeEndpoint { get; }

    /// <summary>Starts exporting.</summary>
    /// <param name="settings">Where and what to export.</param>
    /// <param name="serviceVersion">The <c>service.version</c>.</param>
    /// <param name="sources">The activity sources and meters to export (by name).</param>
    /// <param name="prometheus">Whether a Prometheus scrape endpoint will be mapped (<c>agent serve</c>), as the settings allow.</param>
    /// <param name="httpRequests">
    /// Whether the process serves HTTP (<c>agent serve</c>): each request becomes a server span (ASP.NET Core's, named
    /// <c>METHOD ROUTE</c>), without its query string or headers; scrapes of the endpoint and health probes are not traced.
    /// </param>
    /// <returns>The running export.</returns>
    public static TelemetryExport Start(TelemetrySettings settings, string serviceVersion, IReadOnlyList<string> sources, bool prometheus = false, bool httpRequests = false)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(sources);
        var resource = ResourceBuilder.CreateEmpty()
            .AddEnvironmentVariableDetector()
            .AddService(settings.ServiceName, serviceVersion: serviceVersion, autoGenerateServiceInstanceId: true)
            .AddTelemetrySdk();
        TracerProvider? tracing = null;
        if (settings.Traces)
        {
            var builder = OpenTelemetry.Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(resource)
                .AddSource([.. sources]);
            if (httpRequests)
            {
                builder.AddAspNetCoreInstrumentation(HttpRequestSpans.Configure);
            }

            tracing = builder
                .AddOtlpExporter(options => Configure(options, settings, "traces"))
                .Build();
        }

        var scrape = prometheus && settings.Prometheus;
        MeterProvider? metrics = null;
        if (settings.Metrics || scrape)
        {
            var builder = OpenTelemetry.Sdk.CreateMeterProviderBuilder()
                .SetResourceBuilder(resource)
                .AddMeter([.. sources]);
            if (settings.Metrics)
            {
                builder.AddOtlpExporter(options => Configure(options, settings, "metrics"));
            }

            if (scrape)
            {
                builder.AddPrometheusExporter();
            }

            metrics = builder.Build();
        }

        return new TelemetryExport(tracing, metrics, scrape);
    }

    /// <summary>Maps the Prometheus scrape endpoint (text exposition format) at <paramref name="path"/>, when <see cref="HasScrapeEndpoint"/>.</summary>
    /// <param name="endpoints">The server's routes (behind its authentication).</param>
    /// <param name="path">The path, <c>/metrics</c> by default.</param>
    public void MapScrapeEndpoint(IEndpointRouteBuilder endpoints, string path = "/metrics")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (HasScrapeEndpoint && _metrics is not null)
        {
            endpoints.MapPrometheusScrapingEndpoint(path, _metrics, null, null);
        }
    }

    /// <summary>Exports what is buffered, then stops.</summary>
    public void Dispose()
    {
        _tracing?.Dispose();
        _metrics?.Dispose();
    }

    /// <summary>The configured endpoint and protocol over what the SDK read from <c>OTEL_EXPORTER_OTLP_*</c>.</summary>
    private static void Configure(OtlpExporterOptions options, TelemetrySettings settings, string signal)
    {
        if (settings.Protocol is { } protocol)
        {
            options.Protocol = protocol == OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        }

        if (settings.Endpoint is { } endpoint)
        {
            // A base URL, like OTEL_EXPORTER_OTLP_ENDPOINT: over HTTP each signal has its own path; gRPC takes it as it is.
            options.Endpoint = options.Protocol == OtlpExportProtocol.HttpProtobuf
                ? new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/v1/" + signal)
                : endpoint;
        }
    }
}
