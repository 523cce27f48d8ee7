using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Logging;

/// <summary>One entry read back from the log file.</summary>
/// <param name="Timestamp">When it was written (UTC).</param>
/// <param name="Level">Its level.</param>
/// <param name="Category">The logger category, e.g. <c>AgentHost.Hosting.Plugins.Loading.PluginHost</c> or <c>plugin.files.Tools</c>.</param>
/// <param name="Message">The formatted (scrubbed) message.</param>
/// <param name="Json">The line as stored.</param>
public sealed record LogEntry(DateTimeOffset Timestamp, LogLevel Level, string Category, string Message, string Json)
{
    /// <summary>The event id (0 when none).</summary>
    public int EventId { get; init; }

    /// <summary>The event name, when any.</summary>
    public string? EventName { get; init; }

    /// <summary>The (scrubbed) exception text, when any.</summary>
    public string? Exception { get; init; }

    /// <summary>The structured state: the message template's values by name.</summary>
    public IReadOnlyDictionary<string, JsonElement> State { get; init; } = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
}
