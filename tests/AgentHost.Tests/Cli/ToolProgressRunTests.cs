using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Cli;

/// <summary>
/// End to end, <c>agent</c> as a process with the scripted provider and Fixture.Echo's attributed tools: progress
/// events, structured results and failures returned without throwing.
/// </summary>
public sealed class ToolProgressRunTests
{
    private const string Script = """
        turns:
          - text: Counting.
            tool_calls:
              - name: progress_steps
                arguments: { count: 3, label: page }
              - name: refuse
                arguments: { reason: not today }
          - expect:
              tool_results_contain: ["cfg: counted 3 page steps", "Error: refused: not today"]
            text: Counted and refused.
        """;

    [Fact]
    public async Task OutputJson_CarriesToolProgressEvents_TheSummaryAsPreview_AndTheFailure()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript(Script);

        var result = await ws.RunAsync(
            "run", "count", "-p", "scripted", "-p", Fixtures.PathOf("Fixture.Echo"), "-m", "scripted/" + script, "-o", "json",
            "-c", "plugins.settings.fixture-echo.prefix=cfg");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        var events = RunWorkspace.Events(result.Output);
        var progress = events.Where(e => e.GetProperty("type").GetString() == "tool.progress").ToList();
        Assert.InRange(progress.Count, 2, 3); // the first and the final update always; the middle one only if 250 ms passed
        var first = progress[0];
        Assert.Equal("progress_steps", first.GetProperty("tool").GetString());
        Assert.Equal("page: step 1 of 3", first.GetProperty("message").GetString());
        Assert.Equal(1.0 / 3, first.GetProperty("fraction").GetDouble(), 6);
        Assert.Equal(1, first.GetProperty("step").GetInt32());
        Assert.False(string.IsNullOrEmpty(first.GetProperty("callId").GetString()));
        Assert.False(string.IsNullOrEmpty(first.GetProperty("sessionId").GetString()));
        Assert.Equal("page: step 3 of 3", progress[^1].GetProperty("message").GetString());
        Assert.Equal(1.0, progress[^1].GetProperty("fraction").GetDouble());

        var completed = events.Where(e => e.GetProperty("type").GetString() == "tool.completed").ToDictionary(e => e.GetProperty("tool").GetString()!);
        Assert.Equal("succeeded", completed["progress_steps"].GetProperty("status").GetString());
        Assert.Equal("3 page steps", completed["progress_steps"].GetProperty("resultPreview").GetString());
        Assert.Equal("failed", completed["refuse"].GetProperty("status").GetString());
        Assert.Equal("refused: not today", completed["refuse"].GetProperty("error").GetString());
        Assert.Equal("completed", events[^1].GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task TextOutput_ShowsALinePerProgressUpdate_WithVerbose_AndNoneWhenStderrIsNotATerminal()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript(Script);
        string[] run = ["run", "count", "-p", "scripted", "-p", Fixtures.PathOf("Fixture.Echo"), "-m", "scripted/" + script, "-c", "plugins.settings.fixture-echo.prefix=cfg"];

        var verbose = await ws.RunAsync([.. run, "--verbose"]);
        var quiet = await ws.RunAsync(run);

        Assert.True(verbose.ExitCode == ExitCodes.Success, verbose.Error);
        Assert.Contains("  … progress_steps: page: step 1 of 3 (33%)", verbose.Error, StringComparison.Ordinal);
        Assert.Contains("  … progress_steps: page: step 3 of 3 (100%)", verbose.Error, StringComparison.Ordinal);
        Assert.Contains("✗ refuse failed: refused: not today", verbose.Error, StringComparison.Ordinal);
        Assert.True(quiet.ExitCode == ExitCodes.Success, quiet.Error);
        Assert.DoesNotContain("… progress_steps", quiet.Error, StringComparison.Ordinal);
        Assert.Contains("Counted and refused.", quiet.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToolRunJson_ShowsTheStructuredValue_OfAToolWhoseObjectThePluginsServicesCreated()
    {
        using var ws = new RunWorkspace();

        var result = await ws.RunAsync(
            "tool", "run", "progress_steps", "--args", """{"count":2,"label":"row"}""", "-p", Fixtures.PathOf("Fixture.Echo"), "--json",
            "-c", "plugins.settings.fixture-echo.prefix=di");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        using var json = JsonDocument.Parse(result.Output);
        Assert.Equal("di: counted 2 row steps", json.RootElement.GetProperty("text").GetString());
        var structured = json.RootElement.GetProperty("structured");
        Assert.Equal(("row", 2, "di"), (structured.GetProperty("label").GetString(), structured.GetProperty("steps").GetInt32(), structured.GetProperty("prefix").GetString()));
    }
}
