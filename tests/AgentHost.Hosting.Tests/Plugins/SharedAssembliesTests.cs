using System.Reflection;
using System.Runtime.InteropServices;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Loading;
namespace AgentHost.Hosting.Tests.Plugins;

public sealed class SharedAssembliesTests
{
    private static readonly string[] AbstractionsInTheSdksSignatures =
    [
        "AgentHost.Sdk",
        "Microsoft.Extensions.AI.Abstractions",
        "Microsoft.Extensions.DependencyInjection.Abstractions",
        "Microsoft.Extensions.Logging.Abstractions",
    ];

    [Fact]
    public void FromSdk_SharesTheSdkAndTheLibrariesInItsSignatures_ButDoesNotWalkTheFramework()
    {
        var shared = SharedAssemblies.FromSdk();

        foreach (var name in AbstractionsInTheSdksSignatures)
        {
            Assert.True(shared.TryGetHostVersion(name, out _), $"{name} should be shared; shared: {string.Join(", ", shared.Versions.Keys.Order(StringComparer.Ordinal))}");
        }

        Assert.True(shared.TryGetHostVersion("System.Runtime", out _));
        Assert.False(shared.TryGetHostVersion("System.Private.CoreLib", out _), "framework assemblies' own references are not walked");
    }

    [Fact]
    public void FromRoots_SelfContainedLayout_WhereTheAppSitsInTheRuntimeFolder_StillSharesTheAbstractions()
    {
        // A self-contained publish puts the SDK and Microsoft.Extensions.* in the runtime's folder. Treating
        // everything there as framework stopped the walk at the SDK, so plugins loaded private copies of the
        // abstractions and failed with MissingMethodException (IPluginBuilder.get_Services).
        var selfContained = SharedAssemblies.FromRoots(
            [typeof(AgentHost.Sdk.AgentPlugin).Assembly],
            [RuntimeEnvironment.GetRuntimeDirectory(), AppContext.BaseDirectory]);

        Assert.Equal(
            SharedAssemblies.FromSdk().Versions.OrderBy(p => p.Key, StringComparer.Ordinal),
            selfContained.Versions.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.True(selfContained.TryGetHostVersion("Microsoft.Extensions.DependencyInjection.Abstractions", out _));
    }

    [Fact]
    public void FromSdk_IsWalkedOncePerProcess_EveryCallerGettingTheSameSet()
    {
        var sets = new SharedAssemblies[8];
        Parallel.For(0, sets.Length, i => sets[i] = SharedAssemblies.FromSdk());

        Assert.All(sets, set => Assert.Same(sets[0], set));
        Assert.Same(sets[0], SharedAssemblies.FromSdk());
        Assert.Equal(
            SharedAssemblies.FromRoots([typeof(AgentHost.Sdk.AgentPlugin).Assembly]).Versions.OrderBy(p => p.Key, StringComparer.Ordinal),
            sets[0].Versions.OrderBy(p => p.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void FromSdk_DoesNotLoadFrameworkAssemblies_ToLearnTheirVersions()
    {
        // Loading System.Net.Http, System.Security.Cryptography, System.Linq.Expressions… only to record their
        // versions cost every run resident memory for assemblies it never used.
        var loaded = new List<string>();
        var shared = SharedAssemblies.FromRoots(
            [typeof(AgentHost.Sdk.AgentPlugin).Assembly],
            [RuntimeEnvironment.GetRuntimeDirectory()],
            reference =>
            {
                loaded.Add(reference.Name!);
                return Assembly.Load(reference);
            });

        Assert.DoesNotContain(loaded, name => name.StartsWith("System.", StringComparison.Ordinal) || name is "System" or "netstandard" or "mscorlib");
        Assert.Contains("Microsoft.Extensions.AI.Abstractions", loaded);
        Assert.True(shared.TryGetHostVersion("System.Net.Http", out _), "the SDK's libraries reference System.Net.Http; it stays shared");
    }

    [Fact]
    public void FromSdk_FrameworkVersionsReadFromFiles_AreTheVersionsTheHostLoads()
    {
        var shared = SharedAssemblies.FromSdk();

        var framework = shared.Versions.Keys.Where(name => name.StartsWith("System.", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(framework);
        foreach (var name in framework)
        {
            Assert.Equal(Assembly.Load(new AssemblyName(name)).GetName().Version, shared.Versions[name]);
        }
    }

    [Fact]
    public void FrameworkVersions_AreReadWhenFirstAskedFor_OneFileAtATime_AndAreTheVersionsTheHostLoads()
    {
        // A plugin runtime's creation reads no framework file: a run's plugins ask for a few of the closure's versions.
        var shared = SharedAssemblies.FromRoots([typeof(AgentHost.Sdk.AgentPlugin).Assembly]);
        var unread = shared.UnreadFrameworkFiles;
        Assert.True(unread > 1, $"{unread} framework references");

        Assert.True(shared.TryGetHostVersion("System.Net.Http", out var version));
        Assert.Equal(Assembly.Load(new AssemblyName("System.Net.Http")).GetName().Version, version);
        Assert.Equal(unread - 1, shared.UnreadFrameworkFiles);
        Assert.True(shared.TryGetHostVersion("SYSTEM.NET.HTTP", out var again));
        Assert.Equal(version, again);
        Assert.Equal(unread - 1, shared.UnreadFrameworkFiles);

        Assert.False(shared.TryGetHostVersion("Not.A.Shared.Assembly", out _));
        Assert.Equal(unread - 1, shared.UnreadFrameworkFiles);

        // Listing every version reads the rest: each framework reference is listed once, with its file's version.
        var all = shared.Versions;
        Assert.Equal(0, shared.UnreadFrameworkFiles);
        Assert.True(all.Count > unread);
        Assert.Equal(version, all["System.Net.Http"]);
        Assert.Equal(0, shared.UnreadFrameworkFiles);
    }
}
