using AgentHost.Agent.Service;
using AgentHost.Hosting;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Server;

/// <summary>What a run reserves against its owner's daily budgets while it is in flight (<see cref="RunEstimates"/>).</summary>
/// <param name="Tokens">Tokens, against <c>server.limits.tokens_per_day</c>.</param>
/// <param name="Cost">US dollars, against <c>server.limits.cost_per_day</c>.</param>
internal readonly record struct RunEstimate(long Tokens, decimal Cost);

/// <summary>
/// What a run reserves against its owner's daily budgets while it is in flight (docs/server.md "Limits"): the input of
/// its first model request, estimated as the agent loop estimates it (four characters a token), and that input priced
/// at the model's input price (the price table cost accounting uses: the model catalog and the provider's
/// <c>models</c> entries), until the usage its session records replaces the estimate. A model without prices counts
/// $0, as its recorded usage does.
/// </summary>
internal static class RunEstimates
{
    /// <summary>
    /// The input of a turn whose session has not run in this process yet (its system prompt and tool schemas are not
    /// built until then): what a session of the bundled plugins sends besides its prompt, rounded up. An estimate too
    /// high only makes parallel runs near the budget wait; one too low lets them overspend, so it errs high.
    /// </summary>
    public const long FirstTurnTokens = 2_000;

    /// <summary>The agent loop's estimate: characters per token.</summary>
    private const int CharactersPerToken = 4;

    /// <summary>
    /// A send's estimate: its prompt, plus what the session's next request carries besides it (system prompt, tools,
    /// conversation), priced at the input price of <paramref name="model"/>.
    /// </summary>
    public static async Task<RunEstimate> OfSendAsync(AgentSession session, string prompt, ModelDescriptor? model, CancellationToken cancellationToken)
    {
        ContextWindowReport? context;
        try
        {
            context = await session.GetContextAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AgentHostException or IOException or UnauthorizedAccessException)
        {
            // What the session would send cannot be read now (its memory files, its history): the first-turn figure stands in.
            context = null;
        }

        return Priced(OfPrompt(prompt) + (context?.TotalTokens ?? FirstTurnTokens), model);
    }

    /// <summary>A new session's turn (a workflow's agent node, a child session): its prompt and <see cref="FirstTurnTokens"/>, priced at <paramref name="model"/>'s input price.</summary>
    public static RunEstimate OfNewTurn(string prompt, ModelDescriptor? model) => Priced(OfPrompt(prompt) + FirstTurnTokens, model);

    /// <summary>Tokens as input, at the model's input price per million (0 without one).</summary>
    public static RunEstimate Priced(long tokens, ModelDescriptor? model) =>
        new(tokens, model?.InputPricePerMillion is { } price ? tokens * price / 1_000_000m : 0m);

    private static long OfPrompt(string prompt) => (prompt.Length + CharactersPerToken - 1) / CharactersPerToken;
}
