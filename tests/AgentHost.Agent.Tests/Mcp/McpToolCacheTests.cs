using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Agent.Mcp;
using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Support;
using ModelContextProtocol.Protocol;

namespace AgentHost.Agent.Tests.Mcp;

/// <summary>
/// The MCP tool-listing cache on the keyed cache file: a failed background start holds the next sessions back (another
/// instance reads it), a listing clears it, a file of the earlier format (a bare listing) is rebuilt, and the file holds
/// the listing, not the definition's secrets.
/// </summary>
public sealed class McpToolCacheTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string Folder => _temp.Combine("cache", "mcp");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void AFailedStart_HoldsTheNextSessionsBack_WithItsReason_UntilAListingIsWritten()
    {
        var server = Server();
        var now = DateTimeOffset.UtcNow;
        new McpToolCache(Folder).Write(server, [Tool("search")]);
        new McpToolCache(Folder).WriteFailure(server, "timed out\nafter 30 s");

        var next = new McpToolCache(Folder);
        Assert.Equal("timed out after 30 s", next.RecentFailure(server, now)?.Reason);
        Assert.Null(next.RecentFailure(server, now + McpToolCache.FailureBackoff + TimeSpan.FromSeconds(1)));
        Assert.Equal("search", Assert.Single(next.Read(server)!).Name); // the listing is kept beside the failure

        new McpToolCache(Folder).Write(server, [Tool("search"), Tool("fetch")]);
        var after = new McpToolCache(Folder);
        Assert.Null(after.RecentFailure(server, now));
        Assert.Equal(2, after.Read(server)!.Count);
    }

    [Fact]
    public void AbandonedStarts_HoldBack_OnlyAfterSeveralInARow_CountedAcrossSessions()
    {
        var server = Server();
        var now = DateTimeOffset.UtcNow;

        for (var i = 1; i < McpToolCache.AbandonedStartsBeforeHoldingBack; i++)
        {
            new McpToolCache(Folder).WriteAbandoned(server, now);
            Assert.Null(new McpToolCache(Folder).RecentFailure(server, now));
        }

        new McpToolCache(Folder).WriteAbandoned(server, now);
        Assert.Contains($"{McpToolCache.AbandonedStartsBeforeHoldingBack} times in a row", new McpToolCache(Folder).RecentFailure(server, now)?.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void AListingOfTheEarlierFormat_IsIgnored_AndRewrittenInTheCacheFileFormat()
    {
        // Before the keyed cache file: KEY.json was the bare listing, KEY.failed the failure beside it.
        var server = Server();
        var cache = new McpToolCache(Folder);
        Directory.CreateDirectory(Folder);
        File.WriteAllText(cache.FileOf(server), JsonSerializer.Serialize(new[] { Tool("old") }, ModelContextProtocol.McpJsonUtilities.DefaultOptions));

        Assert.Null(cache.Read(server));
        cache.Write(server, [Tool("new")]);

        Assert.Equal(1, JsonNode.Parse(File.ReadAllText(cache.FileOf(server)))!["version"]!.GetValue<int>());
        Assert.Equal("new", Assert.Single(new McpToolCache(Folder).Read(server)!).Name);
    }

    [Fact]
    public void TheFile_HoldsTheListingAndTheFailure_NotTheDefinitionsEnvironmentOrHeaders()
    {
        var server = Server() with
        {
            Environment = new Dictionary<string, string> { ["API_KEY"] = "env-secret-value" },
            Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer header-secret-value" },
        };
        var cache = new McpToolCache(Folder);

        cache.Write(server, [Tool("search")]);
        cache.WriteFailure(server, "exit code 1");

        var text = File.ReadAllText(cache.FileOf(server));
        Assert.Contains("search", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", Path.GetFileName(cache.FileOf(server)), StringComparison.Ordinal);
    }

    private static McpServerDefinition Server() => new("srv", "config", McpTransport.Stdio) { Command = "node" };

    private static Tool Tool(string name) => new()
    {
        Name = name,
        Description = "Does " + name + ".",
        InputSchema = JsonSerializer.Deserialize<JsonElement>("""{"type":"object"}"""),
    };
}
