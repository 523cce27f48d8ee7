using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Testing;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Testing;

/// <summary>Direct tool calls through <see cref="PluginTestHost.CallToolAsync"/>: the kernel's pipeline, settings, events and logs.</summary>
public sealed class PluginTestHostCallTests
{
    [Fact]
    public async Task CallTool_RunsTheToolThroughThePipeline_AndRecordsTheResult()
    {
        using var temp = new TempDirectory();
        await using var host = await PluginTestHost.StartAsync<SamplePlugin>(new PluginTestHostOptions { ManifestPath = SampleManifest.Write(temp) });

        var call = await host.CallToolAsync("greet", new { name = "Ada" });

        call.AssertSucceeded().AssertResultContains("Hello, Ada!");
        Assert.Equal(("greet", "call_direct_1", ToolCallStatus.Succeeded), (call.Tool, call.CallId, call.Status));
        Assert.Equal("Ada", call.Argument<string>("name"));
        Assert.Null(call.Argument<string>("missing"));
        Assert.Equal("sample", host.PluginId);
        Assert.Equal(["fail", "greet", "meet", "write_note"], host.ToolNames);
        var completed = Assert.Single(host.Events.OfType<ToolCallCompletedEvent>());
        Assert.Equal(("greet", ToolCallStatus.Succeeded), (completed.Tool, completed.Status));
        Assert.Contains(host.Events, e => e is PluginLoadedEvent { PluginId: "sample" });
    }

