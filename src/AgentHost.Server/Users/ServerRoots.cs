using System.Globalization;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Sdk.Tools;
using AgentHost.Sessions;

namespace AgentHost.Server.Users;

/// <summary>
/// The workspace roots a server's users may work in (docs/server.md "Workspace roots"): <c>server.user_roots.NAME</c>
/// for one user, else <c>server.role_roots.ROLE</c> for their role, else <c>server.roots</c> for everyone, else only the
/// server's own root (<c>--root</c>). A session's root must be one of them or inside one, after symbolic links are
/// resolved, so that <c>"root": "/"</c> or a link out of an allowed folder is refused.
/// </summary>
/// <remarks>Immutable; thread-safe.</remarks>
public sealed class ServerRoots
{
    private readonly IReadOnlyList<string> _everyone;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _byRole;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _byUser;

    private ServerRoots(IReadOnlyList<string> everyone, IReadOnlyDictionary<string, IReadOnlyList<string>> byRole, IReadOnlyDictionary<string, IReadOnlyList<string>> byUser)
    {
        _everyone = everyone;
        _byRole = byRole;
        _byUser = byUser;
    }

    /// <summary>Only the server's own root, for everyone.</summary>
    /// <param name="serverRoot">The server's root.</param>
    /// <returns>The roots.</returns>
    public static ServerRoots Only(string serverRoot) =>
        new([Real(serverRoot)], new Dictionary<string, IReadOnlyList<string>>(), new Dictionary<string, IReadOnlyList<string>>());

    /// <summary>Reads <c>server.roots</c>, <c>server.role_roots</c> and <c>server.user_roots</c> (absolute folders, or relative to the server's root).</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="serverRoot">The server's root: the only one when nothing is configured, and what relative entries are relative to.</param>
    /// <returns>The roots.</returns>
    /// <exception cref="AgentHostException">A role that does not exist, or an empty entry (<see cref="ErrorKind.Configuration"/>).</exception>
    public static ServerRoots From(ConfigurationSnapshot configuration, string serverRoot)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(serverRoot);
        var everyone = Lists(configuration.GetSection("server.roots"), "server.roots", serverRoot, named: false);
        var byRole = Lists(configuration.GetSection("server.role_roots"), "server.role_roots", serverRoot, named: true);
        foreach (var role in byRole.Keys)
        {
            UserNames.ParseRole(role, $"server.role_roots.{role}");
        }

