using System.Text.Json;
using AgentHost.Kernel.Capabilities;
using AgentHost.Kernel.Events;
using AgentHost.Kernel.Plugins;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Benchmarks;

/// <summary>
/// The files plugin's <c>glob</c> and <c>grep</c> tools in process, on the tree bench/run.sh generates
/// (<c>bench/run.sh --only search</c>; <c>AGENT_BENCH_SEARCH_TREE</c> names it). The plugin is loaded from the bundled
/// catalog (<c>AGENT_BENCH_CATALOG</c>, default <c>artifacts/catalog</c>) by the kernel's <see cref="PluginHost"/>, in its
/// own load context as in the agent, and each benchmark is one <see cref="AIFunction.InvokeAsync"/>: the cost of a
/// search inside a running session, without process start-up. The baseline is the simplest possible job of the same
/// kind: one thread, <see cref="Directory.EnumerateFiles(string, string, EnumerationOptions)"/> of the whole tree (no
/// ignore files, so it sees more files), reading every file and <see cref="string.Contains(string)"/>.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class SearchToolBenchmarks
{
    public const string GlobPattern = "**/*.ts";
    public const string Literal = "fetchUserProfile";
    public const string Regex = @"handle[A-Z]\w*Event\(";

    private PluginHost _host = null!;
    private EventBus _bus = null!;
    private AIFunction _glob = null!;
    private AIFunction _grep = null!;
    private string _tree = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        _tree = Environment.GetEnvironmentVariable("AGENT_BENCH_SEARCH_TREE")
            ?? throw new InvalidOperationException("set AGENT_BENCH_SEARCH_TREE to the generated tree (bench/run.sh --only search does)");
        var catalog = Environment.GetEnvironmentVariable("AGENT_BENCH_CATALOG") ?? Path.Combine(FindRepo(), "artifacts", "catalog");
        _bus = new EventBus(NullLogger<EventBus>.Instance);
        var registry = new CapabilityRegistry(_bus);
        _host = new PluginHost(registry, _bus, NullLoggerFactory.Instance);
        var result = _host.LoadAsync(new PluginLoadRequest(Path.Combine(catalog, "files"))).GetAwaiter().GetResult();
        if (result.Status != PluginLoadStatus.Loaded)
        {
            throw new InvalidOperationException($"the files plugin did not load from {catalog}: {result.Error}");
        }

        _glob = ((ToolCapability)registry.Find(CapabilityKind.Tool, "glob")!.Capability).Function;
        _grep = ((ToolCapability)registry.Find(CapabilityKind.Tool, "grep")!.Capability).Function;

        // Fail fast, not with a misleading number: each call must find what the tree holds.
        Check(Glob(), "files match");
        Check(GrepLiteral(), "matching line");
        Check(GrepRegex(), "matching line");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _bus.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "naive: EnumerateFiles + ReadAllText + Contains, 1 thread")]
    public int NaiveLiteral()
    {
        var count = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var file in Directory.EnumerateFiles(_tree, "*", options))
        {
            if (!file.Contains("/.git/", StringComparison.Ordinal) && File.ReadAllText(file).Contains(Literal, StringComparison.Ordinal))
            {
                count++;
            }
        }

        return count;
    }

    [Benchmark(Description = "glob **/*.ts")]
    public string Glob() => Invoke(_glob, ("pattern", GlobPattern));

    [Benchmark(Description = "grep literal")]
    public string GrepLiteral() => Invoke(_grep, ("pattern", Literal));

    [Benchmark(Description = "grep regex")]
    public string GrepRegex() => Invoke(_grep, ("pattern", Regex));

    private string Invoke(AIFunction function, params (string Key, object? Value)[] args)
    {
        var arguments = new AIFunctionArguments { Context = new Dictionary<object, object?> { [ToolContext.WorkspaceRootKey] = _tree } };
        foreach (var (key, value) in args)
        {
            arguments[key] = value;
        }

        var result = function.InvokeAsync(arguments).AsTask().GetAwaiter().GetResult();
        return result is JsonElement { ValueKind: JsonValueKind.String } element ? element.GetString()! : result?.ToString() ?? string.Empty;
    }

    private static void Check(string output, string expected)
    {
        if (!output.Contains(expected, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"unexpected tool output (no '{expected}'): {output[..Math.Min(400, output.Length)]}");
        }
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
}
