namespace AgentHost.Agent.Engine;

/// <summary>
/// Notices the model repeating itself: the same call signature (tool name + canonical JSON arguments) seen
/// <c>threshold</c> times within the last <c>windowSteps</c> steps, counting repeats inside one step too.
/// </summary>
/// <remarks>Not thread-safe; owned by one run.</remarks>
internal sealed class LoopDetector(int threshold, int windowSteps)
{
    private readonly Queue<(int Step, string[] Signatures)> _recent = new();

    /// <summary>Adds a step's call signatures and returns the first that reached the threshold, or <see langword="null"/>.</summary>
    public string? Observe(int step, string[] signatures)
    {
        while (_recent.Count > 0 && _recent.Peek().Step <= step - windowSteps)
        {
            _recent.Dequeue();
        }

        _recent.Enqueue((step, signatures));
        if (threshold < 1)
        {
            return null;
        }

        foreach (var signature in signatures)
        {
            var count = 0;
            foreach (var (_, earlier) in _recent)
            {
                foreach (var candidate in earlier)
                {
                    if (string.Equals(candidate, signature, StringComparison.Ordinal))
                    {
                        count++;
                    }
                }
            }

            if (count >= threshold)
            {
                return signature;
            }
        }

        return null;
    }
}
