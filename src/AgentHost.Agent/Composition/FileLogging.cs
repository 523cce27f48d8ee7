using AgentHost.Hosting.Logging;

namespace AgentHost.Agent.Composition;

/// <summary>Owns the host's file logger factory: writes its pending entries when the process exits, and disposes it with the host.</summary>
internal sealed class FileLogging : IDisposable
{
    public FileLogging(FileLoggerFactory factory)
    {
        Factory = factory;
        // A process that ends without disposing the host (e.g. Environment.Exit) still writes its last entries.
        AppDomain.CurrentDomain.ProcessExit += FlushOnExit;
    }

    public FileLoggerFactory Factory { get; }

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= FlushOnExit;
        Factory.Dispose();
    }

    private void FlushOnExit(object? sender, EventArgs e) => Factory.Flush();
}
