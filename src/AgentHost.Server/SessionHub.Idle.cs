namespace AgentHost.Server;

/// <content>The idle close (<see cref="ServerDefaults.IdleTimeout"/>): open sessions nobody uses are closed, their leases released.</content>
internal sealed partial class SessionHub
{
    private ITimer? _idleSweep;

    /// <summary>Checks for idle sessions periodically (a half of the idle timeout, between 1 second and 1 minute); nothing without a timeout.</summary>
    public void StartIdleClose()
    {
        if (defaults.IdleTimeout is not { } timeout || _idleSweep is not null)
        {
            return;
        }

        var period = TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 2, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
        _idleSweep = time.CreateTimer(_ => _ = SweepAsync(), null, period, period);
    }

    private async Task SweepAsync()
    {
        try
        {
            await CloseIdleAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Hosting.AgentHostException or System.Data.Common.DbException or InvalidOperationException or ObjectDisposedException)
        {
            ServerLog.IdleCloseFailed(Logger, ex.Message);
        }
    }

    /// <summary>
    /// Closes every open session unused for the idle timeout or longer: no run in flight, no permission request or
    /// question waiting, no request since. Its lease is released and its history kept; the next request opens it again.
    /// </summary>
    /// <returns>How many sessions were closed.</returns>
    public async Task<int> CloseIdleAsync()
    {
        if (defaults.IdleTimeout is not { } timeout)
        {
            return 0;
        }

        var closed = 0;
        var now = time.GetUtcNow();
        foreach (var hosted in OpenSessions)
        {
            if (now - hosted.LastUsed < timeout || hosted.Session.PendingPermissions.Count > 0 || hosted.Session.PendingQuestions.Count > 0)
            {
                continue;
            }

            // Claimed like a run, so a prompt arriving meanwhile cannot start on the session being closed (it opens it again).
            var closing = new ServerRun("idle-close", hosted.Id, now, 0);
            if (!hosted.TryStart(closing))
            {
                continue;
            }

            await CloseAsync(hosted.Id).ConfigureAwait(false);
            closing.Finish();
            closed++;
        }

        return closed;
    }
}
