namespace AgentHost.Sdk.Tools;

/// <summary>What a tool does to the world; the permission system decides by effect.</summary>
[Flags]
public enum ToolEffect
{
    /// <summary>No side effects and no reads outside the conversation.</summary>
    None = 0,

    /// <summary>Reads files or other local state.</summary>
    Read = 1,

    /// <summary>Changes files or other local state.</summary>
    Write = 2,

    /// <summary>Runs processes.</summary>
    Execute = 4,

    /// <summary>Talks to the network.</summary>
    Network = 8,
}
