using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Logging;

/// <summary>One category's logger of a <see cref="FileLoggerProvider"/>.</summary>
internal sealed class FileLogger(string category, FileLoggerProvider provider) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull =>
        provider.Scopes?.Push(state);

    public bool IsEnabled(LogLevel logLevel) => provider.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!provider.IsEnabled(logLevel))
        {
            return;
        }

        ArgumentNullException.ThrowIfNull(formatter);
        var options = provider.Options;
        var line = LogEntryWriter.Format(
            options.TimeProvider.GetUtcNow(),
            logLevel,
            category,
            eventId,
            formatter(state, exception) ?? string.Empty,
            exception,
            state,
            provider.Scopes,
            options.Scrubber);
        provider.Enqueue(logLevel, line);
    }
}
