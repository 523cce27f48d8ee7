using AgentHost.Hosting.Text;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Runs;

/// <summary>Asks the small model for a session title; the prompt-derived title stays when it fails.</summary>
internal static class SessionTitler
{
    private const string Instructions =
        "Write a short title (at most 8 words) for the task below. Reply with the title only: no quotes, no punctuation at the end.";

    public static async Task GenerateAsync(Func<SelectedModel> selectSmallModel, ISessionStore store, string sessionId, string prompt, IEventBus events, CancellationToken cancellationToken)
    {
        try
        {
            var small = selectSmallModel();
            var response = await small.Client.GetResponseAsync(
                [new ChatMessage(ChatRole.System, Instructions), new ChatMessage(ChatRole.User, TextCaps.HeadAndTail(prompt, 4_000, out _))],
                new ChatOptions { MaxOutputTokens = 32 },
                cancellationToken).ConfigureAwait(false);
            var title = response.Text.Trim().Trim('"', '\'', '.', ' ').ReplaceLineEndings(" ");
            if (title.Length > 0)
            {
                await store.SetTitleAsync(sessionId, SessionTitles.FromPrompt(title), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            events.Publish(new WarningEvent("titles", $"the small model could not title the session ({ex.Message}); keeping the title from the prompt."));
        }
    }
}
