using System.IO.Compression;
using System.Text;
using AgentHost.Hosting;
using AgentHost.Installation;
using AgentHost.Tests.Support;

namespace AgentHost.Installation.Tests;

public sealed class NupkgExtractorTests
{
    [Theory]
    [InlineData("../outside.txt")]
    [InlineData("lib/../../outside.txt")]
    [InlineData("/etc/outside.txt")]
    [InlineData("..\\outside.txt")]
    [InlineData("%2e%2e/outside.txt")]
    public void Extract_RefusesEntriesOutsideTheDestination(string entryName)
    {
        using var temp = new TempDirectory();
        var package = Zip(temp, ("plugin.yaml", "id: x"), (entryName, "payload"));

        var error = Assert.Throws<AgentHostException>(() => NupkgExtractor.Extract(package, temp.Combine("out"), "test.nupkg"));

        Assert.Equal(ErrorKind.Plugin, error.Kind);
        Assert.Contains("points outside the plugin folder", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(temp.Path, "outside.txt", SearchOption.AllDirectories));
    }

    [Fact]
    public void Extract_RefusesPackage_LargerThanTheCap()
    {
        using var temp = new TempDirectory();
        var package = Zip(temp, ("plugin.yaml", "id: x"), ("big.bin", new string('x', 10_000)));

        var error = Assert.Throws<AgentHostException>(() =>
            NupkgExtractor.Extract(package, temp.Combine("out"), "big.nupkg", maxTotalBytes: 4096));

        Assert.Contains("big.nupkg: the package expands to more than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_RefusesPackage_WithTooManyEntries()
    {
        using var temp = new TempDirectory();
        var package = Zip(temp, [.. Enumerable.Range(0, 20).Select(i => ($"f{i}.txt", "x"))]);

        var error = Assert.Throws<AgentHostException>(() =>
            NupkgExtractor.Extract(package, temp.Combine("out"), "many.nupkg", maxEntries: 10));

        Assert.Contains("the package has 20 entries, more than the 10 allowed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_RefusesFileThatIsNotAZip()
    {
        using var temp = new TempDirectory();
        var path = temp.WriteFile("broken.nupkg", "this is not a zip");

        var error = Assert.Throws<AgentHostException>(() => NupkgExtractor.Extract(path, temp.Combine("out"), path));

        Assert.Contains("not a valid .nupkg (zip) file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_KeepsPluginFiles_AndSkipsPackagingMetadata()
    {
        using var temp = new TempDirectory();
        var package = Zip(
            temp,
            ("plugin.yaml", "id: x"),
            ("x.nuspec", "<package />"),
            ("[Content_Types].xml", "<Types />"),
            ("_rels/.rels", "<Relationships />"),
            ("package/services/metadata/core-properties/1.psmdcp", "<x />"),
            ("lib/My%20Plugin.dll", "binary"),
            ("docs/notes.nuspec", "kept: not at the root"));

        NupkgExtractor.Extract(package, temp.Combine("out"), "x.nupkg");

        var files = Directory.EnumerateFiles(temp.Combine("out"), "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(temp.Combine("out"), f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        Assert.Equal(["docs/notes.nuspec", "lib/My Plugin.dll", "plugin.yaml"], files);
    }

    private static string Zip(TempDirectory temp, params (string Name, string Content)[] entries)
    {
        var path = temp.Combine(Guid.NewGuid().ToString("N") + ".nupkg");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, content) in entries)
        {
            using var stream = zip.CreateEntry(name).Open();
            stream.Write(Encoding.UTF8.GetBytes(content));
        }

        return path;
    }
}
