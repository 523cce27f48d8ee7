namespace AgentHost.Tests.Cli;

/// <summary>
/// The release build's ReadyToRun profile (src/AgentHost.Cli/Profile/agent.mibc; docs/decisions/0001-release-build-readytorun-composite.md) stays a file crossgen2 can read. CI never publishes the composite image, so a profile
/// damaged by a merge, or checked out as a Git LFS pointer, would otherwise only show in a release publish.
/// </summary>
public sealed class ReadyToRunProfileTests
{
    [Fact]
    public void Profile_IsAZippedMibc_WhoseAssemblyDictionaryListsGroupsOfOurOwnCode()
    {
        var methods = MibcProfiles.MethodNames("agent.mibc");
        Assert.Contains("AssemblyDictionary", methods);
        // One global method per group of methods, named after the group's assemblies, the defining one first.
        Assert.Contains(methods, m => m.StartsWith("Assemblies_AgentHost.Hosting;", StringComparison.Ordinal));
        Assert.Contains(methods, m => m.StartsWith("Assemblies_System.Private.CoreLib;", StringComparison.Ordinal));
    }
}
