namespace AgentHost.Tests.Support;

/// <summary>Copies of the built catalog's plugins, for tests that load, snapshot or tamper with an installed plugin.</summary>
internal static class PluginCopies
{
    /// <summary>Copies the built catalog's plugin <paramref name="id"/> to <c>catalog/ID</c> under <paramref name="temp"/>; returns that folder.</summary>
    public static string CopyCatalogPlugin(string id, TempDirectory temp)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "catalog", id);
        var target = temp.Combine("catalog", id);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
        }

        return target;
    }

    /// <summary>Flips the file's last byte, keeping its size and modification time (so only its hash tells).</summary>
    public static void TamperKeepingSizeAndTime(string file)
    {
        var written = File.GetLastWriteTimeUtc(file);
        var bytes = File.ReadAllBytes(file);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(file, bytes);
        File.SetLastWriteTimeUtc(file, written);
    }
}
