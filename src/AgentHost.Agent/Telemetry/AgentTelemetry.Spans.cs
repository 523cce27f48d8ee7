using System.Diagnostics;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Telemetry;

/// <content>The spans: one trace per turn, its steps, model requests, tool calls, permission decisions and hooks.</content>
public sealed partial class AgentTelemetry
{
    /// <summary>
    /// The turn's span (<c>invoke_agent</c>) for a loop run on its own: <see cref="StartTurn"/> with the run's tags.
    /// A session's turn starts its span itself, before its UserPromptSubmit and SessionStart hooks run, and hands it
    /// to the loop (<see cref="Engine.AgentRunRequest.Turn"/>).
    /// </summary>
    internal Activity? StartRun(ModelCallTags call)
    {
        var activity = StartTurn();
        TagTurn(activity, call);
        return activity;
    }

    /// <summary>
    /// Starts a turn's span (<c>invoke_agent</c>): the root of a new trace, linked to the activity it started under (an
    /// HTTP request of <c>agent serve</c>, which answers before the turn ends), so every turn is one trace whoever
    /// started it. Everything the turn does while it is current (hooks, steps, model requests, tool calls) is in that
    /// trace. <see cref="TagTurn"/> adds the session, provider and model once they are known.
    /// </summary>
    /// <returns>The span, now current, or <see langword="null"/> when nobody listens (the current activity is then unchanged).</returns>
    internal Activity? StartTurn()
    {
        if (!ActivitySource.HasListeners())
        {
            return null;
        }

        var caller = Activity.Current;
        Activity.Current = null;
        ActivityLink[]? links = caller is null ? null : [new ActivityLink(caller.Context)];
        var activity = ActivitySource.StartActivity(ActivityKind.Internal, parentContext: default, links: links, name: "agent.run");
        if (activity is null)
        {
            Activity.Current = caller;
            return null;
        }

        activity.DisplayName = "invoke_agent";
        activity.SetTag("gen_ai.operation.name", "invoke_agent");
        return activity;
    }

