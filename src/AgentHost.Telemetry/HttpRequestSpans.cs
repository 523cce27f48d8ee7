using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using OpenTelemetry.Instrumentation.AspNetCore;

namespace AgentHost.Telemetry;

/// <summary>
/// What <c>agent serve</c>'s request spans (ASP.NET Core's, one server span per request, named <c>METHOD ROUTE</c> such
/// as <c>POST /v1/sessions/{id}/messages</c>) carry: the method, route, path, status code, scheme, server address and
/// user agent. Never the query string (<c>url.query</c> is removed, not only redacted, whatever
/// <c>OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_DISABLE_URL_QUERY_REDACTION</c> says), never a header (the bearer token is in
/// <c>Authorization</c>; the instrumentation records no headers unless told to, and it is not told to), never a body or
/// an exception's message. Prometheus scrapes and health probes are not traced: they would be most of the spans.
/// </summary>
internal static class HttpRequestSpans
{
    /// <summary>The paths not traced: the scrape endpoint and the health probe.</summary>
    private static readonly PathString[] Untraced = ["/metrics", "/healthz"];

    public static void Configure(AspNetCoreTraceInstrumentationOptions options)
    {
        options.RecordException = false;
        options.Filter = context => !Array.Exists(Untraced, path => context.Request.Path.StartsWithSegments(path));
        options.EnrichWithHttpRequest = RemoveQuery;
    }

    private static void RemoveQuery(Activity activity, HttpRequest request) => activity.SetTag("url.query", null);
}
