using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.Loader;
using AgentHost.Agent.Plugins;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Loading;
using AgentHost.Sdk;
using BenchmarkDotNet.Attributes;
using McMaster.NETCore.Plugins;

namespace AgentHost.Benchmarks;

/// <summary>
/// Loading N plugin assemblies into load contexts of their own and creating each plugin's <see cref="AgentPlugin"/>:
/// the kernel's <c>PluginLoadContext</c> (the baseline, sharing the SDK closure of <see cref="SharedAssemblies"/>)
/// against McMaster.NETCore.Plugins' <see cref="PluginLoader"/> with the SDK as its shared type. The plugins are the
/// bundled catalog's (<c>AGENT_BENCH_CATALOG</c>, default <c>artifacts/catalog</c>; a published agent's <c>catalog</c>
/// folder serves too), taken in turn
/// until there are N. Both sides use collectible contexts and unload them after each invocation (McMaster's
/// <c>isUnloadable</c>), so neither keeps ReadyToRun code and the figures compare like with like. Manifest reading,
/// settings and registration are the same for both and are not measured. <c>docs/decisions/0013-own-plugin-load-context.md</c>
/// records the decision. The kernel's load context is internal to Hosting,
/// which shows its internals only to its own tests (#45): the benchmark binds its constructor by reflection once, into a
/// compiled delegate, so what it measures is a plain constructor call, and it fails at setup if the constructor changes.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class PluginLoaderBenchmarks
{
    private static readonly Func<string, string, SharedAssemblies, bool, AssemblyLoadContext> NewPluginLoadContext = BindPluginLoadContext();
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
        var contexts = new List<AssemblyLoadContext>(_plugins.Length);
        var created = 0;
        foreach (var (id, path) in _plugins)
        {
            var context = NewPluginLoadContext(id, path, _shared, true);
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

    /// <summary><c>new PluginLoadContext(pluginId, entryAssemblyPath, shared, collectible)</c>, bound once by reflection.</summary>
    private static Func<string, string, SharedAssemblies, bool, AssemblyLoadContext> BindPluginLoadContext()
    {
        var parameters = new[]
        {
            Expression.Parameter(typeof(string), "pluginId"),
            Expression.Parameter(typeof(string), "entryAssemblyPath"),
            Expression.Parameter(typeof(SharedAssemblies), "shared"),
            Expression.Parameter(typeof(bool), "collectible"),
        };
        var constructor = typeof(SharedAssemblies).Assembly.GetType("AgentHost.Hosting.Plugins.Loading.PluginLoadContext")
            ?.GetConstructor(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance, [.. parameters.Select(p => p.Type)])
            ?? throw new InvalidOperationException("AgentHost.Hosting.Plugins.Loading.PluginLoadContext(string, string, SharedAssemblies, bool) is gone; bind the benchmark to the kernel's load context again");
        return Expression.Lambda<Func<string, string, SharedAssemblies, bool, AssemblyLoadContext>>(
            Expression.Convert(Expression.New(constructor, parameters), typeof(AssemblyLoadContext)), parameters).Compile();
    }

    private static int Instantiate(Assembly assembly)
    {
        var type = assembly.GetExportedTypes().First(t => typeof(AgentPlugin).IsAssignableFrom(t) && !t.IsAbstract);
        return Activator.CreateInstance(type) is AgentPlugin ? 1 : 0;
    }
}
