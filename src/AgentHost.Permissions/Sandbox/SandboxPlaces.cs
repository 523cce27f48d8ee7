using AgentHost.Hosting;
using AgentHost.Permissions.Paths;

namespace AgentHost.Permissions.Sandbox;

/// <summary>
/// The places inside a sandbox's writable folders that a contained command must not change, because what is there
/// runs later outside the sandbox: git's redirecting files (hooks, configuration, <c>commondir</c>), the agent's
/// configuration and skill folders, other tools' hook folders. Those that exist are bound read-only
/// (<see cref="ReadOnly"/>); those that do not are kept from being made (<see cref="KeptAbsent"/>,
/// <see cref="Sdk.Tools.ProcessSandbox.AbsentPaths"/>).
/// </summary>
/// <remarks>Stateless and thread-safe; reads the file system (git folders, <c>core.hooksPath</c>) when called.</remarks>
internal static class SandboxPlaces
{
    /// <summary>
    /// What in a git folder redirects git or runs programs: its hooks, its configuration (<c>core.fsmonitor</c>,
    /// <c>core.hooksPath</c>), per-worktree configuration, <c>info/</c> (attributes, excludes, sparse-checkout) and
    /// <c>commondir</c>, which moves all of them to another folder. Folders end with <c>/</c>.
    /// </summary>
    private static readonly string[] GitRedirects = ["hooks/", "info/", "config", "config.worktree", "commondir"];

    /// <summary>The agent's and other tools' configuration at a folder's top: absent ones are kept absent. Folders end with <c>/</c>.</summary>
    private static readonly string[] ConfigurationPlaces = [".agent/", ".agents/", ".claude/", ".mcp.json"];

    /// <summary>
    /// The places kept read-only: in each writable folder, then the user's protected places; with a layout, those inside
    /// a hidden folder only when they lie in a writable folder (a session's root inside a hidden data folder keeps its
    /// <c>.git/config</c> read-only) or are kept readable (installed plugins) — binding another would show it again.
    /// </summary>
    /// <param name="writable">The writable folders.</param>
    /// <param name="home">The home directory.</param>
    /// <param name="protectedPaths">The user's protected places.</param>
    /// <param name="layout">The agent's hidden places, or <see langword="null"/>.</param>
    /// <returns>The places (absolute; some may not exist).</returns>
    public static IEnumerable<string> ReadOnly(IReadOnlyList<string> writable, string home, ProtectedPaths protectedPaths, SandboxLayout? layout)
    {
        var places = InFolders(writable, home).Concat(protectedPaths.Areas.Select(area => area.Path));
        return layout is null ? places
            : places.Where(place => writable.Any(folder => PathSandbox.IsInside(place, folder)) || layout.KeepsReadOnly(place)).Concat(layout.Readable);
    }

    /// <summary>The places to keep from being made where they do not exist: git's redirecting files and the configuration places of each writable folder.</summary>
    /// <param name="writable">The writable folders.</param>
    /// <returns>The places (folders end with <c>/</c>).</returns>
    public static IEnumerable<string> KeptAbsent(IReadOnlyList<string> writable) =>
        writable.SelectMany(folder => GitHooksPath.GitDirectories(folder).SelectMany(git => GitRedirects.Select(name => Path.Combine(git, name)))
            .Concat(ConfigurationPlaces.Select(name => Path.Combine(folder, name))));

    private static IEnumerable<string> InFolders(IReadOnlyList<string> writable, string home)
    {
        foreach (var folder in writable)
        {
            foreach (var git in GitHooksPath.GitDirectories(folder))
            {
                foreach (var name in GitRedirects)
                {
                    yield return Path.Combine(git, name.TrimEnd('/'));
                }
            }

            // A linked worktree's (or a submodule's) .git file names its git folder (gitdir:): rewritten, it would send
            // the user's next git command to a folder of the command's making, with its config and hooks.
            var dotGit = Path.Combine(folder, ".git");
            if (File.Exists(dotGit))
            {
                yield return dotGit;
            }

            if (GitHooksPath.Read(folder, home) is { } hooksPath)
            {
                yield return hooksPath;
            }

            foreach (var name in ConfigurationPlaces)
            {
                yield return Path.Combine(folder, name.TrimEnd('/'));
            }

            yield return Path.Combine(folder, ".husky");
            foreach (var skills in ProjectSkillFolders.All)
            {
                yield return Path.Combine(folder, skills);
            }
        }
    }
}
