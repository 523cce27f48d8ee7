using System.Text;
using AgentHost.Hosting;
using AgentHost.Installation.Git;
using AgentHost.Installation.Marketplaces;

namespace AgentHost.Installation.Tests;

public sealed class MarketplaceFileTests
{
    private const string File = "/m/.claude-plugin/marketplace.json";

    /// <summary>Modelled on public marketplaces (anthropics/claude-plugins-official, claude-code's own): every source kind.</summary>
    private const string RealShaped = """
        {
          "$schema": "https://anthropic.com/claude-code/marketplace.schema.json",
          "name": "team-plugins",
          "description": "Our team's plugins",
          "owner": { "name": "Platform Team", "email": "platform@example.com" },
          "metadata": { "pluginRoot": "./plugins", "version": "1.0.0" },
          "plugins": [
            { "name": "local-dev", "description": "Local", "source": "./plugins/local-dev", "category": "development" },
            { "name": "bare", "source": "bare", "version": "2.1.0" },
            { "name": "from-github", "source": { "source": "github", "repo": "acme/lint-plugin", "ref": "v1.0" } },
            { "name": "from-url", "source": { "source": "url", "url": "https://gitlab.com/team/plugin.git", "sha": "bc781f96be8ce17a2972e8a9a3ef38b1ca7e8cc4" } },
            { "name": "url-with-path", "source": { "source": "url", "url": "https://github.com/o/mono.git", "path": "claude-plugin/x" } },
            { "name": "subdir", "source": { "source": "git-subdir", "url": "https://github.com/o/skills.git", "path": "plugins/airtable", "ref": "main" } },
            { "name": "npm-one", "source": { "source": "npm", "package": "@acme/claude-plugin", "version": "^2.0" } },
            { "name": "future", "source": { "source": "hologram", "where": "x" } },
            { "name": "inline", "source": "./plugins/inline", "strict": false, "commands": ["./commands/a.md"] },
            { "name": "strict-false-plain", "source": "./plugins/plain", "strict": false }
          ]
        }
        """;

    private static Marketplace Parse(string json) => MarketplaceFile.Parse(Encoding.UTF8.GetBytes(json), File, "/m");

    private static AgentHostException ParseFails(string json) => Assert.Throws<AgentHostException>(() => Parse(json));

    [Fact]
    public void Parse_RealShapedFile_ReadsEverySourceKind()
    {
        var marketplace = Parse(RealShaped);

        Assert.Equal(("team-plugins", "Platform Team", "Our team's plugins"), (marketplace.Name, marketplace.Owner, marketplace.Description));
        Assert.Equal(10, marketplace.Plugins.Count);
        Assert.Equal("plugins/local-dev", marketplace.Find("local-dev")!.Source!.Folder);
        Assert.Equal(("plugins/bare", "2.1.0"), (marketplace.Find("BARE")!.Source!.Folder, marketplace.Find("bare")!.Version));
        Assert.Equal(new GitUrl("https://github.com/acme/lint-plugin.git", "v1.0"), marketplace.Find("from-github")!.Source!.Git);
        var url = marketplace.Find("from-url")!.Source!;
        Assert.Equal(("https://gitlab.com/team/plugin.git", "bc781f96be8ce17a2972e8a9a3ef38b1ca7e8cc4", (string?)null), (url.Git!.Url, url.Sha, url.SubPath));
        Assert.Equal("claude-plugin/x", marketplace.Find("url-with-path")!.Source!.SubPath);
        var subdir = marketplace.Find("subdir")!.Source!;
        Assert.Equal((new GitUrl("https://github.com/o/skills.git", "main"), "plugins/airtable"), (subdir.Git, subdir.SubPath));
        Assert.Equal("plugins/plain", marketplace.Find("strict-false-plain")!.Source!.Folder);
    }

