using System.Text.Json;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Questions;
using AgentHost.Agent.Service;
using AgentHost.Agent.Skills;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Tests.Agent;

/// <summary>A run describes a plugin's tools from the schema cache instead of reflecting over every tool method.</summary>
public sealed class ToolSchemaCacheTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string CacheFile => Path.Combine(_dir.Path, "cache", "tool-schemas.json");

    [Fact]
    public async Task TheFirstRun_WritesEverySchema_TheNextDescribesToolsWithoutBuildingThem_WarmUpPreparesThem_AndCallsWork()
    {
        var first = await DescribeFilesToolsAsync(new ToolSchemaCache(CacheFile));
        using (var file = JsonDocument.Parse(File.ReadAllText(CacheFile)))
        {
            Assert.Equal(first.Schemas.Count, file.RootElement.GetProperty("schemas").EnumerateObject().Count());
        }

        await using var harness = new PluginHarness(unloadable: false);
        Assert.Equal(PluginLoadStatus.Loaded, (await harness.LoadAsync(Catalog.PathOf("files"))).Status);
        var set = ToolSet.Create(harness.Registry, schemas: new ToolSchemaCache(CacheFile));

        var functions = harness.Registry.OfKind(CapabilityKind.Tool).Select(e => ((ToolCapability)e.Capability).Function).ToList();
        Assert.All(functions, f => Assert.False(((DeferredMethodFunction)f).IsMaterialized, f.Name));
        Assert.Equal(first.Schemas, set.Declarations.ToDictionary(d => d.Name, d => d.JsonSchema.GetRawText()));

        set.WarmUp();
        // A tool whose calls bind directly only had its parameters read; the other (multi_edit) was built.
        Assert.All(functions, f => Assert.True(((DeferredMethodFunction)f).BindsDirectly != ((DeferredMethodFunction)f).IsMaterialized, f.Name));
        Assert.True(((DeferredMethodFunction)functions.Single(f => f.Name == "multi_edit")).IsMaterialized);

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

    [Fact]
    public void KernelTools_AreDescribedFromTheCache_WithoutBeingBuiltByReflection_WithTheSchemasReflectionGave()
    {
        // A first process: nothing cached, so describing the kernel's tools builds them (reflection) and records their schemas.
        var (skill, ask) = (SkillTool.CreateTemplate(), AskUserTool.CreateTemplate());
        var first = ToolSet.Create(new CapabilityRegistry(), schemas: new ToolSchemaCache(CacheFile), kernelTools: KernelTools(skill, ask));
        Assert.True(((DeferredMethodFunction)skill).IsMaterialized);
        Assert.True(((DeferredMethodFunction)ask).IsMaterialized);
        using (var file = JsonDocument.Parse(File.ReadAllText(CacheFile)))
        {
            Assert.Equal(2, file.RootElement.GetProperty("schemas").EnumerateObject().Count());
        }

        // The next process (new functions, the cache read from the file) describes them without building them, identically.
        var (skill2, ask2) = (SkillTool.CreateTemplate(), AskUserTool.CreateTemplate());
        var next = ToolSet.Create(new CapabilityRegistry(), schemas: new ToolSchemaCache(CacheFile), kernelTools: KernelTools(skill2, ask2));
        Assert.False(((DeferredMethodFunction)skill2).IsMaterialized);
        Assert.False(((DeferredMethodFunction)ask2).IsMaterialized);
        Assert.Equal(
            first.Declarations.ToDictionary(d => d.Name, d => d.JsonSchema.GetRawText()),
            next.Declarations.ToDictionary(d => d.Name, d => d.JsonSchema.GetRawText()));
        Assert.Equal(["ask_user", "skill"], next.Declarations.Select(d => d.Name));
        Assert.Contains("\"question\"", next.Declarations[0].JsonSchema.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AskUser_DescribedFromTheCache_AnswersItsFirstCallAsBefore_BindingItsArgumentsDirectly()
    {
        ToolSet.Create(new CapabilityRegistry(), schemas: new ToolSchemaCache(CacheFile), kernelTools: KernelTools(SkillTool.CreateTemplate(), AskUserTool.CreateTemplate()));
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var ask = AskUserTool.CreateTemplate();
        var tool = new RegisteredCapability(new ToolCapability(ask, new ToolMetadata(ToolEffect.Read)), SkillTool.KernelPluginId, "1.0.0");
        var set = ToolSet.Create(new CapabilityRegistry(), schemas: new ToolSchemaCache(CacheFile), kernelTools: [tool]);
        Assert.False(((DeferredMethodFunction)ask).IsMaterialized);

        // Bound as a session binds it (nobody present): the call gives the usual answer. Its parameters are simple, so the
        // call reads them straight from the arguments (DirectToolBinding) and the factory's function is still not built.
        var session = (SessionBoundFunction)((ToolCapability)AskUserTool.Create(new QuestionBroker(bus), "s1", interactive: false).Capability).Function;
        var bound = new SessionBoundFunction(ask, session.State);
        var result = await bound.InvokeAsync(new AIFunctionArguments(new Dictionary<string, object?> { ["question"] = "Which branch?" }));

        Assert.True(((DeferredMethodFunction)ask).BindsDirectly);
        Assert.False(((DeferredMethodFunction)ask).IsMaterialized);
        Assert.StartsWith(AskUserTool.NobodyPrefix, JsonSerializer.Deserialize<string>(JsonSerializer.Serialize(result)), StringComparison.Ordinal);
        Assert.Single(set.Declarations);
    }

    public void Dispose() => _dir.Dispose();

    private static RegisteredCapability[] KernelTools(AIFunction skill, AIFunction ask) =>
    [
        new(new ToolCapability(new SessionBoundFunction(skill, new object()), new ToolMetadata(ToolEffect.Read)), SkillTool.KernelPluginId, "1.0.0"),
        new(new ToolCapability(new SessionBoundFunction(ask, new object()), new ToolMetadata(ToolEffect.Read)), SkillTool.KernelPluginId, "1.0.0"),
    ];

    private static async Task<(Dictionary<string, string> Schemas, int Count)> DescribeFilesToolsAsync(ToolSchemaCache cache)
    {
        await using var harness = new PluginHarness(unloadable: false);
        Assert.Equal(PluginLoadStatus.Loaded, (await harness.LoadAsync(Catalog.PathOf("files"))).Status);
        var set = ToolSet.Create(harness.Registry, schemas: cache);
        Assert.NotEmpty(set.Declarations);
        return (set.Declarations.ToDictionary(d => d.Name, d => d.JsonSchema.GetRawText()), set.Declarations.Count);
    }
}
