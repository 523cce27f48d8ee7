using System.Data;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AgentHost.Sessions.Postgres;

/// <summary>
/// Listens for journal appends of every process on the database (<c>LISTEN agenthost_events</c>; each append's
/// transaction sends <c>NOTIFY agenthost_events, 'WRITER:SESSION'</c>, delivered when it commits), except this store's
/// own (its writer token). A broken connection is opened again after a pause, and the callback is told with
/// <see langword="null"/> that notices may have been missed.
/// </summary>
internal sealed partial class PostgresAppendListener : IAsyncDisposable
{
    /// <summary>The channel every append notifies.</summary>
    public const string Channel = "agenthost_events";

    private static readonly TimeSpan Pause = TimeSpan.FromSeconds(1);

    private readonly Func<CancellationToken, Task<NpgsqlConnection>> _open;
    private readonly string _writer;
    private readonly Action<string?> _appended;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    private PostgresAppendListener(Func<CancellationToken, Task<NpgsqlConnection>> open, string writer, Action<string?> appended, ILogger logger)
    {
        _open = open;
        _writer = writer;
        _appended = appended;
        _logger = logger;
    }

    /// <summary>Listens from now on (the first connection is open and listening when this returns).</summary>
    public static async Task<PostgresAppendListener> StartAsync(Func<CancellationToken, Task<NpgsqlConnection>> open, string writer, Action<string?> appended, ILogger logger, CancellationToken cancellationToken)
    {
        var listener = new PostgresAppendListener(open, writer, appended, logger);
        var first = await listener.ListenOnAsync(cancellationToken).ConfigureAwait(false);
        listener._loop = Task.Run(() => listener.RunAsync(first), CancellationToken.None);
        return listener;
    }

    /// <summary>The payload of an append's notice: the writing store's token, a colon, the session id.</summary>
    public static string Notice(string writer, string sessionId) => writer + ":" + sessionId;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task<NpgsqlConnection> ListenOnAsync(CancellationToken cancellationToken)
    {
        var connection = await _open(cancellationToken).ConfigureAwait(false);
        try
        {
            connection.Notification += (_, notice) => Received(notice.Payload);
            await using var command = new NpgsqlCommand($"LISTEN {Channel}", connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Received(string payload)
    {
        var colon = payload.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && !payload.AsSpan(0, colon).SequenceEqual(_writer))
        {
            _appended(payload[(colon + 1)..]);
        }
    }

    private async Task RunAsync(NpgsqlConnection? connection)
    {
        var stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (connection is null)
                {
                    connection = await ListenOnAsync(stop).ConfigureAwait(false);
                    // Appends while no connection listened were not told: every reader looks again.
                    _appended(null);
                }

                await connection.WaitAsync(stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or InvalidOperationException or Hosting.AgentHostException)
            {
                LogBroken(_logger, ex.Message);
                if (connection is not null)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    connection = null;
                }

                await Task.Delay(Pause, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (connection is { FullState: not ConnectionState.Open })
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                connection = null;
            }
        }

        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The connection that listens for other servers' session events broke ({Reason}); opening it again (streams of sessions other servers run may pause meanwhile)")]
    private static partial void LogBroken(ILogger logger, string reason);
}
