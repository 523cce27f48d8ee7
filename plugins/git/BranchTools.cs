using System.Globalization;
using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Git;

/// <summary><c>git_branch_list</c>, <c>git_branch_create</c> and <c>git_switch</c>.</summary>
internal static class BranchTools
{
    private const int MaxBranches = 200;

    public static async Task<string> ListAsync(GitRepository repo, bool all, CancellationToken cancellationToken)
    {
        string[] arguments =
        [
            "for-each-ref", "--sort=-committerdate", $"--count={MaxBranches + 1}",
            "--format=%(HEAD)%00%(refname:short)%00%(objectname:short)%00%(committerdate:short)%00%(upstream:short)%00%(upstream:track,nobracket)%00%(contents:subject)",
            "refs/heads/", .. all ? (string[])["refs/remotes/"] : [],
        ];
        var result = await repo.ReadAsync(arguments, 1_000_000, cancellationToken).ConfigureAwait(false);
        var branches = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\0'))
            .Where(fields => fields.Length == 7 && !fields[1].EndsWith("/HEAD", StringComparison.Ordinal))
            .ToList();
        var current = await repo.CurrentBranchAsync(cancellationToken).ConfigureAwait(false);
        if (branches.Count == 0)
        {
            return current is null ? "No branches." : $"No branches yet: '{current}' has no commits. Commit with git_add and git_commit to create it.";
        }

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{(all ? "local and remote branches" : "branches")}, most recent first; * marks the current one:\n");
        if (current is null)
        {
            var head = await repo.CommitAsync("HEAD", cancellationToken).ConfigureAwait(false);
            text.Append(CultureInfo.InvariantCulture, $"* (HEAD detached at {head?.Id ?? "?"})\n");
        }

        var width = Math.Min(40, branches.Take(MaxBranches).Max(b => b[1].Length));
        foreach (var b in branches.Take(MaxBranches))
        {
            text.Append(b[0] == "*" ? "* " : "  ").Append(b[1].PadRight(width)).Append("  ").Append(b[2]).Append("  ").Append(b[3]);
            if (b[4].Length > 0)
            {
                text.Append("  [").Append(b[4]).Append(b[5].Length > 0 ? ": " + b[5] : string.Empty).Append(']');
            }

            text.Append("  ").Append(b[6]).Append('\n');
        }

        if (branches.Count > MaxBranches)
        {
            text.Append(CultureInfo.InvariantCulture, $"[only the {MaxBranches} most recent are shown]\n");
        }

        return TextLimit.Cut(text.ToString().TrimEnd('\n'), repo.Settings.MaxOutputCharacters, "fewer branches are shown without all");
    }

    public static async Task<string> CreateAsync(GitRepository repo, string name, string? startPoint, CancellationToken cancellationToken)
    {
        var branch = GitRepository.Revision(name, "name");
        var start = startPoint is null ? null : GitRepository.Revision(startPoint, "start_point");
        var result = await repo.RunAsync(
            new GitCommand(["branch", "--end-of-options", branch, .. start is null ? (string[])[] : [start]]) { ReadOnly = false }, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw GitRepository.Failed("branch", result, "Nothing was created. Branch names cannot contain spaces, '..', '~', '^', ':' or end with '/' or '.lock'; git_branch_list shows the existing ones.");
        }

        var tip = await repo.CommitAsync(branch, cancellationToken).ConfigureAwait(false);
        var current = await repo.CurrentBranchAsync(cancellationToken).ConfigureAwait(false);
        return $"Created branch '{branch}' at {Describe(tip)} (from {start ?? "HEAD"}). "
            + $"Still on {(current is null ? "a detached HEAD" : $"'{current}'")}; git_switch to '{branch}' to work on it.";
    }

    public static async Task<string> SwitchAsync(GitRepository repo, string branch, bool create, string? startPoint, CancellationToken cancellationToken)
    {
        var target = GitRepository.Revision(branch, "branch");
        var start = startPoint is null ? null : GitRepository.Revision(startPoint, "start_point");
        if (start is not null && !create)
        {
            throw new ToolException("start_point is only used with create=true (a new branch starts there); leave it out to switch to an existing branch.");
        }

        // Never --force or --discard-changes: when the switch would overwrite local changes, git refuses and says which files.
        string[] arguments = create
            ? ["switch", "--create", target, .. start is null ? (string[])[] : ["--end-of-options", start]]
            : ["switch", "--end-of-options", target];
        var result = await repo.RunAsync(new GitCommand(arguments) { ReadOnly = false }, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var overwritten = result.Error.Contains("would be overwritten", StringComparison.Ordinal);
            throw new ToolException(
                $"git refused to switch to '{target}'; nothing was changed.\n{result.Messages}"
                + (overwritten
                    ? "\nYour uncommitted changes would be lost: commit them (git_add, git_commit) or discard them (git_restore) first."
                    : create
                        ? "\ngit_branch_list shows the existing branches."
                        : "\ngit_branch_list shows the branches; pass create=true to make a new one. If uncommitted changes are in the way, commit or restore them first."));
        }

        var tip = await repo.CommitAsync("HEAD", cancellationToken).ConfigureAwait(false);
        var carried = result.Output.Trim();
        return $"Switched to {(create ? "a new branch" : "branch")} '{target}' at {Describe(tip)}."
            + (carried.Length > 0 ? "\nUncommitted changes carried over:\n" + TextLimit.Cut(carried, repo.Settings.MaxOutputCharacters / 2, "see git_status") : string.Empty);
    }

    private static string Describe((string Id, string Subject)? commit) => commit is { } c ? $"{c.Id} \"{c.Subject}\"" : "no commit yet";
}
