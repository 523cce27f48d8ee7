using AgentHost.Hosting.Capabilities;
using AgentHost.Sdk.Capabilities;
using BenchmarkDotNet.Attributes;

namespace AgentHost.Benchmarks;

/// <summary>
/// <see cref="CapabilityRegistry.Find"/> with 500 tools registered by 10 plugins (50 each), by plain and by
/// qualified (<c>plugin-id/name</c>) name, against a plain <see cref="Dictionary{TKey, TValue}"/> lookup on the same
/// (kind, name) key.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class CapabilityRegistryBenchmarks
{
    private const int Plugins = 10;
    private const int PerPlugin = 50;

    private readonly CapabilityRegistry _registry = new();
    private readonly Dictionary<(CapabilityKind Kind, string Name), RegisteredCapability> _dictionary = [];
    private string _plainName = string.Empty;
    private string _qualifiedName = string.Empty;
    private string _missingName = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        for (var p = 0; p < Plugins; p++)
        {
            var pluginId = $"bench.plugin-{p:00}";
            var capabilities = Enumerable.Range(0, PerPlugin).Select(i => new BenchTool($"tool_{p:00}_{i:000}")).ToList();
            foreach (var entry in _registry.AddRange(pluginId, "1.0.0", capabilities))
            {
                _dictionary[(entry.Kind, entry.Name)] = entry;
            }
        }

        // Fresh string instances, so no lookup is won by reference equality.
        _plainName = new string("tool_07_025".AsSpan());
        _qualifiedName = new string("bench.plugin-07/tool_07_025".AsSpan());
        _missingName = new string("tool_99_999".AsSpan());
        if (_registry.All().Count != Plugins * PerPlugin
            || _registry.Find(CapabilityKind.Tool, _plainName) is null
            || _registry.Find(CapabilityKind.Tool, _qualifiedName) is null)
        {
            throw new InvalidOperationException("the registry was not populated as expected");
        }
    }

    [Benchmark(Baseline = true, Description = "Dictionary.TryGetValue")]
    public RegisteredCapability? DictionaryLookup() =>
        _dictionary.TryGetValue((CapabilityKind.Tool, _plainName), out var entry) ? entry : null;

    [Benchmark(Description = "Find (plain name)")]
    public RegisteredCapability? FindPlain() => _registry.Find(CapabilityKind.Tool, _plainName);

    [Benchmark(Description = "Find (qualified name)")]
    public RegisteredCapability? FindQualified() => _registry.Find(CapabilityKind.Tool, _qualifiedName);

    [Benchmark(Description = "Find (missing name)")]
    public RegisteredCapability? FindMissing() => _registry.Find(CapabilityKind.Tool, _missingName);

    private sealed class BenchTool(string name) : Capability(name)
    {
        public override CapabilityKind Kind => CapabilityKind.Tool;
    }
}
