using AgentHost.Hosting;
using AgentHost.Permissions.Paths;

namespace AgentHost.Permissions.Sandbox;

/// <summary>
/// What the operating-system sandbox hides of the agent's own places, computed in one place (docs/sandbox.md "What the
/// sandbox hides"). Every sandbox, the CLI's included, hides the agent's records: the sessions database and its
/// journal files (<c>-wal</c>, <c>-shm</c>, <c>-journal</c>), the logs, the chat history and the stored credentials;
/// installed plugins and skills stay readable so that their scripts run. A server's sessions (<see cref="ForServer"/>)
/// also lose the server's data and configuration folders (all of them, the store's files, caches and logs included), its
/// Unix socket and every workspace root of the server except the session's own (docs/sandbox.md "Layout for server
/// sessions"), the same on every node of a cluster.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class SandboxLayout
{
    private static readonly string[] DatabaseSuffixes = [string.Empty, "-wal", "-shm", "-journal"];

    private SandboxLayout(IReadOnlyList<string> hidden, IReadOnlyList<string> readable, IReadOnlyList<string> roots, string? temporaryFolder = null)
    {
        Hidden = hidden;
        Readable = readable;
        Roots = roots;
        TemporaryFolder = temporaryFolder;
    }

    /// <summary>The places hidden from every process of the sandbox (absolute; files or folders).</summary>
    public IReadOnlyList<string> Hidden { get; }

    /// <summary>Folders inside <see cref="Hidden"/> folders that stay readable (installed plugins, skill folders).</summary>
    public IReadOnlyList<string> Readable { get; }

    /// <summary>The server's workspace roots, hidden except where they lie inside the session's own writable folders.</summary>
    public IReadOnlyList<string> Roots { get; }

    /// <summary>
    /// Where a server's sandboxes keep their temporary folders (<c>agent-serve-PID</c> in the system's temporary
    /// folder: one per server process), hidden like <see cref="Roots"/>: every other session's sandbox folder lies in it,
    /// now and later. Each sandbox's own folder (<c>TMPDIR</c>) is bound again inside it. <see langword="null"/> for one
    /// user's layout, whose sandbox folders lie in the system's temporary folder itself.
    /// </summary>
    public string? TemporaryFolder { get; }

    /// <summary>The temporary folder of a sandbox named <paramref name="owner"/> (a session id, <c>mcp…</c>, <c>lsp…</c>): <c>agent-sandbox-OWNER</c> in <see cref="TemporaryFolder"/>, else in the system's temporary folder.</summary>
    /// <param name="owner">The sandbox's owner.</param>
    /// <returns>The folder's path (made by the policy at its first sandboxed call).</returns>
    public string TemporaryFolderOf(string owner) => Path.Combine(TemporaryFolder ?? Path.GetTempPath(), FolderName(owner));

    /// <summary>The name of a sandbox's temporary folder: <c>agent-sandbox-OWNER</c>, the owner's letters and digits only.</summary>
    /// <param name="owner">The sandbox's owner (a session id, <c>mcp…</c>, <c>lsp…</c>).</param>
    /// <returns>The folder's name.</returns>
    public static string FolderName(string owner)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        return "agent-sandbox-" + string.Concat(owner.Where(char.IsAsciiLetterOrDigit));
    }

    /// <summary>The agent's records for one user (<c>agent run</c>, the chat): what <see cref="Hidden"/> holds in every sandbox.</summary>
    /// <param name="paths">The agent's folders.</param>
    /// <param name="credentialFiles">The agent's stored credentials (its key store).</param>
    /// <returns>The layout.</returns>
    public static SandboxLayout ForAgent(AgentPaths paths, IEnumerable<string> credentialFiles)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return new SandboxLayout([.. Records(paths, credentialFiles ?? [])], [], []);
    }

    /// <summary>
    /// The layout of a server's sessions: the agent's records, and the server's data and configuration folders, its socket
    /// and its workspace roots, with installed plugins and skill folders kept readable.
    /// </summary>
    /// <param name="paths">The server's folders (<c>AGENT_HOME</c>, or the XDG folders).</param>
    /// <param name="credentialFiles">The server's stored credentials.</param>
    /// <param name="roots">Every workspace root of the server (<c>server.roots</c>, each role's and user's, its own).</param>
    /// <param name="socket">The server's Unix socket (<c>--socket</c>), when it listens on one.</param>
    /// <param name="readable">Folders to keep readable inside the hidden ones (installed plugins, user skill folders).</param>
    /// <returns>The layout.</returns>
    public static SandboxLayout ForServer(AgentPaths paths, IEnumerable<string> credentialFiles, IEnumerable<string> roots, string? socket, IEnumerable<string> readable)
    {
        ArgumentNullException.ThrowIfNull(paths);
        List<string> hidden = [.. Records(paths, credentialFiles ?? []), paths.DataDirectory, paths.ConfigDirectory];
        if (socket is { Length: > 0 })
        {
            hidden.Add(Full(socket));
        }

        return new SandboxLayout(
            [.. hidden.Select(Full).Distinct(StringComparer.Ordinal)],
            [.. (readable ?? []).Append(paths.PluginsDirectory).Select(Full).Distinct(StringComparer.Ordinal)],
            [.. (roots ?? []).Select(Full).Distinct(StringComparer.Ordinal)],
            Full(Path.Combine(Path.GetTempPath(), "agent-serve-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture))));
    }

    /// <summary>
    /// What a sandbox whose writable folders are <paramref name="writable"/> hides: <see cref="Hidden"/>, and each root
    /// (and the sandboxes' <see cref="TemporaryFolder"/>) that is not one of those folders or inside one (a root above the session's
    /// is hidden too; the session's own folder is bound again inside it).
    /// </summary>
    /// <param name="writable">The sandbox's writable folders (absolute).</param>
    /// <returns>The places.</returns>
    public IEnumerable<string> HiddenFor(IReadOnlyList<string> writable)
    {
        ArgumentNullException.ThrowIfNull(writable);
        var folders = TemporaryFolder is null ? Roots : Roots.Append(TemporaryFolder);
        return Hidden.Concat(folders.Where(folder => !writable.Any(own => PathSandbox.IsInside(folder, own))));
    }

    /// <summary>Whether a read-only place stays bound: it is not inside a hidden folder, or it is one of <see cref="Readable"/> or inside one.</summary>
    /// <param name="place">A read-only place (absolute).</param>
    /// <returns>Whether it is bound.</returns>
    public bool KeepsReadOnly(string place) =>
        Readable.Any(folder => PathSandbox.IsInside(place, folder)) || !Hidden.Any(hidden => PathSandbox.IsInside(place, hidden));

    private static IEnumerable<string> Records(AgentPaths paths, IEnumerable<string> credentialFiles) =>
        DatabaseSuffixes.Select(suffix => paths.SessionsDatabase + suffix)
            .Append(paths.LogsDirectory)
            .Append(Path.Combine(paths.DataDirectory, ChatHistoryFileName))
            .Concat(credentialFiles)
            .Select(Full);

    /// <summary>The chat's prompt history in the data folder.</summary>
    private const string ChatHistoryFileName = "chat-history.jsonl";

    private static string Full(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
}
