using System.Diagnostics;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Processes;

/// <summary>
/// A real git repository ("ws") built to attack the host: it can ship programs named <c>git</c> (in its root and in
/// <c>node_modules/.bin</c>, under every name Windows would run) and a <c>.git/config</c> naming a program for every
/// key git runs programs from. Every such program appends a line to <see cref="Marker"/>, outside the repository.
/// </summary>
internal sealed class HostileRepository : IDisposable
{
    private readonly TempDirectory _temp = new();

    public HostileRepository()
    {
        Directory.CreateDirectory(Root);
        Git("init", "-q", "-b", "main");
        File.WriteAllText(Path.Combine(Root, "a.txt"), "one\n");
        File.WriteAllText(Path.Combine(Root, ".gitignore"), "*.log\nnode_modules/\n");
        Directory.CreateDirectory(Path.Combine(Root, "bin"));
        File.WriteAllText(Path.Combine(Root, "bin", "kept.txt"), "tracked in a folder a plain walk skips\n");
        Git("add", "a.txt", ".gitignore", "bin/kept.txt");
        Git("commit", "-q", "-m", "first");
        File.WriteAllText(Path.Combine(Root, "a.txt"), "one\ntwo\n");
        File.WriteAllText(Path.Combine(Root, "ignored.log"), "noise\n");
        File.WriteAllText(Path.Combine(Root, "new.txt"), "new\n");
        Evil = Script(_temp.Combine("evil.sh"), $"echo \"config $(basename \"$0\") $*\" >> '{Marker}'\ncat\n");
    }

    public string Root => _temp.Combine("ws");

    /// <summary>Where every planted program writes; absent when none ran.</summary>
    public string Marker => _temp.Combine("marker.txt");

    /// <summary>The program that the hostile configuration names.</summary>
    public string Evil { get; }

    public string MarkerText => File.Exists(Marker) ? File.ReadAllText(Marker) : string.Empty;

    public string Combine(params string[] parts) => _temp.Combine(parts);

    /// <summary>Plants executables named git (git, git.exe, git.cmd) in the root and in node_modules/.bin.</summary>
    public void PlantGit()
    {
        foreach (var folder in new[] { Root, Path.Combine(Root, "node_modules", ".bin") })
        {
            Directory.CreateDirectory(folder);
            foreach (var name in new[] { "git", "git.exe", "git.cmd" })
            {
                Script(Path.Combine(folder, name), $"echo \"planted {folder} $*\" >> '{Marker}'\nexit 1\n");
            }
        }
    }

    /// <summary>Sets every key through which git runs a program to the marker script (and routes all files through the drivers).</summary>
    public void PoisonConfig()
    {
        var hooks = Path.Combine(Root, "evil-hooks");
        Directory.CreateDirectory(hooks);
        foreach (var hook in new[] { "pre-commit", "prepare-commit-msg", "commit-msg", "post-commit", "post-checkout", "post-index-change", "reference-transaction", "pre-auto-gc", "post-rewrite" })
        {
            Script(Path.Combine(hooks, hook), $"echo \"hook {hook}\" >> '{Marker}'\n");
            Script(Path.Combine(Root, ".git", "hooks", hook), $"echo \"hook {hook}\" >> '{Marker}'\n");
        }

        File.WriteAllText(Path.Combine(Root, ".gitattributes"), "* diff=evil filter=evil merge=evil\n");
        var evil = Evil;
        foreach (var (key, value) in new[]
                 {
                     ("core.fsmonitor", evil), ("core.hooksPath", hooks), ("core.pager", evil), ("pager.status", evil), ("pager.diff", evil),
                     ("pager.log", evil), ("pager.show", evil), ("pager.blame", evil), ("diff.external", evil), ("diff.evil.command", evil),
                     ("diff.evil.textconv", evil), ("filter.evil.clean", evil), ("filter.evil.smudge", evil), ("filter.evil.process", evil),
                     ("filter.evil.required", "false"), ("merge.evil.driver", evil), ("core.sshCommand", evil), ("credential.helper", "!" + evil),
                     ("alias.status", "!" + evil), ("alias.ls-files", "!" + evil), ("gpg.program", evil), ("log.showSignature", "true"),
                     ("core.editor", evil), ("sequence.editor", evil), ("core.askPass", evil), ("interactive.diffFilter", evil),
                     ("core.untrackedCache", "false"),
                 })
        {
            Git("config", key, value);
        }

        // Make the index racy, so that status must read (and clean) every file's content.
        File.SetLastWriteTimeUtc(Path.Combine(Root, ".git", "index"), DateTime.UtcNow.AddSeconds(-1));
        File.SetLastWriteTimeUtc(Path.Combine(Root, "a.txt"), DateTime.UtcNow);
        if (File.Exists(Marker))
        {
            File.Delete(Marker);
        }
    }

    /// <summary>The agent's environment: a private home, no global git config, and PATH with ".", an empty entry and the relative node_modules/.bin first.</summary>
    public Dictionary<string, string> Environment => new()
    {
        ["AGENT_HOME"] = _temp.Combine("home"),
        ["CI"] = "true",
        ["OPENAI_API_KEY"] = string.Empty,
        ["ANTHROPIC_API_KEY"] = string.Empty,
        ["GIT_CONFIG_NOSYSTEM"] = "1",
        ["GIT_CONFIG_GLOBAL"] = _temp.Combine("no-global-gitconfig"),
        ["PATH"] = string.Join(Path.PathSeparator, ".", "node_modules/.bin", string.Empty, System.Environment.GetEnvironmentVariable("PATH")),
    };

    public string WriteScript(string yaml) => _temp.WriteFile($"script-{Guid.NewGuid():N}.yaml", yaml);

    public Task<CliResult> RunAsync(params string[] args) => AgentProcess.RunAsync(Root, Environment, args);

    /// <summary>Runs the real git (by absolute path, with no repository programs) for the setup.</summary>
    public string Git(params string[] args)
    {
        var start = new ProcessStartInfo(RealGit) { WorkingDirectory = Root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])["-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", .. args])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = _temp.Combine("no-global-gitconfig");
        start.Environment["GIT_AUTHOR_NAME"] = start.Environment["GIT_COMMITTER_NAME"] = "Test";
        start.Environment["GIT_AUTHOR_EMAIL"] = start.Environment["GIT_COMMITTER_EMAIL"] = "test@example.com";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
        return output;
    }

    public void Dispose() => _temp.Dispose();

    private static string RealGit { get; } = (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
        .Where(Path.IsPathFullyQualified).Select(d => Path.Combine(d, OperatingSystem.IsWindows() ? "git.exe" : "git")).First(File.Exists);

    private static string Script(string path, string body)
    {
        File.WriteAllText(path, "#!/bin/sh\n" + body);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }
}
