using System.ComponentModel;
using System.Text.Json;
using AgentHost.Agent.Engine;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentHost.Tests.Sdk;

/// <summary><c>AddTools&lt;T&gt;()</c> and <c>AddTools(instance)</c>: attributed methods become described, lazily built tools.</summary>
public sealed class AttributedToolsTests
{
    [Fact]
    public async Task AddTools_RegistersEveryAttributedMethod_WithDescriptionsSchemaAndMetadata()
    {
        await using var sdk = new SdkBuilder();

        sdk.Builder.AddTools<IssueTools>();

        Assert.Equal(["issue_close", "issue_count", "issue_read"], sdk.Tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        var read = sdk.Tool("issue_read");
        Assert.Equal("Reads an issue.", read.Function.Description);
        Assert.Equal((ToolEffect.Network, TimeSpan.FromSeconds(30), (bool?)true), (read.Metadata.Effect, read.Metadata.Timeout, read.Metadata.Parallelizable));
        Assert.Equal(((TimeSpan?)null, (bool?)null), (sdk.Tool("issue_close").Metadata.Timeout, sdk.Tool("issue_close").Metadata.Parallelizable));
        Assert.False(((DeferredMethodFunction)read.Function).IsMaterialized);

        var schema = JsonDocument.Parse(read.Function.JsonSchema.GetRawText()).RootElement;
        var properties = schema.GetProperty("properties");
        Assert.Equal("Issue key, e.g. ABC-1", properties.GetProperty("key").GetProperty("description").GetString());
        Assert.Equal(["key", "limit"], properties.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["key"], schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains(sdk.Builder.Services, d => d.ServiceType == typeof(IssueTools) && d.Lifetime == ServiceLifetime.Singleton);
    }

    [Fact]
    public async Task DescribeCall_UsesTheSubjectArgument_AndAnActionFromTheAttributeOrEffect()
    {
        await using var sdk = new SdkBuilder();
        sdk.Builder.AddTools<IssueTools>();
        var arguments = new AIFunctionArguments { ["key"] = JsonDocument.Parse("\"ABC-1\"").RootElement, ["limit"] = JsonDocument.Parse("5").RootElement };

        var read = sdk.Tool("issue_read").Metadata.DescribeCall!(arguments);
        var close = sdk.Tool("issue_close").Metadata.DescribeCall!(arguments);

        Assert.Equal(("fetch", "ABC-1"), (read.Action, read.Subject));
        Assert.Equal(("close", "ABC-1"), (close.Action, close.Subject));
        Assert.Null(sdk.Tool("issue_count").Metadata.DescribeCall);
    }

    [Fact]
    public async Task TheObject_IsCreatedByThePluginsServices_OnTheFirstCall_AndSharedByItsTools()
    {
        await using var sdk = new SdkBuilder();
        sdk.Builder.Services.AddSingleton<ConstructionLog>();
        sdk.Builder.AddTools<IssueTools>();
        await using var services = sdk.BuildServices();
        var log = services.GetRequiredService<ConstructionLog>();
        _ = sdk.Tool("issue_read").Function.JsonSchema;
        Assert.Equal(0, log.Created);

        var read = await sdk.Tool("issue_read").Function.InvokeAsync(new AIFunctionArguments { ["key"] = "ABC-1", Services = services });
        var close = await sdk.Tool("issue_close").Function.InvokeAsync(new AIFunctionArguments { ["key"] = "ABC-2", Services = services });
        var count = await sdk.Tool("issue_count").Function.InvokeAsync(new AIFunctionArguments());

        Assert.Equal(1, log.Created);
        Assert.True(log.HadLogger);
        Assert.Equal("ABC-1 (read 1)", Text(read));
        Assert.Equal("closed ABC-2 (call 2)", Text(close));
        Assert.Equal("42", Text(count));
    }

    [Fact]
    public async Task AToolOfAServiceType_CalledWithoutServices_SaysHowToCallIt()
    {
        await using var sdk = new SdkBuilder();
        sdk.Builder.AddTools<IssueTools>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => sdk.Tool("issue_read").Function.InvokeAsync(new AIFunctionArguments { ["key"] = "A" }).AsTask());

        Assert.Contains("Tool 'issue_read' needs the plugin's service provider to create AgentHost.Tests.Sdk.AttributedToolsTests+IssueTools", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddToolsOfAnInstance_CallsThatInstance()
    {
        await using var sdk = new SdkBuilder();
        var instance = new Greeter("Ahoy");

        sdk.Builder.AddTools(instance);

        var result = await sdk.Tool("greet").Function.InvokeAsync(new AIFunctionArguments { ["name"] = "Ada" });
        Assert.Equal("Ahoy, Ada", Text(result));
        Assert.DoesNotContain(sdk.Builder.Services, d => d.ServiceType == typeof(Greeter));
    }

    [Theory]
    [InlineData(typeof(NoTools), "AgentHost.Tests.Sdk.AttributedToolsTests+NoTools has no methods marked [AgentTool(\"name\")]")]
    [InlineData(typeof(PrivateTool), "AgentHost.Tests.Sdk.AttributedToolsTests+PrivateTool.Hidden: [AgentTool(\"hidden\")] methods must be public")]
    [InlineData(typeof(DuplicateNames), "AgentHost.Tests.Sdk.AttributedToolsTests+DuplicateNames.Second: tool name 'same' is already used by AgentHost.Tests.Sdk.AttributedToolsTests+DuplicateNames.First")]
    [InlineData(typeof(BadName), "AgentHost.Tests.Sdk.AttributedToolsTests+BadName.Run: tool name 'has space' is invalid")]
    [InlineData(typeof(NoDescription), "AgentHost.Tests.Sdk.AttributedToolsTests+NoDescription.Run: tool 'run' has no description; add [Description(")]
    [InlineData(typeof(BadSubject), "AgentHost.Tests.Sdk.AttributedToolsTests+BadSubject.Run: Subject = \"file\" names no parameter; use one of: path, cancellationToken")]
    [InlineData(typeof(BadTimeout), "AgentHost.Tests.Sdk.AttributedToolsTests+BadTimeout.Run: TimeoutSeconds = -1 is invalid")]
    public async Task BadDeclarations_FailRegistration_NamingTheTypeMethodAndFix(Type type, string message)
    {
        await using var sdk = new SdkBuilder();
        var addTools = typeof(PluginBuilderExtensions).GetMethods().Single(m => m.Name == nameof(PluginBuilderExtensions.AddTools) && m.IsGenericMethod).MakeGenericMethod(type);

        var error = Assert.Throws<System.Reflection.TargetInvocationException>(() => addTools.Invoke(null, [sdk.Builder])).InnerException;

        Assert.IsType<ArgumentException>(error);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(sdk.Tools);
    }

    [Fact]
    public async Task SchemaCache_KeysEachMethod_AndDescribesAttributedToolsWithoutBuildingThem()
    {
        using var temp = new TempDirectory();
        var cacheFile = temp.Combine("cache", "tool-schemas.json");
        await using var first = new SdkBuilder();
        first.Builder.AddTools<IssueTools>();
        var keys = first.Tools.Select(t => ((DeferredMethodFunction)t.Function).SchemaKey).ToList();
        await using var harness = new Agent.AgentHarness();
        harness.Registry.AddRange("issues", "1.0.0", first.Tools);
        var described = Describe(harness, cacheFile);

        await using var second = new SdkBuilder();
        second.Builder.AddTools<IssueTools>();
        harness.Registry.RemovePlugin("issues");
        harness.Registry.AddRange("issues", "1.0.0", second.Tools);
        var again = Describe(harness, cacheFile);

        Assert.Equal(3, keys.Distinct().Count());
        Assert.Equal(described, again);
        Assert.All(second.Tools, t => Assert.False(((DeferredMethodFunction)t.Function).IsMaterialized, t.Name));
    }

    /// <summary>The declarations a run's pipeline gives the model, its tools described through the schema cache in <paramref name="cacheFile"/>.</summary>
    private static Dictionary<string, string> Describe(Agent.AgentHarness harness, string cacheFile)
    {
        using var pipeline = new ToolPipeline(harness.Registry, harness.Bus, AllowAllPermissionGate.Instance, SecretScrubber.PatternsOnly, TimeProvider.System, new ToolPipelineOptions { SchemaCache = new ToolSchemaCache(cacheFile) });
        return pipeline.GetToolSet().Declarations.ToDictionary(d => d.Name, d => d.JsonSchema.GetRawText());
    }

    private static string? Text(object? result) => result is JsonElement { ValueKind: JsonValueKind.String } e ? e.GetString() : result?.ToString();

    public sealed class ConstructionLog
    {
        public int Created { get; set; }

        public bool HadLogger { get; set; }
    }

    public sealed class IssueTools
    {
        private int _calls;

        public IssueTools(ILogger<IssueTools> logger, ConstructionLog? log = null)
        {
            if (log is not null)
            {
                log.Created++;
                log.HadLogger = logger is not null;
            }
        }

        [AgentTool("issue_read", Effect = ToolEffect.Network, Subject = "key", TimeoutSeconds = 30, Parallelizable = true)]
        [Description("Reads an issue.")]
        public string Read([Description("Issue key, e.g. ABC-1")] string key, IProgress<ToolProgress> progress, [Description("Most comments.")] int? limit = null)
        {
            progress.Report(new ToolProgress("reading " + key));
            return $"{key} (read {Interlocked.Increment(ref _calls)})";
        }

        [AgentTool("issue_close", Effect = ToolEffect.Write, Subject = "key", Action = "close")]
        [Description("Closes an issue.")]
        public Task<string> CloseAsync([Description("Issue key.")] string key, CancellationToken cancellationToken) =>
            Task.FromResult($"closed {key} (call {Interlocked.Increment(ref _calls)})");

        [AgentTool("issue_count")]
        [Description("Counts issues.")]
        public static int Count() => 42;

        public string NotATool() => "ignored " + _calls;
    }

    public sealed class Greeter(string greeting)
    {
        [AgentTool("greet")]
        [Description("Greets someone.")]
        public string Greet([Description("Who.")] string name) => $"{greeting}, {name}";
    }

    public sealed class NoTools
    {
        public static string Run() => "x";
    }

    public sealed class PrivateTool
    {
        [AgentTool("hidden")]
        [Description("Hidden.")]
        internal static string Hidden() => "x";
    }

    public sealed class DuplicateNames
    {
        [AgentTool("same")]
        [Description("First.")]
        public static string First() => "1";

        [AgentTool("same")]
        [Description("Second.")]
        public static string Second() => "2";
    }

    public sealed class BadName
    {
        [AgentTool("has space")]
        [Description("Bad.")]
        public static string Run() => "x";
    }

    public sealed class NoDescription
    {
        [AgentTool("run")]
        public static string Run() => "x";
    }

    public sealed class BadSubject
    {
        [AgentTool("run", Subject = "file")]
        [Description("Bad subject.")]
        public static string Run(string path, CancellationToken cancellationToken) => path;
    }

    public sealed class BadTimeout
    {
        [AgentTool("run", TimeoutSeconds = -1)]
        [Description("Bad timeout.")]
        public static string Run() => "x";
    }
}
