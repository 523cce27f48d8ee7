using System.Text.Json.Nodes;
using AgentHost.Agent.Service;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Acp;

/// <summary>
/// A session the editor has open in this process: the <see cref="AgentSession"/> (holding its lease, so no other
/// process writes it meanwhile), the root it works in, and the prompt turn under way (at most one; ACP sends one prompt
/// at a time per session). Its events reach the editor as <c>session/update</c>s through <see cref="OnEventAsync"/>.
/// </summary>
internal sealed partial class AcpSession : IAsyncDisposable
{
    private readonly Func<JsonObject, CancellationToken, Task> _send;
    private readonly Lock _sync = new();
    private bool _running;
    private bool _cancelRequested;
    private long? _usedTokens;

    public AcpSession(string id, AgentSession session, AcpRoot root, Func<JsonObject, CancellationToken, Task> send)
    {
        Id = id;
        Session = session;
        Root = root;
        _send = send;
    }

    public string Id { get; }

    public AgentSession Session { get; }

    public AcpRoot Root { get; }

    /// <summary>The title the editor has been told (or had from <c>session/list</c>), so that a change is sent once.</summary>
    public string Title { get; set; } = string.Empty;

    /// <summary>The folder the session works in (its <c>cwd</c>).</summary>
    public string Workspace => Session.Options.WorkspaceRoot;

    /// <summary>Sends one update of this session to the editor.</summary>
    public Task SendAsync(JsonObject update, CancellationToken cancellationToken) =>
        _send(new JsonObject { ["sessionId"] = Id, ["update"] = update }, cancellationToken);

    /// <summary>Sends the update an event of this session becomes, if any.</summary>
    public async ValueTask OnEventAsync(AgentEvent e, CancellationToken cancellationToken)
    {
        if (await OnInteractionAsync(e, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (e is StepCompletedEvent or RunCompletedEvent)
        {
            await SendUsageAsync(e, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (AcpUpdates.Of(e, Workspace) is { } update)
        {
            if (e is ToolCallCompletedEvent { Status: ToolCallStatus.Succeeded, Files.Count: > 0 } edited)
            {
                await AddDiffsAsync(update, edited, cancellationToken).ConfigureAwait(false);
            }

            Remember(update);
            await SendAsync(update, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A <c>usage_update</c> after a model step (tokens in context) and at the end of a turn (with the session's cost).</summary>
    private async Task SendUsageAsync(AgentEvent e, CancellationToken cancellationToken)
    {
        decimal? cost = null;
        if (e is StepCompletedEvent step)
        {
            _usedTokens = AcpUsage.UsedAfter(step) ?? _usedTokens;
        }
        else
        {
            try
            {
                cost = (await Root.Root.Service.Store.GetSessionAsync(Id, cancellationToken).ConfigureAwait(false)).Cost;
            }
            catch (Hosting.AgentHostException)
            {
                // Not stored (a turn that failed before the session was): no cost to tell.
            }
        }

        if (AcpUsage.Update(_usedTokens, Session.RunContext?.Model.Descriptor?.ContextWindow, cost) is { } update)
        {
            await SendAsync(update, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Puts the call's edits (from the session's file checkpoints) before its text content.</summary>
    private async Task AddDiffsAsync(JsonObject update, ToolCallCompletedEvent edited, CancellationToken cancellationToken)
    {
        IReadOnlyList<JsonObject> diffs;
        try
        {
            diffs = await AcpDiffs.OfAsync(Root.Root.Service.Store, Id, Workspace, edited.Files, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Hosting.AgentHostException)
        {
            return; // The call's text content still says what changed.
        }

        var content = update["content"]!.AsArray();
        for (var i = 0; i < diffs.Count; i++)
        {
            content.Insert(i, diffs[i]);
        }
    }

    /// <summary>
    /// Runs one prompt turn and answers with its ACP stop reason once every update of the turn has been sent.
    /// </summary>
    /// <exception cref="Common.JsonRpc.JsonRpcException">A turn is already running, or the turn failed.</exception>
    public async Task<string> PromptAsync(TurnRequest request, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            if (_running)
            {
                throw AcpErrors.InvalidRequest($"session {Id} is already running a prompt: wait for its answer, or send session/cancel first.");
            }

            _running = true;
            _cancelRequested = false;
        }

        try
        {
            TurnResult result;
            try
            {
                result = await Session.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || _cancelRequested)
            {
                return "cancelled";
            }
            finally
            {
                // Every update of the turn is on the wire before its answer.
                await Root.DrainAsync(CancellationToken.None).ConfigureAwait(false);
            }

            return _cancelRequested ? "cancelled" : AcpStopReasons.Of(result.Result);
        }
        finally
        {
            lock (_sync)
            {
                _running = false;
            }
        }
    }

    /// <summary>Cancels the running turn (<c>session/cancel</c>); its prompt then answers <c>cancelled</c>.</summary>
    public void Cancel()
    {
        lock (_sync)
        {
            if (!_running)
            {
                return;
            }

            _cancelRequested = true;
        }

        Session.CancelTurn();
    }

    public async ValueTask DisposeAsync()
    {
        await Session.DisposeAsync().ConfigureAwait(false);
        await AskedAsync().ConfigureAwait(false);
    }
}
