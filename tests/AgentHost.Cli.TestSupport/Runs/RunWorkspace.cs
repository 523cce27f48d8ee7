using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Runs;

/// <summary>A temp copy of the quickstart example plus an AGENT_HOME, for end-to-end runs of the agent process.</summary>
public sealed class RunWorkspace : IDisposable
{
    private readonly TempDirectory _temp = new();

    public RunWorkspace()
    {
        var example = Path.Combine(RepositoryRoot(), "examples", "quickstart");
        foreach (var file in Directory.EnumerateFiles(example, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(Root, Path.GetRelativePath(example, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public string Root => _temp.Combine("ws");

    /// <summary>A private AGENT_HOME, CI set (no terminal), and the conventional provider key variables emptied so no test can reach a hosted API.</summary>
    public Dictionary<string, string> Environment => new()
    {
        ["AGENT_HOME"] = _temp.Combine("home"),
        ["CI"] = "true",
        ["OPENAI_API_KEY"] = string.Empty,
        ["ANTHROPIC_API_KEY"] = string.Empty,
    };

    public string WriteScript(string yaml) => _temp.WriteFile($"script-{Guid.NewGuid():N}.yaml", yaml);

    /// <summary>A script inside the root: what a server member's own model file must be (docs/server.md).</summary>
    public string WriteRootScript(string yaml)
    {
        Directory.CreateDirectory(Root);
        var path = Path.Combine(Root, $"script-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>Writes the workspace's project configuration, <c>.agent/config.yaml</c>.</summary>
    public void WriteProjectConfig(string yaml)
    {
        Directory.CreateDirectory(Path.Combine(Root, ".agent"));
        File.WriteAllText(Path.Combine(Root, ".agent", "config.yaml"), yaml);
    }

    /// <summary>
    /// Writes the user's global configuration (<c>$AGENT_HOME/config.yaml</c>): where provider settings belong, since an
    /// untrusted project's are ignored.
    /// </summary>
    public void WriteUserConfig(string yaml)
    {
        Directory.CreateDirectory(_temp.Combine("home"));
        File.WriteAllText(_temp.Combine("home", "config.yaml"), yaml);
    }

    public string Combine(params string[] parts) => _temp.Combine(parts);

    public Task<CliResult> RunAsync(params string[] args) => AgentProcess.RunAsync(Root, Environment, args);

    public static IReadOnlyList<JsonElement> Events(string ndjson) =>
        ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();

    public void Dispose() => _temp.Dispose();

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Host.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Host.sln) not found above " + AppContext.BaseDirectory);
    }
}
