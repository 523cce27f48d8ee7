using System.Collections.Concurrent;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Tools;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Agent.Tests;
using AgentHost.Tests.Agent;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests.Checkpoints;

/// <summary>The tool pipeline's <see cref="ToolPipelineOptions.BeforeWrite"/> hook, which the session's file checkpoints use.</summary>
public sealed class BeforeWriteHookTests
{
    private static readonly ToolCallContext Context = new("s-1", "call-1");

    [Fact]
    public async Task AnAllowedWriteCall_IsAnnouncedWithItsDescription_BeforeTheToolRuns_AReadCallIsNot()
    {
        var seen = new ConcurrentQueue<string>();
        await using var harness = new AgentHarness(toolOptions: new ToolPipelineOptions
        {
            BeforeWrite = (notice, _) =>
            {
                seen.Enqueue($"{notice.Tool}: {notice.Description.Subject} + {string.Join(",", notice.Description.Paths.Select(p => p.Path))}");
                return ValueTask.CompletedTask;
            },
        });
        harness.Add(
            new ToolCapability(
                AIFunctionFactory.Create((string source, string destination) => { seen.Enqueue("ran"); return "moved"; }, "move"),
                new ToolMetadata(ToolEffect.Write)
                {
                    DescribeCall = args => new ToolCallDescription("write", args.GetOptionalString("source")) { Paths = [new ToolCallPath(args.GetOptionalString("destination")!, ToolEffect.Write)] },
                }),
            AgentHarness.Tool("look", (string path) => "seen"));

        await harness.Pipeline.InvokeAsync("look", """{"path":"a.txt"}""", Context);
        var outcome = await harness.Pipeline.InvokeAsync("move", """{"source":"a.txt","destination":"b/a.txt"}""", Context);

        Assert.Equal(ToolCallStatus.Succeeded, outcome.Status);
        Assert.Equal(["move: a.txt + b/a.txt", "ran"], seen);
    }

    [Fact]
    public async Task ADeniedCall_IsNotAnnounced_AndAFailingHook_WarnsButTheCallRuns()
    {
        var calls = 0;
        await using var denied = new AgentHarness(
            new RulePermissionGate(new PermissionPolicy([]), PermissionMode.DontAsk, Path.GetTempPath(), Path.GetTempPath()),
            toolOptions: new ToolPipelineOptions { BeforeWrite = (_, _) => { calls++; return ValueTask.CompletedTask; } });
        denied.Add(AgentHarness.Tool("put", (string path) => "ok", ToolEffect.Write));
        Assert.Equal(ToolCallStatus.Denied, (await denied.Pipeline.InvokeAsync("put", """{"path":"a.txt"}""", Context)).Status);
        Assert.Equal(0, calls);

        await using var failing = new AgentHarness(toolOptions: new ToolPipelineOptions { BeforeWrite = (_, _) => throw new IOException("disk full") });
        failing.Add(AgentHarness.Tool("put", (string path) => "ok", ToolEffect.Write));

        var outcome = await failing.Pipeline.InvokeAsync("put", """{"path":"a.txt"}""", Context);

        Assert.Equal(ToolCallStatus.Succeeded, outcome.Status);
        var warning = Assert.Single((await failing.EventsAsync()).OfType<WarningEvent>());
        Assert.Contains("disk full", warning.Message, StringComparison.Ordinal);
    }
}
