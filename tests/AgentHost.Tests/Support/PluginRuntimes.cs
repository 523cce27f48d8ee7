using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Tests.Support;

/// <summary>Plugin runtimes for tests of dormant plugins, their snapshots and their activation (plugins never unloaded).</summary>
internal static class PluginRuntimes
{
    /// <summary>A runtime whose agent home is <paramref name="temp"/>, with the catalog in <c>catalog/</c> under it (<see cref="PluginCopies.CopyCatalogPlugin"/>).</summary>
    public static PluginRuntime InHome(TempDirectory temp, IReadOnlyDictionary<string, string>? settings = null, ILoggerFactory? loggers = null)
    {
        var store = new PluginStore(AgentPaths.Resolve(TestEnvironment.Create(temp.Path, temp.Path)), temp.Combine("catalog"));
        return PluginRuntime.Create(store, null, _ => settings ?? new Dictionary<string, string>(), loggers ?? NullLoggerFactory.Instance, unloadable: false);
    }

    /// <summary>
    /// Loads <paramref name="ids"/> (copied into the catalog) in a first runtime, which finds no snapshot yet and so
    /// activates every plugin and captures its snapshot, then returns a second runtime with them loaded for a run: the
    /// lazy ones dormant from their snapshots.
    /// </summary>
    public static async Task<PluginRuntime> DormantAfterAColdRunAsync(TempDirectory temp, params string[] ids)
    {
        await using (var cold = InHome(temp))
        {
            await cold.LoadForRunAsync(ids, temp.Path);
            Assert.All(ids, id => Assert.True(cold.Host.Loaded[id].IsActive, $"{id}: no snapshot yet, so loaded whole and captured"));
        }

        var warm = InHome(temp);
        await warm.LoadForRunAsync(ids, temp.Path);
        return warm;
    }

    /// <summary>A runtime with no home of its own that keeps the plugins' snapshots in <paramref name="snapshotFile"/>.</summary>
    public static PluginRuntime WithSnapshots(string snapshotFile)
    {
        var runtime = PluginRuntime.Create(
            new PluginStore(new AgentPaths(Path.GetTempPath(), Path.GetTempPath()), Path.GetTempPath()), null, _ => new Dictionary<string, string>(), NullLoggerFactory.Instance, unloadable: false);
        runtime.Host.Snapshots = new PluginSnapshots(snapshotFile, NullLogger.Instance);
        return runtime;
    }

    /// <summary>
    /// Installs a copy of the files plugin (its request carries the content hash, as the lockfile would), loads it once
    /// to capture its snapshot, then changes its assembly keeping size and time: the snapshot still matches, the hash not.
    /// </summary>
    public static async Task<(PluginLoadRequest Request, string SnapshotFile)> InstalledFilesPluginTamperedAfterItsSnapshotAsync(TempDirectory temp)
    {
        var folder = PluginCopies.CopyCatalogPlugin("files", temp);
        var request = new PluginLoadRequest(folder) { ExpectedHash = PluginHasher.ComputeHash(folder) };
        var snapshotFile = temp.Combine("cache", "plugin-snapshots.json");
        await using (var first = WithSnapshots(snapshotFile))
        {
            Assert.Equal(PluginLoadStatus.Loaded, (await first.Host.LoadAsync(request)).Status);
            first.Host.Snapshots!.SaveIfChanged();
        }

        PluginCopies.TamperKeepingSizeAndTime(Path.Combine(folder, "AgentHost.Plugins.Files.dll"));
        return (request, snapshotFile);
    }
}
