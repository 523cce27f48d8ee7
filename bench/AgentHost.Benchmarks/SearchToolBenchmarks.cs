using System.Diagnostics;
using System.Text.Json;
using AgentHost.Agent.Plugins;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Loading;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Tools;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Benchmarks;

/// <summary>
/// The files plugin's <c>glob</c> and <c>grep</c> tools in process, on the tree bench/run.sh generates
/// (<c>bench/run.sh --only search</c>; <c>AGENT_BENCH_SEARCH_TREE</c> names it), each against ripgrep on the same
/// tree in the same session. The plugin is loaded from the bundled catalog (<c>AGENT_BENCH_CATALOG</c>, default
/// <c>artifacts/catalog</c>) by the kernel's <see cref="PluginHost"/>, in its own load context as in the agent, and
/// each tool benchmark is one <see cref="AIFunction.InvokeAsync"/>: the cost of a search inside a running session,
/// without process start-up. The baseline of each category is the ripgrep process doing the same search (its output
/// read through a pipe and discarded), so BenchmarkDotNet's Ratio column is "our tool / rg", measured back to back.
/// Each call gets the read decision the agent's tool pipeline gives it (<see cref="ReadAccessCheck"/> of a
/// <see cref="RulePermissionGate"/> with no rules and the safety floor on), so grep asks it for every file, as in a run.
/// <c>grep fetchUserProfile (read rules)</c> is the same search with a read deny and a read ask rule configured
/// (<see cref="ReadRules"/>; <c>AGENT_BENCH_READ_RULES</c> replaces them: <c>deny:read(.env)|ask:read(keys/**)</c>), which
/// sends every file to the permission engine (issue #25, sixth pass); the rules match no file of the generated tree, so
/// its output is the same as without them.
/// </summary>
/// <remarks>
/// Several trees (issue #25's shapes, <c>bench/scenarios/search/scenario.py shapes</c>): set
/// <c>AGENT_BENCH_SEARCH_SHAPES</c> to a JSON file <c>[{"name": "...", "tree": "...", "rg_args": ["--no-require-git"]}]</c>
/// (scenario.py's <c>bdn-shapes</c> writes it); <see cref="Shape"/> is then one of the names. Without it the one tree of
/// <c>AGENT_BENCH_SEARCH_TREE</c> is the shape <c>tree</c>.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SearchToolBenchmarks
{
    public const string GlobPattern = "**/*.ts";
    public const string Literal = "fetchUserProfile";
    public const string Regex = @"handle[A-Z]\w*Event\(";

    /// <summary>The read rules of the <c>(read rules)</c> benchmark unless <c>AGENT_BENCH_READ_RULES</c> names others.</summary>
    public const string ReadRules = "deny:read(**/*.secret)|ask:read(**/*.pem)";

    private PluginHost _host = null!;
    private EventBus _bus = null!;
    private AIFunction _glob = null!;
    private AIFunction _grep = null!;
    private RulePermissionGate _gate = null!;
    private RulePermissionGate _rulesGate = null!;
    private string _tree = string.Empty;
    private string[] _rgArgs = [];
    private int _calls;

    /// <summary>The tree searched: a shape's name (see the remarks).</summary>
    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "tree";

    /// <summary>
    /// The shapes to run: every name in <c>AGENT_BENCH_SEARCH_SHAPES</c>, or <c>tree</c>. BenchmarkDotNet lists the
    /// parameters of every class before it applies <c>--filter</c>: without the variables this is <c>tree</c>, and
    /// <see cref="Setup"/> says what to set only when this class runs.
    /// </summary>
    public static IEnumerable<string> Shapes() =>
        Environment.GetEnvironmentVariable("AGENT_BENCH_SEARCH_SHAPES") is { Length: > 0 } ? LoadShapes().Select(shape => shape.Name) : ["tree"];

    [GlobalSetup]
    public void Setup()
    {
        var shape = LoadShapes().FirstOrDefault(s => s.Name == Shape)
            ?? throw new InvalidOperationException($"unknown search shape '{Shape}'");
        _tree = shape.Tree;
        _rgArgs = shape.RgArgs;
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        _gate = new RulePermissionGate(PermissionPolicy.Empty, PermissionMode.DontAsk, _tree, home);
        _rulesGate = new RulePermissionGate(RulesPolicy(), PermissionMode.DontAsk, _tree, home);
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

        // Fail fast, not with a misleading number: each call must find what the tree holds, and rg must run.
        Check(Glob(), ".ts"); // a short list has no "[N files match" note
        Check(GrepLiteral(), "matching line");
        Check(GrepRegex(), "matching line");
        if (GrepLiteralWithRules() != GrepLiteral())
        {
            throw new InvalidOperationException("with the read rules grep found something else; they must match no file of the tree");
        }
        if (RgLiteral() == 0)
        {
            throw new InvalidOperationException("rg found nothing; is ripgrep installed and the tree generated?");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _bus.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, Description = "rg --files -g '*.ts' (process)")]
    [BenchmarkCategory("glob")]
    public long RgFiles() => Rg("--files", "-g", "*.ts");

    [Benchmark(Description = "glob **/*.ts")]
    [BenchmarkCategory("glob")]
    public string Glob() => Invoke(_glob, ("pattern", GlobPattern));

    [Benchmark(Baseline = true, Description = "rg fetchUserProfile (process)")]
    [BenchmarkCategory("grep literal")]
    public long RgLiteral() => Rg(Literal);

    [Benchmark(Description = "grep fetchUserProfile")]
    [BenchmarkCategory("grep literal")]
    public string GrepLiteral() => Invoke(_grep, ("pattern", Literal));

    [Benchmark(Description = "grep fetchUserProfile (read rules)")]
    [BenchmarkCategory("grep literal")]
    public string GrepLiteralWithRules() => Invoke(_rulesGate, _grep, ("pattern", Literal));

    [Benchmark(Baseline = true, Description = "rg regex (process)")]
    [BenchmarkCategory("grep regex")]
    public long RgRegex() => Rg(Regex);

    [Benchmark(Description = "grep regex")]
    [BenchmarkCategory("grep regex")]
    public string GrepRegex() => Invoke(_grep, ("pattern", Regex));

    private static List<SearchShape> LoadShapes()
    {
        if (Environment.GetEnvironmentVariable("AGENT_BENCH_SEARCH_SHAPES") is { Length: > 0 } file)
        {
            using var document = JsonDocument.Parse(File.ReadAllText(file));
            return [.. document.RootElement.EnumerateArray().Select(e => new SearchShape(
                e.GetProperty("name").GetString()!,
                e.GetProperty("tree").GetString()!,
                e.TryGetProperty("rg_args", out var rg) ? [.. rg.EnumerateArray().Select(a => a.GetString()!)] : []))];
        }

        var tree = Environment.GetEnvironmentVariable("AGENT_BENCH_SEARCH_TREE")
            ?? throw new InvalidOperationException("set AGENT_BENCH_SEARCH_TREE to the generated tree (bench/run.sh --only search does) or AGENT_BENCH_SEARCH_SHAPES to a shapes file");
        return [new SearchShape("tree", tree, [])];
    }

    private sealed record SearchShape(string Name, string Tree, string[] RgArgs);

    /// <summary>Runs rg in the tree, reads its output through a pipe and returns its length.</summary>
    private long Rg(params string[] args)
    {
        var start = new ProcessStartInfo("rg") { WorkingDirectory = _tree, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in _rgArgs.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var buffer = new char[64 * 1024];
        long total = 0;
        int read;
        while ((read = process.StandardOutput.Read(buffer, 0, buffer.Length)) > 0)
        {
            total += read;
        }

        process.WaitForExit();
        return total;
    }

    /// <summary>The policy of the <c>(read rules)</c> benchmark: <c>list:rule</c> entries separated by <c>|</c>.</summary>
    private static PermissionPolicy RulesPolicy()
    {
        var entries = (Environment.GetEnvironmentVariable("AGENT_BENCH_READ_RULES") is { Length: > 0 } text ? text : ReadRules).Split('|');
        string[] Of(string list) => [.. entries.Where(e => e.StartsWith(list + ":", StringComparison.Ordinal)).Select(e => e[(list.Length + 1)..])];
        var policy = PermissionPolicy.FromText(allow: Of("allow"), ask: Of("ask"), deny: Of("deny"));
        return policy.Problems.Count == 0 ? policy : throw new InvalidOperationException($"AGENT_BENCH_READ_RULES: {policy.Problems[0]}");
    }

    private string Invoke(AIFunction function, params (string Key, object? Value)[] args) => Invoke(_gate, function, args);

    private string Invoke(RulePermissionGate gate, AIFunction function, params (string Key, object? Value)[] args)
    {
        // As the tool pipeline does for every call: a fresh read check (it caches per call) in the call's context,
        // the general entry point and the two for files a walk listed (by path; from its start by descriptor).
        var check = ReadAccessCheck.Create(gate, "bench", $"call-{++_calls}", _tree)!;
        var arguments = new AIFunctionArguments
        {
            Context = new Dictionary<object, object?>
            {
                [ToolContext.WorkspaceRootKey] = _tree,
                [ToolContext.ReadAccessKey] = (Func<string, ReadAccess>)check.Check,
                [ToolContext.WalkedFileReadAccessKey] = (Func<string, ReadAccess>)check.CheckWalkedFile,
                [ToolContext.WalkedTreeReadAccessKey] = (Func<string, string, ReadAccess>)check.CheckWalkedTreeFile,
            },
        };
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
