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

        if (AcpUpdates.Of(e, Workspace) is { } update)
        {
            Remember(update);
            await SendAsync(update, cancellationToken).ConfigureAwait(false);
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
