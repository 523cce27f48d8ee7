using AgentHost.Agent.Models;
using AgentHost.Hosting;

namespace AgentHost.Tests.Support;

/// <summary>
/// Keeps every test away from real model services: each known service's key variable is emptied (a developer's own
/// <c>OPENROUTER_API_KEY</c> must not make a test call OpenRouter) and each known local server's base-URL variable
/// (<c>OLLAMA_HOST</c>, <c>LMSTUDIO_BASE_URL</c>, …) points at a closed port of 127.0.0.1 instead of the usual
/// localhost port, where a real Ollama may be listening; the OpenTelemetry variables are emptied (telemetry off). A test
/// that wants one sets the variable itself.
/// </summary>
public static class ProviderIsolation
{
    /// <summary>127.0.0.1's discard port: nothing listens there on a test machine, so a connection is refused at once.</summary>
    public const string ClosedEndpoint = "http://127.0.0.1:9";

    /// <summary>The variables, with their isolating values.</summary>
    public static IReadOnlyDictionary<string, string> Variables { get; } = Build();

    /// <summary>Adds the isolating variables a test has not set itself.</summary>
    /// <param name="environment">The test's variables.</param>
    public static void Apply(IDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        foreach (var (name, value) in Variables)
        {
            environment.TryAdd(name, value);
        }
    }

    /// <summary>The environment with the isolating variables the test has not set itself.</summary>
    /// <param name="environment">The test's environment.</param>
    /// <returns>The isolated environment.</returns>
    public static HostEnvironment Apply(HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var variables = new Dictionary<string, string>(environment.Variables, StringComparer.Ordinal);
        Apply(variables);
        return environment with { Variables = variables };
    }

    private static Dictionary<string, string> Build()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var provider in KnownProvider.All)
        {
            if (provider.KeyVariable is { } key)
            {
                variables[key] = string.Empty;
            }

            if (provider.BaseUrlVariable is { } url)
            {
                variables[url] = provider.IsLocal ? ClosedEndpoint : string.Empty;
            }
        }

        // Nor does a developer's or CI's OpenTelemetry collector get a test's spans: telemetry is off unless a test turns it on.
        foreach (var otel in (string[])["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER", "OTEL_SERVICE_NAME", "OTEL_SDK_DISABLED", "AGENT_TELEMETRY__ENABLED"])
        {
            variables[otel] = string.Empty;
        }

        return variables;
    }
}
