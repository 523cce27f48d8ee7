using AgentHost.Testing;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Testing;

/// <summary>Every assertion of AgentHost.Testing fails with a message that says what was expected and lists the calls made.</summary>
public sealed class PluginAssertionTests
{
    [Fact]
    public async Task AssertSucceeded_OnAFailedCall_ShowsTheErrorAndEveryCall()
    {
        await using var host = await StartAsync();
        await host.CallToolAsync("greet", new { name = "Ada" });
        var failed = await host.CallToolAsync("fail", new { reason = "disk full" });

        var error = Assert.Throws<PluginAssertionException>(() => failed.AssertSucceeded());

        Assert.Contains("Expected tool call 'fail' (call_direct_2) to succeed, but its status is Failed.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Tool calls made (2):", error.Message, StringComparison.Ordinal);
        Assert.Contains("1. greet {\"name\":\"Ada\"} [call_direct_1] -> Succeeded: Hello, Ada!", error.Message, StringComparison.Ordinal);
        Assert.Contains("2. fail {\"reason\":\"disk full\"} [call_direct_2] -> Failed: Error: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("disk full", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssertFailed_AssertDenied_OnASucceededCall_SayWhatWasExpected()
    {
        await using var host = await StartAsync();
        var call = await host.CallToolAsync("greet", new { name = "Ada" });

        var notFailed = Assert.Throws<PluginAssertionException>(() => call.AssertFailed());
        var notDenied = Assert.Throws<PluginAssertionException>(() => call.AssertDenied());

        Assert.StartsWith("Expected tool call 'greet' (call_direct_1) to fail, but its status is Succeeded. The model received: Hello, Ada!", notFailed.Message, StringComparison.Ordinal);
        Assert.StartsWith("Expected tool call 'greet' (call_direct_1) to be denied by the permission gate, but its status is Succeeded.", notDenied.Message, StringComparison.Ordinal);
        Assert.Contains("1. greet {\"name\":\"Ada\"} [call_direct_1] -> Succeeded: Hello, Ada!", notDenied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssertResultContains_Mismatch_ShowsTheResult()
    {
        await using var host = await StartAsync();
        var call = await host.CallToolAsync("greet", new { name = "Ada" });

        var error = Assert.Throws<PluginAssertionException>(() => call.AssertResultContains("Goodbye"));

        Assert.StartsWith("Expected the result of tool call 'greet' (call_direct_1) to contain \"Goodbye\", but the model received (Succeeded): Hello, Ada!", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssertToolCalled_NeverOrTwice_ListsTheRunsCalls()
    {
        await using var host = await StartAsync();
        var run = await host.RunAsync("Greet twice", new ScriptedModel().CallTool("greet", new { name = "Ada" }).AndCallTool("greet", new { name = "Bob" }).Reply("Both greeted."));

        var twice = Assert.Throws<PluginAssertionException>(() => run.AssertToolCalled("greet"));
        var never = Assert.Throws<PluginAssertionException>(() => run.AssertToolCalled("fail"));
        var notExpected = Assert.Throws<PluginAssertionException>(() => run.AssertToolNotCalled("greet"));

        Assert.StartsWith("Expected exactly one call of tool 'greet', but there were 2.", twice.Message, StringComparison.Ordinal);
        Assert.Contains("1. greet {\"name\":\"Ada\"} [call_1_1] -> Succeeded: Hello, Ada!", twice.Message, StringComparison.Ordinal);
        Assert.Contains("2. greet {\"name\":\"Bob\"} [call_1_2] -> Succeeded: Hello, Bob!", twice.Message, StringComparison.Ordinal);
        Assert.Contains("Final answer: Both greeted.", twice.Message, StringComparison.Ordinal);
        Assert.StartsWith("Expected exactly one call of tool 'fail', but there were 0.", never.Message, StringComparison.Ordinal);
        Assert.StartsWith("Expected no call of tool 'greet', but there were 2.", notExpected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssertCompleted_OnAFailedRun_GivesTheOutcomeAndReason()
    {
        await using var host = await StartAsync();
        var run = await host.RunAsync("Greet", new ScriptedModel().CallTool("greet", new { name = "Ada" }));

        var error = Assert.Throws<PluginAssertionException>(() => run.AssertCompleted());

        Assert.StartsWith("Expected the run to complete, but it ended as ProviderError: the model request failed: the scripted model has no turn 2: the script has 1 turn.", error.Message, StringComparison.Ordinal);
        Assert.Contains("1. greet {\"name\":\"Ada\"} [call_1_1] -> Succeeded: Hello, Ada!", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssertionsOfARun_WithNoCalls_SaySoAndPassWhenTrue()
    {
        await using var host = await StartAsync();
        var run = await host.RunAsync("Just answer", new ScriptedModel().Reply("Nothing to do."));

        run.AssertCompleted().AssertToolNotCalled("greet");
        var error = Assert.Throws<PluginAssertionException>(() => run.AssertToolCalled("greet"));

        Assert.Contains("No tool calls were made.", error.Message, StringComparison.Ordinal);
    }

    private static async Task<PluginTestHost> StartAsync()
    {
        var temp = new TempDirectory();
        var options = new PluginTestHostOptions { ManifestPath = SampleManifest.Write(temp) };
        try
        {
            return await PluginTestHost.StartAsync<SamplePlugin>(options);
        }
        finally
        {
            // The manifest has been read and the skill folder registered by path; the folder itself is not needed after start.
            temp.Dispose();
        }
    }
}
