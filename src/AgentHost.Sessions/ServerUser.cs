using AgentHost.Hosting;

namespace AgentHost.Sessions;

/// <summary>What a user of a shared server may do (docs/server.md "Users and roles").</summary>
public enum ServerRole
{
    /// <summary>Reads sessions (their history, events, runs and waiting requests); changes nothing.</summary>
    Viewer,

    /// <summary>Creates sessions and sees, steers and answers only their own.</summary>
    Member,

    /// <summary>Sees and steers every session.</summary>
    Admin,
}

/// <summary>A user of a shared server.</summary>
/// <param name="Name">The user name (the owner recorded on their sessions).</param>
/// <param name="Role">The role.</param>
/// <param name="CreatedAt">When the user was added.</param>
/// <param name="TokenIssuedAt">When their current token was issued.</param>
public sealed record ServerUser(string Name, ServerRole Role, DateTimeOffset CreatedAt, DateTimeOffset TokenIssuedAt);

/// <summary>One user's usage on one day (UTC).</summary>
/// <param name="User">The user name.</param>
/// <param name="Day">The day (UTC).</param>
/// <param name="InputTokens">Input tokens sent.</param>
/// <param name="OutputTokens">Output tokens received.</param>
/// <param name="Cost">The cost in USD (0 when the model's price is unknown).</param>
public sealed record UserUsage(string User, DateOnly Day, long InputTokens, long OutputTokens, decimal Cost);

/// <summary>User names and roles as written and read.</summary>
public static class UserNames
{
    private const int MaxLength = 128;

    /// <summary>A role's name: <c>admin</c>, <c>member</c>, <c>viewer</c>.</summary>
    /// <param name="role">The role.</param>
    /// <returns>Its name.</returns>
    public static string RoleName(ServerRole role) => role.ToString().ToLowerInvariant();

    /// <summary>Parses a role's name.</summary>
    /// <param name="text">The name.</param>
    /// <param name="field">Where it came from, for the message.</param>
    /// <returns>The role.</returns>
    /// <exception cref="AgentHostException">Not a role (<see cref="ErrorKind.Usage"/>).</exception>
    public static ServerRole ParseRole(string text, string field) =>
        text is "admin" or "member" or "viewer"
            ? Enum.Parse<ServerRole>(text, ignoreCase: true)
            : throw new AgentHostException(ErrorKind.Usage, $"{field}: '{text}' is not a role; use admin, member or viewer.");

    /// <summary>
    /// Checks a user name: 1 to 128 characters of letters, digits and <c>. _ - @</c>, starting with a letter or digit
    /// (so e-mail addresses and identity-provider subjects fit, and no name looks like an option or the built-in <c>@token</c>).
    /// </summary>
    /// <param name="name">The name.</param>
    /// <returns>The name.</returns>
    /// <exception cref="AgentHostException">Not a user name (<see cref="ErrorKind.Usage"/>).</exception>
    public static string Check(string name) =>
        IsValid(name)
            ? name
            : throw new AgentHostException(ErrorKind.Usage, $"user name '{name}': use 1 to {MaxLength} letters, digits and . _ - @, starting with a letter or digit (e.g. alice or alice@example.com).");

    /// <summary>Whether <paramref name="name"/> is a user name (<see cref="Check"/>).</summary>
    /// <param name="name">The name.</param>
    /// <returns>Whether it is one.</returns>
    public static bool IsValid(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Length is > 0 and <= MaxLength
            && char.IsAsciiLetterOrDigit(name[0])
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@');
    }
}
