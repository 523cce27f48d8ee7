using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Git;

/// <summary><c>git_commit</c>: commits what is staged, with the message on stdin; hooks run as they would for the user.</summary>
internal static class CommitTool
{
    public static async Task<string> CommitAsync(GitRepository repo, string? message, string? model, CancellationToken cancellationToken)
    {
        var text = CommitMessage.Compose(message, CommitMessage.Trailer(repo.Settings, model), repo.Settings.GeneratedWith);
        if (!await HasStagedChangesAsync(repo, cancellationToken).ConfigureAwait(false) && !await MergingAsync(repo, cancellationToken).ConfigureAwait(false))
        {
            throw new ToolException("nothing is staged, so there is nothing to commit; stage changes with git_add first (git_status shows what changed). Nothing was committed.");
        }

        // -F - reads the message from stdin (no quoting, any length); whitespace cleanup keeps lines starting with '#'.
        // Never --no-verify: pre-commit and commit-msg hooks decide as they would for the user. The hooks folder is named
        // explicitly (the one the permission request showed, CommitPrograms), and core.fsmonitor is off on every call (SafeGit).
        var hooksPath = await CommitPrograms.HooksFolderAsync(repo, cancellationToken).ConfigureAwait(false);
        var result = await repo.RunAsync(
            new GitCommand(["commit", "--file=-", "--cleanup=whitespace"]) { ReadOnly = false, Configuration = ["core.hooksPath=" + hooksPath], Input = text, MaxOutputCharacters = 200_000 },
            cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var output = TextLimit.Cut(result.Messages, repo.Settings.MaxOutputCharacters - 400, "the start of git's output is shown");
            throw new ToolException(
                $"git commit failed (exit code {result.ExitCode}); nothing was committed. "
                + "If a hook rejected the commit, fix what it reports, stage the fixes with git_add and call git_commit again (hooks are never skipped)."
                + (output.Length > 0 ? "\ngit's output (hooks included):\n" + output : string.Empty));
        }

        var head = await repo.ReadAsync(["rev-parse", "HEAD"], 1_000, cancellationToken).ConfigureAwait(false);
        var branch = await repo.CurrentBranchAsync(cancellationToken).ConfigureAwait(false);
        var id = head.Output.Trim();
        var reply = new StringBuilder();
        reply.Append("Committed ").Append(id.Length >= 7 ? id[..7] : id).Append(" on ").Append(branch is null ? "a detached HEAD" : branch)
            .Append(": ").Append(CommitMessage.Summary(text)).Append('\n');
        reply.Append("commit: ").Append(id).Append('\n');
        var trailer = CommitMessage.Trailer(repo.Settings, model);
        reply.Append("trailer: ").Append(trailer ?? "none (attribution: none)").Append('\n');
        var stats = result.Output.Split('\n').Skip(1).Select(line => line.TrimEnd()).Where(line => line.Length > 0);
        foreach (var line in stats)
        {
            reply.Append(line).Append('\n');
        }

        var hooks = result.Error.Trim();
        if (hooks.Length > 0)
        {
            reply.Append("git and hook messages:\n").Append(hooks).Append('\n');
        }

        return TextLimit.Cut(reply.ToString().TrimEnd('\n'), repo.Settings.MaxOutputCharacters, "git_show shows the commit");
    }

    /// <summary>Whether the staging area differs from HEAD (or holds anything, before the first commit).</summary>
    public static async Task<bool> HasStagedChangesAsync(GitRepository repo, CancellationToken cancellationToken)
    {
        var result = await repo.RunAsync(new GitCommand(["diff", "--cached", "--quiet", "--no-ext-diff"]), cancellationToken).ConfigureAwait(false);
        return result.ExitCode switch
        {
            0 => false,
            1 => true,
            _ => throw GitRepository.Failed("diff", result),
        };
    }

    /// <summary>Whether a merge is being concluded (its commit may have no changes of its own).</summary>
    private static async Task<bool> MergingAsync(GitRepository repo, CancellationToken cancellationToken)
    {
        var result = await repo.RunAsync(new GitCommand(["rev-parse", "--quiet", "--verify", "MERGE_HEAD"]), cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0;
    }
}
