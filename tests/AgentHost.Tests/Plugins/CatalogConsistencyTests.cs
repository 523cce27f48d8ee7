using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Plugins;

/// <summary>
/// The bundled catalog agrees with its sources (#19 item 6): every entry's version is its manifest's and its assembly's,
/// and every <c>agent plugin install &lt;id&gt;</c> in the docs names a real catalog plugin.
/// </summary>
public sealed partial class CatalogConsistencyTests
{
    private static readonly string RepositoryRoot = FindRepositoryRoot();

    [Fact]
    public async Task EveryCatalogEntry_HasItsManifestsVersion_AndItsAssemblyVersion()
    {
        var catalog = await CatalogAsync();
        var sources = Directory.EnumerateDirectories(Path.Combine(RepositoryRoot, "plugins"))
            .Where(d => File.Exists(Path.Combine(d, "plugin.yaml")))
            .ToDictionary(d => Field(File.ReadAllText(Path.Combine(d, "plugin.yaml")), "id")!, d => d, StringComparer.Ordinal);

        Assert.Equal(sources.Keys.Order(StringComparer.Ordinal), catalog.Keys.Order(StringComparer.Ordinal));
        foreach (var (id, folder) in sources)
        {
            var manifest = File.ReadAllText(Path.Combine(folder, "plugin.yaml"));
            var version = Field(manifest, "version");
            Assert.True(version == catalog[id], $"catalog entry {id} is {catalog[id]} but plugins/{Path.GetFileName(folder)}/plugin.yaml says {version}");
            if (Field(manifest, "entry") is { } entry)
            {
                var built = Path.Combine(AppContext.BaseDirectory, "catalog", Path.GetFileName(folder), entry);
                var informational = FileVersionInfo.GetVersionInfo(built).ProductVersion!.Split('+')[0];
                Assert.True(version == informational, $"{built} is version {informational} but its plugin.yaml says {version}");
            }
        }
    }

    [Fact]
    public async Task DocsExamples_InstallOnlyPluginsTheCatalogHas()
    {
        var catalog = await CatalogAsync();
        var files = Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "docs"), "*.md")
            .Append(Path.Combine(RepositoryRoot, "README.md"))
            .Append(Path.Combine(RepositoryRoot, "plugin-template", "README.md"));
        var checkedIds = 0;
        var wrong = new List<string>();
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                foreach (Match match in InstallCommand().Matches(lines[i]))
                {
                    var target = match.Groups[1].Value.TrimEnd('`', '\'', '"', '.', ',', ')', ';');
                    if (IsPlaceholderOrPath(target) || target.StartsWith("acme.", StringComparison.Ordinal))
                    {
                        // <id>, <folder>, paths and .nupkg files; 'acme.*' is the docs' fictional third-party vendor on a feed.
                        continue;
                    }

                    checkedIds++;
                    if (!catalog.ContainsKey(target))
                    {
                        wrong.Add($"{Path.GetRelativePath(RepositoryRoot, file)}:{i + 1}: '{target}' is not in the bundled catalog ({string.Join(", ", catalog.Keys.Order(StringComparer.Ordinal))})");
                    }
                }
            }
        }

        Assert.True(wrong.Count == 0, string.Join('\n', wrong));
        Assert.True(checkedIds > 0, "no 'agent plugin install <id>' example was found; the scan is broken");
    }

    /// <summary>The bundled catalog as <c>agent plugin search --json</c> lists it: id → version.</summary>
    private static async Task<Dictionary<string, string>> CatalogAsync()
    {
        using var temp = new TempDirectory();
        var result = await CliRunner.RunAsync(TestEnvironment.Create(temp.Path, temp.Path), "plugin", "search", "--json");
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        return json.RootElement.GetProperty("plugins").EnumerateArray()
            .Where(p => p.GetProperty("source").GetString() == "catalog")
            .ToDictionary(p => p.GetProperty("id").GetString()!, p => p.GetProperty("version").GetString()!, StringComparer.Ordinal);
    }

    private static bool IsPlaceholderOrPath(string target) =>
        target.Length == 0 || target[0] is '<' or '|' or '-' or '[' or '{' or '$'
        || target.EndsWith(".nupkg", StringComparison.OrdinalIgnoreCase)
        || target.Contains('/', StringComparison.Ordinal) || target.Contains('\\', StringComparison.Ordinal)
        || target.Contains('@', StringComparison.Ordinal) // name@marketplace: a marketplace's plugin, not a catalog id
        || target is "." or "..";

    private static string? Field(string yaml, string name) =>
        Regex.Match(yaml, $@"(?m)^{name}:\s*""?([^""\s#]+)") is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"agent plugin install\s+(\S+)")]
    private static partial Regex InstallCommand();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Host.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("the repository root (Host.sln) was not found above " + AppContext.BaseDirectory);
    }
}
