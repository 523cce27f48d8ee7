using AgentHost.Agent.Runs;
using AgentHost.Hosting;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Service;

/// <summary>
/// A model client made ahead of the first session, with its provider's warm-up already running: a front end that knows
/// the model a run will most likely use (<c>--model</c>, the remembered or configured one) starts it on a pool thread
/// as soon as the plugins are loaded, so creating the client, loading the provider's SDK and connecting to the endpoint
/// overlap with opening the session instead of following it. The first session whose model choice names the same
/// (qualified) model takes it; nothing else is decided here. A guess that fails (the real choice then fails the same
/// way, in its place) or that no session takes is thrown away: the client is disposed and the warm-up stopped.
/// </summary>
/// <remarks>Thread-safe; taken at most once.</remarks>
internal sealed class PreparedModel : IDisposable
{
    private readonly Lock _gate = new();
    private Task<Prepared?>? _preparing;
    private bool _taken;
    private bool _disposed;
    private ProviderWarmUp? _takenWarmUp;
    private IChatClient? _takenClient;

    /// <summary>Whether a guess was started (and not yet taken or thrown away).</summary>
    public bool IsStarted
    {
        get
        {
            lock (_gate)
            {
                return _preparing is not null && !_taken && !_disposed;
            }
        }
    }

    /// <summary>Starts making the client of <paramref name="model"/> on a pool thread; a second call is ignored.</summary>
    /// <param name="model">The model text as a front end has it (qualified on the pool thread, as the session's choice qualifies it).</param>
    /// <param name="qualify">Turns the text into <c>provider/model</c>, as the session's choice does.</param>
    /// <param name="select">Makes the client of a qualified model (<see cref="ModelSelection.Select"/>).</param>
    /// <param name="cancellationToken">The warm-up's cancellation (the front end's).</param>
    public void Start(string model, Func<string, string> qualify, Func<string, SelectedModel> select, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(qualify);
        ArgumentNullException.ThrowIfNull(select);
        lock (_gate)
        {
            if (_preparing is not null || _disposed)
            {
                return;
            }

            _preparing = Task.Run(() => Make(model, qualify, select, cancellationToken), CancellationToken.None);
        }
    }

    /// <summary>
    /// The prepared client when it is for <paramref name="qualified"/>; otherwise (another model, nothing started, the
    /// guess failed, already taken) <see langword="null"/> and the caller makes its own. Its warm-up is claimed with
    /// <see cref="TakeWarmUp"/>.
    /// </summary>
    /// <param name="qualified">The model the session chose, qualified (<c>provider/model</c>).</param>
    /// <returns>The client, now owned by the caller; or <see langword="null"/>.</returns>
    public async Task<SelectedModel?> TakeAsync(string qualified)
    {
        Task<Prepared?>? preparing;
        lock (_gate)
        {
            if (_preparing is null || _taken || _disposed)
            {
                return null;
            }

            preparing = _preparing;
        }

        var prepared = await preparing.ConfigureAwait(false);
        lock (_gate)
        {
            if (prepared is null || _taken || _disposed || !string.Equals(prepared.Qualified, qualified, StringComparison.Ordinal))
            {
                return null;
            }

            _taken = true;
            _takenClient = prepared.Model.Client;
            _takenWarmUp = prepared.WarmUp;
            return prepared.Model;
        }
    }

    /// <summary>The running warm-up of the taken client, now owned by the caller; <see langword="null"/> for any other client.</summary>
    /// <param name="client">The client the session uses.</param>
    /// <returns>The warm-up, or <see langword="null"/> (the caller starts its own).</returns>
    public ProviderWarmUp? TakeWarmUp(IChatClient client)
    {
        lock (_gate)
        {
            if (_takenWarmUp is null || !ReferenceEquals(_takenClient, client))
            {
                return null;
            }

            var warmUp = _takenWarmUp;
            _takenWarmUp = null;
            return warmUp;
        }
    }

    /// <summary>Throws the guess away when no session took it (stops its warm-up, disposes its client), and stops a taken client's unclaimed warm-up.</summary>
    public void Dispose()
    {
        Task<Prepared?>? preparing;
        ProviderWarmUp? unclaimed;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            preparing = _taken ? null : _preparing;
            unclaimed = _takenWarmUp;
            _takenWarmUp = null;
        }

        unclaimed?.Dispose();

        if (preparing is not null)
        {
            _ = DisposeWhenPreparedAsync(preparing);
        }
    }

    /// <summary>Disposes the guess once it is made; a guess that failed left nothing to dispose.</summary>
    private static async Task DisposeWhenPreparedAsync(Task<Prepared?> preparing)
    {
        await ((Task)preparing).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (preparing.IsCompletedSuccessfully && await preparing.ConfigureAwait(false) is { } left)
        {
            left.WarmUp?.Dispose();
            left.Model.Client.Dispose();
        }
    }

    private static Prepared? Make(string model, Func<string, string> qualify, Func<string, SelectedModel> select, CancellationToken cancellationToken)
    {
        using var activity = StartupActivities.Start("session.model.prepare");
        try
        {
            var qualified = qualify(model);
            var selected = select(qualified);
            return new Prepared(qualified, selected, ProviderWarmUp.Start(selected.Client, cancellationToken));
        }
#pragma warning disable CA1031 // Only a guess: the session's own choice makes the client again and reports what is wrong.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private sealed record Prepared(string Qualified, SelectedModel Model, ProviderWarmUp? WarmUp);
}
