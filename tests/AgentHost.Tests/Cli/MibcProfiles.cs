using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using AgentHost.Tests.Runs;

namespace AgentHost.Tests.Cli;

/// <summary>Reads the committed ReadyToRun profiles (src/AgentHost.Cli/Profile/*.mibc) as crossgen2 does.</summary>
internal static class MibcProfiles
{
    /// <summary>
    /// The names of the global methods in a profile's image: <c>AssemblyDictionary</c> and one <c>Assemblies_…</c> per
    /// group. crossgen2's MIbcProfileParser reads the zip entry named after the file, plus ".dll"; a file that is not
    /// such a zip (damaged by a merge, a Git LFS pointer) fails here.
    /// </summary>
    public static List<string> MethodNames(string fileName)
    {
        var path = Path.Combine(RunWorkspace.RepositoryRoot(), "src", "AgentHost.Cli", "Profile", fileName);
        using var zip = ZipFile.OpenRead(path);
        var entry = zip.GetEntry(fileName + ".dll");
        Assert.NotNull(entry);
        using var image = new MemoryStream();
        using (var stream = entry.Open())
        {
            stream.CopyTo(image);
        }

        image.Position = 0;
        using var pe = new PEReader(image);
        var metadata = pe.GetMetadataReader();
        return metadata.MethodDefinitions.Select(h => metadata.GetString(metadata.GetMethodDefinition(h).Name)).ToList();
    }
}
