using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Installation;

/// <summary><c>agent plugin search</c> and <c>agent plugin list --available</c> through the real CLI (#19 item 6).</summary>
public sealed class PluginSearchCommandTests
{
    [Fact]
    public async Task Search_ListsCatalogLocalAndHttpFeeds_WithInstalledAndEnabledState()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer();
        PluginPackages.WriteFolder(box.Catalog, "lint-pack", "1.0.0", PluginPackages.Manifest("lint-pack", "1.0.0").Replace("Test plugin lint-pack", "Linters for everything", StringComparison.Ordinal));
        PluginPackages.WriteFolder(box.Catalog, "docs-pack", "2.1.0");
        var folderFeed = Path.Combine(box.Root, "feed");
        PluginPackages.WritePackage(Path.Combine(box.Root, "w1"), folderFeed, "team-tools", "1.0.0");
        PluginPackages.WritePackage(Path.Combine(box.Root, "w2"), folderFeed, "team-tools", "1.3.0");
        feed.Add("corp-tools", "4.0.0", box.Package("corp-tools", "4.0.0"));
        feed.Add("corp-tools", "5.0.0-beta.1", box.Package("corp-tools", "5.0.0-beta.1"));
        feed.Descriptions["corp-tools"] = "Corporate helpers";
        box.WriteConfig($"plugins:\n  feeds:\n    - name: team\n      url: {folderFeed}\n    - name: corp\n      url: {feed.IndexUrl}\n");
        Assert.Equal(ExitCodes.Success, (await box.RunAsync("plugin", "install", "docs-pack", "--yes")).ExitCode);
        Assert.Equal(ExitCodes.Success, (await box.RunAsync("plugin", "disable", "docs-pack")).ExitCode);
        Assert.Equal(ExitCodes.Success, (await box.RunAsync("plugin", "install", "team-tools", "--version", "1.0.0", "--yes")).ExitCode);

        var table = await box.RunAsync("plugin", "search");
        var json = await box.RunAsync("plugin", "search", "--json");

        Assert.Equal((ExitCodes.Success, ExitCodes.Success), (table.ExitCode, json.ExitCode));
        Assert.True(table.Error.Length == 0, table.Error);
        var lines = table.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^ID\s+VERSION\s+SOURCE\s+INSTALLED\s+DESCRIPTION$", lines[0]);
        Assert.Matches(@"^docs-pack\s+2\.1\.0\s+catalog\s+2\.1\.0 \(disabled\)\s+Test plugin docs-pack$", lines[1]);
        Assert.Matches(@"^lint-pack\s+1\.0\.0\s+catalog\s+-\s+Linters for everything$", lines[2]);
        Assert.Matches(@"^team-tools\s+1\.3\.0\s+feed:team\s+1\.0\.0 \(enabled\)\s+Test plugin team-tools$", lines[3]);
        Assert.Matches(@"^corp-tools\s+4\.0\.0\s+feed:corp\s+-\s+Corporate helpers$", lines[4]);
        Assert.Contains("agent plugin install <id>", table.Output, StringComparison.Ordinal);

        using var doc = JsonDocument.Parse(json.Output);
        var plugins = doc.RootElement.GetProperty("plugins").EnumerateArray().ToDictionary(p => p.GetProperty("id").GetString()!);
        Assert.Equal(["corp-tools", "docs-pack", "lint-pack", "team-tools"], plugins.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("1.3.0", "1.0.0", true), (plugins["team-tools"].GetProperty("version").GetString(), plugins["team-tools"].GetProperty("installed").GetString(), plugins["team-tools"].GetProperty("enabled").GetBoolean()));
        Assert.False(plugins["docs-pack"].GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, plugins["lint-pack"].GetProperty("installed").ValueKind);
        Assert.Equal("feed:corp", plugins["corp-tools"].GetProperty("source").GetString());
        Assert.Empty(doc.RootElement.GetProperty("unreadable").EnumerateArray());
        Assert.Contains("/v3/search", feed.Requests);
    }

    [Fact]
    public async Task Search_Term_MatchesIdsAndDescriptions_AndSaysWhenNothingMatches()
    {
        using var box = new InstallSandbox();
        PluginPackages.WriteFolder(box.Catalog, "lint-pack", "1.0.0", PluginPackages.Manifest("lint-pack", "1.0.0").Replace("Test plugin lint-pack", "Style checks for Terraform", StringComparison.Ordinal));
        PluginPackages.WriteFolder(box.Catalog, "docs-pack", "2.1.0");

        var byDescription = await box.RunAsync("plugin", "search", "TERRAFORM");
        var byId = await box.RunAsync("plugin", "search", "docs");
        var none = await box.RunAsync("plugin", "search", "kubernetes");

        Assert.Contains("lint-pack", byDescription.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("docs-pack", byDescription.Output, StringComparison.Ordinal);
        Assert.Contains("docs-pack", byId.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("lint-pack", byId.Output, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, none.ExitCode);
        Assert.Contains("No plugin matches 'kubernetes' in the catalog or the configured feeds.", none.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAvailable_ReportsAFeedThatCannotBeReached_AndStillListsTheOthers()
    {
        using var box = new InstallSandbox();
        PluginPackages.WriteFolder(box.Catalog, "docs-pack", "2.1.0");
        var closed = $"http://127.0.0.1:{Ports.Free()}/v3/index.json";
        box.WriteConfig($"plugins:\n  feeds:\n    - name: down\n      url: {closed}\n");

        var table = await box.RunAsync("plugin", "list", "--available");
        var json = await box.RunAsync("plugin", "list", "--available", "--json");

        Assert.Equal((ExitCodes.Success, ExitCodes.Success), (table.ExitCode, json.ExitCode));
        Assert.Matches(@"docs-pack\s+2\.1\.0\s+catalog", table.Output);
        Assert.Contains($"warning: could not list feed 'down' ({closed}): ", table.Error, StringComparison.Ordinal);
        Assert.Contains("could not reach", table.Error, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json.Output);
        var unreadable = Assert.Single(doc.RootElement.GetProperty("unreadable").EnumerateArray());
        Assert.Equal($"feed 'down' ({closed})", unreadable.GetProperty("source").GetString());
        Assert.Equal("docs-pack", Assert.Single(doc.RootElement.GetProperty("plugins").EnumerateArray()).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Search_SaysAFeedWithoutSearchCannotBeListed_AndHowToInstallFromIt()
    {
        using var box = new InstallSandbox();
        using var feed = new NuGetTestServer { Searchable = false };
        feed.Add("corp-tools", "4.0.0", box.Package("corp-tools", "4.0.0"));
        box.WriteConfig($"plugins:\n  feeds:\n    - name: corp\n      url: {feed.IndexUrl}\n");

        var search = await box.RunAsync("plugin", "search");
        var install = await box.RunAsync("plugin", "install", "corp-tools", "--yes");

        Assert.Equal(ExitCodes.Success, search.ExitCode);
        Assert.True(search.Error.Contains($"warning: could not list feed 'corp' ({feed.IndexUrl}): it has no search service (SearchQueryService), so it cannot be listed; install its plugins by exact id ('agent plugin install <id> --source corp')", StringComparison.Ordinal), search.Error);
        Assert.Equal(ExitCodes.Success, install.ExitCode);
    }
}
