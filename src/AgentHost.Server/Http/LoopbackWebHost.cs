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

namespace AgentHost.Server.Http;

/// <summary>
/// A small Kestrel server for the HTTP front ends (<c>agent serve</c>, <c>agent mcp serve --http</c>):
/// one address (loopback unless told otherwise), no configuration files, no logging providers (a request, its
/// headers and the token are never logged), every request checked for <c>Authorization: Bearer TOKEN</c>
/// (compared in constant time; 401 otherwise) before <c>handler</c> sees it.
/// </summary>
/// <remarks>
/// Only code that serves HTTP touches this class, so ordinary commands never load the ASP.NET assemblies.
/// Disposing it stops the server gracefully: requests in flight get a few seconds to finish.
/// </remarks>
public sealed class LoopbackWebHost : IAsyncDisposable
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

    /// <summary>Starts the server with one handler for every authorised request.</summary>
    /// <param name="host">The address to bind: an IP address or <c>localhost</c>.</param>
    /// <param name="port">The port; 0 picks a free one.</param>
    /// <param name="bearerToken">The token every request must carry.</param>
    /// <param name="handler">Serves an authorised request.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server.</returns>
    public static Task<LoopbackWebHost> StartAsync(string host, int port, string bearerToken, RequestDelegate handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return StartAsync(new ListenAddress(host, port), bearerToken, static _ => { }, app => app.Run(handler), cancellationToken);
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
        return StartAsync(new ListenAddress(host, port), bearerToken, static services => services.AddRouting(), app => mapEndpoints(app), cancellationToken);
    }

    /// <summary>Starts the server with its own services and endpoints (every request is checked before they see it).</summary>
    /// <param name="listen">Where to listen: an address and port, a Unix domain socket or a Windows named pipe.</param>
    /// <param name="bearerToken">The token every request must carry.</param>
    /// <param name="services">Adds services (e.g. routing, OpenAPI).</param>
    /// <param name="map">Adds middleware and endpoints after the token check.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="limits">Adjusts Kestrel's limits (e.g. the request body size).</param>
    /// <returns>The running server.</returns>
    public static Task<LoopbackWebHost> StartAsync(
        ListenAddress listen, string bearerToken, Action<IServiceCollection> services, Action<WebApplication> map, CancellationToken cancellationToken, Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerLimits>? limits = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(bearerToken);
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes("Bearer " + bearerToken));
        return StartAsync(listen, context => ValueTask.FromResult(Authorised(context.Request.Headers.Authorization.ToString(), expected)), services, map, cancellationToken, limits);
    }

    /// <summary>
    /// Starts the server with its own services and endpoints, every request checked by <paramref name="authenticate"/>
    /// (401 with <c>WWW-Authenticate: Bearer</c> when it says no) before they see it.
    /// </summary>
    /// <param name="listen">Where to listen: an address and port, a Unix domain socket or a Windows named pipe.</param>
    /// <param name="authenticate">Whether a request's credentials are good (it may record who sent it on the context).</param>
    /// <param name="services">Adds services (e.g. routing, OpenAPI).</param>
    /// <param name="map">Adds middleware and endpoints after the check.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <param name="limits">Adjusts Kestrel's limits (e.g. the request body size).</param>
    /// <param name="host">
    /// Adds more to the host before it is built (a cluster node's silo: <see cref="ServerNode"/>): its hosted services
    /// share the container and the lifetime, start before Kestrel listens and stop after it does.
    /// </param>
    /// <returns>The running server.</returns>
    public static async Task<LoopbackWebHost> StartAsync(
        ListenAddress listen,
        Func<HttpContext, ValueTask<bool>> authenticate,
        Action<IServiceCollection> services,
        Action<WebApplication> map,
        CancellationToken cancellationToken,
        Action<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerLimits>? limits = null,
        Action<IHostApplicationBuilder>? host = null)
    {
        ArgumentNullException.ThrowIfNull(listen);
        ArgumentNullException.ThrowIfNull(authenticate);
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(map);
        if (listen.PipeName is not null && !OperatingSystem.IsWindows())
        {
            throw new AgentHostException(ErrorKind.Usage, "named pipes are a Windows transport; listen on a Unix domain socket (--socket PATH) here.");
        }

        var address = listen.SocketPath is not null || listen.PipeName is not null ? null
            : string.Equals(listen.Host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : IPAddress.TryParse(listen.Host, out var parsed) ? parsed
            : throw new AgentHostException(ErrorKind.Usage, $"--host {listen.Host}: not an IP address (use 127.0.0.1, ::1 or an interface's address).");
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());

        // The CLI owns Ctrl+C and SIGTERM (its cancellation token stops the command, which disposes this host).
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(options =>
        {
            options.AddServerHeader = false;
            limits?.Invoke(options.Limits);
            if (listen.SocketPath is { } socket)
            {
                options.ListenUnixSocket(socket);
            }
            else if (listen.PipeName is { } pipe && OperatingSystem.IsWindows())
            {
                options.ListenNamedPipe(pipe);
            }
            else
            {
                options.Listen(address!, listen.Port);
            }
        });
        if (listen.PipeName is not null && OperatingSystem.IsWindows())
        {
            builder.WebHost.UseNamedPipes();
        }

        services(builder.Services);
        host?.Invoke(builder);
        // WebApplicationBuilder.Build moves Kestrel's hosted service last: what host added starts first and Kestrel listens once it runs.
        var app = builder.Build();
        var loopbackOnly = address is not null && IPAddress.IsLoopback(address);
        app.Use(async (context, next) =>
        {
            // DNS rebinding: a web page whose name now resolves to 127.0.0.1 sends its own Host and Origin. A server
            // bound to loopback answers only requests addressed to a loopback name (MCP's security best practices).
            if (loopbackOnly && !IsLocalRequest(context.Request))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }

            if (!await authenticate(context).ConfigureAwait(false))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return;
            }

            await next(context).ConfigureAwait(false);
        });
        map(app);
        try
        {
            if (listen.SocketPath is { } stale && File.Exists(stale))
            {
                // A socket file left by a server that died; a live server's socket is refused by the bind below.
                File.Delete(stale);
            }

            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new AgentHostException(ErrorKind.Usage, $"cannot listen on {listen}: {e.Message}");
        }
        catch
        {
            // What started before the failure (a cluster node's silo, which joined) stops and leaves.
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        if (listen.SocketPath is { } path && !OperatingSystem.IsWindows())
        {
            // Only the user who started the server may connect (the token is still required).
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var bound = listen.SocketPath is not null || listen.PipeName is not null
            ? "http://localhost/"
            : app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new LoopbackWebHost(app, new Uri(bound.EndsWith('/') ? bound : bound + "/"));
    }

    /// <summary>
    /// The host's shutdown time (<see cref="HostOptions.ShutdownTimeout"/>; a cluster node sets it to its drain and
    /// leave): what the server gives its node to leave before it stops the host.
    /// </summary>
    internal TimeSpan ShutdownTimeout => _app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HostOptions>>().Value.ShutdownTimeout;

    /// <summary>Stops the server (graceful: a few seconds for requests in flight) and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        using (var grace = new CancellationTokenSource(ShutdownGrace))
        {
            await _app.StopAsync(grace.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Where a server listens: an address and port, or a Unix domain socket, or a Windows named pipe.</summary>
    /// <param name="Host">The IP address (or <c>localhost</c>) to bind.</param>
    /// <param name="Port">The port; 0 picks a free one.</param>
    public sealed record ListenAddress(string Host, int Port)
    {
        /// <summary>A Unix domain socket's path (any OS with AF_UNIX, Windows 10 and later included) instead of a port.</summary>
        public string? SocketPath { get; init; }

        /// <summary>A Windows named pipe's name instead of a port.</summary>
        public string? PipeName { get; init; }

        /// <inheritdoc/>
        public override string ToString() => SocketPath is { } socket ? $"unix:{socket}" : PipeName is { } pipe ? $"pipe:{pipe}" : $"{Host}:{Port}";
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

    /// <summary>Whether an <c>Authorization</c> header is the expected one (compared as SHA-256 hashes, in constant time).</summary>
    internal static bool Authorised(string header, byte[] expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header)), expected);
}
