namespace AgentHost.Sessions;

/// <summary>
/// The users of a shared server (<see cref="ISessionStore.Users"/>, docs/server.md "Users and roles"): each with a name,
/// a role and the hash of one bearer token, and the owner of each session. A token itself is never stored: the caller
/// hashes it (the server uses SHA-256 of a 256-bit random token) and the store keeps and looks up only the hash.
/// </summary>
/// <remarks>Thread-safe. Several processes may use one store at once (<c>agent server user add</c> beside a running server).</remarks>
public interface IUserStore
{
    /// <summary>Adds a user with the hash of their token.</summary>
    /// <param name="name">The user name (<see cref="UserNames.Check"/>).</param>
    /// <param name="role">The role.</param>
    /// <param name="tokenHash">The hash of the user's token (32 bytes).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The stored user.</returns>
    /// <exception cref="Hosting.AgentHostException">The name is taken (<see cref="Hosting.ErrorKind.InUse"/>) or not a user name (<see cref="Hosting.ErrorKind.Usage"/>).</exception>
    Task<ServerUser> AddUserAsync(string name, ServerRole role, ReadOnlyMemory<byte> tokenHash, CancellationToken cancellationToken = default);

    /// <summary>The users, by name.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The users.</returns>
    Task<IReadOnlyList<ServerUser>> ListUsersAsync(CancellationToken cancellationToken = default);

    /// <summary>Reads a user.</summary>
    /// <param name="name">The user name.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The user, or <see langword="null"/>.</returns>
    Task<ServerUser?> FindUserAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The user whose token has this hash.</summary>
    /// <param name="tokenHash">The hash of a presented token.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The user, or <see langword="null"/> when no user has that token.</returns>
    Task<ServerUser?> FindUserByTokenHashAsync(ReadOnlyMemory<byte> tokenHash, CancellationToken cancellationToken = default);

    /// <summary>Replaces a user's token (the old one stops working at once).</summary>
    /// <param name="name">The user name.</param>
    /// <param name="tokenHash">The hash of the new token.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Whether there was such a user.</returns>
    Task<bool> SetUserTokenAsync(string name, ReadOnlyMemory<byte> tokenHash, CancellationToken cancellationToken = default);

    /// <summary>Removes a user (their token stops working at once); their sessions stay, owned by the name, visible to admins.</summary>
    /// <param name="name">The user name.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Whether there was such a user.</returns>
    Task<bool> RemoveUserAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Revokes every credential issued to <paramref name="name"/> until now (docs/server.md "Users and roles"): records
    /// the moment, which the server compares with the issue time of an identity provider's token for that name (a JWT
    /// issued at or before it is refused), and, when a stored user has the name, replaces their token by one nobody
    /// holds (<see cref="SetUserTokenAsync"/> gives them a new one). A later revocation of the name replaces the moment.
    /// </summary>
    /// <param name="name">The user name (a stored user's, or one an identity provider's tokens carry).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The moment recorded.</returns>
    /// <exception cref="Hosting.AgentHostException">The name is not a user name (<see cref="Hosting.ErrorKind.Usage"/>).</exception>
    Task<DateTimeOffset> RevokeTokensAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>When the credentials issued to <paramref name="name"/> were last revoked (<see cref="RevokeTokensAsync"/>).</summary>
    /// <param name="name">The user name.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The moment, or <see langword="null"/> when the name's credentials were never revoked.</returns>
    Task<DateTimeOffset?> FindRevocationAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Usage per user and day (UTC): the tokens and cost of every step of the sessions each user owns, counted when the
    /// step's usage is recorded (what <c>server.limits.tokens_per_day</c> and <c>cost_per_day</c> are checked against).
    /// </summary>
    /// <param name="owner">One user; <see langword="null"/> for every user.</param>
    /// <param name="firstDay">The first day (UTC).</param>
    /// <param name="lastDay">The last day (UTC), inclusive.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>One row per user and day with usage, by user then day.</returns>
    Task<IReadOnlyList<UserUsage>> GetUsageAsync(string? owner, DateOnly firstDay, DateOnly lastDay, CancellationToken cancellationToken = default);

    /// <summary>Sets the owner of a session (<see cref="SessionInfo.Owner"/>), e.g. of a fork; <see langword="null"/> for none.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="owner">The owner's user name.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    /// <exception cref="Hosting.AgentHostException">There is no such session (<see cref="Hosting.ErrorKind.NotFound"/>).</exception>
    Task SetSessionOwnerAsync(string sessionId, string? owner, CancellationToken cancellationToken = default);
}
