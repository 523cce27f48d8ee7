using System.IO.Compression;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Template;

/// <summary>
/// The work folder's nuget.config that plugin-template/README.md copies (plugin-template/agent-work.nuget.config): with
/// real <c>dotnet restore</c>s, an <c>AgentHost.*</c> package is taken from the local feed alone, so a same-named package
/// on the other source (a "dependency confusion" upload) is never restored, while every other package still comes from
/// there. The other source is a local folder standing for nuget.org, so nothing leaves 127.0.0.1.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class WorkFolderNuGetConfigTests : IDisposable
{
    private const string NuGetOrg = "https://api.nuget.org/v3/index.json";

    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task ShippedConfig_RestoresAgentHostPackagesOnlyFromTheLocalFeed_AndOthersFromTheSecondSource()
    {
        var shipped = File.ReadAllText(Path.Combine(TemplateFeedFixture.FindRepositoryRoot(), PluginTemplateReadme.CopyNuGetConfig[0]));
        Assert.Equal(1, CountOf(shipped, NuGetOrg));
        var elsewhere = DecoyFeed();

        // The shipped file, nuget.org standing as a folder: the decoy AgentHost.* package is refused, the other restored.
        var work = WorkFolder("mapped", shipped.Replace(NuGetOrg, elsewhere, StringComparison.Ordinal));
        var confused = await RestoreAsync(work, "AgentHost.Decoy");
        var other = await RestoreAsync(work, "Other.Decoy");

        Assert.NotEqual(0, confused.ExitCode);
        // NU1101: "No packages exist with this id in source(s): agenthost-local. PackageSourceMapping is enabled, the
        // following source(s) were not considered: nuget.org."
        Assert.Contains("NU1101", confused.Output, StringComparison.Ordinal);
        Assert.Contains("the following source(s) were not considered: nuget.org", confused.Output, StringComparison.Ordinal);
        Assert.True(other.ExitCode == 0, other.Output);

        // The same sources without the mapping (what `dotnet new nugetconfig` + `dotnet nuget add source` wrote): the
        // decoy is restored, so the refusal above is the mapping's doing.
        var unmapped = WorkFolder("unmapped", WithoutMapping(shipped).Replace(NuGetOrg, elsewhere, StringComparison.Ordinal));
        var restored = await RestoreAsync(unmapped, "AgentHost.Decoy");
        Assert.True(restored.ExitCode == 0, restored.Output);
    }

    public void Dispose() => _temp.Dispose();

    private string WorkFolder(string name, string nugetConfig)
    {
        var work = _temp.Combine(name);
        Directory.CreateDirectory(Path.Combine(work, "feed"));
        File.WriteAllText(Path.Combine(work, "nuget.config"), nugetConfig);
        return work;
    }

    /// <summary>A folder feed with <c>AgentHost.Decoy</c> and <c>Other.Decoy</c>, 1.0.0 each.</summary>
    private string DecoyFeed()
    {
        var feed = Directory.CreateDirectory(_temp.Combine("elsewhere")).FullName;
        foreach (var id in new[] { "AgentHost.Decoy", "Other.Decoy" })
        {
            using var zip = ZipFile.Open(Path.Combine(feed, $"{id.ToLowerInvariant()}.1.0.0.nupkg"), ZipArchiveMode.Create);
            using var writer = new StreamWriter(zip.CreateEntry($"{id}.nuspec").Open());
            writer.Write($"""
                <?xml version="1.0" encoding="utf-8"?>
                <package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
                  <metadata><id>{id}</id><version>1.0.0</version><authors>test</authors><description>A package on the second source.</description></metadata>
                </package>
                """);
        }

        return feed;
    }

    /// <summary>Restores a class library referencing <paramref name="packageId"/> 1.0.0 in a new folder under <paramref name="work"/>, with an empty package cache.</summary>
    private static async Task<(int ExitCode, string Output)> RestoreAsync(string work, string packageId)
    {
        var project = Directory.CreateDirectory(Path.Combine(work, "uses-" + packageId)).FullName;
        File.WriteAllText(Path.Combine(project, "Uses.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
              <ItemGroup><PackageReference Include="{packageId}" Version="1.0.0" /></ItemGroup>
            </Project>
            """);
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(project, "packages") };
        return await DotnetProcess.RunAsync(project, environment, TemplateFeedFixture.Timeout, "restore");
    }

    private static string WithoutMapping(string config)
    {
        var start = config.IndexOf("<packageSourceMapping>", StringComparison.Ordinal);
        var end = config.IndexOf("</packageSourceMapping>", StringComparison.Ordinal) + "</packageSourceMapping>".Length;
        Assert.True(start > 0 && end > start, "the shipped nuget.config has no packageSourceMapping element");
        return config[..start] + config[end..];
    }

    private static int CountOf(string text, string value) => (text.Length - text.Replace(value, string.Empty, StringComparison.Ordinal).Length) / value.Length;
}