    [Fact]
    public async Task CallTool_ToolThrows_IsAFailedRecordWithTheError()
    {
        using var temp = new TempDirectory();
        await using var host = await PluginTestHost.StartAsync<SamplePlugin>(new PluginTestHostOptions { ManifestPath = SampleManifest.Write(temp) });

        var call = await host.CallToolAsync("fail", """{"reason":"disk full"}""");

        Assert.Equal(ToolCallStatus.Failed, call.Status);
        call.AssertFailed().AssertResultContains("the sample tool failed: disk full");
        Assert.StartsWith("Error: ", call.Result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallTool_InvalidArguments_FailInThePipelineValidator_BeforeTheToolRuns()
    {
        using var temp = new TempDirectory();
        var plugin = new SamplePlugin();
        await using var host = await PluginTestHost.StartAsync(plugin, new PluginTestHostOptions { ManifestPath = SampleManifest.Write(temp) });

        var call = await host.CallToolAsync("greet", new { nickname = "Ada" });

        call.AssertFailed().AssertResultContains("invalid arguments for 'greet'");
        Assert.Contains("name", call.Result, StringComparison.Ordinal);
        Assert.Equal(0, plugin.GreetCalls);
    }

    [Fact]
    public async Task CallTool_ApproveReturnsFalse_DeniesTheCall_AndTheToolDoesNotRun()
    {
        using var temp = new TempDirectory();
        var checks = new List<ToolPermissionCheck>();
        var options = new PluginTestHostOptions
        {
            ManifestPath = SampleManifest.Write(temp),
            Approve = check =>
            {
                lock (checks)
                {
                    checks.Add(check);
                }

                return check.Effect == ToolEffect.Read;
            },
        };
        await using var host = await PluginTestHost.StartAsync<SamplePlugin>(options);

        var write = await host.CallToolAsync("write_note", new { text = "secret plan" });
        var read = await host.CallToolAsync("greet", new { name = "Ada" });

        write.AssertDenied().AssertResultContains("permission denied");
        read.AssertSucceeded();
        Assert.False(File.Exists(Path.Combine(host.WorkspaceRoot, "note.txt")));
        Assert.Equal(new ToolPermissionCheck("write_note", ToolEffect.Write, "write a note", "note.txt"), checks[0]);
        Assert.Contains(host.Events, e => e is PermissionDecidedEvent { Tool: "write_note", Decision: "deny" });
    }

    [Fact]
    public async Task CallTool_WriteTool_WritesIntoTheWorkspaceRoot()
    {
        using var temp = new TempDirectory();
        var workspace = temp.Combine("workspace");
        await using var host = await PluginTestHost.StartAsync<SamplePlugin>(new PluginTestHostOptions { ManifestPath = SampleManifest.Write(temp), WorkspaceRoot = workspace });

        (await host.CallToolAsync("write_note", new Dictionary<string, object?> { ["text"] = "hello" })).AssertSucceeded();

        Assert.Equal(workspace, host.WorkspaceRoot);
        Assert.Equal("hello", await File.ReadAllTextAsync(Path.Combine(workspace, "note.txt")));
    }

    [Fact]
    public async Task Settings_ReachThePlugin()
    {
        using var temp = new TempDirectory();
        var options = new PluginTestHostOptions { ManifestPath = SampleManifest.Write(temp) };
        options.Settings["greeting.prefix"] = "Howdy";
        await using var host = await PluginTestHost.StartAsync<SamplePlugin>(options);

        var call = await host.CallToolAsync("greet", new { name = "Ada" });

        call.AssertResultContains("Howdy, Ada!");
    }

    [Fact]
    public async Task ManifestSkillFolder_IsRegistered()
    {
        using var temp = new TempDirectory();
        await using var host = await PluginTestHost.StartAsync<SamplePlugin>(new PluginTestHostOptions { ManifestPath = SampleManifest.Write(temp) });

        var skills = Assert.Single(host.Capabilities.OfType<SkillDirectoryCapability>());

        Assert.Equal(temp.Combine("skills"), skills.Path);
        Assert.True(File.Exists(Path.Combine(skills.Path, "sample-skill", "SKILL.md")));
    }

    [Fact]
    public async Task EventSubscriber_ReceivesTheToolEvents()
    {
        using var temp = new TempDirectory();
        var plugin = new SamplePlugin();
        await using var host = await PluginTestHost.StartAsync(plugin, new PluginTestHostOptions { ManifestPath = SampleManifest.Write(temp) });

        await host.CallToolAsync("greet", new { name = "Ada" });

        var seen = Assert.Single(plugin.Seen);
        Assert.Equal(("greet", "call_direct_1"), (seen.Tool, seen.CallId));
    }

    [Fact]
    public async Task PluginLogLines_AreForwardedToLog_FromInformationUp()
    {
        using var temp = new TempDirectory();
        var lines = new List<string>();
        var options = new PluginTestHostOptions
        {
            ManifestPath = SampleManifest.Write(temp),
            Log = line =>
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            },
        };
        await using var host = await PluginTestHost.StartAsync<SamplePlugin>(options);

        await host.CallToolAsync("greet", new { name = "Ada" });

        Assert.Contains("[Information] plugin.sample.Sample: Greeting Ada", lines);
        Assert.DoesNotContain(lines, l => l.Contains("Debug detail", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CallTool_UnknownTool_ThrowsListingThePluginsTools()
    {
        using var temp = new TempDirectory();
        await using var host = await PluginTestHost.StartAsync<SamplePlugin>(new PluginTestHostOptions { ManifestPath = SampleManifest.Write(temp) });

        var error = await Assert.ThrowsAsync<PluginTestHostException>(() => host.CallToolAsync("greeet", new { name = "Ada" }));

        Assert.Contains("unknown tool 'greeet'", error.Message, StringComparison.Ordinal);
        Assert.Contains("its tools are: fail, greet, meet, write_note", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailingEventHandler_IsReportedToLog_AsAKernelWarning()
    {
        using var temp = new TempDirectory();
        var lines = new List<string>();
        var options = new PluginTestHostOptions
        {
            ManifestPath = SampleManifest.Write(temp, id: "faulty", type: typeof(FaultySubscriberPlugin).FullName!),
            Log = line =>
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            },
        };
        await using var host = await PluginTestHost.StartAsync<FaultySubscriberPlugin>(options);

        (await host.CallToolAsync("ping")).AssertSucceeded().AssertResultContains("pong");
        _ = host.Events;

        var warning = Assert.Single(lines, l => l.StartsWith("[Warning] ", StringComparison.Ordinal));
        Assert.Contains("Event handler for tool.completed failed", warning, StringComparison.Ordinal);
        Assert.Contains("handler exploded", warning, StringComparison.Ordinal);
    }
}
