using System.ComponentModel;
using System.Text;
using System.Text.Json;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Git;

/// <summary>
/// Permission-prompt descriptions of git calls. Read tools name the path they look at; tools that change the working
/// tree or repository are <c>write</c> calls naming their paths or branch, with a preview in the details (the commit
/// message and staged files, the changes git_restore would discard). Best effort: never throws, changes nothing.
/// </summary>
internal sealed class CallDescriptions(GitSettings settings, IReadOnlyDictionary<string, string>? environment)
{
    /// <summary>How long git may take to build a preview.</summary>
    private static readonly TimeSpan PreviewTimeout = TimeSpan.FromSeconds(10);

    private const int MaxDetails = 8_000;

    public static ToolCallDescription Read(AIFunctionArguments args) => new("read", PathSubject(args, args.GetOptionalString("path") ?? "."));

    public static ToolCallDescription Show(AIFunctionArguments args)
    {
        var rev = args.GetOptionalString("rev");
        var path = args.GetOptionalString("path") ?? (rev?.IndexOf(':', StringComparison.Ordinal) is >= 0 and var colon ? rev[(colon + 1)..] : null);
        return new ToolCallDescription("read", PathSubject(args, path is { Length: > 0 } ? path : ".")) { Details = rev is null ? null : "revision: " + rev };
    }

    /// <summary>
    /// A <c>stage</c> of the paths (each decided like a file write, so the sandbox and <c>write(…)</c> rules apply). The
    /// action makes <c>accept-edits</c> ask, as it does for a commit: the mode accepts edits of files, not what the
    /// repository records (docs/permissions.md).
    /// </summary>
    public static ToolCallDescription Add(AIFunctionArguments args) => new("stage", PathsSubject(args));

