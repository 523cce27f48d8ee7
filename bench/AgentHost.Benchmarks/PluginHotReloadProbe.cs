using System.Diagnostics;
using AgentHost.Sdk;
using McMaster.NETCore.Plugins;

namespace AgentHost.Benchmarks;

/// <summary>
/// Prototype of what McMaster.NETCore.Plugins' hot reload would give a plugin author
/// (<c>AgentHost.Benchmarks plugin-hot-reload &lt;plugin-folder&gt;</c>): the plugin folder is copied to a temporary
/// folder and loaded with <see cref="PluginConfig.EnableHotReload"/>; then, five times, the entry assembly is rewritten
/// (as a rebuild would) and the probe measures the time until <see cref="PluginLoader.Reloaded"/> fires, that a new
/// <see cref="AgentPlugin"/> can be created from a new assembly, and whether the old context was collected.
/// Prints one tab-separated line per round: milliseconds to the event (the watcher's debounce included), milliseconds
/// to the new plugin instance, and whether the old load context was gone after a full GC.
/// </summary>
public static class PluginHotReloadProbe
{
    public static int Run(string[] args)
    {
        var source = args[1];
        var folder = Path.Combine(Path.GetTempPath(), "agent-bench-hotreload-" + Environment.ProcessId);
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)), overwrite: true);
        }

        var entryName = File.ReadLines(Path.Combine(folder, "plugin.yaml")).First(l => l.StartsWith("entry:", StringComparison.Ordinal))["entry:".Length..].Trim();
        var entry = Path.Combine(folder, entryName);
        try
        {
            using var loader = PluginLoader.CreateFromAssemblyFile(entry, sharedTypes: [typeof(AgentPlugin)], configure: config =>
            {
                config.EnableHotReload = true;
                config.IsUnloadable = true;
            });
            using var reloaded = new SemaphoreSlim(0);
            loader.Reloaded += (_, _) => reloaded.Release();
            var (context, name) = Load(loader);
            var bytes = File.ReadAllBytes(entry);
            Console.WriteLine("round\tms_to_reloaded_event\tms_to_new_instance\told_context_collected\tnew_assembly");
            for (var round = 1; round <= 5; round++)
            {
                var clock = Stopwatch.StartNew();
                File.WriteAllBytes(entry, bytes); // what a rebuild does to the file
                if (!reloaded.Wait(TimeSpan.FromSeconds(10)))
                {
                    Console.WriteLine($"{round}\tno Reloaded event within 10 s");
                    return 1;
                }

                var toEvent = clock.Elapsed.TotalMilliseconds;
                var (next, nextName) = Load(loader);
                var toInstance = clock.Elapsed.TotalMilliseconds;
                var changed = !ReferenceEquals(next.Target, context.Target) && nextName == name;
                for (var i = 0; i < 10 && context.IsAlive; i++)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                }

                Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{round}\t{toEvent:F1}\t{toInstance:F1}\t{!context.IsAlive}\t{changed}"));
                context = next;
            }

            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Loads the default assembly and creates the plugin in a frame of its own, so the caller holds only weak references.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static (WeakReference Context, string Name) Load(PluginLoader loader)
    {
        var assembly = loader.LoadDefaultAssembly();
        var type = assembly.GetExportedTypes().First(t => typeof(AgentPlugin).IsAssignableFrom(t) && !t.IsAbstract);
        _ = (AgentPlugin)Activator.CreateInstance(type)!;
        return (new WeakReference(System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(assembly)), type.FullName!);
    }
}
