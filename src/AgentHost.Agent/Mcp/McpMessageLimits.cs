namespace AgentHost.Agent.Mcp;

/// <summary>The limits of <see cref="McpMessageCutter"/>.</summary>
/// <param name="MaxStringBytes">The bytes kept of one ordinary JSON string (head and tail; text content).</param>
/// <param name="MaxBinaryBytes">The bytes kept of a <c>"data"</c> or <c>"blob"</c> string (base64 of an image or a binary resource).</param>
/// <param name="MaxMessageBytes">The bytes of one message after cutting; a longer one is not passed on.</param>
internal sealed record McpMessageLimits(int MaxStringBytes, int MaxBinaryBytes, int MaxMessageBytes)
{
    /// <summary>
    /// The host's limits: 96 KiB of a text (within the 100,000 characters of a result the model gets, so the marker of a
    /// cut survives), 8 MiB of base64 (an image or resource of up to 5 MiB, the most a prompt or a reference attaches),
    /// 16 MiB a message.
    /// </summary>
    public static McpMessageLimits Default { get; } = new(96 * 1024, 8 * 1024 * 1024, 16 * 1024 * 1024);
}
