using LibGit2Sharp;

namespace AgentHost.Benchmarks;

/// <summary>
/// Does libgit2 run what a repository's configuration names (<c>AgentHost.Benchmarks git-config-probe &lt;dir&gt;</c>)?
/// Builds a repository whose <c>.git/config</c> names a program for <c>core.fsmonitor</c>, <c>core.hooksPath</c>
/// (with every hook a status, diff or log could call), a clean/smudge/process filter and a textconv and external diff
/// driver picked by <c>.gitattributes</c>, <c>core.pager</c> and <c>core.sshCommand</c>; each program writes a marker
/// file. Then it runs LibGit2Sharp's status, log, diff (working tree and commit), blob read with filters and a
/// checkout of a file, and prints which markers exist. Then, for contrast, <c>git status</c> without the host's
/// options. Also checks how libgit2 reads a sparse checkout (files outside the cone).
/// </summary>
public static class GitConfigProbe
{
    private static readonly string[] Programs = ["fsmonitor", "hook", "clean", "smudge", "process", "textconv", "extdiff", "pager", "ssh"];

    public static int Run(string[] args)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            Console.WriteLine("the probe writes shell scripts: Linux or macOS only");
            return 2;
        }

        var root = args[1];
        GitBenchRepository.Delete(root);
        Directory.CreateDirectory(root);
        var markers = Path.Combine(root, "markers");
        var repo = Path.Combine(root, "repo");
        Directory.CreateDirectory(markers);
        Directory.CreateDirectory(repo);
        var bin = Path.Combine(root, "bin");
        Directory.CreateDirectory(bin);
        foreach (var name in Programs)
        {
            var script = Path.Combine(bin, name);
            File.WriteAllText(script, $"#!/bin/sh\ntouch '{markers}/{name}'\ncat\n");
            File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        }

        var hooks = Path.Combine(root, "hooks");
        Directory.CreateDirectory(hooks);
        foreach (var hook in new[] { "post-index-change", "post-checkout", "pre-commit", "reference-transaction", "fsmonitor-watchman" })
        {
            var path = Path.Combine(hooks, hook);
            File.WriteAllText(path, $"#!/bin/sh\ntouch '{markers}/hook-{hook}'\n");
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }

        void Git(params string[] a) => GitBenchRepository.RunGit(repo, a, readOnly: false);
        Git("init", "-q", "-b", "main");
        Git("config", "user.email", "probe@example.invalid");
        Git("config", "user.name", "Probe");
        File.WriteAllText(Path.Combine(repo, "a.txt"), "one\n");
        File.WriteAllText(Path.Combine(repo, "b.dat"), "data\n");
        Directory.CreateDirectory(Path.Combine(repo, "outside"));
        File.WriteAllText(Path.Combine(repo, "outside", "c.txt"), "c\n");
        File.WriteAllText(Path.Combine(repo, ".gitattributes"), "*.txt filter=evil diff=evil\n*.dat filter=evil2\n");
        Git("add", "-A");
        Git("commit", "-q", "-m", "first");
        File.WriteAllText(Path.Combine(repo, "a.txt"), "two\n");
        File.WriteAllText(Path.Combine(repo, "b.dat"), "data2\n");

        // Now the hostile configuration (set after the setup commits, which must not trip it).
        Git("config", "core.fsmonitor", Path.Combine(bin, "fsmonitor"));
        Git("config", "core.hooksPath", hooks);
        Git("config", "filter.evil.clean", Path.Combine(bin, "clean"));
        Git("config", "filter.evil.smudge", Path.Combine(bin, "smudge"));
        Git("config", "filter.evil2.process", Path.Combine(bin, "process"));
        Git("config", "diff.evil.textconv", Path.Combine(bin, "textconv"));
        Git("config", "diff.external", Path.Combine(bin, "extdiff"));
        Git("config", "core.pager", Path.Combine(bin, "pager"));
        Git("config", "core.sshCommand", Path.Combine(bin, "ssh"));

        Console.WriteLine($"libgit2 {GlobalSettings.Version.LibGit2CommitSha} features {GlobalSettings.Version.Features}, LibGit2Sharp {GlobalSettings.Version.InformationalVersion}");
        using (var repository = new Repository(repo))
        {
            var status = repository.RetrieveStatus(new StatusOptions { IncludeUntracked = true });
            var log = repository.Commits.Take(20).Count();
            var workdirPatch = repository.Diff.Compare<Patch>().Content;
            var head = repository.Head.Tip;
            var treePatch = repository.Diff.Compare<Patch>(null, head.Tree).Content;
            var blob = (Blob)head["a.txt"].Target;
            var filtered = blob.GetContentText(new FilteringOptions("a.txt"));
            repository.CheckoutPaths("main", ["a.txt"], new CheckoutOptions { CheckoutModifiers = CheckoutModifiers.Force });
            Console.WriteLine($"libgit2 ran status ({status.Count()} entries), log ({log}), diff ({workdirPatch.Length} chars), tree diff ({treePatch.Length}), filtered blob ({filtered.Length}), checkout of a.txt");
        }

        Console.WriteLine("markers after libgit2: " + Markers(markers));
        GitBenchRepository.RunGit(repo, ["status", "--porcelain=v2"], readOnly: true);
        GitBenchRepository.RunGit(repo, ["diff"], readOnly: true);
        Console.WriteLine("markers after git status + diff with SafeGit's options but no driver blanking: " + Markers(markers));
        foreach (var file in Directory.GetFiles(markers))
        {
            File.Delete(file);
        }

        GitBenchRepository.RunGitAsHost(repo, ["status", "--porcelain=v2"]);
        GitBenchRepository.RunGitAsHost(repo, ["diff"]);
        Console.WriteLine("markers after git status + diff as the host runs them (drivers blanked): " + Markers(markers));
        RunPlainGit(repo, "status");
        RunPlainGit(repo, "diff");
        Console.WriteLine("markers after plain git status + diff (no host options): " + Markers(markers));

        // Sparse checkout: a file outside the cone is absent from the working tree but not deleted.
        var sparse = Path.Combine(root, "sparse");
        Directory.CreateDirectory(sparse);
        void Sparse(params string[] a) => GitBenchRepository.RunGit(sparse, a, readOnly: false);
        Sparse("init", "-q", "-b", "main");
        Sparse("config", "user.email", "probe@example.invalid");
        Sparse("config", "user.name", "Probe");
        Directory.CreateDirectory(Path.Combine(sparse, "in"));
        Directory.CreateDirectory(Path.Combine(sparse, "out"));
        File.WriteAllText(Path.Combine(sparse, "in", "x.txt"), "x\n");
        File.WriteAllText(Path.Combine(sparse, "out", "y.txt"), "y\n");
        Sparse("add", "-A");
        Sparse("commit", "-q", "-m", "first");
        Sparse("sparse-checkout", "set", "in");
        var cliSparse = GitBenchRepository.RunGit(sparse, ["status", "--porcelain=v2"], readOnly: true);
        using (var repository = new Repository(sparse))
        {
            var lib = repository.RetrieveStatus().Where(e => e.State != FileStatus.Unaltered).Select(e => $"{e.FilePath}={e.State}");
            Console.WriteLine($"sparse checkout: git status lists [{cliSparse.Trim()}]; libgit2 lists [{string.Join(", ", lib)}]");
        }

        return 0;
    }

    private static string Markers(string folder)
    {
        var names = Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        return names.Length == 0 ? "(none)" : string.Join(", ", names);
    }

    private static void RunPlainGit(string repo, string subcommand)
    {
        var start = new System.Diagnostics.ProcessStartInfo("git", [subcommand]) { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
    }
}
