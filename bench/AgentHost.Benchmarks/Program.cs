using BenchmarkDotNet.Running;

// Usage: dotnet run -c Release --project bench/AgentHost.Benchmarks -- --filter '*' --job short
// (or bench/run.sh --micro). Every class has a [Benchmark(Baseline = true)] reference measured in the same run.
BenchmarkSwitcher.FromAssembly(typeof(AgentHost.Benchmarks.ManifestReaderBenchmarks).Assembly).Run(args);
