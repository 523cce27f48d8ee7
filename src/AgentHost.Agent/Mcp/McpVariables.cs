using AgentHost.Hosting.Configuration;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// <c>${VAR}</c> and <c>${VAR:-default}</c> in an MCP server's definition, expanded from the environment as Claude
/// Code expands them in <c>.mcp.json</c>: each variable that is unset is a problem naming where it was used and the fix.
/// </summary>
internal static class McpVariables
{
    /// <summary>Expands <paramref name="text"/>, adding a problem (prefixed with <paramref name="where"/>) for each unset variable.</summary>
    public static string Expand(string text, IReadOnlyDictionary<string, string> variables, string where, List<string> problems)
    {
        var expansion = ValueExpander.Expand(text, variables);
        foreach (var unset in expansion.UnsetVariables)
        {
            problems.Add($"{where}: variable {unset} is not set, so it expands to nothing; set it, or give a default: ${{{unset}:-value}}.");
        }

        return expansion.Value;
    }
}
