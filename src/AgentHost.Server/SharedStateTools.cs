using AgentHost.Sessions;

namespace AgentHost.Server;

/// <summary>
/// The model tools that act on what every session of an engine shares (docs/server.md "Users and roles"): on a shared
/// server they are refused in every session a non-admin creates or steers, through the session's <c>deny_tools</c>, so
/// that a member's model cannot do what the API lets only admins do.
/// </summary>
/// <remarks>
/// <c>lsp_control</c> starts, stops and restarts the engine's language servers (the API's <c>/v1/lsp</c> is admin-only);
/// <c>job_list</c>, <c>job_output</c> and <c>job_kill</c> list, read and stop the background jobs of every session of the
/// engine (one job table per shell plugin). Stateless and thread-safe.
/// </remarks>
internal static class SharedStateTools
{
    /// <summary>The refused tools, by plain name.</summary>
    public static IReadOnlyList<string> Names { get; } = ["lsp_control", "job_list", "job_output", "job_kill"];

    /// <summary>The names of <see cref="Names"/> as a session-policy layer (<c>deny_tools</c>), for what has no stored settings (a workflow run's nodes).</summary>
    public static AgentHost.Permissions.Rules.SessionPolicy Policy { get; } =
        AgentHost.Permissions.Rules.SessionPolicy.TryCreate(null, null, null, null, denyTools: Names, out var policy, out var error) ? policy : throw new InvalidOperationException(error);

    /// <summary>Whether the tools are refused in sessions <paramref name="caller"/> creates or steers: for everyone but admins (the server's own token is one).</summary>
    public static bool AppliesTo(Users.ServerCaller caller) => caller.Role != ServerRole.Admin;

    /// <summary>A <c>deny_tools</c> value in stored form with every name of <see cref="Names"/> in it, or <see langword="null"/> when <paramref name="stored"/> has them all.</summary>
    /// <param name="stored">The stored or requested <c>deny_tools</c>, if any.</param>
    /// <returns>The value to store.</returns>
    public static string? WithNames(string? stored)
    {
        var names = SessionSettingValues.Names(stored) ?? [];
        var missing = Names.Where(n => !names.Contains(n, StringComparer.Ordinal)).ToList();
        return missing.Count == 0 ? null : string.Join(",", names.Concat(missing));
    }
}