    /// <summary>
    /// A <c>restore</c>, with a preview of what it discards: git runs (for the preview) are awaited with the call's token,
    /// so Ctrl+C while the preview is built cancels the call instead of holding it up to the preview's time limit.
    /// </summary>
    public async ValueTask<ToolCallDescription> RestoreAsync(AIFunctionArguments args, CancellationToken cancellationToken)
    {
        var subject = PathsSubject(args);
        var staged = args.GetOptionalBoolean("staged") ?? false;
        var worktree = args.GetOptionalBoolean("worktree") ?? !staged;
        var source = args.GetOptionalString("source");
        return new ToolCallDescription("write", subject)
        {
            // Restoring the working tree rewrites each path (a folder or pattern: everything under it).
            Paths = worktree ? [.. (args.GetOptionalStringArray("paths") ?? []).Select(path => new ToolCallPath(WrittenPath(path), ToolEffect.Write))] : [],
            Details = await PreviewAsync(args, async (repo, ct) =>
            {
                var pathspecs = ChangeTools.Pathspecs(repo, args.GetOptionalStringArray("paths")?.ToArray(), "git_restore");
                List<string> compare = !worktree ? ["--cached"] : staged || source is not null ? ["--end-of-options", source ?? "HEAD"] : [];
                var diff = await repo.ReadAsync(["diff", "--no-ext-diff", "--stat", "--patch", .. compare, "--", .. pathspecs], MaxDetails + 1, ct).ConfigureAwait(false);
                var title = worktree
                    ? "Working-tree changes that will be discarded (they cannot be recovered):"
                    : "Staged changes that will be unstaged (the working tree keeps them):";
                return diff.Output.Trim().Length == 0 ? "No changes to restore in these paths." : title + "\n" + diff.Output;
            }, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>
    /// A commit runs the repository's hooks (and a signature program when commits are signed): when any would run, the
    /// call is an <c>execute</c> decision naming those programs (the subject is the hook command line the permission
    /// rules match, e.g. <c>shell(.git/hooks/pre-commit)</c>); otherwise a <c>write</c> on the branch. Awaited with the
    /// call's token, like <see cref="RestoreAsync"/>.
    /// </summary>
    public async ValueTask<ToolCallDescription> CommitAsync(AIFunctionArguments args, CancellationToken cancellationToken)
    {
        string? branch = null;
        IReadOnlyList<string>? programs = null;
        var details = await PreviewAsync(args, async (repo, ct) =>
        {
            branch = await repo.CurrentBranchAsync(ct).ConfigureAwait(false) ?? "HEAD (detached)";
            programs = await CommitPrograms.FindAsync(repo, ct).ConfigureAwait(false);
            var message = CommitMessage.Compose(args.GetOptionalString("message"), CommitMessage.Trailer(settings, Model(args)), settings.GeneratedWith);
            var status = await StatusAndDiffTools.ReadStatusAsync(repo, [], ct).ConfigureAwait(false);
            var text = new StringBuilder();
            if (programs.Count > 0)
            {
                text.Append("The commit runs these programs from the repository's configuration:\n");
                foreach (var program in programs)
                {
                    text.Append("  ").Append(program).Append('\n');
                }

                text.Append('\n');
            }

            text.Append("Commit on ").Append(branch).Append(" with the message:\n\n").Append(message).Append('\n');
            text.Append("Staged changes (").Append(status.Staged.Count).Append("):\n");
            foreach (var entry in status.Staged)
            {
                text.Append("  ").Append(entry.Change).Append(": ").Append(entry.From is null ? string.Empty : repo.Display(entry.From) + " -> ").Append(repo.Display(entry.Path)).Append('\n');
            }

            return text.ToString();
        }, cancellationToken).ConfigureAwait(false);
        if (programs is { Count: > 0 } run)
        {
            return new ToolCallDescription("execute", string.Join(" && ", run.Select(CommitPrograms.Quote))) { Details = details };
        }

        return new ToolCallDescription("write", branch ?? "HEAD") { Details = details };
    }

    public static ToolCallDescription BranchCreate(AIFunctionArguments args) =>
        new("write", args.GetOptionalString("name")) { Details = $"Create branch '{args.GetOptionalString("name")}' at {args.GetOptionalString("start_point") ?? "HEAD"} (the current branch does not change)." };

    public static ToolCallDescription Switch(AIFunctionArguments args)
    {
        var branch = args.GetOptionalString("branch");
        var create = args.GetOptionalBoolean("create") ?? false;
        return new ToolCallDescription("write", branch)
        {
            Details = create
                ? $"Create branch '{branch}' at {args.GetOptionalString("start_point") ?? "HEAD"} and switch to it."
                : $"Switch the working tree to branch '{branch}' (git refuses if uncommitted changes would be lost).",
        };
    }

    /// <summary>The model id the host passed for this call, when it passes one.</summary>
    public static string? Model(AIFunctionArguments args) => args.GetModelId();




    private static string? Root(AIFunctionArguments args) =>
        args.Context?.TryGetValue(ToolContext.WorkspaceRootKey, out var root) == true && root is string { Length: > 0 } text ? text : null;

    /// <summary>A pathspec as the folder or file it may write: magic (<c>:(glob)…</c>) and wildcards widen it to the folder before them.</summary>
    private static string WrittenPath(string pathspec)
    {
        var path = pathspec.StartsWith(':') ? "." : pathspec;
        var wildcard = path.IndexOfAny(['*', '?', '[']);
        if (wildcard < 0)
        {
            return path.Length == 0 ? "." : path;
        }

        var slash = path[..wildcard].Replace('\\', '/').LastIndexOf('/');
        return slash <= 0 ? "." : path[..slash];
    }

    /// <summary>The paths, one a line (a single path is a path the permission engine checks; several are shown as a list).</summary>
    private static string PathsSubject(AIFunctionArguments args) =>
        string.Join('\n', (args.GetOptionalStringArray("paths") ?? []).Select(path => PathSubject(args, path)));

    /// <summary>A path relative to the project root, or its absolute real path when it is outside, so the permission engine sees that.</summary>
    private static string PathSubject(AIFunctionArguments args, string path)
    {
        if (Root(args) is not { } root || path.StartsWith('-') || path.Contains('\0', StringComparison.Ordinal))
        {
            return path;
        }

        try
        {
            var paths = new WorkspacePaths(root);
            return paths.Resolve(path) is { } full ? paths.Relative(full) : WorkspacePaths.RealPath(Path.GetFullPath(path, paths.Root));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return path;
        }
    }

    /// <summary>
    /// Runs a preview against the repository, bounded in time; <see langword="null"/> when it cannot be made. The call's
    /// cancellation is not swallowed: it ends the description (and so the call).
    /// </summary>
    private async ValueTask<string?> PreviewAsync(AIFunctionArguments args, Func<GitRepository, CancellationToken, Task<string>> build, CancellationToken cancellationToken)
    {
        if (Root(args) is not { } root)
        {
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PreviewTimeout);
        try
        {
            var repo = await GitRepository.OpenAsync(new WorkspacePaths(root), settings with { Timeout = PreviewTimeout }, args.GetProcessEnvironment() ?? environment, timeout.Token).ConfigureAwait(false);
            var text = await build(repo, timeout.Token).ConfigureAwait(false);
            return TextLimit.Cut(text.TrimEnd('\n'), MaxDetails, "the call itself works on everything");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is ToolException or OperationCanceledException or IOException or UnauthorizedAccessException or ArgumentException or Win32Exception
                                       or InvalidOperationException)
        {
            // The call reports the problem itself.
            return null;
        }
    }
}
