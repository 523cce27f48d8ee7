using System.Diagnostics;
using System.Text.RegularExpressions;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Workflows;

/// <summary>A <see cref="RunWorkspace"/> for workflow runs: workflow files, one scripted model per node, and the run id a run printed.</summary>
public sealed partial class WorkflowWorkspace : IDisposable
{
    private readonly RunWorkspace _workspace = new();

    public string Root => _workspace.Root;

    public Dictionary<string, string> Environment => _workspace.Environment;

    /// <summary>Writes a scripted model's script and returns the model reference for a node's <c>model:</c>.</summary>
    public string Model(string scriptYaml) => "scripted/" + _workspace.WriteScript(scriptYaml);

    /// <summary>Writes a workflow file under the workspace and returns its path.</summary>
    public string WriteWorkflow(string relativePath, string yaml)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
        return path;
    }

    public void WriteUserConfig(string yaml) => _workspace.WriteUserConfig(yaml);

    /// <summary>A path in the temp folder, outside the project.</summary>
    public string Outside(params string[] parts) => _workspace.Combine(parts);

    public string Read(string relativePath) => File.ReadAllText(Path.Combine(Root, relativePath));

    public int Lines(string relativePath) =>
        File.Exists(Path.Combine(Root, relativePath)) ? File.ReadAllLines(Path.Combine(Root, relativePath)).Count(l => l.Length > 0) : 0;

    /// <summary>Trusts the workspace's project (shell nodes need it), as a user would with 'agent trust'.</summary>
    public async Task TrustAsync()
    {
        var trusted = await RunAsync("trust");
        Assert.True(trusted.ExitCode == 0, trusted.Error);
    }

    public Task<CliResult> RunAsync(params string[] args) => _workspace.RunAsync(args);

    public Process Start(params string[] args) => AgentProcess.Start(Root, Environment, args);

    /// <summary>The run id in a run's messages (<c>agent workflow resume ID</c>, <c>run ID</c>).</summary>
    public static string RunIdIn(string text) =>
        RunId().Match(text) is { Success: true } match ? match.Groups[1].Value : throw new Xunit.Sdk.XunitException("no run id in:\n" + text);

    public void Dispose() => _workspace.Dispose();

    [GeneratedRegex(@"run ([0-9A-HJKMNP-TV-Z]{26})")]
    private static partial Regex RunId();
}
