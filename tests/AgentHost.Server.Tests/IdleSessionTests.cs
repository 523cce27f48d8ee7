using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Hosting;
using AgentHost.Hosting.Security;
using AgentHost.Server;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Support;

namespace AgentHost.Server.Tests;

/// <summary>
/// <c>server.idle_timeout</c> over real HTTP on 127.0.0.1 and a real SQLite store: a session nobody used for the timeout
/// is closed (its lease released, its history kept), and the next request opens it again. The clock is moved by hand
/// and the check is run directly (the server runs the same check on a timer).
/// </summary>
public sealed class IdleSessionTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task ASessionIdleForTheTimeout_IsClosedWithItsLeaseReleased_AndTheNextRequestOpensItAgain()
    {
        using var temp = new TempDirectory();
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await ApiServerHostingTests.Host.StartAsync(temp, "test", time, TimeSpan.FromMinutes(10));
        var http = host.Http;
        using var other = await SessionStore.OpenAsync(host.Store.Location, SecretScrubber.PatternsOnly);
        using var created = await http.PostAsJsonAsync("v1/sessions", new { settings = new Dictionary<string, string> { ["max_steps"] = "4" } });
        var id = (await created.Content.ReadFromJsonAsync<SessionView>(Json))!.Id;

        // Used 9 minutes ago: not idle yet.
        time.Advance(TimeSpan.FromMinutes(9));
        var notYet = await host.Server.Hub.CloseIdleAsync();
        var stillOpen = await http.GetFromJsonAsync<SessionView>($"v1/sessions/{id}", Json);
        var held = await Assert.ThrowsAsync<AgentHostException>(() => other.Leases.AcquireAsync(id));

        // Nineteen minutes since its last use (reading a session's state does not open it, so it is no use).
        time.Advance(TimeSpan.FromMinutes(10));
        var closed = await host.Server.Hub.CloseIdleAsync();
        var afterClose = await http.GetFromJsonAsync<SessionView>($"v1/sessions/{id}", Json);
        await using (var free = await other.Leases.AcquireAsync(id))
        {
            Assert.Equal(2, free.Epoch);
        }

        // A later request opens it again, with its settings kept.
        using var patched = await http.PatchAsJsonAsync($"v1/sessions/{id}", new { settings = new Dictionary<string, string> { ["dry_run"] = "true" } });
        var reopened = await http.GetFromJsonAsync<SessionView>($"v1/sessions/{id}", Json);
        var lease = await other.Leases.GetAsync(id);

        Assert.Equal((0, true), (notYet, stillOpen!.Open));
        Assert.Equal(ErrorKind.InUse, held.Kind);
        Assert.Equal((1, false), (closed, afterClose!.Open));
        Assert.True(patched.IsSuccessStatusCode, await patched.Content.ReadAsStringAsync());
        Assert.True(reopened!.Open);
        Assert.Equal((3L, true), (lease!.Epoch, lease.IsHeld));
        Assert.Equal("4", (await other.GetSessionAsync(id)).Settings["max_steps"]);
    }

    [Fact]
    public async Task WithoutAnIdleTimeout_SessionsStayOpen()
    {
        using var temp = new TempDirectory();
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await ApiServerHostingTests.Host.StartAsync(temp, "test", time);
        using var created = await host.Http.PostAsJsonAsync("v1/sessions", new { });
        var id = (await created.Content.ReadFromJsonAsync<SessionView>(Json))!.Id;

        time.Advance(TimeSpan.FromDays(30));

        Assert.Equal(0, await host.Server.Hub.CloseIdleAsync());
        Assert.True((await host.Http.GetFromJsonAsync<SessionView>($"v1/sessions/{id}", Json))!.Open);
    }
}
