using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Trust;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Configuration;

/// <summary>A temp home with AGENT_HOME, a git repository and helpers to write config layers and resolve them.</summary>
internal sealed class ConfigProject : IDisposable
{
    public ConfigProject()
    {
        Directory.CreateDirectory(Temp.Combine("repo", ".git"));
        Directory.CreateDirectory(Repo);
    }

    public TempDirectory Temp { get; } = new();

    public string Repo => Temp.Combine("repo");

    public string GlobalFile => Temp.Combine("agent-home", "config.yaml");

    public string ProjectFile => Temp.Combine("repo", ".agent", "config.yaml");

    public string WriteGlobal(string yaml) => Temp.WriteFile(Path.Combine("agent-home", "config.yaml"), yaml);

    public string WriteProject(string yaml) => Temp.WriteFile(Path.Combine("repo", ".agent", "config.yaml"), yaml);

    public HostEnvironment Environment(IDictionary<string, string>? variables = null, string? currentDirectory = null) =>
        TestEnvironment.Create(Temp.Path, currentDirectory ?? Repo, variables);

    public ConfigurationSnapshot Resolve(IDictionary<string, string>? variables = null, string? currentDirectory = null, params string[] flags)
    {
        var environment = Environment(variables, currentDirectory);
        return ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), flags);
    }

    /// <summary>The user's trust list (in AGENT_HOME).</summary>
    public ProjectTrust TrustList() => ProjectTrust.Load(AgentPaths.Resolve(Environment()));

    /// <summary>Trusts the repository, as 'agent trust' would: the test simulates the user's own project.</summary>
    public ProjectTrust TrustRepo()
    {
        var trust = TrustList();
        trust.Trust(Repo);
        return trust;
    }

    public Task<CliResult> RunAsync(params string[] args) => CliRunner.RunAsync(Environment(), args);

    public Task<CliResult> RunAsync(IDictionary<string, string> variables, params string[] args) => CliRunner.RunAsync(Environment(variables), args);

    public void Dispose() => Temp.Dispose();
}
