using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Server;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Support;

namespace AgentHost.Server.Tests;

/// <summary>
/// A root's warm engine lives as long as something uses it, over real HTTP on 127.0.0.1 and a real SQLite store: the
/// last session of a root to close (<c>POST /v1/sessions/{id}/close</c>, or the idle close) lets its engine go, which
/// <c>GET /v1/plugins</c> (the server's engines) and <c>GET /v1/health</c> (<c>engines</c>) show; the server's own root
/// keeps its engine, and a session opened again brings its root's engine back.
/// </summary>
public sealed class EngineReleaseTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task TheLastClosedSessionOfARoot_ReleasesItsEngine_AndTheServersOwnRootKeepsItsEngine()
    {
        using var temp = new TempDirectory();
        await using var host = await ApiServerHostingTests.Host.StartAsync(temp, "test");
        var http = host.Http;
        var other = Directory.CreateDirectory(Path.Combine(host.Root, "other")).FullName;
        var own = await CreateAsync(http, root: null);
        var first = await CreateAsync(http, other);
        var second = await CreateAsync(http, other);
        var withBoth = await RootsAsync(http);

        using var closeFirst = await http.PostAsync($"v1/sessions/{first}/close", null);
        var afterFirst = await RootsAsync(http);
        using var closeSecond = await http.PostAsync($"v1/sessions/{second}/close", null);
        var afterSecond = await RootsAsync(http);
        using var closeOwn = await http.PostAsync($"v1/sessions/{own}/close", null);
        var afterOwn = await RootsAsync(http);
        var health = await http.GetFromJsonAsync<HealthView>("v1/health", Json);

        // A request for a closed session opens it again, in its root's engine, started anew.
        using var reopen = await http.PatchAsJsonAsync($"v1/sessions/{first}", new { settings = new Dictionary<string, string> { ["max_steps"] = "3" } });
        var reopened = await RootsAsync(http);

        Assert.True(closeFirst.IsSuccessStatusCode && closeSecond.IsSuccessStatusCode && closeOwn.IsSuccessStatusCode);
        Assert.Equal([host.Root, other], withBoth);
        Assert.Equal([host.Root, other], afterFirst);
        Assert.Equal([host.Root], afterSecond);
        Assert.Equal([host.Root], afterOwn);
        Assert.Equal((0, 1), (health!.OpenSessions, health.Engines));
        Assert.True(reopen.IsSuccessStatusCode, await reopen.Content.ReadAsStringAsync());
        Assert.Equal([host.Root, other], reopened);
    }

    [Fact]
    public async Task TheIdleCloseOfARootsLastSession_ReleasesItsEngine()
    {
        using var temp = new TempDirectory();
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await ApiServerHostingTests.Host.StartAsync(temp, "test", time, TimeSpan.FromMinutes(10));
        var other = Directory.CreateDirectory(Path.Combine(host.Root, "other")).FullName;
        await CreateAsync(host.Http, other);
        var before = await RootsAsync(host.Http);

        time.Advance(TimeSpan.FromMinutes(11));
        var closed = await host.Server.Hub.CloseIdleAsync();

        Assert.Equal([host.Root, other], before);
        Assert.Equal(1, closed);
        Assert.Equal([host.Root], await RootsAsync(host.Http));
    }

    private static async Task<string> CreateAsync(HttpClient http, string? root)
    {
        using var created = await http.PostAsJsonAsync("v1/sessions", root is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["root"] = root });
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        return (await created.Content.ReadFromJsonAsync<SessionView>(Json))!.Id;
    }

    /// <summary>The roots of the server's engines (<c>GET /v1/plugins</c>), sorted.</summary>
    private static async Task<string[]> RootsAsync(HttpClient http) =>
        [.. (await http.GetFromJsonAsync<List<EngineView>>("v1/plugins", Json))!.Select(e => e.Root).Order(StringComparer.Ordinal)];
}
