using System.Text.Json;
using AgentHost.Agent.Engine;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Agent;

/// <summary>
/// A run describes a plugin's tools from the schema cache instead of reflecting over every tool method: the bundled
/// files plugin's, through the pipeline a run uses. The kernel's own tools and the run's warm-up of the described tools
/// need the agent's internals and are tested in tests/AgentHost.Agent.Tests, in the class of the same name.
/// </summary>
public sealed class ToolSchemaCacheTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string CacheFile => Path.Combine(_dir.Path, "cache", "tool-schemas.json");

    [Fact]
    public async Task TheFirstRun_WritesEverySchema_TheNextDescribesToolsWithoutBuildingThem_AndCallsWork()
    {
        var first = await DescribeFilesToolsAsync(new ToolSchemaCache(CacheFile));
        using (var file = JsonDocument.Parse(File.ReadAllText(CacheFile)))
        {
            Assert.Equal(first.Schemas.Count, file.RootElement.GetProperty("schemas").EnumerateObject().Count());
        }

        await using var harness = new PluginHarness(unloadable: false);
        Assert.Equal(PluginLoadStatus.Loaded, (await harness.LoadAsync(Catalog.PathOf("files"))).Status);
        var set = DescribeThroughPipeline(harness, new ToolSchemaCache(CacheFile));

        var functions = harness.Registry.OfKind(CapabilityKind.Tool).Select(e => ((ToolCapability)e.Capability).Function).ToList();
        Assert.All(functions, f => Assert.False(((DeferredMethodFunction)f).IsMaterialized, f.Name));
        Assert.Equal(first.Schemas, set.Declarations.ToDictionary(d => d.Name, d => d.JsonSchema.GetRawText()));

        File.WriteAllText(Path.Combine(_dir.Path, "a.txt"), "hello\n");
        var ls = (DeferredMethodFunction)functions.Single(f => f.Name == "ls");
        var arguments = new Microsoft.Extensions.AI.AIFunctionArguments(new Dictionary<string, object?> { ["path"] = "." })
        {
            Context = new Dictionary<object, object?> { [ToolContext.WorkspaceRootKey] = _dir.Path },
        };
        var listing = await ls.InvokeAsync(arguments);
        Assert.Contains("a.txt", JsonSerializer.Serialize(listing), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("""{"version":99,"schemas":{}}""")]
    [InlineData("[]")]
    public async Task AMalformedOrForeignCache_IsIgnored_AndRewritten(string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(CacheFile)!);
        File.WriteAllText(CacheFile, content);

        var described = await DescribeFilesToolsAsync(new ToolSchemaCache(CacheFile));

        using var file = JsonDocument.Parse(File.ReadAllText(CacheFile));
        Assert.Equal(1, file.RootElement.GetProperty("version").GetInt32());
        Assert.Equal(described.Schemas.Count, file.RootElement.GetProperty("schemas").EnumerateObject().Count());
    }

    public void Dispose() => _dir.Dispose();

    private static async Task<(Dictionary<string, string> Schemas, int Count)> DescribeFilesToolsAsync(ToolSchemaCache cache)
    {
        await using var harness = new PluginHarness(unloadable: false);
        Assert.Equal(PluginLoadStatus.Loaded, (await harness.LoadAsync(Catalog.PathOf("files"))).Status);
        var set = DescribeThroughPipeline(harness, cache);
        Assert.NotEmpty(set.Declarations);
        return (set.Declarations.ToDictionary(d => d.Name, d => d.JsonSchema.GetRawText()), set.Declarations.Count);
    }

    /// <summary>The tool set a run's pipeline gives the model, its tools described through <paramref name="cache"/>.</summary>
    private static ToolSet DescribeThroughPipeline(PluginHarness harness, ToolSchemaCache cache)
    {
        using var pipeline = new ToolPipeline(harness.Registry, harness.Bus, AllowAllPermissionGate.Instance, SecretScrubber.PatternsOnly, TimeProvider.System, new ToolPipelineOptions { SchemaCache = cache });
        return pipeline.GetToolSet();
    }
}
