using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Agent.Composition;
using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Server;
using AgentHost.Server.Http;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AgentHost.Server.Tests;

/// <summary>
/// The server as its own component: hosted in-process over the one composition root (<c>AddAgentHost</c>), as a
/// cluster node will host it, without the CLI — real Kestrel on 127.0.0.1, a real SQLite store.
/// </summary>
public sealed class ApiServerHostingTests
{
    private const string Token = "test-token";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task HostedWithoutTheCli_ServesSessions_LeasedInTheSharedStore_AndReleasesThemWhenItStops()
    {
        using var temp = new TempDirectory();
        await using var host = await Host.StartAsync(temp, "9.9.9-test");
        var (root, store, server, http) = (host.Root, host.Store, host.Server, host.Http);
        using var other = await SessionStore.OpenAsync(store.Location, SecretScrubber.PatternsOnly);
        string id;
        try
        {
            using var created = await http.PostAsJsonAsync("v1/sessions", new { });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var session = (await created.Content.ReadFromJsonAsync<SessionView>(Json))!;
            id = session.Id;
            var health = await http.GetFromJsonAsync<JsonElement>("v1/health", Json);
            var listed = await http.GetFromJsonAsync<SessionPage>("v1/sessions", Json);

            // Another writer of the same database (another process, another node) finds the session leased to this server.
            var refused = await Assert.ThrowsAsync<AgentHostException>(() => other.Leases.AcquireAsync(id));
            var lease = await other.Leases.GetAsync(id);

            Assert.True(session.Open);
            Assert.Equal(root, session.Root);
            Assert.Equal("9.9.9-test", health.GetProperty("version").GetString());
            Assert.Equal([id], listed!.Sessions.Select(s => s.Id));
            Assert.Equal(ErrorKind.InUse, refused.Kind);
            Assert.Equal((1L, true), (lease!.Epoch, lease.IsHeld));
        }
        finally
        {
            await server.DisposeAsync();
        }

        await using var free = await other.Leases.AcquireAsync(id);
        Assert.Equal(2, free.Epoch);
    }

    [Fact]
    public async Task ASessionAnotherWriterTookOver_IsNoLongerWritten_AndIsRefusedWhileTheOtherHoldsIt()
    {
        using var temp = new TempDirectory();
        await using var host = await Host.StartAsync(temp, "test");
        var (store, http) = (host.Store, host.Http);
        using var created = await http.PostAsJsonAsync("v1/sessions", new { });
        var id = (await created.Content.ReadFromJsonAsync<SessionView>(Json))!.Id;

        // Another writer for whom the server's lease has expired (as when the server was paused past it) takes it over.
        var later = new ManualTimeProvider(DateTimeOffset.UtcNow + TimeSpan.FromDays(1));
        using var other = await SessionStore.OpenAsync(store.Location, SecretScrubber.PatternsOnly, later);
        await using var taken = await other.Leases.AcquireAsync(id);
        using var stale = await http.PatchAsJsonAsync($"v1/sessions/{id}", new { settings = new Dictionary<string, string> { ["max_steps"] = "7" } });
        var staleError = await stale.Content.ReadFromJsonAsync<JsonElement>(Json);
        using var again = await http.PatchAsJsonAsync($"v1/sessions/{id}", new { settings = new Dictionary<string, string> { ["max_steps"] = "8" } });
        var againError = await again.Content.ReadFromJsonAsync<JsonElement>(Json);

        Assert.Equal(2, taken.Epoch);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Contains("was taken over by another writer", staleError.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains($"is in use by {taken.Holder}", againError.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("max_steps", (await other.GetSessionAsync(id)).Settings.Keys);
    }

    [Fact]
    public async Task AnUnexpectedFailure_IsAnsweredWithTheErrorBody_AndLoggedWithItsException()
    {
        // Not one of the host's errors (an AgentHostException): here the store was disposed under the server, so a
        // read throws ObjectDisposedException. Kestrel alone answered such a request 500 with an empty body, and
        // nothing was logged (issue #45's load run).
        using var temp = new TempDirectory();
        using var logged = new CollectingLogs();
        await using var host = await Host.StartAsync(temp, "test", logging: logged);
        ((IDisposable)host.Store).Dispose();

        using var response = await host.Http.GetAsync("v1/sessions?limit=5");
        var body = await response.Content.ReadFromJsonAsync<ApiError>(Json);
        var entry = Assert.Single(logged.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("internal", body!.Kind);
        Assert.Contains("ObjectDisposedException", body.Error, StringComparison.Ordinal);
        Assert.IsType<ObjectDisposedException>(entry.Exception);
        Assert.StartsWith("GET /v1/sessions/ failed unexpectedly (answered 500, request ", entry.Message, StringComparison.Ordinal);

        // The body and the log name the same request, and the log names the route, never the query.
        var request = entry.Message[(entry.Message.LastIndexOf(' ') + 1)..^1];
        Assert.Contains($"under request {request} ", body.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("limit", entry.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v1/workflows/runs")]
    [InlineData("v1/sessions")]
    public async Task AListsLimitOutside1To200_IsA400NamingTheRange_AndTheBoundsAreServed(string list)
    {
        using var temp = new TempDirectory();
        await using var host = await Host.StartAsync(temp, "test");

        foreach (var limit in new[] { 0, 201, -1 })
        {
            using var refused = await host.Http.GetAsync($"{list}?limit={limit}");
            var error = await refused.Content.ReadFromJsonAsync<ApiError>(Json);
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal(("usage", $"limit: {limit} is out of range; give 1 to 200."), (error!.Kind, error.Error));
        }

        foreach (var limit in new[] { 1, 200 })
        {
            using var served = await host.Http.GetAsync($"{list}?limit={limit}");
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }
    }

    /// <summary>A process's composition (<c>AddAgentHost</c>, no plugins) over a temp home and workspace, with the server started on it and a client carrying its token.</summary>
    internal sealed class Host : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        private Host(ServiceProvider services, string root, ApiServer server)
        {
            _services = services;
            Root = root;
            Server = server;
            Http = new HttpClient { BaseAddress = server.Address };
            Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        public string Root { get; }

        public ISessionStore Store => _services.GetRequiredService<ISessionStore>();

        public ApiServer Server { get; }

        public HttpClient Http { get; }

        public static async Task<Host> StartAsync(TempDirectory temp, string version, TimeProvider? time = null, TimeSpan? idleTimeout = null, Microsoft.Extensions.Logging.ILoggerFactory? logging = null)
        {
            var root = temp.Combine("ws");
            Directory.CreateDirectory(root);
            var environment = TestEnvironment.Create(temp.Combine("home"), root);
            var services = new ServiceCollection()
                .AddAgentHost(o =>
                {
                    o.Environment = environment;
                    o.LoadPluginsOnStart = false;
                })
                .BuildServiceProvider();
            var server = await ApiServer.StartAsync(
                new ApiServerOptions(new LoopbackWebHost.ListenAddress("127.0.0.1", 0), Token, new ServerDefaults(root, [], NoDefaultPlugins: true, null, TimeSpan.FromMinutes(1)) { IdleTimeout = idleTimeout }, 1 << 20, version)
                {
                    LoggerFactory = logging ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
                },
                services.GetRequiredService<ProjectRootFactory>(),
                services.GetRequiredService<ISessionStore>(),
                environment,
                time ?? TimeProvider.System);
            return new Host(services, root, server);
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await Server.DisposeAsync();
            await _services.DisposeAsync();
        }
    }
}