    /// <summary>Names the turn's session (<c>gen_ai.conversation.id</c>), provider and model on its span.</summary>
    internal static void TagTurn(Activity? activity, ModelCallTags call)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("gen_ai.conversation.id", call.SessionId);
        activity.SetTag("agenthost.session.id", call.SessionId);
        activity.SetTag("gen_ai.provider.name", call.Provider);
        activity.SetTag("gen_ai.request.model", call.Model);
    }

    /// <summary>
    /// Ends a turn's span that failed before the loop ran (a UserPromptSubmit hook refused the prompt, a reference or
    /// model did not resolve): an error whose type is the error's kind (<c>denied</c>, <c>usage</c>, …), never its message.
    /// </summary>
    internal static void FailTurn(Activity? activity, Exception error)
    {
        if (activity is null)
        {
            return;
        }

        if (error is OperationCanceledException)
        {
            activity.SetTag("agenthost.run.outcome", OutcomeName(RunOutcome.Cancelled));
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error);
        activity.SetTag("error.type", error is Hosting.AgentHostException known
            ? System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(known.Kind.ToString())
            : error.GetType().FullName);
    }

    /// <summary>Ends the turn's span with what the turn came to: outcome, steps, tokens and cost.</summary>
    internal static void EndRun(Activity? activity, RunOutcome outcome, int steps, UsageDetails usage, decimal? cost)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("agenthost.run.outcome", OutcomeName(outcome));
        activity.SetTag("agenthost.run.steps", steps);
        activity.SetTag("gen_ai.usage.input_tokens", usage.InputTokenCount);
        activity.SetTag("gen_ai.usage.output_tokens", usage.OutputTokenCount);
        if (cost is { } spent)
        {
            activity.SetTag("agenthost.cost.usd", (double)spent);
        }

        if (outcome is not (RunOutcome.Completed or RunOutcome.Cancelled))
        {
            activity.SetStatus(ActivityStatusCode.Error);
            activity.SetTag("error.type", OutcomeName(outcome));
        }
    }

    internal Activity? StartStep(int step) => ActivitySource.StartActivity("agent.step")?.SetTag("agenthost.step", step);

    /// <summary>A model request's span (<c>chat MODEL</c>, a client span).</summary>
    internal Activity? StartModelCall(ModelCallTags call)
    {
        var activity = ActivitySource.StartActivity("agent.model", ActivityKind.Client);
        if (activity is null)
        {
            return null;
        }

        activity.DisplayName = call.Model is { Length: > 0 } model ? "chat " + model : "chat";
        activity.SetTag("gen_ai.operation.name", "chat");
        activity.SetTag("gen_ai.provider.name", call.Provider);
        activity.SetTag("gen_ai.request.model", call.Model);
        activity.SetTag("gen_ai.conversation.id", call.SessionId);
        return activity;
    }

    /// <summary>Ends a model request's span with the response's model, finish reason and token counts (never its text).</summary>
    internal static void EndModelCall(Activity? activity, ChatResponse? response, bool failed)
    {
        if (activity is null)
        {
            return;
        }

        if (failed || response is null)
        {
            activity.SetStatus(ActivityStatusCode.Error);
            activity.SetTag("error.type", "model_request_failed");
            return;
        }

        activity.SetTag("gen_ai.response.model", response.ModelId);
        activity.SetTag("gen_ai.response.id", response.ResponseId);
        if (response.FinishReason is { } reason)
        {
            activity.SetTag("gen_ai.response.finish_reasons", new[] { reason.Value });
        }

        activity.SetTag("gen_ai.usage.input_tokens", response.Usage?.InputTokenCount);
        activity.SetTag("gen_ai.usage.output_tokens", response.Usage?.OutputTokenCount);
    }

    internal Activity? StartToolCall(string tool, string callId)
    {
        var activity = ActivitySource.StartActivity("agent.tool");
        if (activity is null)
        {
            return null;
        }

        activity.DisplayName = "execute_tool " + tool;
        activity.SetTag("gen_ai.operation.name", "execute_tool");
        activity.SetTag("gen_ai.tool.name", tool);
        activity.SetTag("gen_ai.tool.call.id", callId);
        activity.SetTag("gen_ai.tool.type", "function");
        return activity;
    }

    /// <summary>The tool's own execution inside a call (middleware and the tool), without lookup, validation, permission and events.</summary>
    internal Activity? StartToolExecution(string tool) =>
        ActivitySource.StartActivity("agent.tool.execute")?.SetTag("gen_ai.tool.name", tool);

    /// <summary>A permission decision's span (<c>permission TOOL</c>).</summary>
    internal Activity? StartPermission(string tool)
    {
        var activity = ActivitySource.StartActivity("agent.permission");
        if (activity is null)
        {
            return null;
        }

        activity.DisplayName = "permission " + tool;
        activity.SetTag("gen_ai.tool.name", tool);
        return activity;
    }

    /// <summary>Ends a permission span with the verdict: decision, who answered, scope and mode (never the subject or the rule's text).</summary>
    internal static void EndPermission(Activity? activity, PermissionVerdict? verdict)
    {
        if (activity is null)
        {
            return;
        }

        if (verdict is null)
        {
            activity.SetTag("agenthost.permission.decision", "cancelled");
            return;
        }

        activity.SetTag("agenthost.permission.decision", verdict.Decision);
        activity.SetTag("agenthost.permission.answered_by", verdict.AnsweredBy);
        activity.SetTag("agenthost.permission.scope", verdict.Scope);
        activity.SetTag("agenthost.permission.mode", verdict.Mode);
    }

    /// <summary>A hook's span (<c>hook EVENT</c>); its command is not a tag (it may hold a secret).</summary>
    /// <param name="hookEvent">The hook event (<c>PreToolUse</c>, …).</param>
    /// <param name="tool">The tool, for events about one.</param>
    /// <returns>The activity, or <see langword="null"/> when nobody listens.</returns>
    public Activity? StartHook(string hookEvent, string? tool)
    {
        var activity = ActivitySource.StartActivity("agent.hook");
        if (activity is null)
        {
            return null;
        }

        activity.DisplayName = "hook " + hookEvent;
        activity.SetTag("agenthost.hook.event", hookEvent);
        activity.SetTag("gen_ai.tool.name", tool);
        return activity;
    }
}
