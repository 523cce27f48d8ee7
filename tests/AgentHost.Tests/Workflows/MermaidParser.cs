using System.Diagnostics;

namespace AgentHost.Tests.Workflows;

/// <summary>
/// The real Mermaid parser, installed for tests by <c>npm ci --prefix tests/mermaid</c> (.ci/run does it), run with
/// node on <c>tests/mermaid/check-mermaid.mjs</c>. Tests that need it are skipped, with the reason, only when node or
/// the install is absent.
/// </summary>
internal static class MermaidParser
{
    private static readonly Lazy<string?> Folder = new(() =>
    {
        var folder = Path.Combine(Runs.RunWorkspace.RepositoryRoot(), "tests", "mermaid");
        return File.Exists(Path.Combine(folder, "node_modules", "mermaid", "package.json")) ? folder : null;
    });

    private static readonly Lazy<string?> Node = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(Path.IsPathFullyQualified)
            .Select(dir => Path.Combine(dir, OperatingSystem.IsWindows() ? "node.exe" : "node"))
            .FirstOrDefault(File.Exists));

    public static string? SkipReason =>
        Node.Value is null ? "node is not installed (the Mermaid check runs the real Mermaid parser on node)"
        : Folder.Value is null ? "the Mermaid parser is not installed: run 'npm ci --prefix tests/mermaid' (.ci/run does it)"
        : null;

    /// <summary>Parses a diagram; returns the parser's exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> ParseAsync(string diagramFile)
    {
        var start = new ProcessStartInfo(Node.Value!) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Folder.Value! };
        start.ArgumentList.Add(Path.Combine(Folder.Value!, "check-mermaid.mjs"));
        start.ArgumentList.Add(diagramFile);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}

/// <summary>A fact that needs node and the npm-installed Mermaid parser; skipped with the reason when they are absent.</summary>
public sealed class MermaidFactAttribute : FactAttribute
{
    public MermaidFactAttribute()
    {
        if (MermaidParser.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
