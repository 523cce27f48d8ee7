using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Tests.Support;

namespace AgentHost.Hosting.Tests.Plugins;

/// <summary>
/// The lockfile is written by the serializer and read without it (issue #50: the read is on every run's way to the
/// first request): every field comes back as written, and a broken entry is an error naming it.
/// </summary>
public sealed class PluginLockFileTests
{
    [Fact]
    public void EveryField_ReadsBackAsSaved()
    {
        using var temp = new TempDirectory();
        var full = new LockedPlugin("git-tools@market", "1.2.3", "marketplace:market", "https://example.invalid/m", new string('a', 128), true, new DateTimeOffset(2026, 11, 27, 20, 15, 1, 123, TimeSpan.FromHours(2)))
        {
            Signature = "signed (author): CN=x, SHA-256 ab",
            Git = new GitPin("https://example.invalid/r.git", "v1", "plugins/x", new string('c', 40)) { Sha = new string('d', 40) },
            Folder = "git-tools",
        };
        var bare = new LockedPlugin("plain", "0.1.0", "folder", "/tmp/plain", new string('b', 128), false, DateTimeOffset.UnixEpoch)
        {
            Git = new GitPin("https://example.invalid/q.git", null, null, new string('e', 40)),
        };
        var minimal = new LockedPlugin("zz", "2.0.0", "catalog", "catalog", new string('f', 128), true, new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var file = PluginLockFile.Load(temp.Combine("plugins.lock.json"));
        file.Set(full);
        file.Set(bare);
        file.Set(minimal);
        file.Save();

        var read = PluginLockFile.Load(temp.Combine("plugins.lock.json"));

        // A property added to LockedPlugin or GitPin must be read by LockFileReader too: these lists fail the test until it is.
        Assert.Equal(["Enabled", "Folder", "Git", "Id", "InstalledAt", "Origin", "Sha512", "Signature", "Source", "Version"], Properties<LockedPlugin>());
        Assert.Equal(["Commit", "Path", "Ref", "Sha", "Url"], Properties<GitPin>());
        Assert.Equal(3, read.Plugins.Count);
        Assert.Equal(full, read.Find(full.Id));
        Assert.Equal(bare, read.Find(bare.Id));
        Assert.Equal(minimal, read.Find(minimal.Id));
        Assert.Equal(full.InstalledAt.Offset, read.Find(full.Id)!.InstalledAt.Offset);
    }

    [Theory]
    [InlineData("{\"version\": 1, \"plugins\": [{\"version\": \"1.0.0\"}]}", "plugin entry 1 of the lockfile has no 'id'")]
    [InlineData("{\"version\": 1, \"plugins\": [{\"id\": \"a\", \"version\": \"1\", \"source\": \"folder\", \"origin\": \"/a\", \"sha512\": \"x\"}, 7]}", "plugin entry 2 of the lockfile is not an object")]
    [InlineData("{\"version\": 1, \"plugins\": [{\"id\": 5}]}", "has a value of the wrong kind")]
    [InlineData("{\"version\": 1, \"plugins\": [{\"id\": \"a\", \"version\": \"1\", \"source\": \"folder\", \"origin\": \"/a\", \"sha512\": \"x\", \"installedAt\": \"yesterday\"}]}", "has a value of the wrong kind")]
    [InlineData("[]", "is not a JSON object with a 'plugins' list")]
    public void ABrokenEntry_IsAnErrorNamingIt_AndTheFileIsLeftAsItWas(string content, string expected)
    {
        using var temp = new TempDirectory();
        var path = temp.WriteFile("plugins.lock.json", content);

        var error = Assert.Throws<AgentHostException>(() => PluginLockFile.Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("delete it and reinstall your plugins", error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllText(path));
    }

    [Fact]
    public void UnknownProperties_AreIgnored_AsTheSerializerDid()
    {
        using var temp = new TempDirectory();
        var path = temp.WriteFile("plugins.lock.json", "{\"version\": 1, \"future\": true, \"plugins\": [{\"id\": \"a\", \"version\": \"1.0.0\", \"source\": \"folder\", \"origin\": \"/a\", \"sha512\": \"x\", \"enabled\": true, \"installedAt\": \"2026-11-27T20:00:00+00:00\", \"later\": {\"x\": 1}}]}");

        var plugin = Assert.Single(PluginLockFile.Load(path).Plugins);

        Assert.Equal(("a", true, new DateTimeOffset(2026, 11, 27, 20, 0, 0, TimeSpan.Zero)), (plugin.Id, plugin.Enabled, plugin.InstalledAt));
    }

    private static IEnumerable<string> Properties<T>() =>
        typeof(T).GetProperties().Where(p => p.CanWrite || typeof(T).GetConstructors().Any(c => c.GetParameters().Any(a => a.Name == p.Name))).Select(p => p.Name).Order(StringComparer.Ordinal);
}
