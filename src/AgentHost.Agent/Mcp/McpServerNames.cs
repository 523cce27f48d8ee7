using System.Text;
using AgentHost.Common.Hashing;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Loading;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// Server names and the tool names made from them: <c>mcp__SERVER__TOOL</c>, the convention peers and permission rules
/// use. Both halves are kept unambiguous, so a name (and a rule such as <c>mcp__github__*</c>) reaches one server's one
/// tool: a server name holds no <c>__</c> and does not end in <c>_</c> (so <c>mcp__SERVER__</c> begins no other server's
/// names), and a tool whose name had to change — characters model APIs reject, or cut to fit 64 — ends in a hash of its
/// real name, so two such tools of one server never share a name.
/// </summary>
public static class McpServerNames
{
    /// <summary>The prefix of every MCP tool's name.</summary>
    public const string ToolPrefix = PluginHost.McpToolPrefix;

    /// <summary>What a usable server name is, for messages.</summary>
    public const string Rule = "use at most 40 letters, digits, '-' and '_', without '__' and not ending in '_' (the name begins its tools' names, mcp__SERVER__TOOL)";

    /// <summary>The longest tool name model APIs accept.</summary>
    private const int MaxToolName = 64;

    /// <summary>The hex digits of the hash that ends a changed tool name.</summary>
    private const int HashDigits = 8;

    /// <summary>Whether a server name is usable: letters, digits, '-' and '_', not empty, no <c>__</c>, not ending in '_'.</summary>
    public static bool IsValid(string name) =>
        name.Length is > 0 and <= 40
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
        && !name.Contains("__", StringComparison.Ordinal)
        && !name.EndsWith('_');

    /// <summary>Whether <paramref name="toolName"/> is one of <paramref name="server"/>'s tools (<c>mcp__SERVER__…</c>).</summary>
    public static bool IsToolOf(string toolName, string server) =>
        toolName.Length > ToolPrefix.Length + server.Length + 2
        && toolName.StartsWith(ToolPrefix, StringComparison.Ordinal)
        && toolName.AsSpan(ToolPrefix.Length).StartsWith(server, StringComparison.Ordinal)
        && toolName.AsSpan(ToolPrefix.Length + server.Length).StartsWith("__", StringComparison.Ordinal);

    /// <summary>
    /// The model-facing name of a server's tool: <c>mcp__SERVER__TOOL</c> when that is a valid name of at most 64
    /// characters; otherwise the characters models reject become '_', the name is cut to fit, and <c>_</c> and the first
    /// eight hex digits of the SHA-256 of the tool's real name end it.
    /// </summary>
    public static string ToolName(string server, string tool)
    {
        var head = ToolPrefix + server + "__";
        var name = new StringBuilder(tool.Length);
        foreach (var c in tool)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        if (name.Length > 0 && head.Length + name.Length <= MaxToolName && name.Equals(tool))
        {
            return head + tool;
        }

        var hash = Convert.ToHexStringLower(Sha256.HashData(Encoding.UTF8.GetBytes(tool)))[..HashDigits];
        var room = MaxToolName - head.Length - 1 - HashDigits;
        return head + name.ToString(0, Math.Min(room, name.Length)) + "_" + hash;
    }
}
