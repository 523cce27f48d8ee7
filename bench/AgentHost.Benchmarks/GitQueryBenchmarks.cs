using System.Diagnostics;
using System.Text;
using AgentHost.Common.Git;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using LibGit2Sharp;

namespace AgentHost.Benchmarks;

/// <summary>
/// The read-only repository queries the host and the git plugin make (status, log -n 20, a working-tree diff), on a
/// generated repository of 3,000 files in 40 commits with 60 modified and 20 untracked files: the git CLI as the host
/// runs it (every <see cref="SafeGit"/> option, output read through a pipe) is the baseline of each category, against
/// LibGit2Sharp in process, once with the repository kept open (steady state) and once opening it per call (what a
/// stateless tool call would do). <c>docs/decisions/0012-git-cli.md</c> records the decision.
/// </summary>
/// <remarks>The first-call cost (loading libgit2) is measured apart, per process: <see cref="GitFirstCall"/>.</remarks>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class GitQueryBenchmarks
{
    private string _root = string.Empty;
    private Repository _repository = null!;

    [GlobalSetup]
    public void Setup()
    {
        _root = GitBenchRepository.Create(Path.Combine(Path.GetTempPath(), "agent-bench-git-" + Environment.ProcessId));
        _repository = new Repository(_root);

        // Fail fast, not with a misleading number: both sides must see the same changes.
        var cli = CliStatus();
        var lib = LibStatusOpen();
        if (lib != GitBenchRepository.Modified + GitBenchRepository.Untracked || cli.Split('\0').Count(e => e.StartsWith("1 ", StringComparison.Ordinal) || e.StartsWith("? ", StringComparison.Ordinal)) != lib)
        {
            throw new InvalidOperationException($"status disagrees: libgit2 {lib} entries, cli output {cli.Length} chars");
        }

        if (LibLogOpen() != 20 || CliLog().Split('\x1e').Length != 21 || LibDiffOpen() < 1000)
        {
            throw new InvalidOperationException("log or diff did not return what the repository holds");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _repository.Dispose();
        GitBenchRepository.Delete(_root);
    }

    [BenchmarkCategory("status"), Benchmark(Baseline = true, Description = "git status (CLI)")]
    public string CliStatus() => RunGit(["status", "--porcelain=v2", "--branch", "-z", "--untracked-files=normal"]);

    [BenchmarkCategory("status"), Benchmark(Description = "git config + git status (CLI, as the host: drivers blanked)")]
    public string CliStatusAsHost() => GitBenchRepository.RunGitAsHost(_root, ["status", "--porcelain=v2", "--branch", "-z", "--untracked-files=normal"]);

    [BenchmarkCategory("status"), Benchmark(Description = "RetrieveStatus (open repo)")]
    public int LibStatusOpen() => CountStatus(_repository);

    [BenchmarkCategory("status"), Benchmark(Description = "RetrieveStatus (new Repository per call)")]
    public int LibStatusPerCall()
    {
        using var repository = new Repository(_root);
        return CountStatus(repository);
    }

    [BenchmarkCategory("log"), Benchmark(Baseline = true, Description = "git log -n 20 (CLI)")]
    public string CliLog() => RunGit(["log", "-n", "20", "--no-show-signature", "--date=iso-strict", "--format=%h%x1f%ad%x1f%an%x1f%s%x1e"]);

    [BenchmarkCategory("log"), Benchmark(Description = "Commits.Take(20) (open repo)")]
    public int LibLogOpen() => FormatLog(_repository);

    [BenchmarkCategory("log"), Benchmark(Description = "Commits.Take(20) (new Repository per call)")]
    public int LibLogPerCall()
    {
        using var repository = new Repository(_root);
        return FormatLog(repository);
    }

    [BenchmarkCategory("diff"), Benchmark(Baseline = true, Description = "git diff --patch (CLI)")]
    public string CliDiff() => RunGit(["diff", "--relative", "--patch"]);

    [BenchmarkCategory("diff"), Benchmark(Description = "Diff.Compare<Patch> (open repo)")]
    public int LibDiffOpen() => PatchText(_repository);

    [BenchmarkCategory("diff"), Benchmark(Description = "Diff.Compare<Patch> (new Repository per call)")]
    public int LibDiffPerCall()
    {
        using var repository = new Repository(_root);
        return PatchText(repository);
    }

    private static int CountStatus(Repository repository)
    {
        var options = new StatusOptions { IncludeUntracked = true, RecurseUntrackedDirs = false, IncludeIgnored = false };
        var count = 0;
        foreach (var entry in repository.RetrieveStatus(options))
        {
            if (entry.State != FileStatus.Unaltered && entry.State != FileStatus.Ignored)
            {
                count++;
            }
        }

        return count;
    }

    private static int FormatLog(Repository repository)
    {
        var text = new StringBuilder();
        var count = 0;
        foreach (var commit in repository.Commits.Take(20))
        {
            text.Append(commit.Sha.AsSpan(0, 7)).Append('\x1f').Append(commit.Author.When.ToString("O", System.Globalization.CultureInfo.InvariantCulture))
                .Append('\x1f').Append(commit.Author.Name).Append('\x1f').Append(commit.MessageShort).Append('\x1e');
            count++;
        }

        return count;
    }

    private static int PatchText(Repository repository) => repository.Diff.Compare<Patch>().Content.Length;

    private string RunGit(IReadOnlyList<string> arguments) => GitBenchRepository.RunGit(_root, arguments, readOnly: true);
}

/// <summary>The generated repository of <see cref="GitQueryBenchmarks"/> and the git CLI call as the host makes it.</summary>
public static class GitBenchRepository
{
    public const int Files = 3000;
    public const int Commits = 40;
    public const int Modified = 60;
    public const int Untracked = 20;

    public static string Create(string root)
    {
        Delete(root);
        Directory.CreateDirectory(root);
        Setup(root, ["init", "-q", "-b", "main"]);
        Setup(root, ["config", "user.email", "bench@example.invalid"]);
        Setup(root, ["config", "user.name", "Bench"]);
        var random = new Random(18);
        for (var c = 0; c < Commits; c++)
        {
            // The first commit adds every file; the others rewrite a few, so log and history have real content.
            var (from, to) = c == 0 ? (0, Files) : (random.Next(Files - 30), 0);
            to = to == 0 ? from + 30 : to;
            for (var i = from; i < to; i++)
            {
                WriteFile(root, i, c);
            }

            Setup(root, ["add", "-A"]);
            Setup(root, ["commit", "-q", "-m", $"change {c}: files {from}-{to}"]);
        }

        for (var i = 0; i < Modified; i++)
        {
            WriteFile(root, i * (Files / Modified), Commits + 1);
        }

        for (var i = 0; i < Untracked; i++)
        {
            File.WriteAllText(Path.Combine(root, $"untracked-{i}.txt"), "new\n");
        }

        return root;
    }

    public static void Delete(string root)
    {
        if (Directory.Exists(root))
        {
            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal); // pack files are read-only
            }

            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// A content-reading call the way the host makes it: first <c>git config --get-regexp</c> lists the repository's
    /// filter and diff drivers, then the call runs with each blanked (<see cref="SafeGit.DriverOverrides"/>).
    /// </summary>
    public static string RunGitAsHost(string root, IReadOnlyList<string> arguments)
    {
        string list;
        try
        {
            list = RunGit(root, SafeGit.ListDriversArguments, readOnly: true);
        }
        catch (InvalidOperationException)
        {
            list = string.Empty; // exit code 1: no driver defined
        }

        return RunGit(root, arguments, readOnly: true, SafeGit.DriverOverrides(list));
    }

    /// <summary>One git call with every <see cref="SafeGit"/> option and variable, stdout read to the end.</summary>
    public static string RunGit(string root, IReadOnlyList<string> arguments, bool readOnly, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in SafeGit.GlobalArguments(readOnly))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var argument in readOnly ? SafeGit.WithSubcommandSwitches(arguments) : arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in SafeGit.Environment(readOnly))
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        foreach (var (name, value) in overrides ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("git did not start");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {errors.Result}");
        }

        return output;
    }

    private static void Setup(string root, IReadOnlyList<string> arguments) => RunGit(root, arguments, readOnly: false);

    private static void WriteFile(string root, int index, int version)
    {
        var path = Path.Combine(root, $"dir{index % 60:00}", $"sub{index % 7}", $"file{index:0000}.cs");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var text = new StringBuilder();
        for (var line = 0; line < 40; line++)
        {
            text.Append("// file ").Append(index).Append(" line ").Append(line).Append(" version ").Append(line == 20 ? version : 0).Append('\n');
        }

        File.WriteAllText(path, text.ToString());
    }
}

