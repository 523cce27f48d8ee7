using System.Text.Json;
using System.Text.Json.Serialization;
using AgentHost.Sessions;

namespace AgentHost.Server;

/// <summary>
/// Runs as the store keeps them (<see cref="ISessionJournal.SaveRunAsync"/>): the <see cref="RunView"/> a client reads,
/// stored when the run is accepted and again when it ends, so that <c>GET /v1/runs/{id}</c> answers after a restart.
/// </summary>
internal static class StoredRuns
{
    /// <summary>The reason of a run read back as interrupted: stored as running, and the server that ran it is gone.</summary>
    public const string GoneReason = "the server stopped while the run was in flight (it did not record the run's end)";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The run as stored.</summary>
    public static StoredRun ToStored(RunView view) => new(view.Id, view.SessionId, view.Status, JsonSerializer.Serialize(view, Json));

    /// <summary>The run as a client reads it.</summary>
    public static RunView FromStored(StoredRun stored) =>
        JsonSerializer.Deserialize<RunView>(stored.Json, Json) ?? throw new JsonException($"run {stored.Id}: the stored run is empty");

    /// <summary>
    /// A stored run that no process runs any more (it was stored as running, and its session is not active elsewhere):
    /// it ended with the server that ran it, as interrupted.
    /// </summary>
    public static RunView Interrupted(RunView view, DateTimeOffset lastStored) =>
        view with { Status = "interrupted", Reason = GoneReason, EndedAt = view.EndedAt ?? lastStored };
}
