using System.IO.Compression;
using System.Text;

namespace AgentHost.Tests.Installation;

/// <summary>Writes manifest-only test plugins as folders and as real .nupkg files (with nuspec and OPC parts).</summary>
public static class PluginPackages
{
    public static string Manifest(string id, string version, string sdk = "^1.0", string extra = "") =>
        $"""
        id: {id}
        version: {version}
        description: Test plugin {id}
        sdk: "{sdk}"
        skills: skills
        {extra}
        """;

    /// <summary>Creates <c>{parent}/{id}-{version}/</c> with plugin.yaml and a skill file.</summary>
    public static string WriteFolder(string parent, string id, string version, string? manifest = null, string skillText = "")
    {
        var folder = Path.Combine(parent, $"{id}-{version}");
        Directory.CreateDirectory(Path.Combine(folder, "skills", "demo"));
        File.WriteAllText(Path.Combine(folder, "plugin.yaml"), manifest ?? Manifest(id, version));
        File.WriteAllText(Path.Combine(folder, "skills", "demo", "SKILL.md"), $"---\nname: demo\ndescription: Demo skill of {id} {version}\n---\nDo the demo.{skillText}\n");
        return folder;
    }

    /// <summary>Packs a plugin folder into <c>{output}/{fileName ?? id.version.nupkg}</c>.</summary>
    public static string Pack(string folder, string output, string id, string version, IEnumerable<(string Name, string Content)>? extraEntries = null, string? fileName = null)
    {
        Directory.CreateDirectory(output);
        var path = Path.Combine(output, fileName ?? $"{id}.{version}.nupkg");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Add(zip, $"{id}.nuspec", $"""
            <?xml version="1.0" encoding="utf-8"?>
            <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
              <metadata>
                <id>{id}</id>
                <version>{version}</version>
                <authors>tests</authors>
                <description>Test plugin {id}</description>
              </metadata>
            </package>
            """);
        Add(zip, "[Content_Types].xml", """<?xml version="1.0" encoding="utf-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" /><Default Extension="nuspec" ContentType="application/octet" /><Default Extension="yaml" ContentType="application/octet" /><Default Extension="md" ContentType="application/octet" /></Types>""");
        Add(zip, "_rels/.rels", $"""<?xml version="1.0" encoding="utf-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/{id}.nuspec" Id="R1" /></Relationships>""");
        Add(zip, "package/services/metadata/core-properties/0123456789abcdef.psmdcp", "<coreProperties />");
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            zip.CreateEntryFromFile(file, Path.GetRelativePath(folder, file).Replace('\\', '/'));
        }

        foreach (var (name, content) in extraEntries ?? [])
        {
            Add(zip, name, content);
        }

        return path;
    }

    /// <summary>Writes a plugin folder under <paramref name="work"/> and packs it into <paramref name="output"/>.</summary>
    public static string WritePackage(string work, string output, string id, string version, string? manifest = null, IEnumerable<(string Name, string Content)>? extraEntries = null) =>
        Pack(WriteFolder(work, id, version, manifest), output, id, version, extraEntries);

    private static void Add(ZipArchive zip, string name, string content)
    {
        using var stream = zip.CreateEntry(name).Open();
        stream.Write(Encoding.UTF8.GetBytes(content));
    }
}
