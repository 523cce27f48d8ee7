using System.Text.Json;
using AgentHost.Sdk.Tools;

namespace AgentHost.Cluster;

/// <summary>
/// The workspace roots a node serves (its server's roots, <see cref="Server.Users.ServerRoots.All"/>), as it publishes
/// them to the cluster (Orleans' silo metadata), and the placement choice they steer (docs/cluster.md "Workspaces").
/// </summary>
/// <param name="Roots">Full paths; <c>/</c> serves every workspace.</param>
internal sealed record NodeWorkspaces(IReadOnlyList<string> Roots)
{
    /// <summary>The silo metadata key whose value is the node's roots as a JSON array of strings.</summary>
    public const string MetadataKey = "agenthost.workspace-roots";

    /// <summary>The roots as published.</summary>
    public string ToMetadata() => JsonSerializer.Serialize(Roots, ClusterJson.Default.IReadOnlyListString);

    /// <summary>A node's roots from its metadata, or <see langword="null"/> when they are not known (not published, or not yet fetched).</summary>
    public static IReadOnlyList<string>? FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(MetadataKey, out var text))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(text, ClusterJson.Default.IReadOnlyListString);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Where a session of <paramref name="root"/> is placed: on <paramref name="local"/> when it serves the root (a client
    /// that keeps to one node pays no extra hop), else on a node that serves it, chosen at random (spread).
    /// </summary>
    /// <typeparam name="T">What names a node (a silo address; anything in tests).</typeparam>
    /// <param name="root">The session's root (a full path).</param>
    /// <param name="nodes">The active nodes that can hold the session, with their roots (<see langword="null"/>: not known yet).</param>
    /// <param name="local">This node, when it is active and among <paramref name="nodes"/>; else <see langword="null"/>.</param>
    /// <param name="clusterId">The cluster's name, for the error.</param>
    /// <param name="random">Picks among the nodes that serve the root.</param>
    /// <returns>The node.</returns>
    /// <exception cref="WorkspaceNotServedException">No node serves the root.</exception>
    public static T Choose<T>(string root, IReadOnlyList<WorkspaceNode<T>> nodes, T? local, string clusterId, Random random)
        where T : class
    {
        var forms = Forms(root);
        var serving = nodes.Where(n => n.Roots is { } roots && Serves(roots, forms)).ToList();
        if (local is not null && serving.Any(n => n.Node.Equals(local)))
        {
            return local;
        }

        if (serving.Count > 0)
        {
            return serving[random.Next(serving.Count)].Node;
        }

        var unknown = nodes.Any(n => n.Roots is null);
        var listed = nodes.Count == 0
            ? "no node is active"
            : "nodes serve: " + string.Join("; ", nodes.Select(n => $"{n.Name} {(n.Roots is { } roots ? string.Join(", ", roots) : "(not known yet)")}"));
        throw new WorkspaceNotServedException(
            $"no node of cluster {clusterId} serves workspace {root}; {listed}. "
            + (unknown ? "A node that has just joined tells its roots within seconds: try again shortly. " : string.Empty)
            + "Start a node whose server.roots (or --root) hold the workspace, with the folder at the same path (docs/cluster.md \"Workspaces\").",
            unknown);
    }

    /// <summary>Whether one of <paramref name="roots"/> is the root or holds it.</summary>
    public static bool Serves(IReadOnlyList<string> roots, string root) => Serves(roots, Forms(root));

    private static bool Serves(IReadOnlyList<string> roots, IReadOnlyList<string> forms) =>
        roots.Any(r => forms.Any(f => Inside(f, Trim(r))));

    /// <summary>The root as given and with its symbolic links resolved (where they exist here), both trimmed.</summary>
    private static string[] Forms(string root)
    {
        var full = Path.GetFullPath(root);
        return [.. new[] { Trim(full), Trim(WorkspacePaths.RealPath(full)) }.Distinct(StringComparer.Ordinal)];
    }

    private static bool Inside(string path, string root) =>
        path.Equals(root, StringComparison.Ordinal)
        || (path.StartsWith(root, StringComparison.Ordinal) && (root.EndsWith(Path.DirectorySeparatorChar) || path[root.Length] == Path.DirectorySeparatorChar));

    private static string Trim(string path)
    {
        var top = Path.GetPathRoot(path) ?? string.Empty;
        return path.Length > top.Length ? path.TrimEnd(Path.DirectorySeparatorChar) : path;
    }
}

/// <summary>A node that can hold a session, named for errors, with the roots it serves (<see langword="null"/>: not known yet).</summary>
/// <typeparam name="T">What names a node.</typeparam>
internal readonly record struct WorkspaceNode<T>(T Node, string Name, IReadOnlyList<string>? Roots);
