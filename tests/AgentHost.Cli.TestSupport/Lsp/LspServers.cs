using AgentHost.Tests.Support;

namespace AgentHost.Tests.Lsp;

/// <summary>
/// The language servers installed for tests by <c>npm ci --prefix tests/lsp-servers</c> (CI's .ci/run does it).
/// Tests that need them are skipped, with the reason, only when node/npm or the install is absent.
/// </summary>
public static class LspServers
{
    private static readonly Lazy<string?> Bin = new(() => Support.NpmTools.FindBin("lsp-servers", "yaml-language-server"));

    /// <summary>The <c>node_modules/.bin</c> folder, or <see langword="null"/>.</summary>
    public static string? BinDirectory => Bin.Value;

    /// <summary>The full path of a test language server in <c>tests/lsp-servers/fixtures</c> (run with node).</summary>
    public static string Fixture(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var file = Path.Combine(dir.FullName, "tests", "lsp-servers", "fixtures", name);
            if (File.Exists(file))
            {
                return file;
            }
        }

        throw new FileNotFoundException($"fixture '{name}' not found above {AppContext.BaseDirectory}");
    }

    public static string? SkipReason => BinDirectory is not null ? null
        : "language servers not installed: run 'npm ci --prefix tests/lsp-servers' (needs node and npm; .ci/run does it)";
}

/// <summary>A fact that needs the npm-installed language servers; skipped with the reason when they are absent.</summary>
public sealed class LspFactAttribute : FactAttribute
{
    public LspFactAttribute()
    {
        if (LspServers.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A fact that needs bubblewrap, node and the npm-installed language servers; skipped with the first missing one.</summary>
public sealed class BubblewrapLspFactAttribute : FactAttribute
{
    public BubblewrapLspFactAttribute() => Skip = new BubblewrapNodeFactAttribute().Skip ?? LspServers.SkipReason;
}

/// <summary>A fact that needs TypeScript 7's native server (tsgo, @typescript/native-preview) from the npm install.</summary>
public sealed class TsgoFactAttribute : FactAttribute
{
    public TsgoFactAttribute()
    {
        if (LspServers.SkipReason is { } reason)
        {
            Skip = reason;
        }
        else if (!File.Exists(Path.Combine(LspServers.BinDirectory!, OperatingSystem.IsWindows() ? "tsgo.cmd" : "tsgo")))
        {
            Skip = "tsgo not installed: run 'npm ci --prefix tests/lsp-servers' (it installs @typescript/native-preview for this platform)";
        }
    }
}
