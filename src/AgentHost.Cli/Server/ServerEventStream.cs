namespace AgentHost.Cli.Server;

/// <summary>The server's event stream (wired to the event log when it lands).</summary>
internal static class ServerEventStream
{
    public static ApiEvents Create() => new(_ => new Nothing(), (_, _) => { }, () => { });

    private sealed class Nothing : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