    [Fact]
    public void Parse_EntriesTheHostCannotInstall_AreKeptWithTheReason()
    {
        var marketplace = Parse(RealShaped);

        var blocked = marketplace.Plugins.Where(p => p.NotInstallable is not null).ToDictionary(p => p.Name, p => p.NotInstallable!);

        Assert.Equal(["future", "npm-one"], blocked.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("npm package", blocked["npm-one"], StringComparison.Ordinal);
        Assert.Contains("\"hologram\" is not one the host knows", blocked["future"], StringComparison.Ordinal);
        Assert.All(marketplace.Plugins.Where(p => p.NotInstallable is not null), p => Assert.Null(p.Source));
    }

    [Fact]
    public void Parse_EntryThatDefinesParts_KeepsItsDefinitionAndStrictness()
    {
        var marketplace = Parse(RealShaped);

        var inline = marketplace.Find("inline")!;
        Assert.Equal("plugins/inline", inline.Source!.Folder);
        Assert.False(inline.Definition!.Strict);
        Assert.Contains("\"commands\": [", inline.Definition.Json, StringComparison.Ordinal);
        Assert.Contains("\"name\": \"inline\"", inline.Definition.Json, StringComparison.Ordinal);
        Assert.Null(marketplace.Find("strict-false-plain")!.Definition); // strict:false alone defines nothing
        Assert.Null(marketplace.Find("local-dev")!.Definition);
    }

    [Fact]
    public void Parse_StrictThatIsNotABoolean_NamesTheField()
    {
        var error = ParseFails("""{ "name": "m", "plugins": [ { "name": "a", "source": "./a", "strict": "no" } ] }""");

        Assert.Contains("plugins[0].strict: must be true or false", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidJson_NamesTheLine()
    {
        var error = ParseFails("{\n  \"name\": \"x\",\n  \"plugins\": [\n    { \"name\": \"a\" \"source\": \"./a\" }\n  ]\n}");

        // The one JSON reader of plugin files (JsonSourceFile): file, line and column, then the fix.
        Assert.Matches(@"^/m/\.claude-plugin/marketplace\.json:4:\d+: not valid JSON; look for a missing comma, quote or bracket", error.Message);
    }

    [Fact]
    public void Parse_MissingSource_NamesLineFieldAndFix()
    {
        var error = ParseFails("""
            {
              "name": "x",
              "plugins": [
                { "name": "ok", "source": "./ok" },
                {
                  "name": "broken"
                }
              ]
            }
            """);

        Assert.StartsWith(File + ":5: plugins[1]: plugin 'broken' has no \"source\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"./plugins/broken\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WrongType_NamesTheNestedField()
    {
        var error = ParseFails("""
            {
              "name": "x",
              "plugins": [
                { "name": "a", "source": { "source": "github", "repo": 42 } }
              ]
            }
            """);

        Assert.Equal(File + ":4: plugins[0].source.repo: must be a string, not number.", error.Message);
    }

    [Theory]
    [InlineData("""{ "plugins": [] }""", ":1: name: is missing or empty")]
    [InlineData("""{ "name": "has space", "plugins": [] }""", "name: 'has space' is not a usable marketplace name")]
    [InlineData("""{ "name": "x" }""", "plugins: must be an array")]
    [InlineData("""{ "name": "x", "owner": 3, "plugins": [] }""", "owner: must be an object with a \"name\"")]
    [InlineData("""{ "name": "x", "plugins": [ { "name": "a", "source": "/abs" } ] }""", "plugins[0].source: '/abs' must be a path relative to the marketplace root")]
    [InlineData("""{ "name": "x", "plugins": [ { "name": "a", "source": "../out" } ] }""", "plugins[0].source: '../out' leaves the marketplace folder")]
    [InlineData("""{ "name": "x", "plugins": [ { "name": "a", "source": "./a" }, { "name": "A", "source": "./b" } ] }""", "plugins[1].name: a plugin named 'A' is listed twice")]
    [InlineData("""{ "name": "x", "plugins": [ { "name": "a", "source": { "source": "git-subdir", "url": "https://h/r.git" } } ] }""", "plugins[0].source: a \"git-subdir\" source needs \"path\"")]
    [InlineData("""{ "name": "x", "plugins": [ { "name": "a", "source": { "source": "url", "url": "http://h/r.git" } } ] }""", "plugins[0].source.url: 'http://h/r.git' uses an unencrypted transport")]
    [InlineData("""{ "name": "x", "plugins": [ { "name": "a", "source": { "source": "url", "url": "https://h/r.git", "sha": "abc" } } ] }""", "plugins[0].source.sha: 'abc' is not a full commit id")]
    [InlineData("""{ "name": "x", "plugins": [ { "name": "a", "source": { "source": "url", "url": "https://h/r.git", "path": "../up" } } ] }""", "plugins[0].source.path: the plugin path '../up'")]
    [InlineData("""{ "name": "x", "plugins": [ { "name": "a@b", "source": "./a" } ] }""", "plugins[0].name: 'a@b' is not a usable plugin name")]
    public void Parse_MalformedField_NamesItWithTheFix(string json, string expected)
    {
        var error = ParseFails(json);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(File + ":", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://github.com/o/r.git", "https://github.com/o/r.git", null)]
    [InlineData("https://github.com/o/r.git#v1.2", "https://github.com/o/r.git", "v1.2")]
    [InlineData("https://github.com/o/r.git@v1.2", "https://github.com/o/r.git", "v1.2")]
    [InlineData("https://user@host.example/o/r.git", "https://user@host.example/o/r.git", null)]
    [InlineData("git@github.com:o/r.git", "git@github.com:o/r.git", null)]
    [InlineData("git@github.com:o/r.git@main", "git@github.com:o/r.git", "main")]
    [InlineData("git@github.com:r.git", "git@github.com:r.git", null)]
    [InlineData("ssh://git@host:2222/o/r.git#dev", "ssh://git@host:2222/o/r.git", "dev")]
    [InlineData("file:///srv/repos/plugin", "file:///srv/repos/plugin", null)]
    public void GitUrl_Parse_SplitsTheRef(string text, string url, string? reference)
    {
        Assert.Equal(new GitUrl(url, reference), GitUrl.Parse(text));
    }

    [Theory]
    [InlineData("owner/repo")]
    [InlineData("./plugins/x")]
    [InlineData("demo@team")]
    [InlineData("C:\\plugins\\x")]
    public void GitUrl_Looks_IsFalseForPathsIdsAndMarketplacePlugins(string text)
    {
        Assert.False(GitUrl.Looks(text));
    }

    [Fact]
    public void GitUrl_Parse_RefusesUnencryptedTransports()
    {
        var error = Assert.Throws<AgentHostException>(() => GitUrl.Parse("git://example.com/r.git"));

        Assert.Contains("use https:// or ssh instead", error.Message, StringComparison.Ordinal);
    }
}