/// <summary>
/// The first call in a fresh process (<c>AgentHost.Benchmarks git-first-call &lt;repo&gt; lib|cli</c>): what the prompt's
/// git status would cost at startup. Prints elapsed milliseconds for the first and a second status, and the working set
/// before and after, as one tab-separated line; bench scripts run it alternately, many times, and take medians.
/// </summary>
public static class GitFirstCall
{
    public static int Run(string[] args)
    {
        var root = args[1];
        var useLib = args[2] == "lib";
        var before = Environment.WorkingSet;
        var clock = Stopwatch.StartNew();
        var first = Status(root, useLib);
        var firstMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        var second = Status(root, useLib);
        var secondMs = clock.Elapsed.TotalMilliseconds;
        var after = Environment.WorkingSet;
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{args[2]}\t{firstMs:F2}\t{secondMs:F2}\t{before / 1048576.0:F1}\t{after / 1048576.0:F1}\t{first}\t{second}"));
        return 0;
    }

    private static int Status(string root, bool useLib)
    {
        if (!useLib)
        {
            return GitBenchRepository.RunGit(root, ["status", "--porcelain=v2", "--branch", "-z", "--untracked-files=normal"], readOnly: true).Length;
        }

        using var repository = new Repository(root);
        return repository.RetrieveStatus(new StatusOptions { IncludeUntracked = true, RecurseUntrackedDirs = false }).Count(e => e.State != FileStatus.Unaltered);
    }
}
