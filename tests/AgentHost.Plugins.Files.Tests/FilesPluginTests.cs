using AgentHost.Hosting.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Files.Tests;

/// <summary>The read-only file tools, loaded from the bundled catalog.</summary>
public sealed class FilesPluginTests : IAsyncLifetime
{
    private readonly PluginHarness _harness = new();
    private readonly TempDirectory _temp = new();

    public async Task InitializeAsync()
    {
        var result = await _harness.LoadAsync(Catalog.PathOf("files"));
        Assert.True(result.Status == PluginLoadStatus.Loaded, result.Error);
        _temp.WriteFile("ws/README.md", "line one\nline two\nline three\n");
        _temp.WriteFile("ws/src/app.cs", "class App {}");
        _temp.WriteFile("ws/node_modules/x/index.js", "skip me");
        _temp.WriteFile("secret.txt", "top secret");
    }

    public async Task DisposeAsync()
    {
        await _harness.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task Ls_ShowsATree_SkippingDependencyFolders()
    {
        var result = await InvokeAsync("ls", ("path", "."), ("depth", 2));

        Assert.Contains("  src/\n    app.cs (12 B)", result, StringComparison.Ordinal);
        Assert.Contains("README.md (29 B)", result, StringComparison.Ordinal);
        Assert.DoesNotContain("node_modules", result, StringComparison.Ordinal);
    }

    [Fact]
    public async Task View_NumbersLines_AndPages()
    {
        var result = await InvokeAsync("view", ("path", "README.md"), ("offset", 2), ("limit", 1));

        Assert.Equal("     2\tline two\n[lines 2-2 of 3; continue with offset 3]", result.Replace("\r", string.Empty, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("../secret.txt")]
    [InlineData("src/../../secret.txt")]
    public async Task View_RefusesPathsOutsideTheProjectRoot(string path)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => InvokeAsync("view", ("path", path)));

        Assert.Contains("outside the project root", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task View_MissingFile_SuggestsCloseNames()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => InvokeAsync("view", ("path", "readme")));

        Assert.Contains("Did you mean: README.md?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tools_DescribeTheirCallsForPermissionPrompts()
    {
        var view = (ToolCapability)_harness.Registry.Find(CapabilityKind.Tool, "view")!.Capability;

        var description = view.Metadata.DescribeCall!(new AIFunctionArguments { ["path"] = "src/app.cs" });

        Assert.Equal(ToolEffect.Read, view.Metadata.Effect);
        Assert.Equal(new ToolCallDescription("read", "src/app.cs"), description);
    }

    private async Task<string> InvokeAsync(string tool, params (string Key, object? Value)[] args)
    {
        var function = ((ToolCapability)_harness.Registry.Find(CapabilityKind.Tool, tool)!.Capability).Function;
        var arguments = new AIFunctionArguments { Context = new Dictionary<object, object?> { [ToolContext.WorkspaceRootKey] = _temp.Combine("ws") } };
        foreach (var (key, value) in args)
        {
            arguments[key] = value;
        }

        var result = await function.InvokeAsync(arguments);
        return result is System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.String } element ? element.GetString()! : result?.ToString() ?? string.Empty;
    }
}
