using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Plugins.Loading;

/// <summary>Gives each plugin its own logger categories (<c>plugin.&lt;id&gt;.&lt;category&gt;</c>) without letting it add providers.</summary>
internal sealed class PrefixedLoggerFactory(ILoggerFactory inner, string prefix) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) =>
        inner.CreateLogger(string.IsNullOrEmpty(categoryName) ? prefix : $"{prefix}.{categoryName}");

    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException("Plugins cannot add logging providers; the host owns logging.");

    public void Dispose()
    {
        // The host owns the inner factory.
    }
}
