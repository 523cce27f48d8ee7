using Microsoft.Extensions.Logging;

namespace AgentHost.Cluster;

/// <summary>Sends the silo's log (warnings and errors) to the host's logging.</summary>
internal sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

    public void Dispose()
    {
    }
}
