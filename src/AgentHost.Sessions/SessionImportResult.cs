namespace AgentHost.Sessions;

/// <summary>What <see cref="Transfer.SessionTransfer.ImportAsync"/> stored.</summary>
/// <param name="Session">The imported session.</param>
/// <param name="RequestedId">The id the export carried.</param>
/// <param name="Renamed">Whether that id was taken (or malformed), so the session got a new id.</param>
public sealed record SessionImportResult(SessionInfo Session, string RequestedId, bool Renamed);
