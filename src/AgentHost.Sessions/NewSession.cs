namespace AgentHost.Sessions;

/// <summary>What a new session starts with.</summary>
/// <param name="Workspace">The project root.</param>
/// <param name="Provider">The provider name, when known.</param>
/// <param name="Model">The model id, when known.</param>
public sealed record NewSession(string Workspace, string? Provider = null, string? Model = null)
{
    /// <summary>
    /// The first prompt: the title is made from it (first line, about 60 characters, cut on a word boundary). When
    /// <see langword="null"/>, the title is set from the first user message appended.
    /// </summary>
    public string? Prompt { get; init; }

    /// <summary>The user who owns it on a shared server (<see cref="SessionInfo.Owner"/>); <see langword="null"/> for none.</summary>
    public string? Owner { get; init; }

    /// <summary>Initial settings (key → value).</summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }
}
