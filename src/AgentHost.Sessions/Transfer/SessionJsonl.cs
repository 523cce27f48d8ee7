using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using AgentHost.Sessions.Sql;

namespace AgentHost.Sessions.Transfer;

/// <summary>
/// The JSON Lines export format: a <c>session</c> header line, then one <c>message</c> line per message, then one
/// <c>tool</c> line per tool event. Contents use the Microsoft.Extensions.AI JSON shape (<c>$type</c> discriminators).
/// </summary>
internal static class SessionJsonl
{
    public const int Format = 1;

    public static string Line<T>(T value) => JsonSerializer.Serialize(value, ContentCodec.Json);

    public static SessionLine ToLine(SessionInfo session) => new(
        "session",
        Format,
        session.Id,
        session.Title,
        session.Workspace,
        session.Provider,
        session.Model,
        session.Status.ToString().ToLowerInvariant(),
        session.ParentId,
        session.ForkMessageId,
        session.CreatedAt,
        session.UpdatedAt,
        session.InputTokens,
        session.OutputTokens,
        session.CachedTokens,
        session.Cost,
        new Dictionary<string, string>(session.Settings, StringComparer.Ordinal),
        session.ReasoningTokens);

    public static MessageLine ToLine(StoredMessage message) => new(
        "message",
        message.Id,
        message.Sequence,
        message.Message.Role.Value,
        message.Message.AuthorName,
        message.CreatedAt,
        message.IsSummary,
        message.Message.Contents,
        message.Message.AdditionalProperties);

    public static ToolLine ToLine(StoredToolEvent tool) => new(
        "tool",
        tool.Sequence,
        tool.MessageSequence,
        tool.CallId,
        tool.Tool,
        tool.Plugin,
        tool.ArgumentsJson,
        tool.Status.ToString().ToLowerInvariant(),
        tool.Error,
        tool.DurationMs,
        tool.DiffSummary,
        tool.Files,
        tool.CreatedAt);

    /// <summary>The header line.</summary>
    internal sealed record SessionLine(
        string Type,
        int Format,
        string Id,
        string Title,
        string Workspace,
        string? Provider,
        string? Model,
        string Status,
        string? ParentId,
        string? ForkMessageId,
        DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt,
        long InputTokens,
        long OutputTokens,
        long CachedTokens,
        decimal? Cost,
        Dictionary<string, string>? Settings,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] long ReasoningTokens = 0);

    /// <summary>A message line.</summary>
    internal sealed record MessageLine(
        string Type,
        string Id,
        long Seq,
        string Role,
        string? AuthorName,
        DateTimeOffset CreatedAt,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Summary,
        IList<AIContent>? Contents,
        AdditionalPropertiesDictionary? AdditionalProperties);

    /// <summary>A tool event line.</summary>
    internal sealed record ToolLine(
        string Type,
        long Seq,
        long MessageSeq,
        string CallId,
        string Tool,
        string? Plugin,
        string Arguments,
        string Status,
        string? Error,
        double DurationMs,
        string? DiffSummary,
        IReadOnlyList<string>? Files,
        DateTimeOffset CreatedAt);
}
