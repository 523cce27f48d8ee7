using System.Net;
using System.Security.Cryptography;
using System.Text;
using AgentHost.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentHost.Cli.Http;

/// <summary>
/// A small Kestrel server for the CLI's HTTP front ends (<c>agent mcp serve --http</c>, <c>agent serve</c>):
/// one address (loopback unless told otherwise), no configuration files, no logging providers (a request, its
/// headers and the token are never logged), every request checked for <c>Authorization: Bearer TOKEN</c>
/// (compared in constant time; 401 otherwise) before <c>handler</c> sees it.
/// </summary>
/// <remarks>
/// Only code that serves HTTP touches this class, so ordinary commands never load the ASP.NET assemblies.
/// Disposing it stops the server gracefully: requests in flight get a few seconds to finish.
/// </remarks>
internal sealed class LoopbackWebHost : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;

    private LoopbackWebHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:43121/</c> (the real port when 0 was asked).</summary>
    public Uri Address { get; }

    /// <summary>Whether <paramref name="host"/> names the loopback interface (<c>127.0.0.1</c>, <c>::1</c>, <c>localhost</c>).</summary>
    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>Starts the server.</summary>
    /// <param name="host">The address to bind: an IP address or <c>localhost</c>.</param>
    /// <param name="port">The port; 0 picks a free one.</param>
    /// <param name="bearerToken">The token every request must carry.</param>
    /// <param name="handler">Serves an authorised request.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server.</returns>
    public static Task<LoopbackWebHost> StartAsync(string host, int port, string bearerToken, RequestDelegate handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return StartCoreAsync(host, port, bearerToken, routing: false, app => app.Run(handler), cancellationToken);
    }

    /// <summary>Starts the server with routed endpoints (minimal APIs); a request no endpoint matches gets 404.</summary>
    /// <param name="host">The address to bind: an IP address or <c>localhost</c>.</param>
    /// <param name="port">The port; 0 picks a free one.</param>
    /// <param name="bearerToken">The token every request must carry.</param>
    /// <param name="mapEndpoints">Maps the endpoints; they see only authorised requests.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server.</returns>
    public static Task<LoopbackWebHost> StartAsync(string host, int port, string bearerToken, Action<IEndpointRouteBuilder> mapEndpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mapEndpoints);
        return StartCoreAsync(host, port, bearerToken, routing: true, app => mapEndpoints(app), cancellationToken);
    }

    private static async Task<LoopbackWebHost> StartCoreAsync(string host, int port, string bearerToken, bool routing, Action<WebApplication> serve, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(bearerToken);
        var address = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var parsed) ? parsed
            : throw new AgentHostException(ErrorKind.Usage, $"--host {host}: not an IP address (use 127.0.0.1, ::1 or an interface's address).");
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());

        // The CLI owns Ctrl+C and SIGTERM (its cancellation token stops the command, which disposes this host).
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        if (routing)
        {
            builder.Services.AddRoutingCore();
        }

        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            options.Listen(address, port);
        });
        var app = builder.Build();
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes("Bearer " + bearerToken));
        var loopbackOnly = IPAddress.IsLoopback(address);
        app.Use(async (context, next) =>
        {
            // DNS rebinding: a web page whose name now resolves to 127.0.0.1 sends its own Host and Origin. A server
            // bound to loopback answers only requests addressed to a loopback name (MCP's security best practices).
            if (loopbackOnly && !IsLocalRequest(context.Request))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }

            if (!Authorised(context.Request.Headers.Authorization.ToString(), expected))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return;
            }

            await next(context).ConfigureAwait(false);
        });
        serve(app);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new AgentHostException(ErrorKind.Usage, $"cannot listen on {host}:{port}: {e.Message}");
        }

        var bound = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new LoopbackWebHost(app, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
    }

    /// <summary>Stops the server (graceful: a few seconds for requests in flight) and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        using (var grace = new CancellationTokenSource(ShutdownGrace))
        {
            await _app.StopAsync(grace.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class CommandLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Whether the Host header, and the Origin header when there is one, name the loopback interface.</summary>
    internal static bool IsLocalRequest(HttpRequest request)
    {
        if (!IsLoopback(request.Host.Host.Trim('[', ']')))
        {
            return false;
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0 || (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && IsLoopback(uri.Host.Trim('[', ']')));
    }

    private static bool Authorised(string header, byte[] expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header)), expected);
}
