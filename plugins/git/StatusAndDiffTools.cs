using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Git;

/// <summary><c>git_status</c> and <c>git_diff</c>.</summary>
internal static class StatusAndDiffTools
{
    /// <summary>The status arguments: branch, upstream, stash count, changes; untracked folders collapsed (<c>dir/</c>).</summary>
    private static readonly string[] StatusArguments = ["status", "--porcelain=v2", "--branch", "--show-stash", "-z", "--untracked-files=normal"];

    public static async Task<string> StatusAsync(GitRepository repo, CancellationToken cancellationToken)
    {
        var report = await ReadStatusAsync(repo, [], cancellationToken).ConfigureAwait(false);
        return report.Render(repo.Display, repo.Settings.MaxOutputCharacters);
    }

    /// <summary>Reads the status, optionally limited to pathspecs.</summary>
    public static async Task<StatusReport> ReadStatusAsync(GitRepository repo, IReadOnlyList<string> pathspecs, CancellationToken cancellationToken)
    {
        string[] arguments = pathspecs.Count == 0 ? StatusArguments : [.. StatusArguments, "--", .. pathspecs];
        var result = await repo.ReadAsync(arguments, 4_000_000, cancellationToken).ConfigureAwait(false);

        // Past the limit the last record may be cut: drop it.
        var output = result.Truncated ? result.Output[..Math.Max(0, result.Output.LastIndexOf('\0'))] : result.Output;
        return StatusReport.Parse(output);
    }

    /// <summary>The stat and patch of the changes, without the patch of files <paramref name="canRead"/> refuses.</summary>
    public static async Task<string> DiffAsync(GitRepository repo, bool staged, string? path, string? range, Func<string, ReadAccess> canRead, CancellationToken cancellationToken)
    {
        if (staged && range is not null)
        {
            throw new ToolException("staged and range cannot be combined: staged compares the staging area with HEAD, range compares commits (or a commit with the working tree). Pass one of them.");
        }

        List<string> selection = [];
        if (staged)
        {
            selection.Add("--cached");
        }

        if (range is not null)
        {
            var revisions = GitRepository.Revision(range, "range");
            if (revisions.Contains(':', StringComparison.Ordinal))
            {
                // 'HEAD~1:.env..HEAD:.env' compares files by content, under names the read rules could not decide.
                throw new ToolException($"range '{revisions}' names files (rev:path); pass commits only ('main..feature', 'HEAD~3') and narrow with path.");
            }

            selection.Add("--end-of-options");
            selection.Add(revisions);
        }

        selection.Add("--");
        if (path is not null)
        {
            selection.Add(repo.Pathspec(path, "path"));
        }

        var what = range is not null ? $"changes in {range.Trim()}" : staged ? "staged changes (staging area vs HEAD)" : "unstaged changes (working tree vs staging area)";
        var scope = path is null ? string.Empty : $" in {path}";
        var budget = repo.Settings.MaxOutputCharacters;
        var stat = await repo.ReadAsync(["diff", "--no-ext-diff", "--relative", "--stat=200,150", "--summary", .. selection], budget, cancellationToken).ConfigureAwait(false);
        if (stat.Output.Trim().Length == 0)
        {
            var hint = range is not null ? string.Empty
                : staged ? " Unstaged changes: git_diff without staged."
                : " Staged changes: git_diff with staged=true; untracked files are listed by git_status.";
            return $"No {what}{scope}.{hint}";
        }

        var text = new StringBuilder();
        text.Append(what).Append(scope).Append(":\n");
        text.Append(TextLimit.Cut(stat.Output.TrimEnd('\n'), budget / 3, "narrow it with path", stat.Truncated)).Append("\n\n");
        var room = budget - text.Length;
        var patch = await repo.ReadAsync(["diff", .. PatchReadFilter.PrefixArguments, "--relative", "--patch", .. selection], room + 1, cancellationToken).ConfigureAwait(false);
        var shown = PatchReadFilter.Filter(patch.Output.TrimEnd('\n'), repo.Paths.Root, canRead, out var withheld);
        var note = withheld > 0 ? PatchReadFilter.Note(withheld) : string.Empty;
        text.Append(TextLimit.Cut(
            shown,
            room - note.Length,
            "the patch is longer than the output limit; narrow it with path (one file or folder), or read the file with view",
            patch.Truncated)).Append(note);
        return text.ToString();
    }
}
