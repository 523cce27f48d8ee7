using BenchmarkDotNet.Running;

// Usage: dotnet run -c Release --project bench/AgentHost.Benchmarks -- --filter '*' --job short
// (or bench/run.sh --micro). Every class has a [Benchmark(Baseline = true)] reference measured in the same run.
// Per-process probes (bench/AgentHost.Benchmarks/libs-eval.sh runs them many times, alternating, and takes medians):
//   git-make-repo <dir>               the GitQueryBenchmarks repository
//   git-first-call <dir> lib|cli      the first git status in a fresh process (libgit2 load included)
//   git-config-probe <dir>            which programs named in a repository's config libgit2 runs (markers)
//   plugin-hot-reload <plugin-folder> McMaster's EnableHotReload: time from a rebuilt entry assembly to the reload
switch (args.FirstOrDefault())
{
    case "git-make-repo":
        Console.WriteLine(AgentHost.Benchmarks.GitBenchRepository.Create(args[1]));
        return 0;
    case "git-first-call":
        return AgentHost.Benchmarks.GitFirstCall.Run(args);
    case "git-config-probe":
        return AgentHost.Benchmarks.GitConfigProbe.Run(args);
    case "plugin-hot-reload":
        return AgentHost.Benchmarks.PluginHotReloadProbe.Run(args);
    default:
        BenchmarkSwitcher.FromAssembly(typeof(AgentHost.Benchmarks.ManifestReaderBenchmarks).Assembly).Run(args);
        return 0;
}
