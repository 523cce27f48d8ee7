using System.Text;

namespace AgentHost.Agent.Engine;

/// <summary>The branch and working-tree state of a git repository, for the system prompt.</summary>
/// <param name="Branch">The branch name, or <c>detached at &lt;short id&gt;</c>.</param>
/// <param name="Changes">Up to the first changes in <c>git status --short</c> form (<c> M src/a.cs</c>, <c>?? new.txt</c>).</param>
/// <param name="TotalChanges">All changed, untracked and conflicted entries (the list may be shorter).</param>
public sealed record GitStatus(string Branch, IReadOnlyList<string> Changes, int TotalChanges)
{
    /// <summary>The upstream branch, when one is set.</summary>
    public string? Upstream { get; init; }

    /// <summary>Commits ahead of the upstream.</summary>
    public int Ahead { get; init; }

    /// <summary>Commits behind the upstream.</summary>
    public int Behind { get; init; }
}

/// <summary>
/// Reads <c>git status --porcelain=v2 --branch -z</c> through the <c>git</c> CLI, bounded in time and output.
/// Returns <see langword="null"/> outside a repository, when git is missing, or when it fails or takes too long.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
/// <param name="gitExecutable">The git command or path.</param>
/// <param name="timeout">How long git may take; 3 seconds when <see langword="null"/>.</param>
/// <param name="maxChanges">How many changes to list.</param>
public sealed class GitStatusReader(string gitExecutable = "git", TimeSpan? timeout = null, int maxChanges = 20)
{
    private const int MaxOutputCharacters = 256 * 1024;
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(3);

    /// <summary>Reads the status of the repository containing <paramref name="directory"/>.</summary>
    /// <param name="directory">A folder inside the working tree.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The status, or <see langword="null"/>.</returns>
    public async Task<GitStatus?> ReadAsync(string directory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!Directory.Exists(directory))
        {
            return null;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_timeout);
        Common.Processes.OwnedProcess? started;
        try
        {
            started = await Hosting.GitProcess.TryStartAsync(gitExecutable, directory, ["status", "--porcelain=v2", "--branch", "-z"], cancellationToken: limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        if (started is not { } owned)
        {
            return null;
        }

        var process = owned.Process;
        using (owned)
        {
            try
            {
                var errors = process.StandardError.ReadToEndAsync(limit.Token);
                var (output, complete) = await ReadBoundedAsync(process.StandardOutput, limit.Token).ConfigureAwait(false);
                if (!complete)
                {
                    // Enough for the prompt: stop git and drop the record cut in the middle.
                    owned.Kill();
                    return Parse(output[..Math.Max(0, output.LastIndexOf('\0'))], maxChanges);
                }

                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
                await errors.ConfigureAwait(false);
                return process.ExitCode == 0 ? Parse(output, maxChanges) : null;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            finally
            {
                owned.Kill();
            }
        }
    }

    /// <summary>Parses porcelain v2 <c>-z</c> output.</summary>
    /// <param name="output">The output.</param>
    /// <param name="maxChanges">How many changes to list.</param>
    /// <returns>The status.</returns>
    internal static GitStatus Parse(string output, int maxChanges)
    {
        string? head = null, oid = null, upstream = null;
        int ahead = 0, behind = 0, total = 0;
        var changes = new List<string>();
        var records = output.Split('\0');
        for (var i = 0; i < records.Length; i++)
        {
            var record = records[i];
            if (record.StartsWith("# ", StringComparison.Ordinal))
            {
                var parts = record.Split(' ', 3);
                var value = parts.Length > 2 ? parts[2] : string.Empty;
                switch (parts[1])
                {
                    case "branch.head": head = value; break;
                    case "branch.oid": oid = value; break;
                    case "branch.upstream": upstream = value; break;
                    case "branch.ab":
                        var counts = value.Split(' ');
                        _ = int.TryParse(counts[0].TrimStart('+'), out ahead);
                        _ = counts.Length > 1 && int.TryParse(counts[1].TrimStart('-'), out behind);
                        break;
                }

                continue;
            }

            var change = record.Length < 2 ? null : record[0] switch
            {
                '1' => Entry(record, 9, null),
                '2' => Entry(record, 10, i + 1 < records.Length ? records[++i] : null),
                'u' => Entry(record, 11, null),
                '?' => "?? " + record[2..],
                _ => null,
            };
            if (change is not null && ++total <= maxChanges)
            {
                changes.Add(change);
            }
        }

        var branch = head is null or "(detached)"
            ? $"detached at {(oid is { Length: >= 7 } id ? id[..7] : "unknown")}"
            : head;
        return new GitStatus(branch, changes, total) { Upstream = upstream, Ahead = ahead, Behind = behind };
    }

    private static string? Entry(string record, int fields, string? originalPath)
    {
        var parts = record.Split(' ', fields);
        if (parts.Length < fields)
        {
            return null;
        }

        var state = parts[1].Replace('.', ' ');
        var path = parts[fields - 1];
        return originalPath is null ? $"{state} {path}" : $"{state} {originalPath} -> {path}";
    }

    private static async Task<(string Output, bool Complete)> ReadBoundedAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        var builder = new StringBuilder();
        var buffer = new char[8192];
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (builder.Length + read > MaxOutputCharacters)
            {
                builder.Append(buffer, 0, MaxOutputCharacters - builder.Length);
                return (builder.ToString(), false);
            }

            builder.Append(buffer, 0, read);
        }

        return (builder.ToString(), true);
    }
}
