namespace AgentHost.Sdk.Tools;

/// <summary>
/// Whether a tool may return the content of one file: the same read decision the host's permission rules make for a
/// single-path read (deny and ask rules, the safety floor, the sandbox). Get it with <see cref="ToolContext.CheckRead"/>.
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class ReadAccess
{
    private ReadAccess(bool allowed, string? reason)
    {
        Allowed = allowed;
        Reason = reason;
    }

    /// <summary>The content may be returned.</summary>
    public static ReadAccess Allow { get; } = new(true, null);

    /// <summary>Whether the content may be returned.</summary>
    public bool Allowed { get; }

    /// <summary>Why not, when not allowed (for example <c>denied by rule read(.env) (…/config.yaml:4)</c>); otherwise <see langword="null"/>.</summary>
    public string? Reason { get; }

    /// <summary>A refusal.</summary>
    /// <param name="reason">Why the content may not be returned.</param>
    /// <returns>The decision.</returns>
    public static ReadAccess Deny(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new ReadAccess(false, reason);
    }

    /// <inheritdoc />
    public override string ToString() => Allowed ? "allowed" : "denied: " + Reason;
}
