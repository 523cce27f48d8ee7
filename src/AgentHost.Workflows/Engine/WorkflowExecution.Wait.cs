using System.Text.Json.Nodes;
using AgentHost.Agent.Questions;
using AgentHost.Hosting;
using AgentHost.Hosting.Text;
using AgentHost.Sdk.Events;
using AgentHost.Workflows.Model;

namespace AgentHost.Workflows.Engine;

/// <content>Wait nodes: a question to a person, answered now or on resume.</content>
internal sealed partial class WorkflowExecution
{
    private async Task<NodeResult> RunWaitAsync(WaitNode node, WorkflowFrame frame, string path, CancellationToken cancellationToken)
    {
        var question = new HumanQuestion($"{Run.Id}/{path}", Render(node, node.Question, frame.Scope))
        {
            Options = node.Options,
            Timeout = node.Timeout,
            WorkflowRunId = Run.Id,
            NodeId = node.Id,
        };

        // The answer given to resume, for the question the run is waiting at.
        if (_answer is { } given && PendingPath == path)
        {
            _answer = null;
            var chosen = Choose(node, given) ?? throw new AgentHostException(
                ErrorKind.Usage,
                $"'{given}' is not an answer to \"{question.Text}\": answer one of {string.Join(", ", node.Options)} (agent workflow resume {Run.Id} --answer {node.Options[0]}).");
            return Answered(chosen, timedOut: false);
        }

        // A timeout counts from when the question was first asked, across resumes.
        var asked = PendingPath == path ? Run.PendingSince : null;
        var elapsed = asked is { } since ? Service.Time.GetUtcNow() - since : TimeSpan.Zero;
        if (node.Timeout is { } limit && elapsed >= limit)
        {
            return TimedOut(node, limit);
        }

        if (Options.Questions is { CanAnswer: true } people)
        {
            Events.Publish(new WorkflowWaitingEvent(Run.Id, Definition.Name, path, question.Text) { Options = node.Options });
            HumanAnswer? answer;
            using (Budget.PauseClock())
            {
                answer = await people.AskAsync(question with { Timeout = node.Timeout - elapsed }, cancellationToken).ConfigureAwait(false);
            }

            if (answer is null)
            {
                return node.Timeout is { } timeout
                    ? TimedOut(node, timeout)
                    : throw new WorkflowNodeFailedException($"{Where(node)}: nobody answered \"{question.Text}\".");
            }

            return Choose(node, answer.Text) is { } valid
                ? Answered(valid, timedOut: false)
                : throw new WorkflowNodeFailedException($"{Where(node)}: '{answer.Text}' ({answer.AnsweredBy}) is not one of {string.Join(", ", node.Options)}.");
        }

        await Store.SetWaitingAsync(Run.Id, WaitQuestionJson.Write(path, question, node.Default), Budget.Counters, CancellationToken.None).ConfigureAwait(false);
        Events.Publish(new WorkflowWaitingEvent(Run.Id, Definition.Name, path, question.Text) { Options = node.Options });
        throw new WorkflowWaitingException(question);
    }

    private NodeResult TimedOut(WaitNode node, TimeSpan timeout) =>
        node.Default is { } fallback
            ? Answered(fallback, timedOut: true)
            : throw new WorkflowNodeFailedException($"{Where(node)}: no answer within its timeout ({DurationText.Format(timeout)}) and it has no default.") { Failure = WorkflowRetry.TimedOut };

    private static NodeResult Answered(string answer, bool timedOut) =>
        new(new JsonObject { ["answer"] = answer, ["timed_out"] = timedOut }, timedOut ? $"timed out: {answer}" : answer);

    /// <summary>The option an answer names (case-insensitively), the answer itself without options, or null.</summary>
    private static string? Choose(WaitNode node, string answer) =>
        node.Options.Count == 0 ? answer : Pick(node.Options, answer);
}

/// <summary>The pending question of a waiting run as stored in <c>workflow_runs.pending_question</c>.</summary>
public static class WaitQuestionJson
{
    /// <summary>The stored form: path, question, options, timeout and default.</summary>
    public static string Write(string path, HumanQuestion question, string? fallback) => new JsonObject
    {
        ["path"] = path,
        ["id"] = question.Id,
        ["node"] = question.NodeId,
        ["question"] = question.Text,
        ["options"] = new JsonArray([.. question.Options.Select(o => (JsonNode?)JsonValue.Create(o))]),
        ["timeout_ms"] = question.Timeout is { } t ? (long)t.TotalMilliseconds : null,
        ["default"] = fallback,
    }.ToJsonString();

    /// <summary>The wait node's path of a stored question.</summary>
    public static string? PathOf(string json) => Parse(json)?["path"]?.GetValue<string>();

    /// <summary>The stored question as a <see cref="HumanQuestion"/>.</summary>
    public static HumanQuestion? Read(string json, string runId)
    {
        if (Parse(json) is not JsonObject o || o["question"] is not JsonValue text)
        {
            return null;
        }

        return new HumanQuestion(o["id"]?.GetValue<string>() ?? $"{runId}/{o["path"]}", text.GetValue<string>())
        {
            Options = o["options"] is JsonArray options ? [.. options.Select(x => x!.GetValue<string>())] : [],
            Timeout = o["timeout_ms"] is JsonValue ms ? TimeSpan.FromMilliseconds(ms.GetValue<long>()) : null,
            WorkflowRunId = runId,
            NodeId = o["node"]?.GetValue<string>(),
        };
    }

    private static JsonNode? Parse(string json)
    {
        try
        {
            return JsonNode.Parse(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
