using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Server;
using AgentHost.Hosting;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;

namespace AgentHost.Cli.Remote;

/// <summary>What <c>agent run --server</c> asks of the server.</summary>
/// <param name="Server">The server.</param>
/// <param name="Token">Its bearer token.</param>
/// <param name="Prompt">The task.</param>
/// <param name="Output"><c>text</c>, <c>json</c> or <c>final</c>.</param>
/// <param name="Root">The project root of a new session, or the one whose newest session <c>--continue</c> takes.</param>
/// <param name="SessionId"><c>--session</c>.</param>
/// <param name="Continue"><c>--continue</c>.</param>
/// <param name="Model"><c>--model</c>: a new session's model, or this run's in a continued one.</param>
/// <param name="Plugins"><c>--plugin</c> (new sessions; none: the server's).</param>
/// <param name="NoDefaultPlugins"><c>--no-default-plugins</c> (new sessions).</param>
/// <param name="PermissionMode"><c>--permission-mode</c> (new sessions).</param>
/// <param name="MaxSteps"><c>--max-steps</c>.</param>
/// <param name="Context"><c>--context</c>.</param>
/// <param name="Skills"><c>--skill</c>.</param>
internal sealed record RemoteRunRequest(
    Uri Server,
    string Token,
    string Prompt,
    string Output,
    string Root,
    string? SessionId,
    bool Continue,
    string? Model,
    IReadOnlyList<string> Plugins,
    bool NoDefaultPlugins,
    string? PermissionMode,
    int? MaxSteps,
    IReadOnlyList<string> Context,
    IReadOnlyList<string> Skills)
{
    /// <summary><c>--temperature</c>, <c>--top-p</c>, <c>--max-output-tokens</c>, <c>--stop</c>, <c>--seed</c>, <c>--reasoning-effort</c>, by setting key, checked and in stored form.</summary>
    public IReadOnlyDictionary<string, string>? ModelParameters { get; init; }
}

/// <summary>
/// <c>agent run --server URL</c>: the run goes on in a running <c>agent serve</c> (its warm plugins, its configuration
/// and permission rules) and is shown here exactly as a local run shows it. A new session is headless
/// (<c>interactive: false</c>), so a run never waits for a permission answer nobody can give.
/// </summary>
internal static class RemoteRun
{
    /// <summary>The run's model parameters in the message's own fields (the server checks them again).</summary>
    private static SendMessageRequest WithModelParameters(SendMessageRequest message, IReadOnlyDictionary<string, string>? values)
    {
        string? Get(string key) => values?.GetValueOrDefault(key);
        var culture = System.Globalization.CultureInfo.InvariantCulture;
        return values is null ? message : message with
        {
            Temperature = Get(ModelParameterValues.Temperature) is { } temperature ? double.Parse(temperature, culture) : null,
            TopP = Get(ModelParameterValues.TopP) is { } topP ? double.Parse(topP, culture) : null,
            MaxOutputTokens = Get(ModelParameterValues.MaxOutputTokens) is { } tokens ? int.Parse(tokens, culture) : null,
            Stop = Get(ModelParameterValues.Stop) is { } stop ? ModelParameterValues.ParseStop(stop) : null,
            Seed = Get(ModelParameterValues.Seed) is { } seed ? long.Parse(seed, culture) : null,
            ReasoningEffort = Get(ModelParameterValues.ReasoningEffort),
        };
    }

    /// <summary>How long to wait for a cancelled run to end before giving up on it.</summary>
    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(30);

