using System.Text.Json;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Runs;

/// <summary>#19 item 2: the standard tool packs load without --plugin; plugins.defaults and --no-default-plugins turn them off; permissions still decide.</summary>
[Trait("Speed", "Slow")]
public sealed class DefaultPluginsTests
{
    private static readonly string[] OneToolPerPack = ["ls", "view", "grep", "write", "shell", "git_status", "fetch"];

    private static void UseFakeServer(RunWorkspace ws, FakeOpenAIServer server, string extra = "") =>
        ws.WriteUserConfig($"""
            providers:
              local:
                type: openai
                base_url: {server.BaseUrl}
                api_key: test-key
                models: [gpt-4.1-mini]
            {extra}
            """);

    private static List<string> OfferedTools(RecordedRequest chat) =>
        chat.Json.TryGetProperty("tools", out var tools)
            ? [.. tools.EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString()!)]
            : [];

    [Fact]
    public async Task Run_WithoutPlugin_OffersTheFilesShellGitAndWebTools_ToTheModel()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        UseFakeServer(ws, server);
        server.ReplySse(Chunks.Answer("hi"));

        var run = await ws.RunAsync("run", "say hi", "-m", "local/gpt-4.1-mini", "-o", "final");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Equal("hi", run.Output.Trim());
        var offered = OfferedTools(server.LastChat);
        Assert.All(OneToolPerPack, tool => Assert.Contains(tool, offered));
    }

    [Fact]
    public async Task NoDefaultPluginsFlag_AndAnEmptyDefaultsList_LeaveOnlyTheKernelTools()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        UseFakeServer(ws, server);
        server.ReplySse(Chunks.Answer("flag"));
        server.ReplySse(Chunks.Answer("config"));

        var flag = await ws.RunAsync("run", "say hi", "-m", "local/gpt-4.1-mini", "--no-default-plugins", "-o", "final");
        var flagTools = OfferedTools(server.LastChat);
        UseFakeServer(ws, server, "plugins:\n  defaults: []\n");
        var config = await ws.RunAsync("run", "say hi", "-m", "local/gpt-4.1-mini", "-o", "final");
        var configTools = OfferedTools(server.LastChat);

        Assert.True(flag.ExitCode == ExitCodes.Success, flag.Error);
        Assert.True(config.ExitCode == ExitCodes.Success, config.Error);
        Assert.Equal(["ask_user", "skill"], flagTools);
        Assert.Equal(["ask_user", "skill"], configTools);
    }

    [Fact]
    public async Task DefaultsList_NamesWhichPacksLoad()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        UseFakeServer(ws, server, "plugins:\n  defaults: [git]\n");
        server.ReplySse(Chunks.Answer("ok"));

        var run = await ws.RunAsync("run", "say hi", "-m", "local/gpt-4.1-mini", "-o", "final");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        var offered = OfferedTools(server.LastChat);
        Assert.Contains("git_status", offered);
        Assert.DoesNotContain("view", offered);
        Assert.DoesNotContain("shell", offered);
    }

    [Fact]
    public async Task DefaultShellTool_IsStillDecidedByPermissions_DeniedHeadless()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript("""
            turns:
              - tool_calls:
                  - name: shell
                    arguments: { command: "touch made-by-shell.txt" }
              - expect:
                  tool_results_contain: [denied]
                text: The command was not allowed.
            """);

        var run = await ws.RunAsync("run", "make a file", "-p", "scripted", "-m", "scripted/" + script);

        Assert.True(run.ExitCode == ExitCodes.Denied, run.Error); // its only tool call was denied: exit 5 (#19 item 5)
        Assert.Contains("The command was not allowed.", run.Output, StringComparison.Ordinal);
        Assert.Contains("permission: deny", run.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(ws.Root, "made-by-shell.txt")));
    }

    [Fact]
    public async Task ToolList_WithoutPlugin_ShowsWhatARunGets_AndTheFlagLeavesThemOut()
    {
        using var ws = new RunWorkspace();

        var all = await ws.RunAsync("tool", "list", "--json");
        var none = await ws.RunAsync("tool", "list", "--no-default-plugins", "--json");
        var named = await ws.RunAsync("tool", "list", "--no-default-plugins", "--plugin", "git", "--json");

        Assert.True(all.ExitCode == ExitCodes.Success, all.Error);
        var plugins = JsonDocument.Parse(all.Output).RootElement.EnumerateArray().Select(t => t.GetProperty("plugin").GetString()).Distinct().Order().ToList();
        Assert.Equal(["files", "git", "shell", "web"], plugins);
        Assert.Equal(0, JsonDocument.Parse(none.Output).RootElement.GetArrayLength());
        Assert.All(JsonDocument.Parse(named.Output).RootElement.EnumerateArray(), t => Assert.Equal("git", t.GetProperty("plugin").GetString()));
    }

    [Fact]
    public async Task DefaultsList_IsValidated_AndAnUnknownIdStopsTheRun_NamingTheSetting()
    {
        using var ws = new RunWorkspace();
        ws.WriteUserConfig("plugins:\n  defaults: files\n");
        var scalar = await ws.RunAsync("run", "hi", "-p", "scripted", "-m", "scripted/script.yaml");
        ws.WriteUserConfig("plugins:\n  defaults: [filez, git]\n");
        var unknown = await ws.RunAsync("run", "hi", "-p", "scripted", "-m", "scripted/script.yaml");

        Assert.Equal(ExitCodes.Configuration, scalar.ExitCode);
        Assert.Contains("plugins.defaults", scalar.Error, StringComparison.Ordinal);
        Assert.Contains("list", scalar.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Configuration, unknown.ExitCode);
        Assert.Contains("plugins.defaults: plugin 'filez'", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("Did you mean: files", unknown.Error, StringComparison.Ordinal);
        Assert.Contains("--no-default-plugins", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UntrustedProject_CannotChooseTheDefaultPlugins()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        UseFakeServer(ws, server);
        ws.WriteProjectConfig("plugins:\n  defaults: [lsp]\n");
        server.ReplySse(Chunks.Answer("ok"));

        var run = await ws.RunAsync("run", "say hi", "-m", "local/gpt-4.1-mini");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Contains("default plugins are ignored (plugins.defaults)", run.Error, StringComparison.Ordinal);
        Assert.Contains("shell", OfferedTools(server.LastChat));
    }
}
