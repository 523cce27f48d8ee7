using AgentHost.Agent.Context;
using AgentHost.Hosting;

namespace AgentHost.Cli.Chat;

/// <summary>
/// <c>@path</c> completion: the project's files as the session's context references see them (<c>@path</c> in a
/// prompt is expanded by <see cref="ContextReferenceExpander"/>: a file is inlined, a directory listed), listed once
/// per chat the way an <c>@directory</c> reference lists them (git's tracked and not-ignored files, .gitignore
/// respected; a plain walk outside a repository, skipping <c>.git</c>, <c>node_modules</c>, <c>bin</c> and
/// <c>obj</c>), without what the project's agent ignore files exclude (<see cref="AgentIgnoreFiles"/>: such a
/// reference would not be expanded), and matched by prefix, a path segment at a time.
/// </summary>
/// <remarks>
/// The listing repeats the one of the engine's internal <c>DirectoryContext</c> (the CLI's assembly, <c>agent</c>, does
/// not see the engine's internals) on the public <see cref="GitProcess"/>.
/// </remarks>
internal sealed class FileMentions(string root)
{
    /// <summary>At most this many files are listed (a huge tree completes from the first ones).</summary>
    public const int MaxFiles = 50_000;

    /// <summary>At most this many candidates are offered.</summary>
    public const int MaxCandidates = 40;

    private Task<IReadOnlyList<string>>? _files;

    /// <summary>
    /// The resource URIs of the session's MCP server of a name (empty for no such server): <c>@SERVER:</c> then completes
    /// them (<c>@SERVER:URI</c> reads the resource). <see langword="null"/>: only files are completed.
    /// </summary>
    public Func<string, CancellationToken, Task<IReadOnlyList<string>>>? McpResources { get; init; }

    /// <summary>Starts listing the files (in the background) so the first Tab does not wait.</summary>
    public void Prefetch() => _files ??= Task.Run(ListAsync);

    /// <summary>
    /// The completions of <paramref name="prefix"/> (what follows the <c>@</c>): the next path segment of each matching
    /// file, a directory ending in <c>/</c>; sorted, at most <see cref="MaxCandidates"/>.
    /// </summary>
    public async Task<IReadOnlyList<string>> CompleteAsync(string prefix, CancellationToken cancellationToken)
    {
        if (McpResources is { } resources && prefix.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 && !prefix[..colon].Contains('/', StringComparison.Ordinal))
        {
            var server = prefix[..colon];
            var uris = await resources(server, cancellationToken).ConfigureAwait(false);
            if (uris.Count > 0)
            {
                return [.. uris.Select(u => $"{server}:{u}").Where(r => r.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).Take(MaxCandidates)];
            }
        }

        Prefetch();
        var files = await _files!.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Complete(files, prefix);
    }

    /// <summary>The completions of <paramref name="prefix"/> among <paramref name="files"/> (paths with <c>/</c>).</summary>
    internal static IReadOnlyList<string> Complete(IEnumerable<string> files, string prefix)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var candidates = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (!file.StartsWith(prefix, comparison))
            {
                continue;
            }

            var slash = file.IndexOf('/', prefix.Length);
            candidates.Add(slash < 0 ? file : file[..(slash + 1)]);
            if (candidates.Count > MaxCandidates * 4)
            {
                break;
            }
        }

        return [.. candidates.Take(MaxCandidates)];
    }

    private async Task<IReadOnlyList<string>> ListAsync()
    {
        try
        {
            var output = await GitProcess.TryReadAsync("git", root, ["ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", "."], root).ConfigureAwait(false);
            IEnumerable<string> files = output is not null ? output.Split('\0', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal) : Walk(root);
            var ignore = new AgentIgnoreFiles(root);
            return [.. files.Select(f => f.Replace('\\', '/'))
                .Where(f => !f.Any(char.IsWhiteSpace) && !f.Contains('@', StringComparison.Ordinal) && !ignore.IsExcluded(f, isDirectory: false))
                .Take(MaxFiles).Order(StringComparer.Ordinal)];
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static IEnumerable<string> Walk(string root)
    {
        var pending = new Stack<string>([root]);
        while (pending.TryPop(out var current))
        {
            foreach (var entry in new DirectoryInfo(current).EnumerateFileSystemInfos())
            {
                if (entry is DirectoryInfo directory && entry.LinkTarget is null && directory.Name is not (".git" or "node_modules" or "bin" or "obj"))
                {
                    pending.Push(directory.FullName);
                }
                else if (entry is FileInfo)
                {
                    yield return Path.GetRelativePath(root, entry.FullName);
                }
            }
        }
    }
}
