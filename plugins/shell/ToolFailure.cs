namespace AgentHost.Plugins.Shell;

/// <summary>A failure the model should read and can correct (workdir outside the root, banned command, bad timeout, unknown job).</summary>
internal sealed class ToolFailure(string message) : Exception(message);
