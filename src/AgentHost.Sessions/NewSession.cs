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

    /// <summary>
    /// The session's name (<see cref="SessionInfo.Name"/>), unique per owner: checked by <see cref="SessionNames.Check"/>,
    /// and refused when a session of the same owner has it already; <see langword="null"/> for none.
    /// </summary>
    public string? Name { get; init; }

    /// <summary>Initial settings (key → value).</summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }

    /// <summary>
    /// The id to create it with (from <see cref="NewId"/>), when the caller must know it before the session exists — a
    /// cluster node routes the creation to the node that will hold the session; <see langword="null"/>: a new one.
    /// </summary>
    public string? Id { get; init; }

    /// <summary>A new session id, of the form the store gives (26 characters, time-ordered, 80 random bits).</summary>
    /// <param name="time">The clock (default: system).</param>
    /// <returns>The id.</returns>
    public static string NewId(TimeProvider? time = null) => SessionIds.New(time ?? TimeProvider.System);
}
