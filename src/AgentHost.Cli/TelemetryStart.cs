using System.Runtime.CompilerServices;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Telemetry;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Telemetry;
using AgentHost.Telemetry;
using Microsoft.AspNetCore.Routing;

namespace AgentHost.Cli;

/// <summary>
/// Starts the OpenTelemetry export of a front end (<c>agent run</c>, the chat, <c>agent serve</c>) when the
/// configuration turns it on (<see cref="TelemetrySettings"/>). With telemetry off it reads the settings and returns:
/// only the methods below that are marked not to be inlined name AgentHost.Telemetry's types, so the runtime loads that
/// assembly and the OpenTelemetry SDK only when they run.
/// </summary>
internal static class TelemetryStart
{
    /// <summary>Starts exporting, or returns <see langword="null"/> when telemetry is off.</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="environment">The process environment (<c>OTEL_*</c>).</param>
    /// <returns>What flushes and stops the export when disposed, or <see langword="null"/>.</returns>
    public static IDisposable? Start(ConfigurationSnapshot configuration, HostEnvironment environment)
    {
        var settings = TelemetrySettings.From(configuration, environment);
        return settings.Enabled ? Export(settings) : null;
    }

    /// <summary>Starts exporting for <c>agent serve</c>: its HTTP requests' spans too, and the Prometheus scrape endpoint it maps (<paramref name="mapEndpoints"/>).</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="environment">The process environment (<c>OTEL_*</c>).</param>
    /// <param name="mapEndpoints">Maps <c>/metrics</c> on the server (behind its token, for admins), or <see langword="null"/>.</param>
    /// <returns>What flushes and stops the export when disposed, or <see langword="null"/>.</returns>
    public static IDisposable? StartForServer(ConfigurationSnapshot configuration, HostEnvironment environment, out Action<IEndpointRouteBuilder>? mapEndpoints)
    {
        mapEndpoints = null;
        var settings = TelemetrySettings.From(configuration, environment);
        if (!settings.Enabled)
        {
            return null;
        }

        return ServerExport(settings, out mapEndpoints);
    }

    // Both return IDisposable, not TelemetryExport: a callee's signature is resolved when its caller is compiled, and a
    // TelemetryExport there would load AgentHost.Telemetry for every run (TelemetryExportTests checks what loads).
#pragma warning disable CA1859 // Deliberately IDisposable (above).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IDisposable Export(TelemetrySettings settings) =>
        TelemetryExport.Start(settings, AgentVersion.Current, [AgentTelemetry.SourceName]);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IDisposable ServerExport(TelemetrySettings settings, out Action<IEndpointRouteBuilder>? mapEndpoints)
    {
        var export = TelemetryExport.Start(settings, AgentVersion.Current, [AgentTelemetry.SourceName], prometheus: true, httpRequests: true);
        mapEndpoints = export.HasScrapeEndpoint ? endpoints => export.MapScrapeEndpoint(endpoints) : null;
        return export;
    }
#pragma warning restore CA1859
}
