namespace AgentHost.Plugins.Web;

/// <summary>A failure the model should read and can act on (bad URL, refused address, HTTP error, too large, timed out).</summary>
internal sealed class ToolFailure(string message) : Exception(message);
