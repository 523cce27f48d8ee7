namespace AgentHost.Kernel.Agent;

/// <summary>Caps text given to the model or shown in events.</summary>
internal static class ToolOutput
{
    /// <summary>The start of <paramref name="text"/>, at most <paramref name="maxCharacters"/> long, with <c>…</c> when cut.</summary>
    /// <param name="text">The text.</param>
    /// <param name="maxCharacters">The limit.</param>
    /// <returns>The preview.</returns>
    public static string Preview(string text, int maxCharacters) =>
        text.Length <= maxCharacters ? text : string.Concat(text.AsSpan(0, Math.Max(0, maxCharacters - 1)), "…");
}