        var byUser = Lists(configuration.GetSection("server.user_roots"), "server.user_roots", serverRoot, named: true);
        return new ServerRoots(everyone.GetValueOrDefault(string.Empty) ?? [Real(serverRoot)], byRole, byUser);
    }

    /// <summary>
    /// Every root some caller may use (<c>server.roots</c>, each role's and each user's; the server's own root when none
    /// is configured), real paths, without repeats: the workspaces a cluster node serves (docs/cluster.md "Workspaces").
    /// </summary>
    public IReadOnlyList<string> All =>
        [.. _everyone.Concat(_byRole.Values.SelectMany(r => r)).Concat(_byUser.Values.SelectMany(r => r)).Distinct(StringComparer.Ordinal)];

    /// <summary>The roots <paramref name="caller"/> may use.</summary>
    internal IReadOnlyList<string> For(ServerCaller caller) =>
        _byUser.GetValueOrDefault(caller.Name) ?? _byRole.GetValueOrDefault(UserNames.RoleName(caller.Role)) ?? _everyone;

    /// <summary>Checks that <paramref name="root"/> (a full path) is one of the caller's roots or inside one.</summary>
    /// <returns>The root.</returns>
    /// <exception cref="AgentHostException">It is not (<see cref="ErrorKind.Denied"/>, naming the allowed roots).</exception>
    internal string Check(ServerCaller caller, string root, string? requested) => CheckInside(caller, root, "root", requested, "a folder");

    /// <summary>
    /// Checks that <paramref name="path"/> (a full path, a file or a folder, which need not exist) is inside one of the
    /// caller's roots once symbolic links are resolved: every path a request carries passes here (docs/server.md
    /// "Plugins and files a member names"), before anything reads it, so that whether something outside exists does not leak.
    /// </summary>
    /// <param name="caller">Who sent it.</param>
    /// <param name="path">The full path.</param>
    /// <param name="field">The request's field, for the message (<c>root</c>, <c>workflow</c>, <c>plugins[1]</c>).</param>
    /// <param name="requested">The path as the request wrote it, for the message.</param>
    /// <param name="what">What to give instead, for the message (<c>a folder</c>, <c>a file</c>).</param>
    /// <returns>The path.</returns>
    /// <exception cref="AgentHostException">It is not (<see cref="ErrorKind.Denied"/>, naming the field and the allowed roots).</exception>
    internal string CheckInside(ServerCaller caller, string path, string field, string? requested, string what)
    {
        if (Allows(caller, path))
        {
            return path;
        }

        var list = string.Join(", ", For(caller));
        throw new AgentHostException(
            ErrorKind.Denied,
            $"{field} {requested ?? path}: outside the roots this server lets user '{caller.Name}' use ({list}); give {what} inside one of them, or ask the server's operator to add it to server.roots (or server.role_roots / server.user_roots), see docs/server.md \"Workspace roots\".");
    }

    /// <summary>Whether <paramref name="root"/> (a full path) is one of the caller's roots or inside one.</summary>
    internal bool Allows(ServerCaller caller, string root)
    {
        var real = Real(root);
        return For(caller).Any(a => Inside(real, a));
    }

    private static bool Inside(string real, string allowed) =>
        real.Equals(allowed, StringComparison.Ordinal)
        || (real.StartsWith(allowed, StringComparison.Ordinal) && (allowed.EndsWith(Path.DirectorySeparatorChar) || real[allowed.Length] == Path.DirectorySeparatorChar));

    private static string Real(string path)
    {
        var real = WorkspacePaths.RealPath(Path.GetFullPath(path));
        var top = Path.GetPathRoot(real) ?? string.Empty;
        return real.Length > top.Length ? real.TrimEnd(Path.DirectorySeparatorChar) : real;
    }

    /// <summary>The lists of a section: <c>0, 1, …</c> (one unnamed list, key <c>""</c>) or <c>NAME.0, NAME.1, …</c> (a list per name).</summary>
    private static Dictionary<string, IReadOnlyList<string>> Lists(IReadOnlyDictionary<string, string> section, string key, string serverRoot, bool named)
    {
        var lists = new Dictionary<string, List<(int Index, string Path)>>(StringComparer.Ordinal);
        foreach (var (subKey, value) in section)
        {
            var dot = subKey.LastIndexOf('.');
            var name = named ? (dot > 0 ? subKey[..dot] : subKey) : string.Empty;
            var indexText = named ? (dot > 0 ? subKey[(dot + 1)..] : string.Empty) : subKey;
            if (!int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                throw new AgentHostException(ErrorKind.Configuration, $"{key}.{subKey}: not a list of folders; write e.g. {key}{(named ? ".NAME" : string.Empty)}: [/srv/repos].");
            }

            var list = lists.TryGetValue(name, out var found) ? found : lists[name] = [];

            if (value.Trim().Length == 0)
            {
                throw new AgentHostException(ErrorKind.Configuration, $"{key}.{subKey}: an empty folder; give an absolute folder (or one relative to the server's root), or remove the entry.");
            }

            list.Add((index, Real(Path.GetFullPath(value.Trim(), serverRoot))));
        }

        return lists.ToDictionary(l => l.Key, l => (IReadOnlyList<string>)[.. l.Value.OrderBy(i => i.Index).Select(i => i.Path)], StringComparer.Ordinal);
    }
}
