using AgentHost.Common.Processes;
using AgentHost.Hosting;

namespace AgentHost.Installation.Git;

/// <summary>
/// Clones plugin and marketplace repositories with the git CLI: shallow (<c>--depth 1</c>), no hooks
/// (<c>core.hooksPath</c> is the null device and no template is copied), no submodules, no fsmonitor, and never a
/// prompt (<c>GIT_TERMINAL_PROMPT=0</c>, ssh in batch mode unless the user set their own ssh command in the environment or <c>core.sshCommand</c>), so a headless
/// install fails with git's message instead of hanging.
/// </summary>
/// <remarks>
/// The user's own git configuration (credential helpers, ssh keys, URL rewrites, <c>core.sshCommand</c>) still
/// applies: the URL is one the user typed or a marketplace the user added lists. One clone at a time per instance.
/// </remarks>
/// <param name="environment">Where git is looked up (its <c>PATH</c>, else the process's) and the home folder git reads its configuration from.</param>
internal sealed class GitCloner(HostEnvironment environment)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    private bool _batchSsh;

    /// <summary>Clones <paramref name="url"/> at its ref (or a pinned commit) into <paramref name="destination"/>.</summary>
    /// <param name="url">The repository and ref.</param>
    /// <param name="sha">A commit the clone must end at (a marketplace entry's <c>sha</c>); <see langword="null"/> for the ref's tip.</param>
    /// <param name="destination">A folder that does not exist yet.</param>
    /// <param name="cancellationToken">Cancellation (kills git).</param>
    /// <returns>The commit checked out.</returns>
    /// <exception cref="AgentHostException">git is missing, the repository cannot be reached, or the ref or commit does not exist.</exception>
    public async Task<string> CloneAsync(GitUrl url, string? sha, string destination, CancellationToken cancellationToken)
    {
        var git = FindGit();
        _batchSsh = IsSsh(url.Url) && environment.Get("GIT_SSH_COMMAND") is null && environment.Get("GIT_SSH") is null
            && (await RunAsync(git, Path.GetDirectoryName(destination)!, ["config", "--get", "core.sshCommand"], cancellationToken).ConfigureAwait(false)).ExitCode != 0;
        var commit = sha ?? (GitUrl.IsCommitId(url.Ref) ? url.Ref : null);
        var branch = commit is not null && url.Ref == commit ? null : url.Ref;
        List<string> clone = ["clone", "--quiet", "--depth", "1", "--no-tags", "--template=", "--no-recurse-submodules"];
        if (branch is not null)
        {
            clone.AddRange(["--branch", branch]);
        }

        if (commit is not null)
        {
            clone.Add("--no-checkout");
        }

        clone.AddRange(["--", url.Url, destination]);
        var result = await RunAsync(git, Path.GetDirectoryName(destination)!, clone, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw CloneFailed(url, branch, result);
        }

        if (commit is not null)
        {
            var head = (await RunAsync(git, destination, ["rev-parse", "HEAD"], cancellationToken).ConfigureAwait(false)).Output.Trim();
            if (!head.Equals(commit, StringComparison.OrdinalIgnoreCase))
            {
                var fetch = await RunAsync(git, destination, ["fetch", "--quiet", "--depth", "1", "origin", commit], cancellationToken).ConfigureAwait(false);
                if (fetch.ExitCode != 0)
                {
                    throw new AgentHostException(
                        ErrorKind.NotFound,
                        $"commit {commit} was not found in {url.Display} ({LastLine(fetch)}). Check the pinned sha; the server may also refuse to serve a commit that no branch or tag reaches.");
                }
            }

            var checkout = await RunAsync(git, destination, ["checkout", "--quiet", "--detach", commit], cancellationToken).ConfigureAwait(false);
            if (checkout.ExitCode != 0)
            {
                throw new AgentHostException(ErrorKind.Plugin, $"could not check out commit {commit} of {url.Display}: {LastLine(checkout)}");
            }
        }

        var rev = await RunAsync(git, destination, ["rev-parse", "HEAD"], cancellationToken).ConfigureAwait(false);
        return rev.ExitCode == 0
            ? rev.Output.Trim()
            : throw new AgentHostException(ErrorKind.Plugin, $"cloned {url.Display} but could not read its commit: {LastLine(rev)}");
    }

    private static bool IsSsh(string url) =>
        url.StartsWith("ssh://", StringComparison.OrdinalIgnoreCase) || !url.Contains("://", StringComparison.Ordinal);

    private string FindGit() =>
        ProgramSearch.Find("git", environment.Get("PATH") ?? System.Environment.GetEnvironmentVariable("PATH"), pathExtensions: environment.Get("PATHEXT"))
        ?? throw new AgentHostException(
            ErrorKind.NotFound,
            "git is not installed or not on PATH, and installing from a git URL or a git marketplace needs it. Install git (https://git-scm.com/downloads) and retry, or clone the repository yourself and install from the folder.");

    private async Task<ProcessOutput> RunAsync(string git, string directory, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["GIT_TERMINAL_PROMPT"] = "0",
            ["GCM_INTERACTIVE"] = "never",
            ["GIT_PAGER"] = "cat",
            ["GIT_EDITOR"] = ":",
            ["GIT_DIR"] = null,
            ["GIT_WORK_TREE"] = null,
            ["GIT_INDEX_FILE"] = null,
            ["GIT_CONFIG_PARAMETERS"] = null,
            ["GIT_CONFIG_COUNT"] = null,
            ["HOME"] = environment.HomeDirectory,
        };
        if (_batchSsh)
        {
            // ssh would otherwise ask for a passphrase or a host key on the terminal; the user's own ssh command wins.
            variables["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes";
        }

        foreach (var name in (string[])["PATH", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_NOSYSTEM", "SSH_AUTH_SOCK"])
        {
            if (environment.Get(name) is { } value)
            {
                variables[name] = value;
            }
        }

        List<string> all =
        [
            "-c", "core.hooksPath=" + Common.Git.SafeGit.NullDevice,
            "-c", "init.templateDir=",
            "-c", "core.fsmonitor=false",
            "-c", "submodule.recurse=false",
            "-c", "protocol.ext.allow=never",
            "-c", "core.pager=cat",
            .. arguments,
        ];
        var spec = new ProcessSpec(git, all) { WorkingDirectory = directory, Environment = variables, Purpose = "git" };
        try
        {
            return await ProcessLauncher.RunAsync(spec, Timeout, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ProgramStartException ex)
        {
            throw new AgentHostException(ErrorKind.Plugin, $"could not run git ({git}): {ex.Message}", ex);
        }
    }

    private static AgentHostException CloneFailed(GitUrl url, string? branch, ProcessOutput result)
    {
        var error = result.Error;
        if (result.TimedOut)
        {
            return new AgentHostException(ErrorKind.Plugin, $"cloning {url.Display} took longer than {Timeout.TotalMinutes:0} minutes and was stopped. Check your network, or clone it yourself and install from the folder.");
        }

        if (branch is not null && (error.Contains("not found in upstream", StringComparison.OrdinalIgnoreCase) || error.Contains("Could not find remote branch", StringComparison.OrdinalIgnoreCase)))
        {
            return new AgentHostException(ErrorKind.NotFound, $"{url.Url} has no branch or tag '{branch}'. 'git ls-remote --heads --tags {url.Url}' lists those that exist; give one after '#', or drop the ref for the default branch.");
        }

        return new AgentHostException(
            ErrorKind.NotFound,
            $"cannot clone {url.Url}: {LastLine(result)}. Check the URL and that you can reach it ('git ls-remote {url.Url}'); git runs without prompts, so a private repository needs a credential helper or an ssh key already set up.");
    }

    /// <summary>git's own reason: its first <c>fatal:</c> line, or the line before a generic "Could not read from remote repository" (ssh's reason).</summary>
    private static string LastLine(ProcessOutput result)
    {
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var index = lines.FindIndex(l => l.StartsWith("fatal:", StringComparison.Ordinal));
        var line = index switch
        {
            < 0 => lines.LastOrDefault() ?? $"git exited with {result.ExitCode}",
            > 0 when lines[index].Contains("Could not read from remote repository", StringComparison.Ordinal) => lines[index - 1],
            _ => lines[index],
        };
        return (line.StartsWith("fatal: ", StringComparison.Ordinal) ? line["fatal: ".Length..] : line).TrimEnd('.');
    }
}
