using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Tests.Sessions;
using AgentHost.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Hosting.Tests.Plugins;

/// <summary>
/// An installed plugin whose files did not change since its content hash last matched the lockfile passes on its stamp
/// (no file read); any change to its files, and any doubt about the record, means it is hashed again.
/// </summary>
public sealed class PluginStampsTests
{
    private const string Why = "statx(2): inode numbers and inode change times (elsewhere every load hashes)";
    private const string Modified = "was modified after it was installed";

    [LinuxFact(Why)]
    public async Task VerifiedOnce_TheNextLoad_PassesOnItsStamp_WithoutHashing()
    {
        using var temp = new TempDirectory();
        var (dir, hash) = Plugin(temp);

        var (first, firstStamps) = await LoadAsync(temp, dir, hash);
        var (second, secondStamps) = await LoadAsync(temp, dir, hash);

        Assert.Equal(PluginLoadStatus.Loaded, first.Status);
        Assert.Equal((0, 1), (firstStamps.Skipped, firstStamps.Recorded));
        Assert.Equal(PluginLoadStatus.Loaded, second.Status);
        Assert.Equal((1, 0), (secondStamps.Skipped, secondStamps.Recorded));
    }

    [LinuxFact(Why)]
    public async Task AFileChangedInPlace_WithItsSizeAndModificationTimeSetBack_IsStillRefused()
    {
        using var temp = new TempDirectory();
        var (dir, hash) = Plugin(temp);
        var file = Path.Combine(dir, "skills", "a", "SKILL.md");
        var time = File.GetLastWriteTimeUtc(file);
        File.SetLastWriteTimeUtc(file, time); // to the 100 ns the setter keeps, so that setting it back restores it exactly
        await LoadAsync(temp, dir, hash);

        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            stream.Write("X"u8); // same inode, same size
        }

        File.SetLastWriteTimeUtc(file, time);
        var (second, stamps) = await LoadAsync(temp, dir, hash);

