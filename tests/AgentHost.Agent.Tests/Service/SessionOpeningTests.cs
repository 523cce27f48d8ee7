using System.Diagnostics;
using AgentHost.Agent.Service;
using AgentHost.Hosting;
using AgentHost.Sdk.Events;
using AgentHost.Tests.Service;
using AgentHost.Tests.Skills;

namespace AgentHost.Agent.Tests.Service;

/// <summary>
/// A session's opening stage (<c>SessionOpening</c>, docs/decisions/0020-session-opening-stage.md): the parts started
/// when the session opens are waited for at named points, each a phase of the startup trace, and what was started is
/// ended when the session closes, a server that failed to start included.
/// </summary>
public sealed class SessionOpeningTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task TheFirstTurn_WaitsForEachPartAtItsNamedPoint_AndTheStartupTraceNamesEach()
    {
        await using var fx = new ServiceFixture();
        SkillFiles.Write(Path.Combine(fx.Environment.HomeDirectory, ".agents", "skills"), "alpha", "The alpha skill.");
        fx.Model("main").Reply("done");
        var phases = new List<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == StartupActivities.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = a =>
            {
                lock (phases)
                {
                    phases.Add(a.OperationName);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await using (var session = await fx.Service.CreateAsync(fx.Options()))
        {
            // --skill: the skill is checked against the baseline before the first request, which waits for it.
            var turn = await session.SendAsync(new TurnRequest("hello") { Skills = ["alpha"] }).WaitAsync(Guard);
            Assert.Equal("done", turn.Result.FinalText);
        }

        lock (phases)
        {
            // Other tests of the assembly may add phases of their sessions; each of these is this session's first turn's.
            Assert.All(
                ["session.open", "session.memory.wait", "session.skills.wait", "session.hooks.wait", "session.mcp.wait", "session.baseline.wait"],
                name => Assert.Contains(name, phases));
        }
    }

    [Fact]
    public async Task ASessionWhoseMcpServerFailsToStart_RunsItsTurn_ReportsTheServer_AndCloses()
    {
        // Port 9 (discard) on 127.0.0.1: nothing listens, the connection is refused at once.
        await using var fx = new ServiceFixture("mcp:\n  servers:\n    broken:\n      type: http\n      url: http://127.0.0.1:9/mcp\n");
        fx.Model("main").Reply("answered without it");
        var warnings = new List<string>();
        using var subscription = fx.Events.Subscribe<WarningEvent>((e, _) =>
        {
            lock (warnings)
            {
                if (e.Source == "mcp")
                {
                    warnings.Add(e.Message);
                }
            }

            return ValueTask.CompletedTask;
        });

        var session = await fx.Service.CreateAsync(fx.Options());
        var turn = await session.SendAsync(new TurnRequest("hello")).WaitAsync(Guard);
        var prompts = await session.ListMcpPromptsAsync().WaitAsync(Guard);
        await session.DisposeAsync().AsTask().WaitAsync(Guard);
        await session.DisposeAsync().AsTask().WaitAsync(Guard); // closing again does nothing

        // Never sent a turn: its opening is ended all the same.
        var unused = await fx.Service.CreateAsync(fx.Options());
        await unused.DisposeAsync().AsTask().WaitAsync(Guard);

        Assert.Equal(RunOutcome.Completed, turn.Result.Outcome);
        Assert.Equal("answered without it", turn.Result.FinalText);
        Assert.Empty(prompts);
        Assert.Empty(fx.Service.OpenSessions);
        lock (warnings)
        {
            Assert.Contains(warnings, w => w.Contains("broken", StringComparison.Ordinal));
        }
    }
}
