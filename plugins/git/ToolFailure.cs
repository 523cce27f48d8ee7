namespace AgentHost.Plugins.Git;

/// <summary>A failure the model should read and can act on (not a repository, a path outside the root, git refused).</summary>
internal sealed class ToolFailure(string message) : Exception(message);
