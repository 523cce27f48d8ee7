namespace AgentHost.Cli.Interaction;

/// <summary>
/// A console line read on a thread of its own while a question is open, so a question withdrawn meanwhile (Ctrl+C
/// cancelled the run, another front end answered) stops the wait; a line still being read then answers the next question.
/// </summary>
internal static class ConsoleLineReading
{
    /// <summary>How often a prompter checks whether its question is still open while the line is read.</summary>
    public static TimeSpan WithdrawnPoll { get; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Waits for <paramref name="reading"/>; <see langword="false"/> as soon as <paramref name="open"/> says the question went away first.</summary>
    /// <param name="reading">The line being read.</param>
    /// <param name="open">Whether the question is still open.</param>
    /// <returns>Whether the line was read.</returns>
    public static async Task<bool> WaitAsync(Task<string?> reading, Func<bool> open)
    {
        while (await Task.WhenAny(reading, Task.Delay(WithdrawnPoll)).ConfigureAwait(false) != reading)
        {
            if (!open())
            {
                return false;
            }
        }

        return true;
    }
}
