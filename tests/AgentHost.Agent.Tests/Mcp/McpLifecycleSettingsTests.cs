using System.Text.Json;
using AgentHost.Agent.Mcp;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Support;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace AgentHost.Agent.Tests.Mcp;

/// <summary>The start mode setting, the tool-listing cache lazy servers are offered from, and progress as people read it.</summary>
public sealed class McpLifecycleSettingsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void StartMode_ComesFromMcpStart_AServersOwnStartWins_AndAWrongValueIsReported()
    {
        var configuration = Configure("""
            mcp:
              start: lazy
              servers:
                inherits: { command: a }
                own: { command: b, start: session }
                wrong: { command: c, start: soon }
            """);
        var problems = new List<string>();

        var servers = McpServerSources.Collect(new CapabilityRegistry(), configuration, projectTrusted: true, Environment, problems);

        Assert.Equal(McpStartMode.Lazy, servers.Single(s => s.Name == "inherits").Start);
        Assert.Equal(McpStartMode.Session, servers.Single(s => s.Name == "own").Start);
        Assert.Equal(McpStartMode.Lazy, servers.Single(s => s.Name == "wrong").Start);
        Assert.Contains(problems, p => p.Contains("mcp.servers.wrong.start: 'soon' is not a start mode (session, lazy, background)", StringComparison.Ordinal));
    }

    [Fact]
    public void StartAndStartTimeout_ApplyToAPluginsServer_WithoutRedefiningIt()
    {
        var registry = new CapabilityRegistry();
        registry.AddRange("tracker-plugin", "1.0.0", [new McpServerCapability("tracker", McpTransport.Stdio) { Command = "tracker-mcp" }]);
        var configuration = Configure("""
            mcp:
              servers:
                tracker: { start: lazy, start_timeout: 5 }
            """);
        var problems = new List<string>();

        var server = Assert.Single(McpServerSources.Collect(registry, configuration, projectTrusted: true, Environment, problems));

        Assert.Empty(problems);
        Assert.Equal("tracker-mcp", server.Command);
        Assert.Equal("plugin tracker-plugin", server.Source);
        Assert.Equal(McpStartMode.Lazy, server.Start);
        Assert.Equal(TimeSpan.FromSeconds(5), server.StartTimeout);
    }

    [Fact]
    public void StartMode_IsSession_WhenNothingIsSet()
    {
        var servers = McpServerSources.Collect(new CapabilityRegistry(), Configure("mcp:\n  servers:\n    one: { command: a }\n"), projectTrusted: true, Environment, []);

        Assert.Equal(McpStartMode.Session, Assert.Single(servers).Start);
    }

    [Fact]
    public void CacheKey_FollowsWhatDefinesTheServer_NotWhereOrWhenItStarts()
    {
        var server = new McpServerDefinition("srv", "config", McpTransport.Stdio) { Command = "node", Args = ["server.js"] };

        Assert.Equal(McpToolCache.KeyOf(server), McpToolCache.KeyOf(server with { Source = "elsewhere", Start = McpStartMode.Lazy, StartTimeout = TimeSpan.FromSeconds(3) }));
        Assert.NotEqual(McpToolCache.KeyOf(server), McpToolCache.KeyOf(server with { Args = ["other.js"] }));
        Assert.NotEqual(McpToolCache.KeyOf(server), McpToolCache.KeyOf(server with { Environment = new Dictionary<string, string> { ["MODE"] = "x" } }));
        Assert.NotEqual(McpToolCache.KeyOf(server), McpToolCache.KeyOf(server with { Name = "srv2" }));
        Assert.StartsWith("srv-", McpToolCache.KeyOf(server), StringComparison.Ordinal);
    }

    [Fact]
    public void CacheKey_IsTheSameHashAsBefore_SoListingsAndFailureRecordsAlreadyCachedAreFound()
    {
        // The first 16 hex digits of the SHA-256 of "3:srv\n5:Stdio\n4:node\n9:server.js\n3:env\n-1:\n7:headers\n" (the
        // key is computed with the managed SHA-256 since #50; a different hash would orphan every cached listing).
        var server = new McpServerDefinition("srv", "config", McpTransport.Stdio) { Command = "node", Args = ["server.js"] };

        Assert.Equal("srv-7d400a8911c64ad2", McpToolCache.KeyOf(server));
    }

    [Fact]
    public void Cache_GivesBackTheListing_WithSchemaAndAnnotations()
    {
        var cache = new McpToolCache(_temp.Combine("cache", "mcp"));
        var server = new McpServerDefinition("srv", "config", McpTransport.Stdio) { Command = "node" };
        var tool = new Tool
        {
            Name = "search",
            Description = "Searches.",
            InputSchema = JsonSerializer.Deserialize<JsonElement>("""{"type":"object","properties":{"q":{"type":"string"}}}"""),
            Annotations = new ToolAnnotations { ReadOnlyHint = true, OpenWorldHint = false },
        };

        Assert.Null(cache.Read(server));
        cache.Write(server, [tool]);
        var read = Assert.Single(cache.Read(server)!);

        Assert.Equal("search", read.Name);
        Assert.Equal("Searches.", read.Description);
        Assert.Equal("string", read.InputSchema.GetProperty("properties").GetProperty("q").GetProperty("type").GetString());
        Assert.Equal(Sdk.Tools.ToolEffect.Read, McpToolFunction.EffectOf(read.Annotations));
        Assert.Null(cache.Read(server with { Args = ["changed"] }));
    }

    [Fact]
    public void Cache_ADamagedEntry_IsAsIfThereWereNone()
    {
        var cache = new McpToolCache(_temp.Combine("cache", "mcp"));
        var server = new McpServerDefinition("srv", "config", McpTransport.Stdio) { Command = "node" };
        Directory.CreateDirectory(cache.Directory);
        File.WriteAllText(cache.FileOf(server), "{ not json");

        Assert.Null(cache.Read(server));
    }

    [Theory]
    [InlineData(3f, 10f, "step", "3/10 step", 0.3)]
    [InlineData(2f, null, null, "2", null)]
    [InlineData(1.5f, 4f, "", "1.5/4", 0.375)]
    public void Progress_ReadsAsCountOfTotalAndMessage_WithTheFractionWhenTheTotalIsKnown(float progress, float? total, string? message, string expected, double? fraction)
    {
        var update = McpToolFunction.ProgressOf(new ProgressNotificationValue { Progress = progress, Total = total, Message = message });

        Assert.Equal(expected, update.Message);
        Assert.Equal(fraction, update.Fraction is { } f ? Math.Round(f, 3) : null);
    }

    private ConfigurationSnapshot Configure(string yaml)
    {
        var repo = _temp.Combine("repo");
        Directory.CreateDirectory(Path.Combine(repo, ".git"));
        _temp.WriteFile("repo/.agent/config.yaml", yaml);
        var environment = TestEnvironment.Create(_temp.Path, repo);
        return ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), ["permissions.trusted_projects.0=" + repo]);
    }

    private static HostEnvironment Environment { get; } = new(new Dictionary<string, string>(), Path.GetTempPath(), Path.GetTempPath(), System.Runtime.InteropServices.OSPlatform.Linux);
}
