using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Agent.Service;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Sdk.Events;
using AgentHost.Workflows.Model;

namespace AgentHost.Workflows.Engine;

/// <content>Agent and decision nodes: a model turn in a session of the session service.</content>
internal sealed partial class WorkflowExecution
{
    private async Task<NodeResult> RunAgentAsync(AgentNode node, WorkflowFrame frame, string path, CancellationToken cancellationToken)
    {
        var prompt = Render(node, node.Prompt, frame.Scope);
        string? continued = null;
        if (node.Continue is { } earlier)
        {
            continued = frame.Nodes[earlier]?["session_id"] is JsonValue id && id.TryGetValue<string>(out var sessionId)
                ? sessionId
                : throw new WorkflowNodeFailedException($"{Where(node)}: continue: node '{earlier}' has not run yet, so there is no session to continue.");
        }

        PermissionMode? mode = null;
        if (node.PermissionMode is { } modeName)
        {
            mode = PermissionModes.TryParse(modeName, out var parsed)
                ? parsed
                : throw new WorkflowNodeFailedException($"{Where(node)}: permission_mode '{modeName}' is not a mode ({string.Join(", ", PermissionModes.Names)}).");
        }

        var turn = await TurnAsync(node, prompt, node.Model, mode, node.MaxSteps, node.Tools, node.Skills, continued, frame, cancellationToken).ConfigureAwait(false);
        var text = turn.Result.FinalText ?? string.Empty;
        var output = new JsonObject
        {
            ["text"] = text,
            ["session_id"] = turn.SessionId,
            ["steps"] = turn.Result.Steps,
            ["outcome"] = turn.Result.Outcome.ToString().ToLowerInvariant(),
            ["cost"] = turn.Result.Cost ?? 0m,
        };
        if (node.JsonOutput)
        {
            output["json"] = ParseJsonAnswer(text) ?? throw new WorkflowNodeFailedException(
                $"{Where(node)}: output: json, but the final answer is not JSON: {FirstLine(text)}. Session: agent session show {turn.SessionId}");
        }

        return new NodeResult(output, FirstLine(text)) { SessionId = turn.SessionId, Steps = turn.Result.Steps, Cost = turn.Result.Cost ?? 0m };
    }

    private async Task<NodeResult> RunDecisionAsync(DecisionNode node, WorkflowFrame frame, string path, CancellationToken cancellationToken)
    {
        if (node.Prompt is null)
        {
            return new NodeResult(new JsonObject { ["choice"] = null, ["reason"] = null }, "branch point");
        }

        var choices = string.Join(", ", node.Choices.Select(c => $"\"{c}\""));
        var prompt = Render(node, node.Prompt, frame.Scope)
            + $"\n\nAnswer with exactly one of these choices: {choices}. Reply with only a JSON object {{\"choice\": \"<one of the choices>\", \"reason\": \"<one sentence>\"}} and nothing else.";
        var turn = await TurnAsync(node, prompt, node.Model, PermissionMode.Plan, null, [], [], null, frame, cancellationToken).ConfigureAwait(false);
        var text = turn.Result.FinalText ?? string.Empty;
        var (choice, reason) = ParseChoice(text, node.Choices);
        if (choice is null)
        {
            throw new WorkflowNodeFailedException(
                $"{Where(node)}: the model answered '{FirstLine(text)}', which is not one of the choices {choices}. Session: agent session show {turn.SessionId}");
        }

        return new NodeResult(new JsonObject { ["choice"] = choice, ["reason"] = reason, ["session_id"] = turn.SessionId, ["steps"] = turn.Result.Steps }, choice)
        {
            SessionId = turn.SessionId,
            Steps = turn.Result.Steps,
            Cost = turn.Result.Cost ?? 0m,
        };
    }

