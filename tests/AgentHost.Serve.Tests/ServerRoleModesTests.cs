using System.Net;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// Permission modes by role (docs/server.md "Permission modes by role"), through a real <c>agent serve</c> with members'
/// tokens: <c>server.role_permission_modes.ROLE</c> caps the modes a role may choose (403 naming it at create, PATCH and
/// send); without a working OS sandbox a member may not choose <c>yolo</c> unless <c>server.allow_unsandboxed_modes</c>
/// is true, and the server says so at start.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ServerRoleModesTests : IDisposable
{
    private const string NoSandboxConfig = "sandbox:\n  program: /nonexistent/bwrap\n";

    private readonly MemberServer _server = new();

    public void Dispose() => _server.Dispose();

    [Fact]
    public async Task ModeOutsideTheRolesCap_Is403NamingTheSetting_AtCreatePatchAndSend_AdminsAreNotCapped()
    {
        _server.Workspace.WriteUserConfig("server:\n  role_permission_modes:\n    member: [ask, plan, dont-ask]\n");
        var (alice, ada) = await AddUsersAsync();
        await using var server = await _server.StartAsync();
        using var member = server.Client(alice);
        using var admin = server.Client(ada);
        const string Named = "is not a permission mode server.role_permission_modes.member lets user 'alice' choose (ask, plan, dont-ask)";

        var create = await AgentServer.SendAsync(member, HttpMethod.Post, "v1/sessions", new { permissionMode = "yolo" });
        Assert.True(create.Status == HttpStatusCode.Forbidden, create.Body);
        Assert.Contains($"permissionMode: 'yolo' {Named}", create.Body, StringComparison.Ordinal);
        var viaSettings = await AgentServer.SendAsync(member, HttpMethod.Post, "v1/sessions", new { settings = new Dictionary<string, string> { ["permission_mode"] = "accept-edits" } });
        Assert.True(viaSettings.Status == HttpStatusCode.Forbidden, viaSettings.Body);
        Assert.Contains($"settings.permission_mode: 'accept-edits' {Named}", viaSettings.Body, StringComparison.Ordinal);

        var mine = await MemberServer.CreateSessionAsync(member, new { permissionMode = "plan" });
        var patch = await AgentServer.SendAsync(member, HttpMethod.Patch, $"v1/sessions/{mine}", new { settings = new { permission_mode = "yolo" } });
        Assert.True(patch.Status == HttpStatusCode.Forbidden, patch.Body);
        Assert.Contains($"settings.permission_mode: 'yolo' {Named}", patch.Body, StringComparison.Ordinal);
        Assert.Equal("plan", (await SettingsAsync(member, mine)).GetProperty("permission_mode").GetString());

        // An admin is not capped; a mode an admin set on the member's session is refused when the member sends.
        await MemberServer.CreateSessionAsync(admin, new { permissionMode = "yolo" });
        Assert.Equal(HttpStatusCode.OK, (await AgentServer.SendAsync(admin, HttpMethod.Patch, $"v1/sessions/{mine}", new { settings = new { permission_mode = "yolo" } })).Status);
        var send = await AgentServer.SendAsync(member, HttpMethod.Post, $"v1/sessions/{mine}/messages", new { prompt = "hello" });
        Assert.True(send.Status == HttpStatusCode.Forbidden, send.Body);
        Assert.Contains($"session {mine}'s permission_mode: 'yolo' {Named}", send.Body, StringComparison.Ordinal);
        Assert.Equal(0, (await AgentServer.ReadAsync(await member.GetAsync($"v1/sessions/{mine}"), HttpStatusCode.OK)).GetProperty("messageCount").GetInt64());

        var ask = await MemberServer.CreateSessionAsync(member, new { permissionMode = "ask", interactive = true });
        Assert.Equal(HttpStatusCode.OK, (await AgentServer.SendAsync(member, HttpMethod.Post, $"v1/sessions/{ask}/messages?wait=true", new { prompt = "hello" })).Status);
    }

    [Fact]
    public async Task WithoutASandbox_AMemberMayNotChooseYolo_TheServerSaysSoAtStart_AndTheOptOutAllowsIt()
    {
        _server.Workspace.WriteUserConfig(NoSandboxConfig);
        var (alice, ada) = await AddUsersAsync();
        await using (var server = await _server.StartAsync())
        {
            using var member = server.Client(alice);
            using var admin = server.Client(ada);
            Assert.Contains("agent serve: no working OS sandbox (bwrap was not found at /nonexistent/bwrap", server.Process.Startup, StringComparison.Ordinal);
            Assert.Contains("set server.allow_unsandboxed_modes: true to allow it", server.Process.Startup, StringComparison.Ordinal);

            var refused = await AgentServer.SendAsync(member, HttpMethod.Post, "v1/sessions", new { permissionMode = "yolo" });
            Assert.True(refused.Status == HttpStatusCode.Forbidden, refused.Body);
            Assert.Contains("permissionMode: 'yolo' runs commands without asking, and this server has no working OS sandbox", refused.Body, StringComparison.Ordinal);
            Assert.Contains("server.allow_unsandboxed_modes: true", refused.Body, StringComparison.Ordinal);
            var mine = await MemberServer.CreateSessionAsync(member, new { permissionMode = "accept-edits" });
            var patch = await AgentServer.SendAsync(member, HttpMethod.Patch, $"v1/sessions/{mine}", new { settings = new { permission_mode = "yolo" } });
            Assert.Equal(HttpStatusCode.Forbidden, patch.Status);
            await MemberServer.CreateSessionAsync(admin, new { permissionMode = "yolo" });
        }

        _server.Workspace.WriteUserConfig(NoSandboxConfig + "server:\n  allow_unsandboxed_modes: true\n");
        await using var optedOut = await _server.StartAsync();
        using var allowed = optedOut.Client(alice);
        Assert.Contains("warning: no working OS sandbox", optedOut.Process.Startup, StringComparison.Ordinal);
        Assert.Contains("server.allow_unsandboxed_modes: true lets members choose yolo", optedOut.Process.Startup, StringComparison.Ordinal);
        await MemberServer.CreateSessionAsync(allowed, new { permissionMode = "yolo" });
    }

    [BubblewrapFact]
    public async Task WithAWorkingSandbox_AMemberMayChooseYolo_AndTheServerPrintsNoNotice()
    {
        var (alice, _) = await AddUsersAsync();
        await using var server = await _server.StartAsync();
        using var member = server.Client(alice);

        Assert.DoesNotContain("no working OS sandbox", server.Process.Startup, StringComparison.Ordinal);
        await MemberServer.CreateSessionAsync(member, new { permissionMode = "yolo" });
    }

    /// <summary>Adds alice (a member) and ada (an admin); returns their tokens.</summary>
    private async Task<(string Alice, string Ada)> AddUsersAsync() => (await _server.AddAsync("alice"), await _server.AddAsync("ada", "admin"));

    private static async Task<System.Text.Json.JsonElement> SettingsAsync(HttpClient client, string id) =>
        (await AgentServer.ReadAsync(await client.GetAsync($"v1/sessions/{id}/settings"), HttpStatusCode.OK)).GetProperty("settings");
}
