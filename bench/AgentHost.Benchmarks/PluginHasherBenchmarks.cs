using System.Security.Cryptography;
using AgentHost.Agent.Plugins;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Caches;
using BenchmarkDotNet.Attributes;

namespace AgentHost.Benchmarks;

/// <summary>
/// <see cref="PluginHasher.ComputeHash"/> of a plugin folder of 20 files (416 KiB in three folders), against
/// <see cref="SHA512.HashData(byte[])"/> over the same bytes already in memory: the ratio is the cost of enumerating,
/// sorting, opening and reading the files.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class PluginHasherBenchmarks
{
    private string _root = string.Empty;
    private byte[] _allBytes = [];

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "agent-bench-hasher-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        var random = new Random(42);
        using var all = new MemoryStream();
        string[] folders = [string.Empty, "skills/guide", "runtimes/linux-x64/native"];
        for (var i = 0; i < 20; i++)
        {
            var folder = Path.Combine(_root, folders[i % folders.Length]);
            Directory.CreateDirectory(folder);
            // A mix like a real plugin: a few large assemblies, many small files (manifest, deps.json, skills).
            var size = i switch { 0 => 96 * 1024, 1 => 64 * 1024, 2 or 3 => 32 * 1024, _ => 512 + (i * 1024) };
            var content = new byte[size];
            random.NextBytes(content);
            File.WriteAllBytes(Path.Combine(folder, $"file{i:00}.bin"), content);
            all.Write(content);
        }

        _allBytes = all.ToArray();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark(Baseline = true, Description = "SHA512.HashData (same bytes, in memory)")]
    public byte[] Sha512InMemory() => SHA512.HashData(_allBytes);

    [Benchmark(Description = "PluginHasher.ComputeHash (20 files)")]
    public string ComputeHash() => PluginHasher.ComputeHash(_root);
}
