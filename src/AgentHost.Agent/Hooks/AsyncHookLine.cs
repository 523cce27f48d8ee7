using System.Text.Json;
using System.Text.Json.Nodes;

namespace AgentHost.Agent.Hooks;

/// <summary>
/// Claude Code's protocol for a hook that goes on in the background: its first line of output is a JSON object with
/// <c>"async": true</c> and optionally <c>"asyncTimeout"</c> (milliseconds it may go on running). Such a hook is not
/// waited for, and its output is not an answer (it decides nothing).
/// </summary>
internal static class AsyncHookLine
{
    /// <summary>The longest <c>asyncTimeout</c> honoured: one day.</summary>
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromDays(1);

    /// <summary>Whether <paramref name="line"/> is the async marker; <paramref name="timeout"/> is its <c>asyncTimeout</c>, when it gives a usable one.</summary>
    /// <param name="line">The first line of a hook's output.</param>
    /// <param name="timeout">How long it may go on, or <see langword="null"/> for the hook's own time limit.</param>
    /// <returns>Whether it is the marker.</returns>
    public static bool TryRead(string line, out TimeSpan? timeout)
    {
        timeout = null;
        var text = line.Trim();
        if (!text.StartsWith('{') || !text.Contains("async", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            if (JsonNode.Parse(text) is not JsonObject json || json["async"] is not JsonValue flag || !flag.TryGetValue<bool>(out var isAsync) || !isAsync)
            {
                return false;
            }

            if (json["asyncTimeout"] is JsonValue value && value.TryGetValue<double>(out var milliseconds) && milliseconds > 0)
            {
                timeout = TimeSpan.FromMilliseconds(Math.Min(milliseconds, MaxTimeout.TotalMilliseconds));
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Whether the first line of <paramref name="stdout"/> is the marker (a hook that said so and then finished at once).</summary>
    /// <param name="stdout">A hook's whole output.</param>
    /// <returns>Whether it is.</returns>
    public static bool StartsWithMarker(string stdout)
    {
        var end = stdout.IndexOf('\n', StringComparison.Ordinal);
        return TryRead(end < 0 ? stdout : stdout[..end], out _);
    }
}
