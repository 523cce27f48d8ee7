using System.Runtime.CompilerServices;
using System.Threading.Channels;
using AgentHost.Hosting.Events;
using AgentHost.Sdk.Events;

namespace AgentHost.Agent.Service;

/// <content>The session's event stream.</content>
public sealed partial class AgentSession
{
    /// <summary>How many events a stream's subscription holds for a slow reader before it drops the oldest (reported as a warning).</summary>
    public const int StreamCapacity = 1024;

    private readonly List<Channel<AgentEvent>> _streams = [];

    /// <summary>
    /// The events of this session as they happen: every <see cref="SessionEvent"/> whose session is this one (the id a
    /// new session gets at its first turn counts from then on) and every <see cref="WarningEvent"/> of the process.
    /// Ends when the session closes or <paramref name="cancellationToken"/> fires.
    /// </summary>
    /// <remarks>
    /// Subscribed when this method is called (not when the enumeration starts): call it before <see cref="SendAsync"/> to see a turn whole. Read from any
    /// thread. The engine never waits for a reader: a reader more than <see cref="StreamCapacity"/> events behind
    /// loses the oldest ones, and the bus reports the loss as a warning.
    /// </remarks>
    /// <param name="cancellationToken">Ends the enumeration.</param>
    /// <returns>The events.</returns>
    public IAsyncEnumerable<AgentEvent> StreamEventsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        var channel = Channel.CreateBounded<AgentEvent>(new BoundedChannelOptions(16) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        var bus = _parts.Runtime.Events;
        var subscription = bus.Subscribe(
            typeof(AgentEvent),
            async (e, ct) =>
            {
                if (Belongs(e))
                {
                    // Waiting here fills the subscription's own bounded queue, which drops its oldest: the publisher never waits.
                    try
                    {
                        await channel.Writer.WriteAsync(e, ct).ConfigureAwait(false);
                    }
                    catch (ChannelClosedException)
                    {
                        // The stream ended while the event was on its way.
                    }
                }
            },
            EventDelivery.DropOldest,
            $"session {Id ?? "(new)"} event stream");
        lock (_sync)
        {
            if (_isClosed)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _streams.Add(channel);
            }
        }

        return ReadAsync(channel, subscription, cancellationToken);
    }

    private bool Belongs(AgentEvent e) => e switch
    {
        SessionEvent s => Id is { } id && string.Equals(s.SessionId, id, StringComparison.Ordinal),
        WarningEvent => true,
        _ => false,
    };

    private async IAsyncEnumerable<AgentEvent> ReadAsync(Channel<AgentEvent> channel, IDisposable subscription, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var e))
                {
                    yield return e;
                }
            }
        }
        finally
        {
            subscription.Dispose();
            channel.Writer.TryComplete();
            lock (_sync)
            {
                _streams.Remove(channel);
            }
        }
    }

    private void CompleteStreams()
    {
        lock (_sync)
        {
            foreach (var stream in _streams)
            {
                stream.Writer.TryComplete();
            }

            _streams.Clear();
        }
    }
}
