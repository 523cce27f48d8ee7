using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using AgentHost.Tests.Runs;

namespace AgentHost.Tests.Cli;

/// <summary>
/// The release build's ReadyToRun profile (src/AgentHost.Cli/Profile/agent.mibc; docs/benchmarks.md, "#25: a profile
/// for the precompiled code") stays a file crossgen2 can read. CI never publishes the composite image, so a profile
/// damaged by a merge, or checked out as a Git LFS pointer, would otherwise only show in a release publish.
/// </summary>
public sealed class ReadyToRunProfileTests
{
    [Fact]
    public void Profile_IsAZippedMibc_WhoseAssemblyDictionaryListsGroupsOfOurOwnCode()
    {
        var path = Path.Combine(RunWorkspace.RepositoryRoot(), "src", "AgentHost.Cli", "Profile", "agent.mibc");
        using var zip = ZipFile.OpenRead(path);
        // crossgen2's MIbcProfileParser reads the zip entry named after the file, plus ".dll".
        var entry = zip.GetEntry("agent.mibc.dll");
        Assert.NotNull(entry);
        using var image = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(image);
        }

        image.Position = 0;
        using var pe = new PEReader(image);
        var metadata = pe.GetMetadataReader();
        var methods = metadata.MethodDefinitions.Select(h => metadata.GetString(metadata.GetMethodDefinition(h).Name)).ToList();
        Assert.Contains("AssemblyDictionary", methods);
        // One global method per group of methods, named after the group's assemblies, the defining one first.
        Assert.Contains(methods, m => m.StartsWith("Assemblies_AgentHost.Hosting;", StringComparison.Ordinal));
        Assert.Contains(methods, m => m.StartsWith("Assemblies_System.Private.CoreLib;", StringComparison.Ordinal));
    }
}
