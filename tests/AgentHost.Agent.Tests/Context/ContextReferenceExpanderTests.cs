using System.Diagnostics;
using AgentHost.Agent.Context;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Support;

namespace AgentHost.Agent.Tests.Context;

public sealed class ContextReferenceExpanderTests
{
    [Fact]
    public async Task Expand_InlinesFilesAndListsDirectories_RespectingGitignore()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("ws");
        temp.WriteFile("ws/README.md", "# Demo\nHello.");
        temp.WriteFile("ws/src/app.cs", "class App {}");
        temp.WriteFile("ws/src/app.generated.cs", "// generated");
        temp.WriteFile("ws/.gitignore", "*.generated.cs\n");
        Git(root, "init", "-q");
        var expander = new ContextReferenceExpander(root, new CapabilityRegistry());

        var expanded = await expander.ExpandAsync("Explain @README.md and @src/, then mail me@example.com.", []);

        Assert.Equal(["README.md", "src/"], expanded.References.Select(r => r.Title));
        Assert.Contains("Hello.", expanded.References[0].Content, StringComparison.Ordinal);
        Assert.Contains("src/app.cs", expanded.References[1].Content.Replace("\\", "/", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("app.generated.cs", expanded.References[1].Content, StringComparison.Ordinal);
        Assert.Contains("<context ref=\"README.md\" kind=\"file\">", expanded.ToModelText(), StringComparison.Ordinal);
        Assert.Empty(expanded.Warnings);
    }

    [Fact]
    public async Task Expand_LeavesUnknownInlineTokensAsText_ButExplicitOnesMustResolve()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("outside.txt", "secret");
        Directory.CreateDirectory(temp.Combine("ws"));
        var expander = new ContextReferenceExpander(temp.Combine("ws"), new CapabilityRegistry());

        var expanded = await expander.ExpandAsync("ping @everyone about @../outside.txt", []);
        var missing = await Assert.ThrowsAsync<AgentHostException>(() => expander.ExpandAsync("x", ["@nope.txt"]));
        var outside = await Assert.ThrowsAsync<AgentHostException>(() => expander.ExpandAsync("x", ["../outside.txt"]));

        Assert.Empty(expanded.References);
        Assert.Equal(2, expanded.Warnings.Count);
        Assert.Contains("outside the project root", expanded.Warnings[1], StringComparison.Ordinal);
        Assert.Contains("--context @nope.txt: no file or directory 'nope.txt'", missing.Message, StringComparison.Ordinal);
        Assert.Contains("outside the project root", outside.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expand_CapsLargeFiles_AndDescribesBinaryOnes()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("ws/big.log", "START" + new string('x', 5_000) + "END");
        File.WriteAllBytes(temp.Combine("ws", "image.png"), [0x89, 0x50, 0x00, 0x01]);
        var expander = new ContextReferenceExpander(temp.Combine("ws"), new CapabilityRegistry(), new ContextLimits { MaxCharacters = 1_000 });

        var expanded = await expander.ExpandAsync("@big.log @image.png", []);

        Assert.True(expanded.References[0].Truncated);
        Assert.StartsWith("START", expanded.References[0].Content, StringComparison.Ordinal);
        Assert.EndsWith("END", expanded.References[0].Content, StringComparison.Ordinal);
        Assert.Contains("characters truncated", expanded.References[0].Content, StringComparison.Ordinal);
        Assert.Equal("(binary file, 4 bytes, not inlined)", expanded.References[1].Content);
    }

    [Fact]
    public async Task Expand_DoesNotFetchUrls_WithoutTheFetchTool()
    {
        using var temp = new TempDirectory();
        using var server = Ports.StartHttpListener(out var baseUrl);
        var expander = new ContextReferenceExpander(temp.Path, new CapabilityRegistry());

        var expanded = await expander.ExpandAsync($"read @{baseUrl}docs", []);
        var explicitly = await Assert.ThrowsAsync<AgentHostException>(() => expander.ExpandAsync("read", [$"@{baseUrl}docs"]));

        var reference = Assert.Single(expanded.References);
        Assert.Contains("--plugin web", reference.Content, StringComparison.Ordinal);
        Assert.Contains(expanded.Warnings, w => w.Contains("--plugin web", StringComparison.Ordinal));
        Assert.Contains("--plugin web", explicitly.Message, StringComparison.Ordinal);
        Assert.False(server.GetContextAsync().IsCompleted); // nothing was requested
    }

    [Fact]
    public async Task Expand_UsesPluginResolvers_ForPrefixedReferences()
    {
        using var temp = new TempDirectory();
        var registry = new CapabilityRegistry();
        registry.AddRange("jira", "1.0.0", [new ContextResolverCapability("jira", new FakeJira())]);
        var expander = new ContextReferenceExpander(temp.Path, registry);

        var expanded = await expander.ExpandAsync("fix @jira:ABC-1", []);

        var reference = Assert.Single(expanded.References);
        Assert.Equal(("ABC-1", "Issue ABC-1: the build is red"), (reference.Title, reference.Content));
    }

    private static void Git(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    private sealed class FakeJira : ContextReferenceResolver
    {
        protected override ValueTask<ResolvedContext?> ResolveCoreAsync(string reference, string workspaceRoot, CancellationToken cancellationToken) =>
            ValueTask.FromResult<ResolvedContext?>(new ResolvedContext(reference, $"Issue {reference}: the build is red"));
    }
}
