using System.Text.Json;

namespace AgentHost.Plugins.Lsp.Tests;

/// <summary>What the docs and the plugins' install hints tell users to install is what the tests run against.</summary>
public sealed class PinnedVersionsTests
{
    private static string Repository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "tests", "lsp-servers", "package.json")) && File.Exists(Path.Combine(dir.FullName, "docs", "lsp.md")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("repository root not found above " + AppContext.BaseDirectory);
    }

    [Theory]
    [InlineData("typescript-language-server", "typescript")]
    [InlineData("typescript", "typescript")]
    [InlineData("yaml-language-server", "yaml")]
    [InlineData("bash-language-server", "bash")]
    [InlineData("@typescript/native-preview", null)]
    public void DocsAndInstallHints_NameTheVersionTheTestsInstall(string package, string? plugin)
    {
        var root = Repository();
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "tests", "lsp-servers", "package.json")));
        var pinned = $"{package}@{manifest.RootElement.GetProperty("dependencies").GetProperty(package).GetString()}";

        Assert.Contains(pinned, File.ReadAllText(Path.Combine(root, "docs", "lsp.md")), StringComparison.Ordinal);
        if (plugin is not null)
        {
            Assert.Contains(pinned, File.ReadAllText(Path.Combine(root, "plugins", plugin, "plugin.yaml")), StringComparison.Ordinal);
        }
    }
}