    /// <summary>Runs the prompt on the server, renders its events, and returns how it ended.</summary>
    public static async Task<RunClosing> ExecuteAsync(
        RemoteRunRequest request, IConsoleInteraction console, TextRunRenderer text, DenialTally denials, CancellationToken cancellationToken)
    {
        using var client = new ServerClient(request.Server, request.Token);
        var session = await SessionAsync(client, request, cancellationToken).ConfigureAwait(false);
        var message = new SendMessageRequest(
            request.Prompt,
            request.Context.Count > 0 ? request.Context : null,
            request.Skills.Count > 0 ? request.Skills : null,
            request.SessionId is not null || request.Continue ? request.Model : null,
            request.MaxSteps);
        message = WithModelParameters(message, request.ModelParameters);

        // The stream is open before the prompt is sent, so none of the run's events is missed.
        await using var feed = await SessionEventFeed.OpenAsync(client, session.Id, cancellationToken).ConfigureAwait(false);
        if (feed is null)
        {
            return await WaitAsync(client, session.Id, message, request.Output, console, cancellationToken).ConfigureAwait(false);
        }

        var run = await client.SendMessageAsync(session.Id, message, wait: false, cancellationToken).ConfigureAwait(false);
        return await FollowAsync(client, feed, run, request.Output, console, text, denials, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The session: <c>--session</c>'s, the newest of the root (<c>--continue</c>), or a new one.</summary>
    private static async Task<SessionView> SessionAsync(ServerClient client, RemoteRunRequest request, CancellationToken cancellationToken)
    {
        if (request.SessionId is { } id)
        {
            return await client.GetSessionAsync(id, cancellationToken).ConfigureAwait(false);
        }

        if (request.Continue)
        {
            return await client.NewestSessionAsync(request.Root, cancellationToken).ConfigureAwait(false)
                ?? throw new AgentHostException(ErrorKind.NotFound, $"--continue: the agent server at {client.Server} has no session of {request.Root}; run without --continue to start one.");
        }

        return await client.CreateSessionAsync(
            new CreateSessionRequest(
                request.Root,
                request.Model,
                request.Plugins.Count > 0 ? request.Plugins : null,
                request.NoDefaultPlugins ? true : null,
                request.PermissionMode,
                Interactive: false),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renders the run's events (from its <c>run.accepted</c> to its <c>run.ended</c>); Ctrl+C cancels the run on the server.</summary>
    private static async Task<RunClosing> FollowAsync(
        ServerClient client, SessionEventFeed feed, RunView run, string output, IConsoleInteraction console, TextRunRenderer text, DenialTally denials, CancellationToken cancellationToken)
    {
        Task? cancelling = null;
        using var cancelGrace = new CancellationTokenSource();
        using var onCancel = cancellationToken.Register(() =>
        {
            // Ctrl+C: the server cancels the run (its tools stop, the history stays valid) and it ends as cancelled.
            cancelling = client.CancelRunAsync(run.Id, CancellationToken.None);
            cancelGrace.CancelAfter(CancelGrace);
        });

        RunCompletedEvent? completed = null;
        string? status = null;
        string? reason = null;
        string? errorKind = null;
        try
        {
            await foreach (var item in feed.ReadRunAsync(run.Id, cancelGrace.Token).ConfigureAwait(false))
            {
                if (output == "json")
                {
                    console.WriteDataLine(item.Json);
                }

                if (SessionEventFeed.EndsRun(item, run.Id))
                {
                    status = RemoteEvents.Field(item.Json, "status");
                    reason = RemoteEvents.Field(item.Json, "reason");
                    errorKind = RemoteEvents.Field(item.Json, "errorKind");
                    break;
                }

                if (item.Type == "events.gap" && output != "json")
                {
                    text.EndLine();
                    console.WriteInfo($"warning: some events of this run were lost ({RemoteEvents.Field(item.Json, "reason")}); the session's history has them all.");
                }

                if (RemoteEvents.Read(item.Type, item.Json) is not { } agentEvent)
                {
                    continue;
                }

                denials.Observe(agentEvent);
                completed = agentEvent as RunCompletedEvent ?? completed;
                if (output == "text")
                {
                    text.Render(agentEvent);
                }

                if (agentEvent is QuestionAskedEvent question && output != "json")
                {
                    text.EndLine();
                    console.WriteInfo($"  question: waiting for another client of the server to answer (POST /v1/sessions/{question.SessionId}/questions/{question.QuestionId})");
                }

                if (agentEvent is PermissionRequestedEvent asked && output != "json")
                {
                    text.EndLine();
                    console.WriteInfo($"  permission: waiting for another client of the server to answer {asked.Action}{(asked.Subject is null ? string.Empty : " " + asked.Subject)} (POST /v1/sessions/{asked.SessionId}/permissions/{asked.RequestId})");
                }
            }
        }
        catch (OperationCanceledException) when (cancelGrace.IsCancellationRequested)
        {
            throw new AgentHostException(ErrorKind.Internal, $"run {run.Id} on the agent server at {client.Server} did not end within {CancelGrace.TotalSeconds:0} s of being cancelled; see GET /v1/runs/{run.Id}.");
        }
        finally
        {
            text.EndLine();
            if (cancelling is not null)
            {
                await cancelling.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        return status switch
        {
            "failed" => throw new AgentHostException(Server.ApiErrorKinds.KindOf(errorKind), $"agent server {client.Server}: {reason ?? "the run failed"}"),
            "interrupted" => new RunClosing(run.SessionId, RunOutcome.Failed, reason ?? "the server stopped while the run was in flight", completed?.FinalText, completed?.Steps ?? 0, completed?.InputTokens ?? 0, completed?.OutputTokens ?? 0),
            _ => completed is null
                ? new RunClosing(run.SessionId, RunOutcome.Failed, reason ?? $"the run ended as {status} without its result", null, 0, 0, 0)
                : new RunClosing(run.SessionId, completed.Outcome, completed.Reason ?? reason, completed.FinalText, completed.Steps, completed.InputTokens, completed.OutputTokens),
        };
    }

    /// <summary>A server without an event stream: the prompt waits for the run's end, and the answer is printed then.</summary>
    private static async Task<RunClosing> WaitAsync(ServerClient client, string sessionId, SendMessageRequest message, string output, IConsoleInteraction console, CancellationToken cancellationToken)
    {
        if (output == "json")
        {
            throw new AgentHostException(ErrorKind.Usage, $"-o json: the agent server at {client.Server} serves no event stream (GET /v1/sessions/{{id}}/events); use -o text or -o final with it.");
        }

        var run = await client.SendMessageAsync(sessionId, message, wait: true, cancellationToken).ConfigureAwait(false);
        if (run.Status == "failed")
        {
            throw new AgentHostException(Server.ApiErrorKinds.KindOf(run.ErrorKind), $"agent server {client.Server}: {run.Reason ?? "the run failed"}");
        }

        var outcome = Enum.TryParse<RunOutcome>(run.Outcome, ignoreCase: true, out var parsed) && run.Status != "interrupted" ? parsed : RunOutcome.Failed;
        if (output == "text" && run.FinalText is { } final)
        {
            console.WriteLine(final);
        }

        return new RunClosing(run.SessionId, outcome, run.Reason, run.FinalText, run.Steps, 0, 0);
    }
}
