namespace AgentHost.Sdk.Tools;

/// <summary>One progress update of a running tool call: a short message for people and, when known, how far along it is.</summary>
/// <remarks>
/// Immutable and thread-safe. Report it through <see cref="ToolContext.ReportProgress"/> or an
/// <see cref="IProgress{T}"/> parameter of a tool method; the host publishes it as a
/// <see cref="Events.ToolCallProgressEvent"/> (throttled) while the call runs.
/// </remarks>
public sealed record ToolProgress
{
    /// <summary>Creates an update.</summary>
    /// <param name="message">What is happening, for example <c>Fetched 3 of 10 pages</c>; one line reads best.</param>
    /// <param name="fraction">How far along the call is, from 0 to 1; values outside are clamped, <see cref="double.NaN"/> means unknown.</param>
    public ToolProgress(string message, double? fraction = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        Message = message;
        Fraction = fraction is { } value && !double.IsNaN(value) ? Math.Clamp(value, 0, 1) : null;
    }

    /// <summary>What is happening.</summary>
    public string Message { get; }

    /// <summary>How far along the call is (0 to 1), or <see langword="null"/> when unknown.</summary>
    public double? Fraction { get; }
}
