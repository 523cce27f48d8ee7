using System.Text.Json.Nodes;
using AgentHost.Agent.Service;
using AgentHost.Cli.Remote;
using AgentHost.Hosting;
using AgentHost.Sdk.Events;
using AgentHost.Server;

namespace AgentHost.Cli.Acp;

/// <summary>
/// A session the editor has open that lives on an <c>agent serve</c> (<c>agent acp --server</c>): a prompt is a run of
/// the server's session (<c>POST /v1/sessions/{id}/messages</c>) whose events, read from the session's event stream,
/// reach the editor as the same <c>session/update</c>s a local run gives (<see cref="AcpUpdates"/>); the run's
/// permission requests and questions go to the editor and their answers back to the server
/// (<see cref="AcpServerRelay"/>); <c>session/cancel</c> cancels the run on the server. One prompt at a time.
/// </summary>
internal sealed class AcpServerSession
{
    private readonly ServerClient _client;
    private readonly AcpServerRelay _relay;
    private readonly Lock _sync = new();
    private bool _running;
    private bool _cancelRequested;
    private string? _runId;
    private Task? _cancelling;
    private CancellationTokenSource? _turn;

    /// <param name="id">The server's session id (the ACP session id too).</param>
    /// <param name="root">The session's root on the server (tool locations inside it are reported).</param>
    /// <param name="client">The server's client.</param>
    /// <param name="relay">Sends updates and relays permission requests and questions to the editor.</param>
    public AcpServerSession(string id, string root, ServerClient client, AcpServerRelay relay)
    {
        Id = id;
        Root = root;
        _client = client;
        _relay = relay;
    }

    public string Id { get; }

    /// <summary>The session's root on the server.</summary>
    public string Root { get; }

    /// <summary>
    /// Runs <paramref name="request"/> (its text, file references, skills, model and step limit) on the server and answers with its ACP stop reason once every update of the run
    /// has been sent. When <paramref name="cancellationToken"/> fires (the editor went away), the run is cancelled on the server.
    /// </summary>
    /// <exception cref="Common.JsonRpc.JsonRpcException">A prompt already runs, the server refused the prompt, or the run failed.</exception>
    public async Task<string> PromptAsync(TurnRequest request, CancellationToken cancellationToken)
    {
        var turn = new CancellationTokenSource();
        lock (_sync)
        {
            if (_running)
            {
                turn.Dispose();
                throw AcpErrors.InvalidRequest($"session {Id} is already running a prompt: wait for its answer, or send session/cancel first.");
            }

            _running = true;
            _cancelRequested = false;
            _turn = turn;
        }

        try
        {
            // The stream is open before the prompt is sent, so none of the run's events is missed.
            await using var feed = await SessionEventFeed.OpenAsync(_client, Id, cancellationToken).ConfigureAwait(false)
                ?? throw AcpErrors.Internal($"the agent server at {_client.Server} serves no event stream (GET /v1/sessions/{{id}}/events), which agent acp --server needs; update that server.");
            var run = await _client.SendMessageAsync(Id, new SendMessageRequest(request.Prompt, request.Context.Count > 0 ? request.Context : null, request.Skills.Count > 0 ? request.Skills : null, request.Model, request.MaxSteps), wait: false, cancellationToken).ConfigureAwait(false);
            lock (_sync)
            {
                _runId = run.Id;
            }

            if (_cancelRequested)
            {
                CancelRun(run.Id);
            }

            // The editor went away mid-turn: the run is cancelled on the server (its history stays valid).
            await using var onGone = cancellationToken.Register(() => CancelRun(run.Id)).ConfigureAwait(false);
            return await FollowAsync(feed, run, turn.Token, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_sync)
            {
                _running = false;
                _runId = null;
                _turn = null;
            }

            turn.Dispose();
        }
    }

    /// <summary>Cancels the running prompt (<c>session/cancel</c>): its run is cancelled on the server, and the prompt answers <c>cancelled</c>.</summary>
    public void Cancel()
    {
        string? runId;
        lock (_sync)
        {
            if (!_running)
            {
                return;
            }

            _cancelRequested = true;
            runId = _runId;

            // A permission request or question the editor has not answered yet is given up on (the run ends anyway).
            _turn?.Cancel();
        }

        if (runId is not null)
        {
            CancelRun(runId);
        }
    }

    /// <summary>Waits for a cancel sent to the server to be answered.</summary>
    public Task CancelledAsync() => _cancelling?.WaitAsync(TimeSpan.FromSeconds(10)) ?? Task.CompletedTask;

    private void CancelRun(string runId) =>
        _cancelling = _client.CancelRunAsync(runId, CancellationToken.None);

    /// <summary>Relays the run's events (from its <c>run.accepted</c> to its <c>run.ended</c>) and maps how it ended.</summary>
    private async Task<string> FollowAsync(SessionEventFeed feed, RunView run, CancellationToken turn, CancellationToken cancellationToken)
    {
        RunCompletedEvent? completed = null;
        string? status = null, reason = null;
        await foreach (var item in feed.ReadRunAsync(run.Id, cancellationToken).ConfigureAwait(false))
        {
            if (SessionEventFeed.EndsRun(item, run.Id))
            {
                status = RemoteEvents.Field(item.Json, "status");
                reason = RemoteEvents.Field(item.Json, "reason");
                break;
            }

            if (item.Type == "events.gap")
            {
                await _relay.UpdateAsync(Id, AcpUpdates.Chunk("agent_thought_chunk", $"(some events of this run were lost on the way from the agent server: {RemoteEvents.Field(item.Json, "reason")}; the session's history has them all)"), cancellationToken).ConfigureAwait(false);
                continue;
            }

            switch (RemoteEvents.Read(item.Type, item.Json))
            {
                case PermissionRequestedEvent asked:
                    await _relay.PermissionAsync(this, asked, turn, cancellationToken).ConfigureAwait(false);
                    break;
                case QuestionAskedEvent question:
                    await _relay.QuestionAsync(this, question, turn, cancellationToken).ConfigureAwait(false);
                    break;
                case RunCompletedEvent done:
                    completed = done;
                    break;
                case { } e when AcpUpdates.Of(e, Root) is { } update:
                    await _relay.UpdateAsync(Id, update, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }

        return status switch
        {
            _ when _cancelRequested => "cancelled",
            "cancelled" => "cancelled",
            "failed" => throw AcpErrors.InvalidRequest($"agent server {_client.Server}: {reason ?? "the prompt was refused"}"),
            "interrupted" => throw AcpErrors.Internal($"agent server {_client.Server}: {reason ?? "the server stopped while the run was in flight"}; the session's history keeps what was done."),
            null => throw new AgentHostException(ErrorKind.Internal, $"the event stream of session {Id} on the agent server at {_client.Server} ended before run {run.Id} did; see GET /v1/runs/{run.Id}."),
            _ => completed is null
                ? throw AcpErrors.Internal($"agent server {_client.Server}: run {run.Id} ended as {status} without its result ({reason ?? "no detail"}).")
                : AcpStopReasons.Of(completed.Outcome, completed.Reason ?? reason),
        };
    }
}