    /// <summary>One turn in a new session titled <c>workflow/node</c>, or in the session <paramref name="continued"/> names.</summary>
    private async Task<TurnResult> TurnAsync(
        WorkflowNode node,
        string prompt,
        string? model,
        PermissionMode? mode,
        int? maxSteps,
        IReadOnlyList<string> tools,
        IReadOnlyList<string> skills,
        string? continued,
        WorkflowFrame frame,
        CancellationToken cancellationToken)
    {
        var options = new SessionOptions(Options.WorkspaceRoot)
        {
            Model = model ?? frame.Definition.Model ?? Definition.Model ?? Options.Model,
            Plugins = Options.Plugins,
            PermissionMode = mode ?? Options.PermissionMode,
            Interactive = Options.Interactive,
            Tools = tools.Count > 0 ? tools : null,
            Title = $"{Definition.Name}/{node.Id}",
            Owner = Run.Owner,
        };
        TurnResult turn;
        try
        {
            // A model the workflow names (the node's, its workflow's) is checked; the run's own (Options.Model) is the host's.
            if (Options.CheckModel is { } check && (model ?? frame.Definition.Model ?? Definition.Model) is { } named)
            {
                options = options with { Model = check(named, "model") };
            }

            var session = continued is null
                ? await Service.CreateAsync(options, cancellationToken).ConfigureAwait(false)
                : await Service.OpenAsync(continued, options, cancellationToken).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                if (Options.SessionPolicy is { } narrower)
                {
                    session.NarrowPolicy(narrower);
                }

                var admitted = Options.AdmitTurn is { } admit ? await admit(session.Id, prompt, options.Model, cancellationToken).ConfigureAwait(false) : null;
                try
                {
                    // Every step is taken from the run's one budget as it happens (parallel branches share it).
                    // The run's cost cap is the turn's, less what the run spent before it: the turn stops before the model
                    // request that would go past it (AgentLoop's CostCaps), not only at the end of the node.
                    turn = await session.SendAsync(
                        new TurnRequest(prompt) { Skills = skills, MaxSteps = maxSteps, TakeStep = Budget.TryTakeStep, MaxCost = Budget.CostLeft },
                        cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    if (admitted is not null)
                    {
                        await admitted.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
        }
        catch (AgentHostException ex)
        {
            throw new WorkflowNodeFailedException($"{Where(node)}: {ex.Message}", ex);
        }

        Budget.AddCost(turn.Result.Cost);
        switch (turn.Result.Outcome)
        {
            case RunOutcome.Completed:
                return turn;
            case RunOutcome.Cancelled:
                cancellationToken.ThrowIfCancellationRequested();
                throw new OperationCanceledException($"{Where(node)} was cancelled.");
            case RunOutcome.StepLimit when Budget.StepsExhausted:
                Budget.Check(beforeModelNode: true);
                goto default;
            case RunOutcome.CostLimit:
                // The run's max_cost, in the run's words (the cap and what was spent); runs again from its start on resume.
                Budget.Check(beforeModelNode: true);
                goto default;
            default:
                throw new WorkflowNodeFailedException(
                    $"{Where(node)}: the agent stopped ({turn.Result.Outcome}){(turn.Result.Reason is { } why ? $": {why}" : string.Empty)}. Session: agent session show {turn.SessionId}");
        }
    }

    /// <summary>A final answer as JSON: the whole text, or its first fenced block.</summary>
    internal static JsonNode? ParseJsonAnswer(string text)
    {
        foreach (var candidate in new[] { text.Trim(), Fenced(text) })
        {
            if (string.IsNullOrEmpty(candidate))
            {
                continue;
            }

            try
            {
                if (JsonNode.Parse(candidate) is { } parsed)
                {
                    return parsed;
                }
            }
            catch (JsonException)
            {
            }
        }

        return null;
    }

    /// <summary>The model's choice: <c>{"choice": …, "reason": …}</c> (also fenced), or a bare choice; null when it is none of them.</summary>
    internal static (string? Choice, string? Reason) ParseChoice(string text, IReadOnlyList<string> choices)
    {
        string? Match(string? candidate) =>
            candidate is null ? null : choices.FirstOrDefault(c => string.Equals(c, candidate.Trim().Trim('"', '\'', '`', '.', ' ', '*'), StringComparison.OrdinalIgnoreCase));

        if (ParseJsonAnswer(text) is JsonObject answer && answer["choice"] is JsonValue value)
        {
            return (Match(value.ToString()), answer["reason"] is JsonValue why ? why.ToString() : null);
        }

        return (Match(text), null);
    }

    private static string? Fenced(string text)
    {
        var open = text.IndexOf("```", StringComparison.Ordinal);
        if (open < 0)
        {
            return null;
        }

        var start = text.IndexOf('\n', open);
        var close = start < 0 ? -1 : text.IndexOf("```", start, StringComparison.Ordinal);
        return close < 0 ? null : text[(start + 1)..close].Trim();
    }

    /// <summary>Host-written advice on one line, kept whole up to 500 characters (a rule to copy must not be cut).</summary>
    private static string Sentence(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length > 500 ? line[..497] + "…" : line;
    }

    private static string FirstLine(string text)
    {
        var line = text.Trim().Split('\n')[0].Trim();
        return line.Length > 120 ? line[..117] + "…" : line;
    }
}
