// The files plugin loaded into a load context, four greps in parallel, the plugin unloaded, the heap collected: again
// and again. With collectible contexts (the default here, --collectible) and DOTNET_HeapVerify=1 this ended in a
// NullReferenceException on a plugin's cached static lambda or a bare SIGSEGV inside the GC; with non-collectible
// contexts (--non-collectible) it did not. See README.md beside this file.
using System.Diagnostics;
using System.Text.Json;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Loading;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

var options = ReproOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: UnloadRepro [--collectible | --non-collectible] [--iterations N] [--parallel N] [--plugin DIR] [--files N]");
    return 2;
}

var workspace = Directory.CreateTempSubdirectory("unload-repro-").FullName;
try
{
    Workspace.Fill(workspace, options.Files);
    Console.WriteLine($"runtime {Environment.Version} ({System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}), {System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier}, " +
        $"server GC {System.Runtime.GCSettings.IsServerGC}, HeapVerify={Environment.GetEnvironmentVariable("DOTNET_HeapVerify") ?? "unset"}");
    Console.WriteLine($"plugin {options.Plugin}, {(options.Collectible ? "collectible" : "non-collectible")} load contexts, {options.Iterations} iterations of {options.Parallel} parallel greps over {options.Files} files");
    var clock = Stopwatch.StartNew();
    for (var i = 1; i <= options.Iterations; i++)
    {
        var matches = await Iteration.RunAsync(options, workspace);
        if (i == 1 || i % 10 == 0 || i == options.Iterations)
        {
            Console.WriteLine($"iteration {i}: {matches} matching lines per grep, {clock.Elapsed.TotalSeconds:F1} s");
        }
    }

    Console.WriteLine($"survived {options.Iterations} iterations");
    return 0;
}
finally
{
    Directory.Delete(workspace, recursive: true);
}

/// <summary>One load, parallel greps, unload and full collection.</summary>
internal static class Iteration
{
    public static async Task<int> RunAsync(ReproOptions options, string workspace)
    {
        var matches = await LoadGrepUnloadAsync(options, workspace);
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return matches;
    }

    private static async Task<int> LoadGrepUnloadAsync(ReproOptions options, string workspace)
    {
        var bus = new EventBus(NullLogger<EventBus>.Instance);
        var registry = new CapabilityRegistry(bus);
        var host = new PluginHost(registry, bus, NullLoggerFactory.Instance, unloadable: options.Collectible);
        try
        {
            var loaded = await host.LoadAsync(new PluginLoadRequest(options.Plugin));
            if (loaded.Status != PluginLoadStatus.Loaded)
            {
                throw new InvalidOperationException($"the plugin did not load: {loaded.Error}");
            }

            var grep = (registry.Find(CapabilityKind.Tool, "grep")?.Capability as ToolCapability)?.Function
                ?? throw new InvalidOperationException("the plugin has no grep tool");
            var results = await Task.WhenAll(Enumerable.Range(0, options.Parallel).Select(n => Task.Run(() => GrepAsync(grep, workspace, n))));
            await host.UnloadAsync(loaded.PluginId!);
            return results.Min();
        }
        finally
        {
            await host.DisposeAsync();
            await bus.DisposeAsync();
        }
    }

    private static async Task<int> GrepAsync(AIFunction grep, string workspace, int n)
    {
        var arguments = new AIFunctionArguments
        {
            Context = new Dictionary<object, object?> { [ToolContext.WorkspaceRootKey] = workspace },
            ["pattern"] = n % 2 == 0 ? "needle [0-9]+" : "needle",
            ["output"] = "count",
        };
        var result = await grep.InvokeAsync(arguments);
        var text = result is JsonElement { ValueKind: JsonValueKind.String } element ? element.GetString()! : result?.ToString() ?? string.Empty;
        return text.Split('\n').Count(line => line.Contains(':', StringComparison.Ordinal));
    }
}

/// <summary>A tree of small text files with a few matching lines each.</summary>
internal static class Workspace
{
    public static void Fill(string root, int files)
    {
        for (var i = 0; i < files; i++)
        {
            var folder = Path.Combine(root, $"d{i % 17}", $"e{i % 5}");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, $"f{i}.txt"), string.Join('\n', Enumerable.Range(0, 40).Select(line => line % 7 == 0 ? $"needle {i} {line}" : $"hay {line}")));
        }
    }
}

/// <summary>The command line.</summary>
internal sealed record ReproOptions(bool Collectible, int Iterations, int Parallel, string Plugin, int Files)
{
    public static ReproOptions? Parse(string[] args)
    {
        var options = new ReproOptions(true, 200, 4, DefaultPlugin(), 400);
        for (var i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--collectible" => options with { Collectible = true },
                "--non-collectible" => options with { Collectible = false },
                "--iterations" when i + 1 < args.Length => options with { Iterations = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture) },
                "--parallel" when i + 1 < args.Length => options with { Parallel = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture) },
                "--files" when i + 1 < args.Length => options with { Files = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture) },
                "--plugin" when i + 1 < args.Length => options with { Plugin = Path.GetFullPath(args[++i]) },
                _ => null,
            };
            if (options is null)
            {
                return null;
            }
        }

        return options;
    }

    /// <summary>The files plugin of the bundled catalog the build writes (artifacts/catalog/files).</summary>
    private static string DefaultPlugin()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "artifacts", "catalog", "files");
            if (File.Exists(Path.Combine(dir.FullName, "Host.sln")))
            {
                return candidate;
            }
        }

        return Path.GetFullPath(Path.Combine("artifacts", "catalog", "files"));
    }
}
