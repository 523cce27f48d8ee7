namespace AgentHost.Common.JsonRpc;

/// <summary>Bounds on what a peer may send; a message over a bound gets a clear error.</summary>
/// <param name="MaxHeaderBytes">The most bytes of one header block (all header lines of one message; <c>Content-Length</c> framing).</param>
/// <param name="MaxBodyBytes">The most bytes of one message body (one line in <see cref="LineFraming"/>).</param>
internal sealed record FrameLimits(int MaxHeaderBytes = 8 * 1024, int MaxBodyBytes = 64 * 1024 * 1024)
{
    public static FrameLimits Default { get; } = new();
}
