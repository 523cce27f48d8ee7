using Microsoft.Extensions.Logging;

namespace AgentHost.Cluster.Tests;

/// <summary>Keeps every message logged (the node's own warnings, and what its host forwards), with its category.</summary>
internal sealed class ListLoggerProvider : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(string Category, string Message)> _entries = new();

    public IReadOnlyCollection<string> Messages => [.. _entries.Select(e => e.Message)];

    public IReadOnlyCollection<(string Category, string Message)> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new ListLogger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class ListLogger(string category, System.Collections.Concurrent.ConcurrentQueue<(string, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => entries.Enqueue((category, formatter(state, exception)));
    }
}
