using System.Globalization;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Git;

/// <summary><c>git_add</c> and <c>git_restore</c>: change the staging area or the working tree for named paths.</summary>
internal static class ChangeTools
{
    public static IReadOnlyList<string> Pathspecs(GitRepository repo, string[]? paths, string tool)
    {
        if (paths is null || paths.Length == 0)
        {
            throw new ToolException(tool == "git_restore"
                ? "paths is required: name the files to restore (relative to the project root). git_restore never restores everything unasked; pass '.' only if you mean every file."
                : "paths is required: name the files or folders to stage (relative to the project root; '.' stages everything).");
        }

        return [.. paths.Select((path, i) => repo.Pathspec(path, paths.Length == 1 ? "paths" : $"paths[{i}]")).Distinct(StringComparer.Ordinal)];
    }

    public static async Task<string> AddAsync(GitRepository repo, string[]? paths, CancellationToken cancellationToken)
    {
        var pathspecs = Pathspecs(repo, paths, "git_add");
        var result = await repo.RunAsync(new GitCommand(["add", "--", .. pathspecs]) { ReadOnly = false }, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var ignored = result.Error.Contains("ignored by one of your .gitignore", StringComparison.Ordinal);
            throw GitRepository.Failed(
                "add",
                result,
                ignored ? "Ignored files are not staged by this tool; leave them out, or ask the user to change .gitignore." : "Check the paths with git_status; nothing was staged.");
        }

        var status = await StatusAndDiffTools.ReadStatusAsync(repo, [], cancellationToken).ConfigureAwait(false);
        var staged = status.Staged.Select(e => $"  {e.Change}: {(e.From is null ? string.Empty : repo.Display(e.From) + " -> ")}{repo.Display(e.Path)}").ToList();
        var summary = string.Create(CultureInfo.InvariantCulture, $"Staged {string.Join(", ", pathspecs)}. Now staged for the next commit ({staged.Count}):");
        return TextLimit.Cut(
            staged.Count == 0 ? $"git add {string.Join(' ', pathspecs)} staged nothing: those paths have no changes." : summary + "\n" + string.Join('\n', staged),
            repo.Settings.MaxOutputCharacters,
            "git_status shows the rest");
    }

    /// <summary>The restore arguments after <c>restore</c>, before <c>--</c>.</summary>
    public static List<string> RestoreOptions(bool staged, bool worktree, string? source)
    {
        if (!staged && !worktree)
        {
            throw new ToolException("staged and worktree are both false, so there is nothing to restore; set worktree=true to discard working-tree changes or staged=true to unstage.");
        }

        List<string> options = [];
        if (worktree)
        {
            options.Add("--worktree");
        }

        if (staged)
        {
            options.Add("--staged");
        }

        if (source is not null)
        {
            options.Add("--source=" + GitRepository.Revision(source, "source"));
        }

        return options;
    }

    public static async Task<string> RestoreAsync(GitRepository repo, string[]? paths, bool staged, bool? worktree, string? source, CancellationToken cancellationToken)
    {
        var pathspecs = Pathspecs(repo, paths, "git_restore");
        var toWorktree = worktree ?? !staged;
        var options = RestoreOptions(staged, toWorktree, source);
        var result = await repo.RunAsync(new GitCommand(["restore", .. options, "--", .. pathspecs]) { ReadOnly = false }, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var unknown = result.Error.Contains("did not match any file", StringComparison.Ordinal);
            throw GitRepository.Failed(
                "restore",
                result,
                unknown ? "git only restores files it knows: untracked files cannot be restored (delete them instead); check the paths with git_status." : null);
        }

        var from = source is not null ? source.Trim() : staged ? "HEAD" : "the staging area";
        var what = (staged, toWorktree) switch
        {
            (true, true) => "staging area and working tree",
            (true, false) => "staging area (unstaged; the working tree keeps the changes)",
            _ => "working tree (unstaged changes discarded)",
        };
        return $"Restored {string.Join(", ", pathspecs)} in the {what} from {from}.";
    }
}
