using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;

namespace AgentHost.Server;

/// <summary>
/// Endpoint metadata: only admins may use the endpoint (docs/server.md "Users and roles"); anyone else who got past the
/// token check gets 403 with a body that says so. Checked by the one authorization step (<see cref="RouteAuthorization"/>,
/// a middleware), so it also holds for endpoints mapped with a bare request delegate, such as the Prometheus exporter's
/// <c>/metrics</c>, which endpoint filters do not reach.
/// </summary>
/// <param name="What">What the endpoint does, for the message (<c>read the server's metrics (GET /metrics)</c>).</param>
/// <param name="Why">Why only admins may, for the message.</param>
internal sealed record AdminOnly(string What, string Why)
{
    /// <summary>The metadata of the endpoints the host maps beside the API (<see cref="ApiServerOptions.Endpoints"/>: <c>/metrics</c>).</summary>
    public static AdminOnly Metrics { get; } = new(
        "read the server's metrics (GET /metrics)",
        "they count every user's runs, tokens and cost; let the scraper use an admin's token");

    /// <summary>Maps endpoints that only admins may use.</summary>
    /// <param name="endpoints">Where to map them (the server's routes).</param>
    /// <param name="map">Maps them.</param>
    /// <param name="only">What they are, for the refusal.</param>
    public static void Map(IEndpointRouteBuilder endpoints, Action<IEndpointRouteBuilder> map, AdminOnly only) =>
        map(endpoints.MapGroup(string.Empty).WithMetadata(only));
}
