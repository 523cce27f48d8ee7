using AgentHost.Hosting.Configuration;

namespace AgentHost.Hosting.Telemetry;

/// <summary>The OTLP transport of the exporter.</summary>
public enum OtlpProtocol
{
    /// <summary>OTLP over gRPC (the .NET SDK's default; port 4317).</summary>
    Grpc,

    /// <summary>OTLP over HTTP with protobuf bodies (<c>/v1/traces</c>, <c>/v1/metrics</c>; port 4318).</summary>
    HttpProtobuf,
}

/// <summary>
/// Whether and where the process exports its traces and metrics (OpenTelemetry, docs/server.md "Telemetry"): the
/// <c>telemetry.*</c> keys, else the standard <c>OTEL_*</c> variables. Reading them loads nothing of the OpenTelemetry
/// SDK: a front end starts the exporter (AgentHost.Telemetry) only when <see cref="Enabled"/>, so a process with
/// telemetry off pays one configuration lookup.
/// </summary>
/// <param name="Enabled">Whether anything is exported: <c>telemetry.enabled</c>; unset, whether an OTLP endpoint variable is set; <c>OTEL_SDK_DISABLED=true</c> turns it off.</param>
/// <param name="Endpoint">The OTLP base endpoint (<c>telemetry.otlp.endpoint</c>); <see langword="null"/>: the SDK's, from <c>OTEL_EXPORTER_OTLP_*ENDPOINT</c> or its default.</param>
/// <param name="Protocol">The transport (<c>telemetry.otlp.protocol</c>); <see langword="null"/>: the SDK's, from <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> or gRPC.</param>
/// <param name="ServiceName">The <c>service.name</c>: <c>telemetry.service_name</c>, else <c>OTEL_SERVICE_NAME</c>, else <c>agent</c>.</param>
/// <param name="Traces">Whether spans are pushed over OTLP (<c>telemetry.traces</c>, <c>OTEL_TRACES_EXPORTER</c>).</param>
/// <param name="Metrics">Whether metrics are pushed over OTLP (<c>telemetry.metrics</c>, <c>OTEL_METRICS_EXPORTER</c>).</param>
/// <param name="Prometheus">Whether <c>agent serve</c> answers Prometheus scrapes at <c>/metrics</c> (<c>telemetry.prometheus</c>).</param>
public sealed record TelemetrySettings(
    bool Enabled,
    Uri? Endpoint = null,
    OtlpProtocol? Protocol = null,
    string ServiceName = TelemetrySettings.DefaultServiceName,
    bool Traces = true,
    bool Metrics = true,
    bool Prometheus = true)
{
    /// <summary>The default <c>service.name</c>.</summary>
    public const string DefaultServiceName = "agent";

    /// <summary>Telemetry off.</summary>
    public static TelemetrySettings Off { get; } = new(false);

    /// <summary>The OTLP endpoint variables that turn telemetry on when <c>telemetry.enabled</c> is unset.</summary>
    private static readonly string[] EndpointVariables =
        ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"];

    /// <summary>
    /// Reads the settings. Configuration keys win over the <c>OTEL_*</c> variables; the schema has already checked the
    /// keys' values (<see cref="ConfigurationSnapshot.ThrowIfInvalid"/>), the variables are checked here.
    /// </summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="environment">The process environment (the <c>OTEL_*</c> variables).</param>
    /// <returns>The settings.</returns>
    /// <exception cref="AgentHostException">An <c>OTEL_*</c> variable holds a value the host does not support.</exception>
    public static TelemetrySettings From(ConfigurationSnapshot configuration, HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        var disabled = environment.Get("OTEL_SDK_DISABLED") is { } sdkDisabled && Boolean("OTEL_SDK_DISABLED", sdkDisabled);
        var enabled = configuration.Get("telemetry.enabled") is { Length: > 0 } text
            ? bool.Parse(text.Trim())
            : !disabled && EndpointVariables.Any(name => environment.Get(name) is not null);
        if (!enabled || disabled)
        {
            return Off;
        }

        var traces = configuration.Get("telemetry.traces") is { Length: > 0 } t ? bool.Parse(t.Trim()) : Exporter(environment, "OTEL_TRACES_EXPORTER");
        var metrics = configuration.Get("telemetry.metrics") is { Length: > 0 } m ? bool.Parse(m.Trim()) : Exporter(environment, "OTEL_METRICS_EXPORTER");
        var prometheus = configuration.Get("telemetry.prometheus") is not { Length: > 0 } p || bool.Parse(p.Trim());
        var endpoint = configuration.Get("telemetry.otlp.endpoint") is { Length: > 0 } url ? new Uri(url.Trim(), UriKind.Absolute) : null;
        var protocol = configuration.Get("telemetry.otlp.protocol") is { Length: > 0 } name ? ProtocolOf(name.Trim(), "telemetry.otlp.protocol")
            : environment.Get("OTEL_EXPORTER_OTLP_PROTOCOL") is { } variable ? ProtocolOf(variable.Trim(), "OTEL_EXPORTER_OTLP_PROTOCOL")
            : (OtlpProtocol?)null;
        var service = configuration.Get("telemetry.service_name") is { Length: > 0 } s ? s.Trim() : environment.Get("OTEL_SERVICE_NAME")?.Trim() ?? DefaultServiceName;
        return new TelemetrySettings(true, endpoint, protocol, service, traces, metrics, prometheus);
    }

    /// <summary>The protocol a name means (<c>grpc</c>, <c>http/protobuf</c>).</summary>
    private static OtlpProtocol ProtocolOf(string name, string where) => name.ToLowerInvariant() switch
    {
        "grpc" => OtlpProtocol.Grpc,
        "http/protobuf" => OtlpProtocol.HttpProtobuf,
        "http/json" => throw new AgentHostException(ErrorKind.Configuration, $"{where}=http/json: the OpenTelemetry .NET exporter does not send OTLP/JSON; use grpc or http/protobuf."),
        _ => throw new AgentHostException(ErrorKind.Configuration, $"{where}={name}: unknown OTLP protocol; use grpc or http/protobuf."),
    };

    /// <summary>Whether an <c>OTEL_*_EXPORTER</c> list asks for OTLP (<c>otlp</c>, the default) or nothing (<c>none</c>).</summary>
    private static bool Exporter(HostEnvironment environment, string variable)
    {
        if (environment.Get(variable) is not { } value)
        {
            return true;
        }

        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()).ToList();
        var unknown = names.Where(n => n is not ("otlp" or "none")).ToList();
        if (unknown.Count > 0)
        {
            throw new AgentHostException(ErrorKind.Configuration, $"{variable}={value}: the host exports with otlp (or none); '{string.Join(", ", unknown)}' is not supported. Unset it, or set it to otlp or none.");
        }

        return names.Contains("otlp");
    }

    private static bool Boolean(string variable, string value) => value.Trim().ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => throw new AgentHostException(ErrorKind.Configuration, $"{variable}={value}: expected true or false."),
    };
}
