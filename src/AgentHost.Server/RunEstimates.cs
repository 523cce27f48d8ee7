using AgentHost.Agent.Service;
using AgentHost.Hosting;

namespace AgentHost.Server;

/// <summary>
/// What a run reserves against its owner's daily token budget while it is in flight (docs/server.md "Limits"): the
/// input of its first model request, estimated as the agent loop estimates it (four characters a token), until the
/// usage its session records replaces the estimate.
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

    /// <summary>A send's estimate: its prompt, plus what the session's next request carries besides it (system prompt, tools, conversation).</summary>
    public static async Task<long> OfSendAsync(AgentSession session, string prompt, CancellationToken cancellationToken)
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

        return OfPrompt(prompt) + (context?.TotalTokens ?? FirstTurnTokens);
    }

    /// <summary>A new session's turn (a workflow's agent node, a child session): its prompt and <see cref="FirstTurnTokens"/>.</summary>
    public static long OfNewTurn(string prompt) => OfPrompt(prompt) + FirstTurnTokens;

    private static long OfPrompt(string prompt) => (prompt.Length + CharactersPerToken - 1) / CharactersPerToken;
}
