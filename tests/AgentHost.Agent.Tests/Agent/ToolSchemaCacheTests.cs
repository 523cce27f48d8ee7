using System.Reflection;
using System.Text.Json;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Questions;
using AgentHost.Agent.Skills;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Hosting.Plugins.Loading;
using AgentHost.Sdk;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Agent.Tests;

/// <summary>
/// A run describes the kernel's tools from the schema cache instead of reflecting over every tool method, and its
/// warm-up gets the described tools ready. These need the agent's internals (the tool set's warm-up, the kernel tools'
/// templates); the bundled files plugin's tools through the cache are tested in tests/AgentHost.Tests, in the class of
/// the same name. Whether a tool was built by reflection is the SDK's internal state (<c>DeferredMethodFunction</c>),
/// which the SDK shows to its own tests only, so <see cref="Deferred"/> reads it by reflection.
/// </summary>
public sealed class ToolSchemaCacheTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly EventBus _bus = new(NullLogger<EventBus>.Instance);

    private string CacheFile => Path.Combine(_dir.Path, "cache", "tool-schemas.json");

    [Fact]
    public async Task WarmUp_OfToolsDescribedFromTheCache_ReadsTheParametersOfThoseThatBindDirectly_AndBuildsTheOthers_AndCallsWork()
    {
        // A first process describes the tools by reflection and records their schemas.
        var first = Describe(PluginTools());
        Assert.Equal(2, first.Count);

        // The next process describes new functions from the cache without building them; the warm-up then gets them
        // ready: a tool whose calls bind directly only has its parameters read, the other (an array of records) is built.
        var tools = PluginTools();
        var set = ToolSet.Create(Registry(tools), schemas: new ToolSchemaCache(CacheFile));
        var functions = tools.Select(t => t.Function).ToList();
        Assert.All(functions, f => Assert.False(Deferred.IsMaterialized(f), f.Name));
        Assert.Equal(first, set.Declarations.ToDictionary(d => d.Name, d => d.JsonSchema.GetRawText()));

        set.WarmUp();

        Assert.All(functions, f => Assert.True(Deferred.BindsDirectly(f) != Deferred.IsMaterialized(f), f.Name));
        Assert.True(Deferred.IsMaterialized(functions.Single(f => f.Name == "multi_replace")));
        Assert.False(Deferred.IsMaterialized(functions.Single(f => f.Name == "shout")));
        Assert.Equal("HI", (await functions.Single(f => f.Name == "shout").InvokeAsync(new AIFunctionArguments(new Dictionary<string, object?> { ["text"] = "hi" })))?.ToString());
        var replaced = await functions.Single(f => f.Name == "multi_replace").InvokeAsync(new AIFunctionArguments(new Dictionary<string, object?>
        {
            ["text"] = "a b",
            ["edits"] = JsonSerializer.SerializeToElement(new[] { new Replacement("a", "x"), new Replacement("b", "y") }),
        }));
        Assert.Equal("x y", JsonSerializer.Deserialize<string>(JsonSerializer.Serialize(replaced)));

        Dictionary<string, string> Describe(IReadOnlyList<ToolCapability> registered)
        {
            var described = ToolSet.Create(Registry(registered), schemas: new ToolSchemaCache(CacheFile));
            Assert.All(registered, t => Assert.True(Deferred.IsMaterialized(t.Function), t.Name));
            return described.Declarations.ToDictionary(d => d.Name, d => d.JsonSchema.GetRawText());
        }
    }

    [Fact]
    public void KernelTools_AreDescribedFromTheCache_WithoutBeingBuiltByReflection_WithTheSchemasReflectionGave()
    {
        // A first process: nothing cached, so describing the kernel's tools builds them (reflection) and records their schemas.
        var (skill, ask) = (SkillTool.CreateTemplate(), AskUserTool.CreateTemplate());
        var first = ToolSet.Create(new CapabilityRegistry(), schemas: new ToolSchemaCache(CacheFile), kernelTools: KernelTools(skill, ask));
        Assert.True(Deferred.IsMaterialized(skill));
        Assert.True(Deferred.IsMaterialized(ask));
        using (var file = JsonDocument.Parse(File.ReadAllText(CacheFile)))
        {
            Assert.Equal(2, file.RootElement.GetProperty("schemas").EnumerateObject().Count());
        }

        // The next process (new functions, the cache read from the file) describes them without building them, identically.
        var (skill2, ask2) = (SkillTool.CreateTemplate(), AskUserTool.CreateTemplate());
        var next = ToolSet.Create(new CapabilityRegistry(), schemas: new ToolSchemaCache(CacheFile), kernelTools: KernelTools(skill2, ask2));
        Assert.False(Deferred.IsMaterialized(skill2));
        Assert.False(Deferred.IsMaterialized(ask2));
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
        Assert.False(Deferred.IsMaterialized(ask));

        // Bound as a session binds it (nobody present): the call gives the usual answer. Its parameters are simple, so the
        // call reads them straight from the arguments (DirectToolBinding) and the factory's function is still not built.
        var session = (SessionBoundFunction)((ToolCapability)AskUserTool.Create(new QuestionBroker(bus), "s1", interactive: false).Capability).Function;
        var bound = new SessionBoundFunction(ask, session.State);
        var result = await bound.InvokeAsync(new AIFunctionArguments(new Dictionary<string, object?> { ["question"] = "Which branch?" }));

        Assert.True(Deferred.BindsDirectly(ask));
        Assert.False(Deferred.IsMaterialized(ask));
        Assert.StartsWith(AskUserTool.NobodyPrefix, JsonSerializer.Deserialize<string>(JsonSerializer.Serialize(result)), StringComparison.Ordinal);
        Assert.Single(set.Declarations);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _bus.DisposeAsync();
        _dir.Dispose();
    }

    private static RegisteredCapability[] KernelTools(AIFunction skill, AIFunction ask) =>
    [
        new(new ToolCapability(new SessionBoundFunction(skill, new object()), new ToolMetadata(ToolEffect.Read)), SkillTool.KernelPluginId, "1.0.0"),
        new(new ToolCapability(new SessionBoundFunction(ask, new object()), new ToolMetadata(ToolEffect.Read)), SkillTool.KernelPluginId, "1.0.0"),
    ];

    /// <summary>
    /// Two tools registered through the kernel's real plugin builder, as a plugin registers delegates: <c>shout</c>,
    /// whose calls bind directly, and <c>multi_replace</c>, whose array of records needs the factory's binding.
    /// </summary>
    private List<ToolCapability> PluginTools()
    {
        var builder = new PluginBuilder(new PluginContext("text-tools", "1.0.0", _dir.Path, NullLoggerFactory.Instance, _bus, new Dictionary<string, string>(), CancellationToken.None));
        builder.AddTool("shout", "Upper-cases the text.", ToolEffect.None, (string text) => text.ToUpperInvariant());
        builder.AddTool("multi_replace", "Applies several replacements in order.", ToolEffect.None,
            (string text, Replacement[] edits) => edits.Aggregate(text, (current, edit) => current.Replace(edit.Old, edit.New, StringComparison.Ordinal)));
        return [.. builder.Capabilities.OfType<ToolCapability>()];
    }

    private static CapabilityRegistry Registry(IReadOnlyList<ToolCapability> tools)
    {
        var registry = new CapabilityRegistry();
        registry.AddRange("text-tools", "1.0.0", tools);
        return registry;
    }

    public sealed record Replacement(string Old, string New);

    /// <summary>
    /// The SDK's deferred tool function's state (<c>IsMaterialized</c>: built by reflection; <c>BindsDirectly</c>), read
    /// by reflection: the SDK shows its internals to the kernel and its own tests only (#45). Fails, rather than reading
    /// false, if the function is not the SDK's deferred one or the property is gone.
    /// </summary>
    private static class Deferred
    {
        public static bool IsMaterialized(AIFunction function) => Read(function, "IsMaterialized");

        public static bool BindsDirectly(AIFunction function) => Read(function, "BindsDirectly");

        private static bool Read(AIFunction function, string property)
        {
            var type = function.GetType();
            Assert.Equal("AgentHost.Sdk.Tools.DeferredMethodFunction", type.FullName);
            var info = type.GetProperty(property, BindingFlags.Instance | BindingFlags.NonPublic)
                ?? throw new InvalidOperationException($"DeferredMethodFunction.{property} is gone; read the function's state again");
            return (bool)info.GetValue(function)!;
        }
    }
}
