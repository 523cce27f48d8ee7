namespace AgentHost.Plugins.Files;

/// <summary>A failure the model should read and can correct (bad path, outside the root, not a file).</summary>
internal sealed class ToolFailure(string message) : Exception(message);
