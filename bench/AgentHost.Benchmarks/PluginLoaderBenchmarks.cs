using System.Reflection;
using AgentHost.Agent.Plugins;
using AgentHost.Hosting.Plugins;
using AgentHost.Sdk;
using BenchmarkDotNet.Attributes;
using McMaster.NETCore.Plugins;

namespace AgentHost.Benchmarks;

/// <summary>
/// Loading N plugin assemblies into load contexts of their own and creating each plugin's <see cref="AgentPlugin"/>:
/// the kernel's <see cref="PluginLoadContext"/> (the baseline, sharing the SDK closure of <see cref="SharedAssemblies"/>)
/// against McMaster.NETCore.Plugins' <see cref="PluginLoader"/> with the SDK as its shared type. The plugins are the
/// bundled catalog's (<c>AGENT_BENCH_CATALOG</c>, default <c>artifacts/catalog</c>; a published agent's <c>catalog</c>
/// folder serves too), taken in turn
/// until there are N. Both sides use collectible contexts and unload them after each invocation (McMaster's
/// <c>isUnloadable</c>), so neither keeps ReadyToRun code and the figures compare like with like. Manifest reading,
/// settings and registration are the same for both and are not measured. <c>docs/architecture.md</c>,
/// "McMaster.NETCore.Plugins (plugin loading)", records the decision.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class PluginLoaderBenchmarks
{
    private SharedAssemblies _shared = null!;
    private (string Id, string Path)[] _plugins = [];

    [Params(1, 20)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var catalog = Environment.GetEnvironmentVariable("AGENT_BENCH_CATALOG") ?? Path.Combine(FindRepo(), "artifacts", "catalog");
        var entries = Directory.GetDirectories(catalog)
            .Select(dir => (Id: Path.GetFileName(dir), Entry: File.ReadLines(Path.Combine(dir, "plugin.yaml"))
                .FirstOrDefault(l => l.StartsWith("entry:", StringComparison.Ordinal))?["entry:".Length..].Trim(), Dir: dir))
            .Where(p => p.Entry is not null)
            .Select(p => (p.Id, Path.Combine(p.Dir, p.Entry!)))
            .OrderBy(p => p.Id, StringComparer.Ordinal)
            .ToArray();
        if (entries.Length == 0)
        {
            throw new InvalidOperationException($"no plugin with an entry assembly in {catalog}");
        }

        _plugins = Enumerable.Range(0, N).Select(i => entries[i % entries.Length]).ToArray();
        _shared = SharedAssemblies.FromSdk();
        if (Ours() != N || McMaster() != N)
        {
            throw new InvalidOperationException("not every plugin loaded");
        }
    }

    [Benchmark(Baseline = true, Description = "PluginLoadContext (ours)")]
    public int Ours()
    {
        var contexts = new List<PluginLoadContext>(_plugins.Length);
        var created = 0;
        foreach (var (id, path) in _plugins)
        {
            var context = new PluginLoadContext(id, path, _shared, collectible: true);
            contexts.Add(context);
            created += Instantiate(context.LoadFromAssemblyPath(path));
        }

        foreach (var context in contexts)
        {
            context.Unload();
        }

        return created;
    }

    [Benchmark(Description = "PluginLoader (McMaster)")]
    public int McMaster()
    {
        var loaders = new List<PluginLoader>(_plugins.Length);
        var created = 0;
        foreach (var (_, path) in _plugins)
        {
            var loader = PluginLoader.CreateFromAssemblyFile(path, isUnloadable: true, sharedTypes: [typeof(AgentPlugin)]);
            loaders.Add(loader);
            created += Instantiate(loader.LoadDefaultAssembly());
        }

        foreach (var loader in loaders)
        {
            loader.Dispose();
        }

        return created;
    }

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Host.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("set AGENT_BENCH_CATALOG: the repository (Host.sln) was not found above " + AppContext.BaseDirectory);
    }

    private static int Instantiate(Assembly assembly)
    {
        var type = assembly.GetExportedTypes().First(t => typeof(AgentPlugin).IsAssignableFrom(t) && !t.IsAbstract);
        return Activator.CreateInstance(type) is AgentPlugin ? 1 : 0;
    }
}
