using System.Globalization;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Chat;

/// <summary>Token use of the chat, from the step events: totals, and the last request's size (the context window use).</summary>
internal sealed class ChatUsage
{
    private long _input;
    private long _output;
    private long? _context;

    public long InputTokens => Interlocked.Read(ref _input);

    public long OutputTokens => Interlocked.Read(ref _output);

    /// <summary>The last step's input plus output tokens: what the next request starts from.</summary>
    public long? ContextTokens => _context;

    public void Observe(AgentEvent agentEvent)
    {
        if (agentEvent is StepCompletedEvent step)
        {
            Interlocked.Add(ref _input, step.InputTokens ?? 0);
            Interlocked.Add(ref _output, step.OutputTokens ?? 0);
            if (step.InputTokens is not null || step.OutputTokens is not null)
            {
                _context = (step.InputTokens ?? 0) + (step.OutputTokens ?? 0);
            }
        }
        else if (agentEvent is CompactionEvent compaction)
        {
            // The provider's last count less what the summary saved (estimated), until the next step reports again.
            _context = _context is { } last ? Math.Max(0, last - (compaction.TokensBefore - compaction.TokensAfter)) : null;
        }
    }

    /// <summary>Starts over (a new or resumed session).</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _input, 0);
        Interlocked.Exchange(ref _output, 0);
        _context = null;
    }

    /// <summary>The cost so far at the model's catalog prices, when it has them.</summary>
    public decimal? Cost(ModelDescriptor? descriptor) =>
        descriptor is { InputPricePerMillion: { } input, OutputPricePerMillion: { } output }
            ? ((InputTokens * input) + (OutputTokens * output)) / 1_000_000m
            : null;

    public static string Tokens(long count) => count switch
    {
        < 1_000 => count.ToString(CultureInfo.InvariantCulture),
        < 1_000_000 => (count / 1000.0).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        _ => (count / 1_000_000.0).ToString("0.#", CultureInfo.InvariantCulture) + "M",
    };
}
