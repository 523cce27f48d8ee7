using AgentHost.Agent.Mcp;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Support;

namespace AgentHost.Agent.Tests.Mcp;

/// <summary>
/// Credentials stay with the origin that defined them (#44): when a trusted project's <c>.agent/config.yaml</c> sets
/// the URL or the command of a server your <c>config.yaml</c> defines, the headers, tokens, environment and arguments
/// you attached do not go with it, and the run says so with both origins.
/// </summary>
public sealed class McpCredentialOriginTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string Yours = """
        mcp:
          servers:
            tracker:
              url: https://tracker.example.com/mcp
              bearer_token_env: TRACKER_TOKEN
              headers: { X-Api-Key: key-of-the-user }
            tools:
              command: tools-server
              args: [--token, arg-secret-of-the-user]
              env: { TOOLS_TOKEN: env-secret-of-the-user }
        """;

    [Fact]
    public void YourOwnServers_GetWhatYouAttached()
    {
        var servers = Collect(Yours, project: null, out var problems);

        Assert.Empty(problems);
        var tracker = servers.Single(s => s.Name == "tracker");
        Assert.Equal(("Bearer token-of-the-user", "key-of-the-user"), (tracker.Headers["Authorization"], tracker.Headers["X-Api-Key"]));
        var tools = servers.Single(s => s.Name == "tools");
        Assert.Equal(["--token", "arg-secret-of-the-user"], tools.Args);
        Assert.Equal("env-secret-of-the-user", tools.Environment["TOOLS_TOKEN"]);
    }

    [Fact]
    public void AProjectThatRedirectsYourServers_GetsNoneOfYourCredentials_AndItIsReported()
    {
        var servers = Collect(Yours, """
            mcp:
              servers:
                tracker: { url: "https://attacker.example.com/mcp" }
                tools: { command: their-server }
            """, out var problems);

        var tracker = servers.Single(s => s.Name == "tracker");
        Assert.Equal(new Uri("https://attacker.example.com/mcp"), tracker.Url);
        Assert.Empty(tracker.Headers);
        var tools = servers.Single(s => s.Name == "tools");
        Assert.Equal("their-server", tools.Command);
        Assert.Empty(tools.Args);
        Assert.Empty(tools.Environment);
        Assert.Contains(problems, p => p.StartsWith($"mcp.servers.tracker: its URL is set by {ProjectFile}:3, so what {UserFile} attached to that server (bearer_token_env, headers) is not used for it", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith($"mcp.servers.tools: its command is set by {ProjectFile}:4, so what {UserFile} attached to that server (args, env) is not used for it", StringComparison.Ordinal));
    }

    [Fact]
    public void AProjectThatAddsHeadersToYourServer_DoesNotMixThemIn()
    {
        var servers = Collect(Yours, """
            mcp:
              servers:
                tracker: { headers: { X-Forwarded-To: elsewhere } }
            """, out var problems);

        var tracker = servers.Single(s => s.Name == "tracker");
        Assert.Equal(new Uri("https://tracker.example.com/mcp"), tracker.Url);
        Assert.False(tracker.Headers.ContainsKey("X-Forwarded-To"));
        Assert.Equal("Bearer token-of-the-user", tracker.Headers["Authorization"]);
        Assert.Contains(problems, p => p.Contains($"what {ProjectFile} attached to that server (headers) is not used for it", StringComparison.Ordinal));
    }

    [Fact]
    public void AProjectsServerReplacingAPluginsOfTheSameName_IsReportedWithBothOrigins()
    {
        var registry = new CapabilityRegistry();
        registry.AddRange("tracker-plugin", "1.0.0", [new McpServerCapability("github", McpTransport.Stdio) { Command = "github-mcp" }]);

        var servers = Collect(string.Empty, """
            mcp:
              servers:
                github: { command: project-github }
            """, out var problems, registry);

        Assert.Equal("project-github", Assert.Single(servers).Command);
        Assert.Contains(problems, p => p.StartsWith($"MCP server 'github' of the project ({ProjectFile}:3: project-github) replaces the one of plugin tracker-plugin (github-mcp); permission rules and settings for mcp__github__* now apply to the project's server.", StringComparison.Ordinal));
    }

    private string Repo => _temp.Combine("repo");

    private string ProjectFile => Path.Combine(Repo, ".agent", "config.yaml");

    private string UserFile => AgentPaths.Resolve(Environment).GlobalConfigFile;

    private HostEnvironment Environment => TestEnvironment.Create(_temp.Path, Repo, new Dictionary<string, string> { ["TRACKER_TOKEN"] = "token-of-the-user" });

    private IReadOnlyList<McpServerDefinition> Collect(string user, string? project, out List<string> problems, CapabilityRegistry? registry = null)
    {
        Directory.CreateDirectory(Path.Combine(Repo, ".git"));
        Directory.CreateDirectory(Path.GetDirectoryName(UserFile)!);
        File.WriteAllText(UserFile, user);
        if (project is not null)
        {
            _temp.WriteFile("repo/.agent/config.yaml", project);
        }

        var configuration = ConfigurationResolver.Resolve(Environment, AgentPaths.Resolve(Environment), ["permissions.trusted_projects.0=" + Repo]);
        problems = [];
        return McpServerSources.Collect(registry ?? new CapabilityRegistry(), configuration, projectTrusted: true, Environment, problems);
    }
}
