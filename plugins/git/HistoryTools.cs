using System.Globalization;
using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Git;

/// <summary><c>git_log</c> and <c>git_show</c>.</summary>
internal static class HistoryTools
{
    public const int DefaultLimit = 20;

    public const int MaxLimit = 200;

    public static async Task<string> LogAsync(GitRepository repo, int? limit, int? offset, string? path, string? revision, CancellationToken cancellationToken)
    {
        var count = limit ?? DefaultLimit;
        if (count is < 1 or > MaxLimit)
        {
            throw new ToolException($"limit must be from 1 to {MaxLimit} (default {DefaultLimit}); page with offset for more.");
        }

        var skip = offset ?? 0;
        if (skip < 0)
        {
            throw new ToolException("offset must be 0 or more: the number of newer commits to skip (0 starts at the newest).");
        }

        var rev = revision is null ? null : GitRepository.Revision(revision, "rev");
        var pathspec = path is null ? null : repo.Pathspec(path, "path");

        // One more than asked tells whether another page follows. %x1f and %x1e separate fields and commits.
        List<string> arguments =
        [
            "log", "--no-show-signature", "--date=iso-strict", "--format=%h%x1f%ad%x1f%an%x1f%s%x1e",
            $"--max-count={count + 1}", $"--skip={skip}",
        ];
        if (rev is not null)
        {
            arguments.AddRange(["--end-of-options", rev]);
        }

        arguments.Add("--");
        if (pathspec is not null)
        {
            arguments.Add(pathspec);
        }

        var result = await repo.RunAsync(new GitCommand(arguments), cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            if (result.Error.Contains("does not have any commits yet", StringComparison.Ordinal))
            {
                return "No commits yet: the current branch has no history. Commit with git_add and git_commit.";
            }

            throw GitRepository.Failed("log", result);
        }

        var commits = result.Output.Split('\x1e', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(record => record.Split('\x1f'))
            .Where(fields => fields.Length == 4)
            .ToList();
        var scope = (rev is null ? string.Empty : $" of {rev}") + (path is null ? string.Empty : $" touching {path}");
        if (commits.Count == 0)
        {
            return skip > 0 ? $"No commits{scope} at offset {skip}: the history has fewer." : $"No commits{scope}.";
        }

        var more = commits.Count > count;
        var shown = commits.Take(count).ToList();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"commits {skip + 1}-{skip + shown.Count}{scope}, newest first")
            .Append(more ? string.Create(CultureInfo.InvariantCulture, $" (more: offset={skip + count})") : " (no more)")
            .Append(":\n");
        foreach (var fields in shown)
        {
            text.Append(fields[0]).Append("  ").Append(fields[1]).Append("  ").Append(fields[2]).Append("  ").Append(fields[3]).Append('\n');
        }

        return TextLimit.Cut(text.ToString().TrimEnd('\n'), repo.Settings.MaxOutputCharacters, "use a smaller limit");
    }

    /// <summary>Shows a commit (its patch without the files <paramref name="canRead"/> refuses) or a file at a commit (decided by the permission gate as a read of that file).</summary>
    public static async Task<string> ShowAsync(GitRepository repo, string? revision, string? path, Func<string, ReadAccess> canRead, CancellationToken cancellationToken)
    {
        var rev = revision is null ? "HEAD" : GitRepository.Revision(revision, "rev");
        var colon = rev.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0 && path is null)
        {
            // "rev:path" (refs cannot contain ':'): the file part is checked like any path.
            path = rev[(colon + 1)..];
            rev = colon == 0 ? "HEAD" : rev[..colon];
            if (path.Length == 0)
            {
                throw new ToolException($"rev '{revision}' names no file after ':'; pass rev:path (for example HEAD~1:src/app.cs), or a commit alone.");
            }
        }
        else if (colon >= 0)
        {
            throw new ToolException($"rev '{revision}' already names a file after ':'; pass the file either there or in path, not both.");
        }

        var budget = repo.Settings.MaxOutputCharacters;
        if (path is not null)
        {
            return await FileAsync(repo, rev, path, budget, cancellationToken).ConfigureAwait(false);
        }

        var result = await repo.RunAsync(
            new GitCommand([
                "show", "--no-show-signature", .. PatchReadFilter.PrefixArguments, "--relative", "--date=iso-strict", "--format=medium",
                "--stat=200,150", "--summary", "--patch", "--end-of-options", rev, "--",
            ])
            { MaxOutputCharacters = budget + 1 },
            cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw GitRepository.Failed("show", result, "Pass a commit (hash, branch, tag, HEAD~1) that exists; git_log lists commits.");
        }

        if (!IsObjectHeader(result.Output))
        {
            // A blob named by its hash prints the file's content with no name the read rules could decide.
            throw new ToolException($"rev '{rev}' names a file's content (a blob), not a commit, tag or tree; pass rev:path (for example HEAD:src/app.cs) so the file is named.");
        }

        var patch = PatchReadFilter.Filter(result.Output.TrimEnd('\n'), repo.Paths.Root, canRead, out var withheld);
        var note = withheld > 0 ? PatchReadFilter.Note(withheld) : string.Empty;
        return TextLimit.Cut(patch, budget - note.Length, "the patch is longer than the output limit; see one file with git_diff range=<rev>~1..<rev> path=<file>", result.Truncated) + note;
    }

    /// <summary>Whether <c>git show</c> printed a commit, tag or tree (each starts with its kind), rather than a blob's raw content.</summary>
    private static bool IsObjectHeader(string output) =>
        output.Length == 0 || output.StartsWith("commit ", StringComparison.Ordinal) || output.StartsWith("tag ", StringComparison.Ordinal) || output.StartsWith("tree ", StringComparison.Ordinal);

    private static async Task<string> FileAsync(GitRepository repo, string rev, string path, int budget, CancellationToken cancellationToken)
    {
        // "./" makes git read the path relative to where it runs (the project root), not to the top of the working tree.
        var pathspec = repo.Pathspec(path, "path");
        var result = await repo.RunAsync(
            new GitCommand(["show", "--no-textconv", "--end-of-options", $"{rev}:./{pathspec}"]) { MaxOutputCharacters = budget + 1 }, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw GitRepository.Failed("show", result, $"Check that {path} exists in {rev} (git_log path={path} lists the commits that touch it).");
        }

        if (TextLimit.IsBinary(result.Output))
        {
            return $"{rev}:{pathspec} is a binary file; it is not shown.";
        }

        return $"{rev}:{pathspec}\n" + TextLimit.Cut(result.Output, budget - pathspec.Length - rev.Length - 2, "read the current file with view, or narrow the question", result.Truncated);
    }
}
