using System.Runtime.InteropServices;
using AgentHost.Hosting.Plugins;
namespace AgentHost.Tests.Plugins;

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
}
