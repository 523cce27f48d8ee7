using System.Text;
using AgentHost.Agent.Tools;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Engine;

/// <summary>
/// Summarises the older part of a conversation with the model so the run fits its context window. The most recent
/// messages (about <see cref="AgentLoopOptions.CompactionKeepRecentFraction"/> of the window) stay verbatim; the cut
/// never separates a tool call from its results.
/// </summary>
/// <remarks>Stateless apart from its dependencies; thread-safe.</remarks>
internal sealed class ConversationCompactor(IChatClient client, AgentLoopOptions options)
{
    /// <summary>The system prompt of the summary request.</summary>
    public const string Instructions =
        """
        You compress the transcript of an AI agent's work so that the agent can continue from your summary and the
        most recent messages alone. Write a concise Markdown summary with these sections:
        - Goal: what the user asked for, with every constraint and preference they stated.
        - Decisions: what was decided or ruled out, and why.
        - Files: files read, created or changed (exact paths), and what changed in each.
        - Progress: what is done, including commands run and their results.
        - Open tasks: what remains, the next step, and unresolved errors or questions.
        Keep exact names, paths, identifiers, error messages and numbers that matter. Do not invent anything, do not
        address the user, and do not add commentary outside the summary.
        """;

    /// <summary>The prefix of the summary message put in front of the kept messages.</summary>
    public const string SummaryHeading = "Summary of the earlier conversation (older messages were compacted to fit the context window):";

    private const int MaxMessageCharacters = 8_000;
    private const int MaxResultCharacters = 2_000;
    private const int MaxArgumentCharacters = 500;

    /// <summary>Where to cut: the index of the first message kept verbatim, or <see langword="null"/> when nothing can be summarised.</summary>
    public int? ChooseCut(Conversation conversation, long window) => ChooseCut(conversation, window, options.CompactionKeepRecentFraction);

    /// <summary>
    /// Where to cut, keeping about <paramref name="keepRecentFraction"/> of the window verbatim (0 for a compaction on
    /// request: everything but the last message and the tool results it needs).
    /// </summary>
    public int? ChooseCut(Conversation conversation, long window, double keepRecentFraction)
    {
        var first = conversation.FirstMessageIndex;
        var budget = (long)(window * keepRecentFraction * options.CharactersPerToken);
        var cut = conversation.Count;
        var kept = 0L;
        while (cut > first && kept + conversation.CharactersAt(cut - 1) <= budget)
        {
            kept += conversation.CharactersAt(cut - 1);
            cut--;
        }

        if (cut == conversation.Count)
        {
            cut--;
        }

        while (cut > first && conversation.Messages[cut].Role == ChatRole.Tool)
        {
            cut--;
        }

        return cut > first ? cut : null;
    }

    /// <summary>Asks the model for a summary of the messages before <paramref name="cut"/>.</summary>
    public Task<ChatMessage> SummarizeAsync(Conversation conversation, int cut, long window, string? modelId, CancellationToken cancellationToken) =>
        SummarizeAsync(conversation, cut, window, modelId, focus: null, cancellationToken);

    /// <summary>Asks the model for a summary of the messages before <paramref name="cut"/>, giving weight to <paramref name="focus"/> when set (<c>/compact FOCUS</c>).</summary>
    public async Task<ChatMessage> SummarizeAsync(Conversation conversation, int cut, long window, string? modelId, string? focus, CancellationToken cancellationToken)
    {
        var transcript = Transcript(conversation, cut);
        var maxTranscript = (int)Math.Clamp(window * options.CharactersPerToken / 2, 16_000, int.MaxValue / 4);
        transcript = AgentHost.Hosting.Text.TextCaps.HeadAndTail(transcript, maxTranscript, out _);
        ChatMessage[] request =
        [
            new(ChatRole.System, Instructions),
            new(ChatRole.User, $"<transcript>\n{transcript}\n</transcript>\n\n{(string.IsNullOrWhiteSpace(focus) ? string.Empty : $"The user asks the summary to focus on: {focus.Trim()}\n\n")}Write the summary now."),
        ];
        var response = await client.GetResponseAsync(request, new ChatOptions { ModelId = modelId }, cancellationToken).ConfigureAwait(false);
        var text = response.Text.Trim();
        if (text.Length == 0)
        {
            throw new InvalidOperationException("the model returned an empty summary");
        }

        return new ChatMessage(ChatRole.User, $"{SummaryHeading}\n\n{text}{ActiveSkillsText(conversation, cut)}")
        {
            AdditionalProperties = new AdditionalPropertiesDictionary { [IConversationRecorder.SummaryMarker] = true },
        };
    }

    /// <summary>The heading of the skills kept verbatim through a compaction.</summary>
    public const string ActiveSkillsHeading = "Skills activated earlier in this conversation (still active; their instructions are kept verbatim):";

    /// <summary>Activated skills' content in the summarised messages: kept verbatim after the summary (the latest activation of each skill).</summary>
    private static string ActiveSkillsText(Conversation conversation, int cut)
    {
        var blocks = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = conversation.FirstMessageIndex; i < cut; i++)
        {
            foreach (var content in conversation.Messages[i].Contents)
            {
                var text = content switch
                {
                    TextContent t => t.Text,
                    FunctionResultContent r => ToolJson.ResultToText(r.Result),
                    _ => null,
                };
                foreach (var (name, block) in Skills.SkillContent.Find(text))
                {
                    blocks.Remove(name);
                    blocks[name] = block;
                }
            }
        }

        return blocks.Count == 0 ? string.Empty : $"\n\n{ActiveSkillsHeading}\n\n{string.Join("\n\n", blocks.Values)}";
    }

    private static string Transcript(Conversation conversation, int cut)
    {
        var builder = new StringBuilder();
        for (var i = conversation.FirstMessageIndex; i < cut; i++)
        {
            var message = conversation.Messages[i];
            if (message.AdditionalProperties?.TryGetValue(IConversationRecorder.SummaryMarker, out var marker) == true && marker is true)
            {
                builder.Append("[earlier summary]\n").Append(Cap(message.Text, MaxMessageCharacters)).Append("\n\n");
                continue;
            }

            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case TextContent text when !string.IsNullOrWhiteSpace(text.Text):
                        builder.Append('[').Append(message.Role.Value).Append("]\n").Append(Cap(text.Text, MaxMessageCharacters)).Append("\n\n");
                        break;
                    case FunctionCallContent call:
                        var arguments = ToolJson.ArgumentsToJson(call, out _) ?? "(invalid arguments)";
                        builder.Append("[assistant called ").Append(call.Name).Append(" (").Append(call.CallId).Append(")] ")
                            .Append(Cap(arguments, MaxArgumentCharacters)).Append("\n\n");
                        break;
                    case FunctionResultContent result:
                        builder.Append("[result of ").Append(result.CallId).Append("]\n")
                            .Append(Cap(ToolJson.ResultToText(result.Result), MaxResultCharacters)).Append("\n\n");
                        break;
                    case DataContent data:
                        builder.Append("[attachment ").Append(data.MediaType).Append("]\n\n");
                        break;
                }
            }
        }

        return builder.ToString();
    }

    private static string Cap(string text, int max) => AgentHost.Hosting.Text.TextCaps.HeadAndTail(text, max, out _);
}
