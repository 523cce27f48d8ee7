using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentHost.Tests.Lsp;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Server;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// Model tools that act on what every session of an engine shares, on a shared <c>agent serve</c> with users over real
/// HTTP (docs/server.md "Users and roles"): a member's session refuses <c>lsp_control</c> through its <c>deny_tools</c>
/// even in yolo mode, so the member's model cannot stop the language server every session uses (the API's
/// <c>/v1/lsp</c> is admin-only); an admin's session may; and a member's PATCH cannot drop the refusal.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class SharedToolsApiTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [RequiresProgramFact("node")]
    public async Task MembersModel_CannotStopTheSharedLanguageServer_InYolo_AnAdminsCan_AndAPatchCannotLiftIt()
    {
        var alice = await AgentServer.AddUserAsync(_ws, "alice", "member");
        var ada = await AgentServer.AddUserAsync(_ws, "ada", "admin");
        await using var server = await StartAsync("""
            turns:
              - tool_calls: [{ name: lsp_control, arguments: { action: stop, name: fixture, json: true } }]
              - text: Done.
            """);
        // The member's model is not offered the tool (it calls it anyway); the admin's is.
        var memberModel = "scripted/" + _ws.WriteRootScript("turns:\n  - expect: { tools_include: [lsp_status], tools_exclude: [lsp_control] }\n    tool_calls: [{ name: lsp_control, arguments: { action: stop, name: fixture, json: true } }]\n  - text: Done.\n");
        var adminModel = "scripted/" + _ws.WriteScript("turns:\n  - expect: { tools_include: [lsp_status, lsp_control] }\n    tool_calls: [{ name: lsp_control, arguments: { action: stop, name: fixture, json: true } }]\n  - text: Done.\n");
        using var member = server.Client(alice);
        using var admin = server.Client(ada);
        var started = await ReadAsync(await admin.PostAsync("v1/lsp/fixture/start", null), HttpStatusCode.OK);
        var pid = Assert.Single(started.GetProperty("engines").EnumerateArray()).GetProperty("pids")[0].GetInt32();

        // The member's own allow rule and yolo mode: the session policy still refuses.
        var mine = await CreateAsync(member, new { model = memberModel, permissionMode = "yolo", settings = new Dictionary<string, string> { ["deny_tools"] = "bash" } });
        Assert.Equal("completed", (await ReadAsync(await member.PostAsJsonAsync($"v1/sessions/{mine}/messages?wait=true", new { prompt = "stop it" }), HttpStatusCode.OK)).GetProperty("status").GetString());
        var refused = Assert.Single(await ToolResultsAsync(member, mine));
        Assert.Contains("the tool lsp_control is refused by the session's deny_tools ('lsp_control')", refused, StringComparison.Ordinal);
        var still = Fixture(await ReadAsync(await admin.GetAsync("v1/lsp"), HttpStatusCode.OK));
        Assert.Equal("running", still.GetProperty("state").GetString());
        Assert.Equal($"pid {pid}", still.GetProperty("detail").GetString());

        // A member may add names but not drop the ones the server set.
        var settings = (await ReadAsync(await member.GetAsync($"v1/sessions/{mine}/settings"), HttpStatusCode.OK)).GetProperty("settings");
        Assert.Equal("bash,lsp_control,job_list,job_output,job_kill", settings.GetProperty("deny_tools").GetString());
        foreach (var value in new[] { null, "bash", "bash,job_list,job_output,job_kill" })
        {
            var body = await ReadAsync(await member.PatchAsJsonAsync($"v1/sessions/{mine}/settings", new { settings = new Dictionary<string, string?> { ["deny_tools"] = value } }), HttpStatusCode.BadRequest);
            Assert.StartsWith("settings.deny_tools: ", body.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Contains("would widen the session's policy", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        var added = await ReadAsync(await member.PatchAsJsonAsync($"v1/sessions/{mine}/settings", new { settings = new Dictionary<string, string> { ["deny_tools"] = "bash,lsp_control,job_list,job_output,job_kill,fetch" } }), HttpStatusCode.OK);
        Assert.Contains("lsp_control", added.GetProperty("settings").GetProperty("deny_tools").GetString(), StringComparison.Ordinal);

        // The same call in an admin's session stops the server every session shares.
        var theirs = await CreateAsync(admin, new { model = adminModel, permissionMode = "yolo" });
        await ReadAsync(await admin.PostAsJsonAsync($"v1/sessions/{theirs}/messages?wait=true", new { prompt = "stop it" }), HttpStatusCode.OK);
        var stopped = JsonDocument.Parse(Assert.Single(await ToolResultsAsync(admin, theirs))).RootElement;
        Assert.Equal("stopped", stopped.GetProperty("outcome").GetString());
        Assert.Equal("stopped", Fixture(await ReadAsync(await admin.GetAsync("v1/lsp"), HttpStatusCode.OK)).GetProperty("state").GetString());
        Assert.False((await ReadAsync(await admin.GetAsync($"v1/sessions/{theirs}/settings"), HttpStatusCode.OK)).GetProperty("settings").TryGetProperty("deny_tools", out _));
    }

    [RequiresProgramFact("node")]
    public async Task AMembersSession_RefusesItWithoutAskingForIt()
    {
        var alice = await AgentServer.AddUserAsync(_ws, "alice", "member");
        await using var server = await StartAsync("""
            turns:
              - tool_calls: [{ name: lsp_control, arguments: { action: stop, name: fixture, json: true } }]
              - text: Done.
            """);
        using var member = server.Client(alice);
        var mine = await CreateAsync(member, new { permissionMode = "yolo" });
        Assert.Equal("lsp_control,job_list,job_output,job_kill", (await ReadAsync(await member.GetAsync($"v1/sessions/{mine}/settings"), HttpStatusCode.OK)).GetProperty("settings").GetProperty("deny_tools").GetString());
        await ReadAsync(await server.Http.PostAsync("v1/lsp/fixture/start", null), HttpStatusCode.OK);

        await ReadAsync(await member.PostAsJsonAsync($"v1/sessions/{mine}/messages?wait=true", new { prompt = "stop it" }), HttpStatusCode.OK);

        Assert.Contains("refused by the session's deny_tools", Assert.Single(await ToolResultsAsync(member, mine)), StringComparison.Ordinal);
        Assert.Equal("running", Fixture(await server.GetAsync("v1/lsp")).GetProperty("state").GetString());
    }

    [RequiresProgramFact("node")]
    public async Task AMembersWorkflowToolNode_CannotStopTheSharedLanguageServer_AnAdminsCan()
    {
        File.WriteAllText(Path.Combine(_ws.Root, "stop.yaml"), """
            name: stop
            nodes:
              - id: stop
                kind: tool
                tool: lsp_control
                arguments: { action: stop, name: fixture, json: true }
            output: "{{ nodes.stop.text }}"
            """);
        var alice = await AgentServer.AddUserAsync(_ws, "alice", "member");
        var ada = await AgentServer.AddUserAsync(_ws, "ada", "admin");
        await using var server = await StartAsync("turns:\n  - text: Hi.\n");
        using var member = server.Client(alice);
        using var admin = server.Client(ada);
        await ReadAsync(await admin.PostAsync("v1/lsp/fixture/start", null), HttpStatusCode.OK);

        var refused = await UntilEndedAsync(member, await StartRunAsync(member));
        Assert.Equal("failed", refused.GetProperty("status").GetString());
        Assert.Contains("refused by the session's deny_tools ('lsp_control')", refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("allow it with a permissions rule", refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("can only be narrowed further", refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("running", Fixture(await ReadAsync(await admin.GetAsync("v1/lsp"), HttpStatusCode.OK)).GetProperty("state").GetString());

        var done = await UntilEndedAsync(admin, await StartRunAsync(admin));
        Assert.Equal("completed", done.GetProperty("status").GetString());
        Assert.Equal("stopped", Fixture(await ReadAsync(await admin.GetAsync("v1/lsp"), HttpStatusCode.OK)).GetProperty("state").GetString());
    }

    private static async Task<string> StartRunAsync(HttpClient client) =>
        (await ReadAsync(await client.PostAsJsonAsync("v1/workflows/runs", new { workflow = "stop.yaml" }), HttpStatusCode.Accepted)).GetProperty("id").GetString()!;

    /// <summary>Reads the run until it has ended (within a minute).</summary>
    private static async Task<JsonElement> UntilEndedAsync(HttpClient client, string id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            var run = await ReadAsync(await client.GetAsync($"v1/workflows/runs/{id}", timeout.Token), HttpStatusCode.OK);
            if (run.GetProperty("status").GetString() is not ("running" or "pending"))
            {
                return run;
            }

            await Task.Delay(100, timeout.Token);
        }
    }

    private async Task<AgentServer> StartAsync(string script)
    {
        _ws.WriteUserConfig(
            "permissions:\n  allow:\n    - lsp_control\n"
            + "plugins:\n  deferred_tools:\n    lsp: none\n"
            + "lsp:\n  servers:\n"
            + $"    fixture:\n      command: node\n      args: [{JsonSerializer.Serialize(LspServers.Fixture("settling-server.mjs"))}]\n      extensions: [.fx]\n");
        return await AgentServer.StartAsync(_ws.Root, _ws.Environment, "--plugin", "scripted", "--no-default-plugins", "--model", "scripted/" + _ws.WriteScript(script));
    }

    private static async Task<string> CreateAsync(HttpClient client, object request) =>
        (await ReadAsync(await client.PostAsJsonAsync("v1/sessions", request), HttpStatusCode.Created)).GetProperty("id").GetString()!;

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            return await AgentServer.ReadAsync(response, expected);
        }
    }

    private static JsonElement Fixture(JsonElement engines) =>
        Assert.Single(engines.EnumerateArray()).GetProperty("servers").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "fixture");

    private static Task<List<string>> ToolResultsAsync(HttpClient client, string id) => AgentServer.ToolResultsAsync(client, id);
}
