namespace AgentHost.Plugins.Git;

/// <summary>The programs a <c>git commit</c> in this repository would run: its hooks and, for signed commits, the signature program.</summary>
internal static class CommitPrograms
{
    /// <summary>The hooks <c>git commit</c> runs (reference-transaction on the branch update; pre-auto-gc when it packs).</summary>
    private static readonly string[] Hooks = ["pre-commit", "prepare-commit-msg", "commit-msg", "post-commit", "reference-transaction", "pre-auto-gc", "post-rewrite"];

    /// <summary>The programs, relative to the project root when inside it, otherwise absolute.</summary>
    public static async Task<IReadOnlyList<string>> FindAsync(GitRepository repo, CancellationToken cancellationToken)
    {
        var folder = await HooksFolderAsync(repo, cancellationToken).ConfigureAwait(false);
        var found = new List<string>();
        foreach (var hook in Hooks)
        {
            var path = Path.Combine(folder, hook);
            if (Common.Processes.ProgramSearch.IsExecutable(path))
            {
                found.Add(repo.Paths.Resolve(path) is { } inside ? repo.Paths.Relative(inside) : path);
            }
        }

        var sign = await repo.RunAsync(new GitCommand(["config", "--type=bool", "--get", "commit.gpgSign"]) { ReadOnly = false }, cancellationToken).ConfigureAwait(false);
        if (sign.ExitCode == 0 && sign.Output.Trim() == "true")
        {
            var program = await repo.RunAsync(new GitCommand(["config", "--get", "gpg.program"]) { ReadOnly = false }, cancellationToken).ConfigureAwait(false);
            found.Add(program.ExitCode == 0 && program.Output.Trim().Length > 0 ? program.Output.Trim() : "gpg");
        }

        return found;
    }

    /// <summary>
    /// The folder <c>git commit</c> runs hooks from (absolute): <c>--git-path hooks</c> honours <c>core.hooksPath</c> (a
    /// repository can point it anywhere, even at a folder it tracks) and <c>commondir</c>. Asked as a call that changes
    /// the repository would be: read-only calls override <c>core.hooksPath</c>.
    /// </summary>
    public static async Task<string> HooksFolderAsync(GitRepository repo, CancellationToken cancellationToken)
    {
        var hooks = await repo.RunAsync(new GitCommand(["rev-parse", "--git-path", "hooks"]) { ReadOnly = false }, cancellationToken).ConfigureAwait(false);
        if (hooks.ExitCode != 0)
        {
            throw GitRepository.Failed("rev-parse", hooks);
        }

        return Path.GetFullPath(hooks.Output.Trim(), repo.Paths.Root);
    }

    /// <summary>A program as one shell word, for the permission engine to read as a command.</summary>
    public static string Quote(string program) =>
        program.All(c => char.IsLetterOrDigit(c) || c is '/' or '.' or '-' or '_') ? program : "'" + program.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
