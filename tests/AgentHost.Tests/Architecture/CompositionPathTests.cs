using System.Text.RegularExpressions;
using AgentHost.Tests.Template;

namespace AgentHost.Tests.Architecture;

/// <summary>
/// One composition path: every front end opens its project root through <c>ProjectRootFactory.OpenAsync</c> (the one
/// recipe: runtime, broker, plugins, session service from a provider built by <c>AddAgentHost</c>), nothing else
/// constructs a permission broker or a plugin runtime (blocking waits are a compiler error everywhere in src/: BlockingWaitRuleTests). The behaviour is tested in <c>KernelCompositionTests</c>; this keeps side doors from coming back.
/// </summary>
public sealed partial class CompositionPathTests
{
    private static readonly string Source = Path.Combine(TemplateFeedFixture.FindRepositoryRoot(), "src");

    [Fact]
    public void TheSessionService_IsConstructedOnlyByTheCompositionRoot()
    {
        var constructing = Files()
            .Where(file => NewSessionService().IsMatch(File.ReadAllText(file)))
            .Select(Relative)
            .ToList();

        Assert.Equal(["AgentHost.Agent/Composition/AgentHostServiceCollectionExtensions.cs"], constructing);
    }

    [Fact]
    public void APermissionBrokerOrAPluginRuntime_IsConstructedOnlyByTheProjectRootFactory()
    {
        // PluginRuntime.cs holds the runtime's own constructor and Create; everything else asks the factory
        // (ProjectRootFactory.OpenAsync for a root, CreatePluginRuntime for a command that only lists plugins).
        var constructing = Files()
            .Where(file => NewBrokerOrRuntime().IsMatch(File.ReadAllText(file)))
            .Select(Relative)
            .Order(StringComparer.Ordinal)
            .ToList();

        Assert.Equal(["AgentHost.Agent/Composition/ProjectRootFactory.cs", "AgentHost.Hosting/Plugins/Installed/PluginRuntime.cs"], constructing);
    }

    [Fact]
    public void AProjectRootIsComposed_OnlyByTheOneRecipe()
    {
        // Front ends open a root with ProjectRootFactory.OpenAsync; composing its host by hand (runtime, broker and
        // CreateHost in the front end's own order) is what the recipe replaced.
        var composing = Files()
            .Where(file => CreateHost().IsMatch(File.ReadAllText(file)))
            .Select(Relative)
            .ToList();

        Assert.Equal(["AgentHost.Agent/Composition/ProjectRootFactory.cs"], composing);
    }

    [Fact]
    public void AGenericHost_IsBuiltOnlyByTheServersWebHost_SoAClusterNodesSiloJoinsIt()
    {
        // One host per process that serves: the server's WebApplication. A cluster node adds its silo to that host
        // (ServerNode.Configure, UseOrleans on the web host's builder), so the grains and the HTTP API share one
        // container; a silo host of its own (the cluster path built one until #74) would be a second container.
        var building = Files()
            .Where(file => BuildsAHost().IsMatch(File.ReadAllText(file)))
            .Select(Relative)
            .ToList();

        Assert.Equal(["AgentHost.Server/Http/LoopbackWebHost.cs"], building);
    }

    [Fact]
    public void TheRuleScans_FindWhatTheyForbid()
    {
        Assert.Matches(BuildsAHost(), "var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });");
        Assert.Matches(BuildsAHost(), "var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());");
        Assert.Matches(BuildsAHost(), "using var host = new HostBuilder().UseOrleans(silo => { }).Build();");
        Assert.Matches(BuildsAHost(), "var host = Host.CreateEmptyApplicationBuilder(settings);");
        Assert.DoesNotMatch(BuildsAHost(), "host.UseOrleans(silo => ConfigureSilo(silo));");
        // The patterns above would pass vacuously if they matched nothing; they match each way of writing it.
        Assert.Matches(NewBrokerOrRuntime(), "var broker = new PermissionBroker(runtime.Events);");
        Assert.Matches(NewBrokerOrRuntime(), "PermissionBroker broker = new(events);");
        Assert.Matches(NewBrokerOrRuntime(), "var runtime = PluginRuntime.Create(store, root, settings, loggers);");
        Assert.Matches(NewBrokerOrRuntime(), "return new PluginRuntime (store, root, settings, events, registry, host);");
        Assert.Matches(CreateHost(), "var host = roots.CreateHost(configuration, runtime, broker);");
        Assert.DoesNotMatch(NewBrokerOrRuntime(), "public PermissionBroker Broker { get; }");
    }

    private static IEnumerable<string> Files() =>
        Directory.EnumerateFiles(Source, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static string Relative(string file) => Path.GetRelativePath(Source, file).Replace('\\', '/');

    [GeneratedRegex(@"new\s+AgentSessionService\s*\(")]
    private static partial Regex NewSessionService();

    [GeneratedRegex(@"new\s+PermissionBroker\s*\(|PermissionBroker\??\s+\w+\s*=\s*new\s*\(|PluginRuntime\.Create\s*\(|new\s+PluginRuntime\s*\(")]
    private static partial Regex NewBrokerOrRuntime();

    [GeneratedRegex(@"\bHost\.Create\w*Builder\s*\(|\bWebApplication\.Create\w*\s*\(|new\s+(Web)?HostBuilder\s*\(")]
    private static partial Regex BuildsAHost();

    [GeneratedRegex(@"\.CreateHost\s*\(|\bCreateHost\s*\(\s*\w+\s*,")]
    private static partial Regex CreateHost();
}
