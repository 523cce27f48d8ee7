using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Logging;

/// <summary>
/// The host's logger factory: a <see cref="LoggerFactory"/> filtered at <see cref="FileLoggerOptions.MinimumLevel"/>
/// that writes to one <see cref="FileLoggerProvider"/> and owns it.
/// </summary>
/// <remarks>Thread-safe. Dispose to write pending entries (the provider is disposed with the factory).</remarks>
public sealed class FileLoggerFactory : ILoggerFactory
{
    private readonly LoggerFactory _inner;

    /// <summary>Creates the factory and its provider (nothing touches the disk before the first entry).</summary>
    /// <param name="options">The file logger's settings.</param>
    public FileLoggerFactory(FileLoggerOptions options)
    {
        Provider = new FileLoggerProvider(options);
        _inner = new LoggerFactory([Provider], new LoggerFilterOptions { MinLevel = options.MinimumLevel });
    }

    /// <summary>The file provider.</summary>
    public FileLoggerProvider Provider { get; }

    /// <inheritdoc/>
    public ILogger CreateLogger(string categoryName) => _inner.CreateLogger(categoryName);

    /// <inheritdoc/>
    public void AddProvider(ILoggerProvider provider) => _inner.AddProvider(provider);

    /// <summary>Writes the pending entries now.</summary>
    public void Flush() => Provider.Flush();

    /// <inheritdoc/>
    public void Dispose()
    {
        _inner.Dispose();
        Provider.Dispose();
    }
}
