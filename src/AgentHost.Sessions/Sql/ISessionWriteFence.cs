using System.Data.Common;

namespace AgentHost.Sessions.Sql;

/// <summary>
/// The fence of a store's session writes, as its database checks it (<see cref="SessionDatabase.WriteSessionAsync{T}"/>):
/// when the store holds a session's lease, a write of that session is stored only while the lease's epoch is still the
/// current one. The store's leases implement it (<c>SessionLeases</c>); the database knows only this.
/// </summary>
/// <remarks>Thread-safe. Disposed with the database: the renewals stop.</remarks>
public interface ISessionWriteFence : IDisposable
{
    /// <summary>
    /// Inside a session write, after the session's lock: when this store holds the session's lease, its epoch must
    /// still be the current one, or nothing of the write is stored.
    /// </summary>
    /// <param name="connection">The write's connection.</param>
    /// <param name="transaction">The write's transaction.</param>
    /// <param name="sessionId">The session.</param>
    /// <exception cref="SessionLeaseLostException">Another writer took the session over.</exception>
    void Check(DbConnection connection, DbTransaction transaction, string sessionId);

    /// <summary>
    /// The epoch a write of the session must find current (<see cref="Verify"/>), or <see langword="null"/> when this
    /// store does not hold the session's lease (nothing to check): for an engine that reads the current epoch itself.
    /// </summary>
    /// <param name="sessionId">The session.</param>
    /// <returns>The held epoch, or <see langword="null"/>.</returns>
    /// <exception cref="SessionLeaseLostException">The lease is known to be lost already.</exception>
    long? HeldEpoch(string sessionId);

    /// <summary>
    /// The second half of <see cref="Check"/>, for an engine that read the current epoch itself (in the same
    /// transaction as the write): throws, so that the write is rolled back, unless it is the epoch this store holds.
    /// </summary>
    /// <param name="connection">The write's connection.</param>
    /// <param name="transaction">The write's transaction, if any.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="current">The session's current epoch (0: never leased).</param>
    /// <exception cref="SessionLeaseLostException">Another writer took the session over.</exception>
    void Verify(DbConnection connection, DbTransaction? transaction, string sessionId, long current);
}
