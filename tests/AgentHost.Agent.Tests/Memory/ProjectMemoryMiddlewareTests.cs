using AgentHost.Agent.Engine;
using AgentHost.Agent.Memory;
using AgentHost.Agent.Tools;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Agent.Tests;
using AgentHost.Tests.Agent;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Tests.Memory;

/// <summary>Nested memory files reach the model through the real tool pipeline, once per session.</summary>
public sealed class ProjectMemoryMiddlewareTests
{
    [Fact]
    public async Task FirstCallInASubtree_GetsItsMemoryAppended_OnceOnly()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/AGENTS.md", "root rules");
        temp.WriteFile("ws/web/AGENTS.md", "web: use pnpm");
        temp.WriteFile("ws/web/app/CLAUDE.md", "app: no default exports");
        temp.WriteFile("ws/web/app/page.ts", "export const page = 1;");
        await using var harness = Create(temp, out _);

        var first = await harness.Pipeline.InvokeAsync("view", """{"path":"web/app/page.ts"}""", Context("c1"));
        var second = await harness.Pipeline.InvokeAsync("view", """{"path":"web/app/page.ts"}""", Context("c2"));

        Assert.Equal(ToolCallStatus.Succeeded, first.Status);
        Assert.StartsWith("viewed web/app/page.ts", first.Text, StringComparison.Ordinal);
        Assert.Contains("\n\n<project_memory path=\"web/AGENTS.md\">\nweb: use pnpm\n</project_memory>", first.Text, StringComparison.Ordinal);
        Assert.Contains("<project_memory path=\"web/app/CLAUDE.md\">\napp: no default exports\n</project_memory>", first.Text, StringComparison.Ordinal);
        Assert.True(first.Text.IndexOf("web/AGENTS.md", StringComparison.Ordinal) < first.Text.IndexOf("web/app/CLAUDE.md", StringComparison.Ordinal));
        Assert.Equal("viewed web/app/page.ts", second.Text);
    }

    [Theory]
    [InlineData("""{"paths":["README.md","docs/guide.md"]}""")]
    [InlineData("""{"workdir":"docs"}""")]
    [InlineData("""{"file_path":"docs/guide.md"}""")]
    public async Task PathArguments_OfEveryKnownName_TouchTheSubtree(string arguments)
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/docs/AGENTS.md", "docs rules");
        await using var harness = Create(temp, out _);

        var outcome = await harness.Pipeline.InvokeAsync("any", arguments, Context("c1"));

        Assert.Contains("<project_memory path=\"docs/AGENTS.md\">", outcome.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PathsOutsideTheSubtree_AndFailedCalls_InjectNothing()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/docs/AGENTS.md", "docs rules");
        await using var harness = Create(temp, out _);

        var elsewhere = await harness.Pipeline.InvokeAsync("view", """{"path":"docsite/index.md"}""", Context("c1"));
        var failed = await harness.Pipeline.InvokeAsync("fail", """{"path":"docs/x.md"}""", Context("c2"));
        var later = await harness.Pipeline.InvokeAsync("view", """{"path":"docs/x.md"}""", Context("c3"));

        Assert.DoesNotContain("project_memory", elsewhere.Text, StringComparison.Ordinal);
        Assert.Equal(ToolCallStatus.Failed, failed.Status);
        Assert.DoesNotContain("project_memory", failed.Text, StringComparison.Ordinal);
        Assert.Contains("<project_memory path=\"docs/AGENTS.md\">", later.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AToolResultFailure_StaysAFailure_AndInjectsNothing()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/docs/AGENTS.md", "docs rules");
        await using var harness = Create(temp, out _);

        var refused = await harness.Pipeline.InvokeAsync("refuse", """{"path":"docs/x.md"}""", Context("c1"));
        var later = await harness.Pipeline.InvokeAsync("view", """{"path":"docs/x.md"}""", Context("c2"));

        Assert.Equal((ToolCallStatus.Failed, "Error: no such issue: docs/x.md"), (refused.Status, refused.Text));
        Assert.Contains("<project_memory path=\"docs/AGENTS.md\">", later.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AStructuredToolResult_KeepsItsValueAndSummary_WithTheMemoryAppendedToItsText()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/docs/AGENTS.md", "docs rules");
        await using var harness = Create(temp, out _);

        var outcome = await harness.Pipeline.InvokeAsync("stat", """{"path":"docs/x.md"}""", Context("c1"));

        Assert.Equal(ToolCallStatus.Succeeded, outcome.Status);
        Assert.StartsWith("docs/x.md: 12 bytes\n\n<project_memory path=\"docs/AGENTS.md\">", outcome.Text, StringComparison.Ordinal);
        Assert.Equal(12, outcome.Structured?.GetProperty("size").GetInt32());
        var completed = (await harness.EventsAsync()).OfType<ToolCallCompletedEvent>().Single();
        Assert.Equal("stat docs/x.md", completed.ResultPreview);
    }

    [Fact]
    public async Task FoldersInjectedEarlierInTheSession_AreNotInjectedAgain()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/docs/AGENTS.md", "docs rules");
        temp.WriteFile("ws/web/AGENTS.md", "web rules");
        var history = new List<ChatMessage>
        {
            new(ChatRole.Tool, [new FunctionResultContent("old", "listing\n\n<project_memory path=\"docs/AGENTS.md\">\ndocs rules\n</project_memory>")]),
        };
        await using var harness = Create(temp, out _, ProjectMemoryMiddleware.InjectedFolders(history));

        var docs = await harness.Pipeline.InvokeAsync("view", """{"path":"docs/a.md"}""", Context("c1"));
        var web = await harness.Pipeline.InvokeAsync("view", """{"path":"web/a.md"}""", Context("c2"));

        Assert.Equal(["docs/"], ProjectMemoryMiddleware.InjectedFolders(history));
        Assert.DoesNotContain("project_memory", docs.Text, StringComparison.Ordinal);
        Assert.Contains("<project_memory path=\"web/AGENTS.md\">", web.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParallelCalls_InjectAFolderOnce()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/docs/AGENTS.md", "docs rules");
        await using var harness = Create(temp, out _);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            harness.Pipeline.InvokeAsync("view", $$"""{"path":"docs/{{i}}.md"}""", Context("c" + i)).AsTask()));

        Assert.Single(outcomes, o => o.Text.Contains("project_memory", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnUnreadableNestedFile_IsReportedAsAWarning_AndTheResultIsUnchanged()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/docs/AGENTS.md", "docs rules");
        await using var harness = Create(temp, out _);
        File.WriteAllBytes(temp.Combine("ws", "docs", "AGENTS.md"), [0x00, 0x01, 0x02]);

        var outcome = await harness.Pipeline.InvokeAsync("view", """{"path":"docs/a.md"}""", Context("c1"));

        Assert.Equal("viewed docs/a.md", outcome.Text);
        var warning = Assert.Single((await harness.EventsAsync()).OfType<WarningEvent>());
        Assert.Equal("memory", warning.Source);
        Assert.StartsWith("memory file docs/AGENTS.md looks binary", warning.Message, StringComparison.Ordinal);
    }

    private static ToolCallContext Context(string callId) => new("s-1", callId) { WorkspaceRoot = null };

    private static AgentHarness Create(TempDirectory temp, out ProjectMemory memory, IEnumerable<string>? alreadyInjected = null)
    {
        var root = temp.Combine("ws");
        var loader = new ProjectMemoryLoader();
        memory = loader.Load(root, root);
        AgentHarness? harness = null;
        var middleware = new ProjectMemoryMiddleware(loader, root, memory.NestedFolders, new LateBus(() => harness!.Bus), alreadyInjected);
        harness = new AgentHarness(toolOptions: new ToolPipelineOptions { Middleware = [middleware] });
        harness.Add(
            AgentHarness.Tool("view", (string path) => "viewed " + path),
            AgentHarness.Tool("any", (string[]? paths = null, string? workdir = null, string? file_path = null) => "ok"),
            AgentHarness.Tool("fail", string (string path) => throw new InvalidOperationException("no such file: " + path)),
            AgentHarness.Tool("refuse", (string path) => ToolResult.Failure("no such issue: " + path)),
            AgentHarness.Tool("stat", (string path) => ToolResult.Success(new FileStat(path, 12), path + ": 12 bytes").WithSummary("stat " + path)));
        return harness;
    }

    public sealed record FileStat(string Path, int Size);

    /// <summary>Publishes to the harness's bus, which exists only after the middleware is created.</summary>
    private sealed class LateBus(Func<IEventBus> bus) : IEventBus
    {
        public void Publish<TEvent>(TEvent agentEvent)
            where TEvent : AgentEvent => bus().Publish(agentEvent);

        public IDisposable Subscribe<TEvent>(Func<TEvent, CancellationToken, ValueTask> handler)
            where TEvent : AgentEvent => bus().Subscribe(handler);
    }
}
