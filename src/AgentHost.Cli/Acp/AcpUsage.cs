using System.Text.Json.Nodes;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Acp;

/// <summary>
/// ACP's <c>usage_update</c>: after each model step, the tokens the conversation now holds (the step's input plus its
/// output) against the model's context window; at the end of a turn, with the session's cost so far when the model has
/// prices. Nothing is sent when the provider reported no token counts or the model's context window is unknown (the
/// schema requires both numbers).
/// </summary>
internal static class AcpUsage
{
    /// <summary>The tokens in context after <paramref name="step"/>, or <see langword="null"/> when the provider did not say.</summary>
    public static long? UsedAfter(StepCompletedEvent step) =>
        step.InputTokens is { } input ? input + (step.OutputTokens ?? 0) : null;

    /// <summary>The update, or <see langword="null"/> when <paramref name="used"/> or <paramref name="contextWindow"/> is unknown.</summary>
    /// <param name="used">Tokens in context.</param>
    /// <param name="contextWindow">The model's context window (0 or less: unknown).</param>
    /// <param name="cost">The session's cost so far in US dollars, when known.</param>
    public static JsonObject? Update(long? used, int? contextWindow, decimal? cost)
    {
        if (used is not { } tokens || contextWindow is not > 0)
        {
            return null;
        }

        var update = new JsonObject { ["sessionUpdate"] = "usage_update", ["used"] = Math.Max(0, tokens), ["size"] = contextWindow };
        if (cost is { } amount)
        {
            update["cost"] = new JsonObject { ["amount"] = (double)amount, ["currency"] = "USD" };
        }

        return update;
    }
}
