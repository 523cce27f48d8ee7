using Microsoft.Extensions.Logging;

namespace AgentHost.Testing;

/// <summary>
/// Sends the plugin's log lines (categories <c>plugin.&lt;id&gt;…</c>, Information and above) and the kernel's warnings
/// and errors (for example a plugin event handler that threw) to <see cref="PluginTestHostOptions.Log"/>.
/// </summary>
internal sealed class ForwardingLoggerProvider(Action<string>? sink) : ILoggerProvider
{
    private const string PluginCategoryPrefix = "plugin.";
    private volatile bool _closed;

    public ILogger CreateLogger(string categoryName) => new Forwarder(this, categoryName);

    /// <summary>Stops forwarding (the test may be over: test output helpers throw after it).</summary>
    public void Dispose() => _closed = true;

    private bool Enabled(string category, LogLevel level) =>
        sink is not null && !_closed && level < LogLevel.None
        && level >= (category.StartsWith(PluginCategoryPrefix, StringComparison.Ordinal) ? LogLevel.Information : LogLevel.Warning);

    private void Write(string line)
    {
        if (_closed || sink is null)
        {
            return;
        }

        try
        {
            sink(line);
        }
        catch (InvalidOperationException)
        {
            // xunit's ITestOutputHelper throws once its test has finished; a late plugin line is dropped.
        }
    }

    private sealed class Forwarder(ForwardingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => owner.Enabled(category, logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            ArgumentNullException.ThrowIfNull(formatter);
            var line = $"[{logLevel}] {category}: {formatter(state, exception)}";
            owner.Write(exception is null ? line : line + Environment.NewLine + exception);
        }
    }
}
