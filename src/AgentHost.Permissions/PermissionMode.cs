using AgentHost.Sdk.Tools;

namespace AgentHost.Permissions;

/// <summary>How calls that no rule decides are treated.</summary>
public enum PermissionMode
{
    /// <summary>Read-only calls inside the sandbox run; writes, execution and network ask. The default with a TTY.</summary>
    Ask,

    /// <summary>Like <see cref="Ask"/>, and file writes inside the sandbox run too.</summary>
    AcceptEdits,

    /// <summary>Read-only: write, execute and network calls are denied and not offered to the model.</summary>
    Plan,

    /// <summary>Everything runs except deny rules, ask rules and the safety floor.</summary>
    Yolo,

    /// <summary>Anything not allowed is denied, nothing asks. The default without a TTY.</summary>
    DontAsk,
}

/// <summary>Names, parsing and defaults of <see cref="PermissionMode"/>.</summary>
public static class PermissionModes
{
    /// <summary>The names accepted by <see cref="TryParse"/>, as shown to users.</summary>
    public static IReadOnlyList<string> Names { get; } = ["ask", "accept-edits", "plan", "yolo", "dont-ask"];

    /// <summary>The user-facing name: <c>ask</c>, <c>accept-edits</c>, <c>plan</c>, <c>yolo</c> or <c>dont-ask</c>.</summary>
    /// <param name="mode">The mode.</param>
    /// <returns>The name.</returns>
    public static string ToDisplayName(this PermissionMode mode) => mode switch
    {
        PermissionMode.AcceptEdits => "accept-edits",
        PermissionMode.Plan => "plan",
        PermissionMode.Yolo => "yolo",
        PermissionMode.DontAsk => "dont-ask",
        _ => "ask",
    };

    /// <summary>Parses a mode name; case, <c>-</c> and <c>_</c> are ignored (<c>acceptEdits</c>, <c>dont_ask</c> work).</summary>
    /// <param name="text">The name.</param>
    /// <param name="mode">The mode.</param>
    /// <returns>Whether the name is known.</returns>
    public static bool TryParse(string? text, out PermissionMode mode)
    {
        mode = PermissionMode.Ask;
        var key = (text ?? string.Empty).Trim().Replace("-", string.Empty, StringComparison.Ordinal).Replace("_", string.Empty, StringComparison.Ordinal).ToLowerInvariant();
        switch (key)
        {
            case "ask" or "default":
                mode = PermissionMode.Ask;
                return true;
            case "acceptedits":
                mode = PermissionMode.AcceptEdits;
                return true;
            case "plan":
                mode = PermissionMode.Plan;
                return true;
            case "yolo" or "bypasspermissions":
                mode = PermissionMode.Yolo;
                return true;
            case "dontask":
                mode = PermissionMode.DontAsk;
                return true;
            default:
                return false;
        }
    }

    /// <summary>The mode used when none is configured: <see cref="PermissionMode.Ask"/> with a TTY, else <see cref="PermissionMode.DontAsk"/>.</summary>
    /// <param name="interactive">Whether a person can answer prompts.</param>
    /// <returns>The mode.</returns>
    public static PermissionMode Default(bool interactive) => interactive ? PermissionMode.Ask : PermissionMode.DontAsk;

    /// <summary>Whether a tool with this effect may be offered to the model at all in a mode (plan mode offers read-only tools only).</summary>
    /// <param name="effect">The tool's effect.</param>
    /// <param name="mode">The mode.</param>
    /// <returns><see langword="false"/> for write, execute or network tools in <see cref="PermissionMode.Plan"/>.</returns>
    public static bool IsOffered(ToolEffect effect, PermissionMode mode) =>
        mode != PermissionMode.Plan || (effect & (ToolEffect.Write | ToolEffect.Execute | ToolEffect.Network)) == 0;
}
