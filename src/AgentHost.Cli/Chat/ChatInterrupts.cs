namespace AgentHost.Cli.Chat;

/// <summary>
/// Who handles Ctrl+C while the chat runs: the innermost handler (the running turn, the line editor) gets it first; when
/// it declines (returns <see langword="false"/>) or none is set, Ctrl+C cancels the whole command as usual.
/// </summary>
internal static class ChatInterrupts
{
    private static readonly Lock Sync = new();
    private static readonly List<Func<bool>> Handlers = [];

    /// <summary>Offers a Ctrl+C to the innermost handler.</summary>
    /// <returns>Whether it was handled (the process goes on).</returns>
    public static bool TryHandle()
    {
        Func<bool>? handler;
        lock (Sync)
        {
            handler = Handlers.Count > 0 ? Handlers[^1] : null;
        }

        return handler?.Invoke() ?? false;
    }

    /// <summary>Handles Ctrl+C with <paramref name="handler"/> until the result is disposed.</summary>
    public static IDisposable Push(Func<bool> handler)
    {
        lock (Sync)
        {
            Handlers.Add(handler);
        }

        return new Pop(handler);
    }

    private sealed class Pop(Func<bool> handler) : IDisposable
    {
        public void Dispose()
        {
            lock (Sync)
            {
                Handlers.Remove(handler);
            }
        }
    }
}
