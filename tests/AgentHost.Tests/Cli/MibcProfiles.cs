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

    /// <summary>
    /// The profiled methods of non-generic types, as <c>Namespace.Type:Method</c>: the member references whose parent is
    /// a type reference (a generic type's methods are referenced through a type specification and are left out).
    /// </summary>
    public static List<string> ProfiledMethods(string fileName)
    {
        var path = Path.Combine(RunWorkspace.RepositoryRoot(), "src", "AgentHost.Cli", "Profile", fileName);
        using var zip = ZipFile.OpenRead(path);
        using var image = new MemoryStream();
        using (var stream = zip.GetEntry(fileName + ".dll")!.Open())
        {
            stream.CopyTo(image);
        }

        image.Position = 0;
        using var pe = new PEReader(image);
        var metadata = pe.GetMetadataReader();
        var names = new List<string>();
        foreach (var handle in metadata.MemberReferences)
        {
            var member = metadata.GetMemberReference(handle);
            if (member.Parent.Kind == HandleKind.TypeReference)
            {
                var type = metadata.GetTypeReference((TypeReferenceHandle)member.Parent);
                names.Add($"{metadata.GetString(type.Namespace)}.{metadata.GetString(type.Name)}:{metadata.GetString(member.Name)}");
            }
        }

        return names;
    }
}
