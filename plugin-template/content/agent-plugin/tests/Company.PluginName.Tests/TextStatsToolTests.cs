using AgentHost.Sdk.Events;
using AgentHost.Testing;

namespace Company.PluginName.Tests;

public sealed class TextStatsToolTests
{
    [Fact]
    public async Task Plugin_Loads_FromItsManifest_WithTheTool()
    {
        await using var host = await PluginTestHost.StartAsync<CompanyPluginNamePlugin>();

        Assert.Equal("company.plugin-id", host.PluginId);
        Assert.Contains("text_stats", host.ToolNames);
    }

    [Fact]
    public async Task TextStats_CountsAFileInTheWorkspace()
    {
        await using var host = await PluginTestHost.StartAsync<CompanyPluginNamePlugin>();
        await File.WriteAllTextAsync(Path.Combine(host.WorkspaceRoot, "notes.txt"), "Plugin notes\nplugin tools and plugin skills\n");

        var call = await host.CallToolAsync("text_stats", new { path = "notes.txt", top = 1 });

        call.AssertSucceeded()
            .AssertResultContains("notes.txt: 2 lines, 7 words")
            .AssertResultContains("plugin (3)");
    }

    [Fact]
    public async Task TextStats_RefusesAPathOutsideTheWorkspace()
    {
        await using var host = await PluginTestHost.StartAsync<CompanyPluginNamePlugin>();

        var call = await host.CallToolAsync("text_stats", new { path = "../outside.txt" });

        Assert.Equal(ToolCallStatus.Failed, call.Status);
        Assert.Contains("outside the workspace", call.Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Model_CallsTextStats_AndAnswersWithTheCounts()
    {
        await using var host = await PluginTestHost.StartAsync<CompanyPluginNamePlugin>();
        await File.WriteAllTextAsync(Path.Combine(host.WorkspaceRoot, "README.md"), "# Title\n\nOne short line.\n");
        var model = new ScriptedModel()
            .CallTool("text_stats", new { path = "README.md" })
            .Reply("README.md has 3 lines.");

        var run = await host.RunAsync("How long is the README?", model);

        run.AssertCompleted()
            .AssertToolCalled("text_stats")
            .AssertSucceeded()
            .AssertResultContains("README.md: 3 lines, 4 words");
        Assert.Equal("README.md has 3 lines.", run.FinalText);
    }
}
