using System.Runtime.InteropServices;
using System.Text.Json;
using AgentHost.Agent.Hooks;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Security;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Benchmarks;

/// <summary>
/// A session's hooks when it opens with 100 installed Claude Code plugins of the many-plugins scenario's shapes
/// (bench/scenarios/many-plugins/generate.py: PreToolUse on Bash|Write, PostToolUse on Write|Edit, every tenth a
/// SessionStart hook): <see cref="HookConfiguration.Load"/> of their hook files and the <see cref="HookDispatcher"/>
/// over them, against reading and parsing the same 100 files with <see cref="JsonDocument"/> (#50).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class HookConfigurationBenchmarks : IDisposable
{
    private const int Plugins = 100;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "agenthost-bench-hooks-" + Environment.ProcessId);
    private readonly List<PluginHookFiles> _plugins = [];
    private ConfigurationSnapshot _configuration = null!;
    private EventBus _events = null!;
    private readonly SecretScrubber _scrubber = new();

    [GlobalSetup]
    public void Setup()
    {
        for (var i = 0; i < Plugins; i++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(_root, "plugins", $"gen-plugin-{i:000}")).FullName;
            Directory.CreateDirectory(Path.Combine(folder, "hooks"));
            var start = i % 10 == 9
                ? """, "SessionStart": [{"hooks": [{"type": "command", "timeout": 30, "command": "echo '{\"async\": true, \"asyncTimeout\": 10000}'; sleep 5"}]}]"""
                : string.Empty;
            File.WriteAllText(Path.Combine(folder, "hooks", "hooks.json"), $$"""
                {
                  "hooks": {
                    "PreToolUse": [{"matcher": "Bash|Write", "hooks": [{"type": "command", "command": "exit 0", "timeout": 10}]}],
                    "PostToolUse": [{"matcher": "Write|Edit", "hooks": [{"type": "command", "command": "exit 0"}]}]{{start}}
                  }
                }
                """);
            _plugins.Add(new PluginHookFiles($"gen-plugin-{i:000}", folder, ["hooks/hooks.json"]));
        }

        var home = Directory.CreateDirectory(Path.Combine(_root, "home")).FullName;
        var environment = new HostEnvironment(new Dictionary<string, string> { ["HOME"] = home }, _root, home, OSPlatform.Linux);
        _configuration = ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), []);
        _events = new EventBus(NullLogger<EventBus>.Instance);
        var hooks = HookConfiguration.Load(_configuration, _plugins);
        if (hooks.Problems.Count > 0 || !hooks.HasActive)
        {
            throw new InvalidOperationException("the generated hook files did not load cleanly: " + string.Join("; ", hooks.Problems));
        }
    }

    [Benchmark(Baseline = true, Description = "read + JsonDocument.Parse of the 100 files")]
    public int ReadAndParse()
    {
        var properties = 0;
        foreach (var plugin in _plugins)
        {
            using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(plugin.Root, plugin.Files[0])));
            properties += document.RootElement.GetProperty("hooks").EnumerateObject().Count();
        }

        return properties;
    }

    [Benchmark(Description = "HookConfiguration.Load + HookDispatcher")]
    public HookDispatcher LoadAndCompose() => new(HookConfiguration.Load(_configuration, _plugins), _root, _events, _scrubber);

    [GlobalCleanup]
    public void Dispose()
    {
        _events?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}
