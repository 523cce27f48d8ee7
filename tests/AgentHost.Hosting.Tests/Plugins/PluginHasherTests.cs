using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Tests.Support;

namespace AgentHost.Hosting.Tests.Plugins;

public sealed class PluginHasherTests
{
    [Fact]
    public void Hash_IsStable_AndChangesWithContentNamesAndNewFiles()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("p/plugin.yaml", "id: a");
        temp.WriteFile("p/lib/a.dll", "binary");
        var dir = temp.Combine("p");
        var original = PluginHasher.ComputeHash(dir);

        Assert.StartsWith("sha512-", original, StringComparison.Ordinal);
        Assert.Equal(128 + 7, original.Length);
        Assert.Equal(original, PluginHasher.ComputeHash(dir));

        File.WriteAllText(temp.Combine("p", "lib", "a.dll"), "binarY");
        var changed = PluginHasher.ComputeHash(dir);
        File.WriteAllText(temp.Combine("p", "lib", "a.dll"), "binary");
        File.Move(temp.Combine("p", "lib", "a.dll"), temp.Combine("p", "lib", "b.dll"));
        var renamed = PluginHasher.ComputeHash(dir);
        File.Move(temp.Combine("p", "lib", "b.dll"), temp.Combine("p", "lib", "a.dll"));
        temp.WriteFile("p/extra.txt", string.Empty);
        var added = PluginHasher.ComputeHash(dir);

        Assert.Equal(4, new[] { original, changed, renamed, added }.Distinct().Count());
    }

    [UnixFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Links_AreHashedAsLinks_NeverFollowed_SoALoopOrOutsideFilesCannotAffectIt()
    {
        using var temp = new TempDirectory();
        temp.WriteFile("p/plugin.yaml", "id: a");
        temp.WriteFile("outside/secret.txt", "one");
        var dir = temp.Combine("p");
        var plain = PluginHasher.ComputeHash(dir);
        Directory.CreateSymbolicLink(temp.Combine("p", "loop"), ".");
        File.CreateSymbolicLink(temp.Combine("p", "secret.txt"), temp.Combine("outside", "secret.txt"));

        var linked = PluginHasher.ComputeHash(dir);
        File.WriteAllText(temp.Combine("outside", "secret.txt"), "two");
        var afterOutsideChange = PluginHasher.ComputeHash(dir);

        Assert.NotEqual(plain, linked);
        Assert.Equal(linked, afterOutsideChange);
    }
}
