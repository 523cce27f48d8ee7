using System.Net;
using System.Net.Http.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// Nothing a member supplies runs as the server (docs/server.md "Plugins and files a member names"), through a real
/// <c>agent serve</c> with members' tokens: a member names plugins only by id (narrowed by <c>server.plugins</c>); a
/// plugin folder is an admin's, inside their roots and trusted; a workflow file (and each sub-workflow named by path)
/// lies inside the caller's roots, checked before it is read, so its shell node never runs.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ServerMemberInputsTests : IDisposable
{
    private static readonly string[] Scripted = ["scripted"];
    private static readonly string[] ScriptedAndHooked = ["scripted", "./hooked"];
    private static readonly string[] ScriptedAndKit = ["scripted", "kit"];
    private static readonly string[] ScriptedAndFiles = ["scripted", "files"];

    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    private string Marker => Path.Combine(_ws.Root, "PWNED");

    [HookScriptFact]
    public async Task PluginFolder_IsRefusedToAMember_AndToAnAdminOutsideTheirRootsOrUntrusted_ItsHookNeverRuns_ATrustedOneLoadsForAnAdmin()
    {
        var inside = HookedPlugin(Path.Combine(_ws.Root, "hooked"));
        var outside = HookedPlugin(_ws.Combine("elsewhere", "hooked"));
        var untrusted = HookedPlugin(Path.Combine(_ws.Root, "untrusted-hooked"));
        _ws.WriteUserConfig($"permissions:\n  trusted_projects: ['{inside}', '{outside}']\n");
        var alice = await AgentServer.AddUserAsync(_ws, "alice", "member");
        var ada = await AgentServer.AddUserAsync(_ws, "ada", "admin");
        await using var server = await StartAsync();
        using var member = server.Client(alice);
        using var admin = server.Client(ada);

        // A member: a folder, relative or absolute, is refused, whatever it holds.
        foreach (var folder in new[] { "./hooked", inside, outside })
        {
            var refused = await AgentServer.SendAsync(member, HttpMethod.Post, "v1/sessions", new { plugins = new[] { "scripted", folder } });
            Assert.True(refused.Status == HttpStatusCode.Forbidden, $"{folder}: {(int)refused.Status} {refused.Body}");
            Assert.Contains($"plugins[1]: '{folder}' is a folder, and on this server a member names plugins only by id", refused.Body, StringComparison.Ordinal);
        }

        // An admin: not outside their roots, not untrusted.
        var far = await AgentServer.SendAsync(admin, HttpMethod.Post, "v1/sessions", new { plugins = new[] { "scripted", outside } });
        Assert.True(far.Status == HttpStatusCode.Forbidden, far.Body);
        Assert.Contains($"plugins[1] {outside}: outside the roots this server lets user 'ada' use", far.Body, StringComparison.Ordinal);
        var notTrusted = await AgentServer.SendAsync(admin, HttpMethod.Post, "v1/sessions", new { plugins = new[] { "scripted", untrusted } });
        Assert.True(notTrusted.Status == HttpStatusCode.Forbidden, notTrusted.Body);
        Assert.Contains($"plugins[1]: the plugin folder {untrusted} is not trusted", notTrusted.Body, StringComparison.Ordinal);
        Assert.Empty(await SessionsAsync(server));

        // A member's ordinary session with a prompt: nothing of the folders ran.
        var mine = await CreateAsync(member, new { plugins = Scripted });
        await SendAsync(member, mine);
        Assert.False(File.Exists(Marker), "a plugin folder's SessionStart hook ran for a refused request");

        // An admin's trusted folder inside their roots loads: its SessionStart hook runs at the first prompt.
        var theirs = await CreateAsync(admin, new { plugins = ScriptedAndHooked });
        await SendAsync(admin, theirs);
        Assert.True(File.Exists(Marker), "the admin's trusted plugin folder did not load");
    }

    [Fact]
    public async Task MemberNamesPluginsById_AnInstalledOneWorks_ServerPluginsNarrowsTheIds_AdminsAreNotNarrowed()
    {
        var kit = _ws.Combine("kit");
        Directory.CreateDirectory(Path.Combine(kit, "flows"));
        File.WriteAllText(Path.Combine(kit, "plugin.yaml"), "id: kit\nversion: 1.0.0\ndescription: Workflows\nsdk: \"^1.0\"\nworkflows: flows\n");
        var install = await _ws.RunAsync("plugin", "install", kit, "--yes");
        Assert.True(install.ExitCode == 0, install.Error);
        var alice = await AgentServer.AddUserAsync(_ws, "alice", "member");
        var ada = await AgentServer.AddUserAsync(_ws, "ada", "admin");

        await using (var open = await StartAsync())
        {
            using var member = open.Client(alice);
            await CreateAsync(member, new { plugins = ScriptedAndKit });
            await CreateAsync(member, new { plugins = ScriptedAndFiles });
        }

        _ws.WriteUserConfig("server:\n  plugins: [scripted, kit]\n");
        await using var server = await StartAsync();
        using var narrowed = server.Client(alice);
        using var admin = server.Client(ada);
        await CreateAsync(narrowed, new { plugins = ScriptedAndKit });

        var refused = await AgentServer.SendAsync(narrowed, HttpMethod.Post, "v1/sessions", new { plugins = ScriptedAndFiles });
        Assert.True(refused.Status == HttpStatusCode.Forbidden, refused.Body);
        Assert.Contains("plugins[1]: plugin 'files' is not one server.plugins lets a member use (kit, scripted)", refused.Body, StringComparison.Ordinal);
        await CreateAsync(admin, new { plugins = ScriptedAndFiles });
    }

    [UnixFact]
    public async Task WorkflowFile_OutsideTheMembersRoots_IsRefusedBeforeItIsRead_DirectlyOrAsASubWorkflow_ItsShellNodeNeverRuns()
    {
        var elsewhere = _ws.Combine("elsewhere");
        Directory.CreateDirectory(elsewhere);
        File.WriteAllText(Path.Combine(elsewhere, "wf.yaml"), $"""
            name: escape
            nodes:
              - id: touch
                kind: shell
                command: "touch '{Marker}'"
            """);
        File.WriteAllText(Path.Combine(_ws.Root, "main.yaml"), """
            name: main
            nodes:
              - id: call
                kind: workflow
                workflow: ../elsewhere/wf.yaml
            """);
        var alice = await AgentServer.AddUserAsync(_ws, "alice", "member");
        var ada = await AgentServer.AddUserAsync(_ws, "ada", "admin");
        await using var server = await StartAsync();
        using var member = server.Client(alice);
        using var admin = server.Client(ada);

        foreach (var (client, workflow, written) in new[]
        {
            (member, Path.Combine(elsewhere, "wf.yaml"), Path.Combine(elsewhere, "wf.yaml")),
            (member, "../elsewhere/wf.yaml", "../elsewhere/wf.yaml"),
            (member, "main.yaml", "../elsewhere/wf.yaml"),
            (admin, Path.Combine(elsewhere, "wf.yaml"), Path.Combine(elsewhere, "wf.yaml")),
        })
        {
            var refused = await AgentServer.SendAsync(client, HttpMethod.Post, "v1/workflows/runs", new { workflow });
            Assert.True(refused.Status == HttpStatusCode.Forbidden, $"{workflow}: {(int)refused.Status} {refused.Body}");
            Assert.Contains($"workflow {written}: outside the roots this server lets user", refused.Body, StringComparison.Ordinal);
        }

        // Outside every root, a file that does not exist is answered the same way: its existence does not leak.
        var missing = await AgentServer.SendAsync(member, HttpMethod.Post, "v1/workflows/runs", new { workflow = Path.Combine(elsewhere, "none.yaml") });
        Assert.Equal(HttpStatusCode.Forbidden, missing.Status);
        Assert.Empty((await AgentServer.ReadAsync(await admin.GetAsync("v1/workflows/runs"), HttpStatusCode.OK)).EnumerateArray());
        Assert.False(File.Exists(Marker), "the workflow's shell node ran");
    }

    [HookScriptFact]
    public async Task WorkflowNamingAPluginFolder_IsRefusedToAMember_ItsHookNeverRuns()
    {
        var inside = HookedPlugin(Path.Combine(_ws.Root, "hooked"));
        _ws.WriteUserConfig($"permissions:\n  trusted_projects: ['{inside}']\n");
        foreach (var (file, plugin) in new[] { ("relative.yaml", "./hooked"), ("absolute.yaml", inside) })
        {
            File.WriteAllText(Path.Combine(_ws.Root, file), $"""
                name: {Path.GetFileNameWithoutExtension(file)}
                plugins: ['{plugin}']
                nodes:
                  - id: say
                    kind: shell
                    command: "echo hi"
                """);
        }

        // The root is trusted (its workflows may name plugins by path), so only the member check stands in the way.
        var trusted = await _ws.RunAsync("trust");
        Assert.True(trusted.ExitCode == ExitCodes.Success, trusted.Error + trusted.Output);
        var alice = await AgentServer.AddUserAsync(_ws, "alice", "member");
        await using var server = await StartAsync();
        using var member = server.Client(alice);

        foreach (var (file, plugin) in new[] { ("relative.yaml", "./hooked"), ("absolute.yaml", inside) })
        {
            var refused = await AgentServer.SendAsync(member, HttpMethod.Post, "v1/workflows/runs", new { workflow = file });
            Assert.True(refused.Status == HttpStatusCode.Forbidden, $"{file}: {(int)refused.Status} {refused.Body}");
            Assert.Contains($"workflow plugins[0]: '{inside}' is a folder, and on this server a member names plugins only by id", refused.Body, StringComparison.Ordinal);
        }

        Assert.Empty((await AgentServer.ReadAsync(await member.GetAsync("v1/workflows/runs"), HttpStatusCode.OK)).EnumerateArray());
        Assert.False(File.Exists(Marker), "a workflow's plugin folder loaded for a member: its SessionStart hook ran");
    }

    [Fact]
    public async Task ScriptedModelFile_OutsideTheMembersRoots_Is400NamingTheField_ARelativeOneIsTheSessionsRoots()
    {
        // The scripted provider reads the file its model id names: a member must not make the server read any file it can.
        var secret = _ws.Combine("elsewhere", "secret.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(secret)!);
        File.WriteAllText(secret, "turns:\n  - text: the server's own file\n");
        var sub = Path.Combine(_ws.Root, "sub");
        Directory.CreateDirectory(sub);
        File.WriteAllText(Path.Combine(sub, "mine.yaml"), "turns:\n  - text: From my root.\n");
        var alice = await AgentServer.AddUserAsync(_ws, "alice", "member");
        await using var server = await StartAsync();
        using var member = server.Client(alice);

        foreach (var model in new[] { "scripted/" + secret, "scripted/../elsewhere/secret.yaml" })
        {
            var created = await AgentServer.SendAsync(member, HttpMethod.Post, "v1/sessions", new { model });
            Assert.True(created.Status == HttpStatusCode.BadRequest, $"{model}: {(int)created.Status} {created.Body}");
            Assert.Contains($"model: '{model}' names the file {secret}, which the model's provider would read as the server, outside the roots", created.Body, StringComparison.Ordinal);
            var setting = await AgentServer.SendAsync(member, HttpMethod.Post, "v1/sessions", new { settings = new Dictionary<string, string> { ["model"] = model } });
            Assert.True(setting.Status == HttpStatusCode.BadRequest, $"{model}: {(int)setting.Status} {setting.Body}");
            Assert.Contains("settings.model: '", setting.Body, StringComparison.Ordinal);
        }

        Assert.Empty(await SessionsAsync(server));

        // A relative model file is the session's root's (not the server's working folder): it works there.
        var mine = await CreateAsync(member, new { root = "sub", model = "scripted/mine.yaml" });
        using (var sent = await member.PostAsJsonAsync($"v1/sessions/{mine}/messages?wait=true", new { prompt = "hello" }))
        {
            var run = await AgentServer.ReadAsync(sent, HttpStatusCode.OK);
            Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        }

        // Changing the model later, or for one prompt, passes the same check.
        var patched = await AgentServer.SendAsync(member, HttpMethod.Patch, $"v1/sessions/{mine}", new { settings = new Dictionary<string, string> { ["model"] = "scripted/" + secret } });
        Assert.True(patched.Status == HttpStatusCode.BadRequest, $"{(int)patched.Status} {patched.Body}");
        Assert.Contains("settings.model: 'scripted/" + secret + "' names the file", patched.Body, StringComparison.Ordinal);
        var once = await AgentServer.SendAsync(member, HttpMethod.Post, $"v1/sessions/{mine}/messages?wait=true", new { prompt = "again", model = "scripted/" + secret });
        Assert.True(once.Status == HttpStatusCode.BadRequest, $"{(int)once.Status} {once.Body}");
        Assert.Contains("model: 'scripted/" + secret + "' names the file", once.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWorkflowAgentNodesModelFile_OutsideTheMembersRoots_FailsTheNodeNamingIt_OneInsideRuns()
    {
        var secret = _ws.Combine("elsewhere", "secret.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(secret)!);
        File.WriteAllText(secret, "turns:\n  - text: the server's own file\n");
        File.WriteAllText(Path.Combine(_ws.Root, "mine.yaml"), "turns:\n  - text: From my root.\n");
        foreach (var (name, model) in new[] { ("steal", "scripted/" + secret), ("relative", "scripted/../elsewhere/secret.yaml"), ("own", "scripted/mine.yaml") })
        {
            File.WriteAllText(Path.Combine(_ws.Root, name + ".yaml"), $"name: {name}\nnodes:\n  - id: ask\n    kind: agent\n    prompt: hi\n    model: {model}\n");
        }

        var alice = await AgentServer.AddUserAsync(_ws, "alice", "member");
        await using var server = await StartAsync();
        using var member = server.Client(alice);

        foreach (var (name, model) in new[] { ("steal", "scripted/" + secret), ("relative", "scripted/../elsewhere/secret.yaml") })
        {
            var failed = await RunWorkflowAsync(member, name + ".yaml");
            Assert.True(failed.GetProperty("status").GetString() == "failed", failed.ToString());
            Assert.Contains($"model: '{model}' names the file {secret}, which the model's provider would read as the server, outside the roots", failed.GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain("the server's own file", failed.ToString(), StringComparison.Ordinal);
        }

        // A model file in the member's root (relative to it) runs.
        var own = await RunWorkflowAsync(member, "own.yaml");
        Assert.True(own.GetProperty("status").GetString() == "completed", own.ToString());
        Assert.Contains("From my root.", own.GetProperty("output").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATrustedRootsProviderScriptSetting_OutsideTheMembersRoots_IsRefused_TheServersOwnSettingIsTheAdmins()
    {
        var secret = _ws.Combine("elsewhere", "secret.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(secret)!);
        File.WriteAllText(secret, "turns:\n  - text: the server's own file\n");
        // The root is trusted by the admin; its (member-writable) configuration names a provider whose script is outside it.
        _ws.WriteUserConfig($"permissions:\n  trusted_projects: ['{_ws.Root}']\n");
        Directory.CreateDirectory(Path.Combine(_ws.Root, ".agent"));
        File.WriteAllText(Path.Combine(_ws.Root, ".agent", "config.yaml"), $"providers:\n  replay:\n    type: scripted\n    settings:\n      script: {secret}\n");
        var alice = await AgentServer.AddUserAsync(_ws, "alice", "member");
        var ada = await AgentServer.AddUserAsync(_ws, "ada", "admin");
        await using var server = await StartAsync();
        using var member = server.Client(alice);
        using var admin = server.Client(ada);

        var refused = await AgentServer.SendAsync(member, HttpMethod.Post, "v1/sessions", new { model = "replay/any" });
        Assert.True(refused.Status == HttpStatusCode.BadRequest, $"{(int)refused.Status} {refused.Body}");
        Assert.Contains($"model: 'replay/any' reads the file {secret} that providers.replay.settings.script names ({Path.Combine(_ws.Root, ".agent", "config.yaml")}:5)", refused.Body, StringComparison.Ordinal);

        // An admin may (the root's configuration is theirs to trust), and the file is read.
        var id = await CreateAsync(admin, new { model = "replay/any" });
        using var sent = await admin.PostAsJsonAsync($"v1/sessions/{id}/messages?wait=true", new { prompt = "hello" });
        var run = await AgentServer.ReadAsync(sent, HttpStatusCode.OK);
        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
    }

    /// <summary>Starts a workflow run as <paramref name="client"/>'s user and reads it until it ends.</summary>
    private static async Task<System.Text.Json.JsonElement> RunWorkflowAsync(HttpClient client, string workflow)
    {
        using var started = await client.PostAsJsonAsync("v1/workflows/runs", new { workflow });
        var id = (await AgentServer.ReadAsync(started, HttpStatusCode.Accepted)).GetProperty("id").GetString()!;
        return await ServerWorkflowsApiTests.UntilAsync(client, id, run => run.GetProperty("status").GetString() is not ("running" or "waiting"));
    }

    /// <summary>A Claude Code plugin folder whose SessionStart hook writes <see cref="Marker"/>.</summary>
    private string HookedPlugin(string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, ".claude-plugin"));
        Directory.CreateDirectory(Path.Combine(folder, "hooks"));
        File.WriteAllText(Path.Combine(folder, ".claude-plugin", "plugin.json"), $$"""{ "name": "{{Path.GetFileName(folder)}}" }""");
        File.WriteAllText(Path.Combine(folder, "hooks", "hooks.json"), $$"""
            { "hooks": { "SessionStart": [ { "hooks": [ { "type": "command", "command": "touch '{{Marker}}'" } ] } ] } }
            """);
        return folder;
    }

    private async Task<AgentServer> StartAsync() =>
        await AgentServer.StartAsync(_ws.Root, _ws.Environment, ["--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript("turns:\n  - text: Hi.\n  - text: Again.\n")]);

    private static async Task<string> CreateAsync(HttpClient client, object request)
    {
        using var response = await client.PostAsJsonAsync("v1/sessions", request);
        return (await AgentServer.ReadAsync(response, HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    private static async Task SendAsync(HttpClient client, string id)
    {
        using var response = await client.PostAsJsonAsync($"v1/sessions/{id}/messages?wait=true", new { prompt = "hello" });
        await AgentServer.ReadAsync(response, HttpStatusCode.OK);
    }

    private static async Task<List<string>> SessionsAsync(AgentServer server) =>
        [.. (await server.GetAsync("v1/sessions")).GetProperty("sessions").EnumerateArray().Select(s => s.GetProperty("id").GetString()!)];
}
