using AgentHost.Sdk.Events;
using AgentHost.Testing;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Testing;

/// <summary>Scripted runs through the kernel's agent loop (<see cref="PluginTestHost.RunAsync"/>).</summary>
public sealed class PluginTestHostRunTests
{
    [Fact]
    public async Task Run_ModelCallsATool_AndGetsItsResult_ThenAnswers()
    {
        using var temp = new TempDirectory();
        await using var host = await PluginTestHost.StartAsync<SamplePlugin>(new PluginTestHostOptions { ManifestPath = SampleManifest.Write(temp) });
        var model = new ScriptedModel().CallTool("greet", new { name = "Ada" }).Reply("Done: Ada was greeted.");

        var run = await host.RunAsync("Greet Ada", model);

        run.AssertCompleted().AssertToolCalled("greet").AssertSucceeded().AssertResultContains("Hello, Ada");
        Assert.Equal("Done: Ada was greeted.", run.FinalText);
        Assert.Equal(2, model.Requests.Count);
        Assert.Equal("Greet Ada", model.Requests[0].Last(m => m.Role == ChatRole.User).Text);
        var result = Assert.Single(model.Requests[1].SelectMany(m => m.Contents).OfType<FunctionResultContent>());
        Assert.Equal(("call_1_1", "Hello, Ada!"), (result.CallId, result.Result?.ToString()));
        Assert.Contains(run.Events, e => e is RunCompletedEvent { Outcome: RunOutcome.Completed });
        Assert.True(run.Events.OfType<MessageDeltaEvent>().Count() > 1, "the reply is streamed in chunks");
    }

    [Fact]
    public async Task Run_MultiTurn_WithTwoParallelCalls_RecordsEveryCallInOrder()
    {
        using var temp = new TempDirectory();
        await using var host = await PluginTestHost.StartAsync<SamplePlugin>(new PluginTestHostOptions { ManifestPath = SampleManifest.Write(temp) });
        var model = new ScriptedModel()
            .CallTool("meet", new { who = "Ada" }).AndCallTool("meet", new { who = "Bob" })
            .CallTool("fail", new { reason = "no network" })
            .Reply("Finished.");

        var run = await host.RunAsync("Meet, then fail", model);

        run.AssertCompleted().AssertToolNotCalled("greet");
        Assert.Equal(["call_1_1", "call_1_2", "call_2_1"], run.ToolCalls.Select(c => c.CallId));
        Assert.Equal("Ada met the other caller", run.ToolCalls[0].AssertSucceeded().Result);
        Assert.Equal("Bob met the other caller", run.ToolCalls[1].AssertSucceeded().Result);
        run.AssertToolCalled("fail").AssertFailed().AssertResultContains("no network");
        Assert.Equal(3, model.Requests.Count);
        var secondRequestResults = model.Requests[1].SelectMany(m => m.Contents).OfType<FunctionResultContent>().Select(r => r.CallId);
        Assert.Equal(["call_1_1", "call_1_2"], secondRequestResults);
        Assert.Contains(model.Requests[2].SelectMany(m => m.Contents).OfType<FunctionResultContent>(), r => r.CallId == "call_2_1" && r.Result!.ToString()!.Contains("no network", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_DeniedCall_IsADeniedRecord_AndTheModelSeesTheDenial()
    {
        using var temp = new TempDirectory();
        var options = new PluginTestHostOptions { ManifestPath = SampleManifest.Write(temp), Approve = check => check.Tool != "write_note" };
        await using var host = await PluginTestHost.StartAsync<SamplePlugin>(options);
        var model = new ScriptedModel().CallTool("write_note", new { text = "x" }).Reply("I could not write the note.");

        var run = await host.RunAsync("Write a note", model);

        run.AssertCompleted().AssertToolCalled("write_note").AssertDenied();
        var seen = Assert.Single(model.Requests[1].SelectMany(m => m.Contents).OfType<FunctionResultContent>());
        Assert.Contains("permission denied: denied by PluginTestHostOptions.Approve", seen.Result?.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(host.WorkspaceRoot, "note.txt")));
    }

    [Fact]
    public async Task Run_ScriptOutOfTurns_FailsTheRun_SayingHowManyTurnsTheScriptHas()
    {
        using var temp = new TempDirectory();
        await using var host = await PluginTestHost.StartAsync<SamplePlugin>(new PluginTestHostOptions { ManifestPath = SampleManifest.Write(temp) });
        var model = new ScriptedModel().CallTool("greet", new { name = "Ada" });

        var run = await host.RunAsync("Greet Ada", model);

        Assert.Equal(RunOutcome.ProviderError, run.Outcome);
        Assert.Contains("the scripted model has no turn 2: the script has 1 turn", run.Reason, StringComparison.Ordinal);
        run.AssertToolCalled("greet").AssertSucceeded();
    }

    [Fact]
    public async Task Run_ScriptCallsAnUnknownTool_ThrowsBeforeTheRun_ListingTheTools()
    {
        using var temp = new TempDirectory();
        var plugin = new SamplePlugin();
        await using var host = await PluginTestHost.StartAsync(plugin, new PluginTestHostOptions { ManifestPath = SampleManifest.Write(temp) });
        var model = new ScriptedModel().CallTool("greet", new { name = "Ada" }).CallTool("wave").Reply("Done.");

        var error = await Assert.ThrowsAsync<PluginTestHostException>(() => host.RunAsync("Greet and wave", model));

        Assert.Contains("ScriptedModel: unknown tool 'wave'", error.Message, StringComparison.Ordinal);
        Assert.Contains("fail, greet, meet, write_note", error.Message, StringComparison.Ordinal);
        Assert.Empty(model.Requests);
        Assert.Equal(0, plugin.GreetCalls);
    }

    [Fact]
    public void ScriptedModel_AndCallToolWithoutACallTurn_Throws()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ScriptedModel().Reply("Hi").AndCallTool("greet"));

        Assert.Contains("ends with a Reply", error.Message, StringComparison.Ordinal);
    }
}
