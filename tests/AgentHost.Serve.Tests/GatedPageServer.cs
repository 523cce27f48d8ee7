using System.Net;
using AgentHost.Tests.Support;

namespace AgentHost.Serve.Tests;

/// <summary>
/// A page server on 127.0.0.1 for the web plugin's <c>fetch</c>, with latency and a gate: <c>GET /held/…</c> waits
/// until the test opens the gate (or the server stops), <c>GET /page/…</c> answers after the latency only. Each
/// answer is <c>page PATH</c> as text. It counts the requests in flight and the peak, so a test proves how many calls
/// were in flight at once by what the server saw, not by timing.
/// </summary>
internal sealed class GatedPageServer(TimeSpan latency) : FakeHttpServer("text/plain", string.Empty, TimeSpan.Zero)
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _firstHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _sync = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private int _inFlight;
    private int _peak;

    /// <summary>The most requests that were in flight at once.</summary>
    public int Peak => Volatile.Read(ref _peak);

    /// <summary>The requests in flight now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public string Held(string name) => Root + "held/" + name;

    public string Page(string name) => Root + "page/" + name;

    /// <summary>Completes once <paramref name="count"/> requests are in flight at the same time.</summary>
    public Task InFlightAtLeast(int count)
    {
        lock (_sync)
        {
            if (_inFlight >= count)
            {
                return Task.CompletedTask;
            }

            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, reached));
            return reached.Task;
        }
    }

    /// <summary>Completes when the first <c>/held/</c> request arrived (a tool call is now blocked in it).</summary>
    public Task FirstHeld => _firstHeld.Task;

    /// <summary>Lets every held request (and every later one) answer.</summary>
    public void Open() => _open.TrySetResult();

    protected override async Task RouteAsync(RecordedRequest request, HttpListenerResponse response)
    {
        Enter();
        try
        {
            if (request.Path.StartsWith("/held/", StringComparison.Ordinal))
            {
                _firstHeld.TrySetResult();
                await _open.Task;
            }

            await Task.Delay(latency);
            await WriteAsync(response, 200, "page " + request.Path, "text/plain; charset=utf-8");
        }
        finally
        {
            lock (_sync)
            {
                _inFlight--;
            }
        }
    }

    private void Enter()
    {
        lock (_sync)
        {
            _inFlight++;
            _peak = Math.Max(_peak, _inFlight);
            foreach (var waiter in _waiters.Where(w => _inFlight >= w.Count).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Reached.TrySetResult();
            }
        }
    }
}
