using AgentHost.Cli.Compare;
using AgentHost.Hosting;

namespace AgentHost.Cli.Chat;

/// <summary>A compare the chat runs (<c>/compare m1,m2 [prompt]</c>).</summary>
/// <param name="Models">The comma-separated models, as typed.</param>
/// <param name="Prompt">The prompt; <see langword="null"/> for the conversation's last prompt.</param>
internal sealed record ChatCompare(string Models, string? Prompt);

/// <content>The <c>/compare</c> command.</content>
internal sealed partial class ChatCommands
{
    private void AddCompareCommand() =>
        Add(new SlashCommand(
            "compare",
            "/compare M1,M2[,…] [prompt]",
            "Ask 2 to 6 models (provider/model) the prompt, or your last one, at once without tools; their answers side by side with tokens, cost and time. A side question: not added to this conversation.",
            (args, _) =>
            {
                var space = args.IndexOfAny([' ', '\t', '\n']);
                var list = space < 0 ? args : args[..space];
                var prompt = space < 0 ? null : args[(space + 1)..].Trim();
                if (list.Length == 0)
                {
                    throw new AgentHostException(ErrorKind.Usage, "/compare needs the models, comma-separated, e.g. /compare openai/gpt-4.1,anthropic/claude-sonnet-4-5 why is the build slow? (without a prompt, your last one is asked).");
                }

                ModelComparison.Split(list, "/compare");
                return Task.FromResult(new SlashOutcome(Compare: new ChatCompare(list, prompt is { Length: > 0 } ? prompt : null)));
            }));
}
