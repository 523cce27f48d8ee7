using System.Text;

namespace AgentHost.Agent.Mcp;

/// <summary>Server names and the tool names made from them: <c>mcp__SERVER__TOOL</c>, the convention peers and permission rules use.</summary>
public static class McpServerNames
{
    /// <summary>The prefix of every MCP tool's name.</summary>
    public const string ToolPrefix = "mcp__";

    /// <summary>The longest tool name model APIs accept.</summary>
    private const int MaxToolName = 64;

    /// <summary>Whether a server name is usable: letters, digits, '-' and '_', not empty.</summary>
    public static bool IsValid(string name) => name.Length is > 0 and <= 40 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Whether <paramref name="toolName"/> is one of <paramref name="server"/>'s tools (<c>mcp__SERVER__…</c>).</summary>
    public static bool IsToolOf(string toolName, string server) =>
        toolName.Length > ToolPrefix.Length + server.Length + 2
        && toolName.StartsWith(ToolPrefix, StringComparison.Ordinal)
        && toolName.AsSpan(ToolPrefix.Length).StartsWith(server, StringComparison.Ordinal)
        && toolName.AsSpan(ToolPrefix.Length + server.Length).StartsWith("__", StringComparison.Ordinal);

    /// <summary>The model-facing name of a server's tool: characters models reject become '_', cut at 64.</summary>
    public static string ToolName(string server, string tool)
    {
        var name = new StringBuilder(ToolPrefix).Append(server).Append("__");
        foreach (var c in tool)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        return name.Length <= MaxToolName ? name.ToString() : name.ToString(0, MaxToolName);
    }
}