        Assert.Equal(time, File.GetLastWriteTimeUtc(file));
        Assert.Equal(PluginLoadStatus.Refused, second.Status);
        Assert.Contains(Modified, second.Error, StringComparison.Ordinal);
        Assert.Equal(0, stamps.Skipped);
    }

    [LinuxTheory(Why)]
    [InlineData("added")]
    [InlineData("added to a sub-folder")]
    [InlineData("renamed")]
    [InlineData("removed")]
    public async Task AFileAddedRenamedOrRemoved_IsRefused(string change)
    {
        using var temp = new TempDirectory();
        var (dir, hash) = Plugin(temp);
        await LoadAsync(temp, dir, hash);

        // The check stats only what the record lists: an added file is seen through the stat of the folder that holds it.
        switch (change)
        {
            case "added":
                temp.WriteFile("p/zz/extra.md", string.Empty); // sorts after every recorded file
                break;
            case "added to a sub-folder":
                temp.WriteFile("p/skills/a/extra.md", string.Empty); // only skills/a changes
                break;
            case "renamed":
                File.Move(Path.Combine(dir, "skills", "a", "notes.txt"), Path.Combine(dir, "skills", "a", "notes2.txt"));
                break;
            default:
                File.Delete(Path.Combine(dir, "skills", "a", "notes.txt"));
                break;
        }

        var (second, stamps) = await LoadAsync(temp, dir, hash);

        Assert.Equal(PluginLoadStatus.Refused, second.Status);
        Assert.Contains(Modified, second.Error, StringComparison.Ordinal);
        Assert.Equal(0, stamps.Skipped);
    }

    [LinuxTheory(Why)]
    [InlineData("malformed")]
    [InlineData("another hash")]
    [InlineData("another folder")]
    [InlineData("another file list")]
    [InlineData("the earlier format")]
    public async Task ARecordInDoubt_IsIgnored_ThePluginIsHashed_AndRecordedAgain(string doubt)
    {
        using var temp = new TempDirectory();
        var (dir, hash) = Plugin(temp);
        var (_, stamps) = await LoadAsync(temp, dir, hash);
        var record = stamps.FileOf(dir);
        var text = File.ReadAllText(record);
        File.WriteAllText(record, doubt switch
        {
            "malformed" => text[..(text.Length / 2)],
            "another hash" => text.Replace(hash, PluginHasher.Prefix + new string('0', 128), StringComparison.Ordinal),
            "another folder" => text.Replace(dir, dir + "-other", StringComparison.Ordinal),
            "the earlier format" => EarlierFormat(text, dir),
            _ => text.Replace("\"skills/a/notes.txt\"", "\"skills/a/other.txt\"", StringComparison.Ordinal),
        });
        Assert.NotEqual(text, File.ReadAllText(record));

        var (second, secondStamps) = await LoadAsync(temp, dir, hash);
        var (third, thirdStamps) = await LoadAsync(temp, dir, hash);

        Assert.Equal(PluginLoadStatus.Loaded, second.Status);
        Assert.Equal((0, 1), (secondStamps.Skipped, secondStamps.Recorded));
        Assert.Equal(PluginLoadStatus.Loaded, third.Status);
        Assert.Equal(1, thirdStamps.Skipped);
    }

    [LinuxFact(Why)]
    public async Task FilesChangedJustBeforeTheCheck_AreNotRecorded_SoTheNextLoadHashesAgain()
    {
        using var temp = new TempDirectory();
        var (dir, hash) = Plugin(temp);

        var (first, firstStamps) = await LoadAsync(temp, dir, hash, TimeProvider.System);
        var (second, secondStamps) = await LoadAsync(temp, dir, hash, TimeProvider.System);

        Assert.Equal((PluginLoadStatus.Loaded, PluginLoadStatus.Loaded), (first.Status, second.Status));
        Assert.Equal((0, 0), (firstStamps.Recorded, secondStamps.Skipped));
        Assert.False(File.Exists(firstStamps.FileOf(dir)));
    }

    [OutsideLinuxFact]
    public void OutsideLinux_NoStampIsTaken_EveryLoadHashes()
    {
        using var temp = new TempDirectory();
        var (dir, _) = Plugin(temp);

        Assert.Null(new PluginStamps(temp.Combine("stamps"), NullLogger.Instance).Take(dir));
    }

    /// <summary>The record as version 2 wrote it: the folder as a property of the record, not its key.</summary>
    private static string EarlierFormat(string text, string dir)
    {
        var record = System.Text.Json.Nodes.JsonNode.Parse(text)!["verified"]![dir]!.DeepClone().AsObject();
        record["directory"] = dir;
        return new System.Text.Json.Nodes.JsonObject { ["version"] = 2, ["verified"] = record }.ToJsonString();
    }

    /// <summary>A declarative plugin (manifest and a skill folder) and its content hash.</summary>
    private static (string Directory, string Hash) Plugin(TempDirectory temp)
    {
        temp.WriteFile("p/plugin.yaml", "id: stamped\nversion: 1.0.0\ndescription: d\nsdk: \"^1.0\"\n");
        temp.WriteFile("p/skills/a/SKILL.md", "---\nname: a\ndescription: d\n---\nbody\n");
        temp.WriteFile("p/skills/a/notes.txt", "notes");
        var dir = temp.Combine("p");
        return (dir, PluginHasher.ComputeHash(dir));
    }

    /// <summary>
    /// Loads the plugin in a new host with a new record reader over the same folder, as the next run does. The record is
    /// taken by default as if 10 s after the files were written (past the racy window).
    /// </summary>
    private static async Task<(PluginLoadResult Result, PluginStamps Stamps)> LoadAsync(TempDirectory temp, string dir, string hash, TimeProvider? time = null)
    {
        var stamps = new PluginStamps(temp.Combine("data", "cache", "plugin-verified"), NullLogger.Instance, time ?? new ManualTimeProvider(DateTimeOffset.UtcNow.AddSeconds(10)));
        await using var harness = new PluginHarness();
        harness.Host.Stamps = stamps;
        return (await harness.LoadAsync(dir, hash: hash), stamps);
    }
}

/// <summary>A fact about systems other than Linux; skipped on Linux with the reason.</summary>
public sealed class OutsideLinuxFactAttribute : FactAttribute
{
    public OutsideLinuxFactAttribute() => Skip = OperatingSystem.IsLinux() ? "about systems without statx(2); on Linux stamps are taken (the tests above)" : null;
}
