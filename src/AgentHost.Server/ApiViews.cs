using System.Text.Json;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Server;

/// <summary>Turns the store's and the engine's records into the API's views.</summary>
internal static class ApiViews
{
    public static SessionView Session(SessionInfo info, HostedSession? open) => new(
        info.Id,
        info.Title,
        info.Workspace,
        info.Provider is { } provider && info.Model is { } model ? $"{provider}/{model}" : info.Settings.GetValueOrDefault(SessionSettings.Model),
        info.Status.ToString().ToLowerInvariant(),
        info.CreatedAt,
        info.UpdatedAt,
        info.MessageCount,
        info.InputTokens,
        info.OutputTokens,
        info.Cost,
        info.ParentId,
        open is not null,
        open?.Current?.Id,
        info.Settings,
        info.Owner,
        info.Settings.GetValueOrDefault(SessionSettings.Client),
        info.Settings.GetValueOrDefault(SessionSettings.Interactive) == "true")
    {
        Name = info.Name,
        ReasoningTokens = info.ReasoningTokens,
    };

    public static HistoryView History(HistoryPage page) => new(
        [.. page.Messages.Select(m => new MessageView(
            m.Id,
            m.Sequence,
            m.CreatedAt,
            m.Message.Role.Value,
            m.IsSummary,
            m.Message.Text,
            JsonSerializer.SerializeToElement(m.Message.Contents, AIJsonUtilities.DefaultOptions)))],
        [.. page.ToolEvents.Select(t => new ToolEventView(
            t.Sequence, t.CreatedAt, t.CallId, t.Tool, t.Plugin, t.ArgumentsJson, t.Status.ToString().ToLowerInvariant(), t.Error, t.DurationMs, t.DiffSummary, t.Files))],
        page.NextCursor);

    public static QuestionView Question(QuestionAskedEvent question) => new(
        question.QuestionId, question.SessionId, question.Text, question.Options, question.TimeoutSeconds, question.WorkflowRunId, question.NodeId, question.Timestamp);

    public static PermissionRequestView Permission(PermissionRequestedEvent request) => new(
        request.RequestId, request.SessionId, request.Tool, request.Plugin, request.Action, request.Subject, request.Reason, request.Details, request.SuggestedRules, request.Mode, request.Timestamp)
    {
        Risk = request.Risk,
    };
}
