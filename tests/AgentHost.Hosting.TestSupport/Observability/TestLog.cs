using Microsoft.Extensions.Logging;

namespace AgentHost.Tests.Observability;

/// <summary>The log messages the observability tests write (source-generated, like the product's).</summary>
public static partial class TestLog
{
    [LoggerMessage(EventId = 4711, Level = LogLevel.Information, Message = "Tool {Tool} finished in {DurationMs} ms with {Lines} lines")]
    public static partial void ToolFinished(ILogger logger, string tool, double durationMs, int lines);

    [LoggerMessage(Level = LogLevel.Warning, Message = "plain {Count} warning")]
    public static partial void PlainWarning(ILogger logger, int count);

    [LoggerMessage(Message = "entry {Number}")]
    public static partial void Entry(ILogger logger, LogLevel level, int number);

    [LoggerMessage(Level = LogLevel.Information, Message = "entry {Number} {Padding}")]
    public static partial void Padded(ILogger logger, int number, string padding);

    [LoggerMessage(Message = "{Text}")]
    public static partial void Text(ILogger logger, LogLevel level, string text);

    [LoggerMessage(Level = LogLevel.Error, Message = "calling the provider with key {Key} failed")]
    public static partial void KeyFailed(ILogger logger, Exception exception, string key);

    [LoggerMessage(Level = LogLevel.Information, Message = "plugin says {What}")]
    public static partial void PluginSays(ILogger logger, string what);

    [LoggerMessage(Level = LogLevel.Information, Message = "worker {Worker} entry {Number}")]
    public static partial void Worker(ILogger logger, int worker, int number);
}
