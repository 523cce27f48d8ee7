using AgentHost.Agent.Mcp;
using AgentHost.Hosting;

namespace AgentHost.Cli.Chat;

/// <summary>A workflow the chat runs (<c>/workflow NAME [name=value …]</c>).</summary>
/// <param name="Name">The workflow's name or file.</param>
/// <param name="Inputs">Its inputs, <c>name=value</c>.</param>
internal sealed record ChatWorkflow(string Name, IReadOnlyList<string> Inputs);

/// <content>The <c>/workflow</c> command.</content>
internal sealed partial class ChatCommands
{
    private void AddWorkflowCommand() =>
        Add(new SlashCommand(
            "workflow",
            "/workflow NAME [name=value …]",
            "Run a workflow (a name from 'agent workflow list', or a file) here: its progress is shown and its questions asked at the prompt.",
            (args, _) =>
            {
                var words = McpPromptArguments.Split(args);
                if (words.Count == 0)
                {
                    throw new AgentHostException(ErrorKind.Usage, "/workflow needs the workflow's name or file, e.g. /workflow implement-test-fix task=\"add a flag\" ('agent workflow list' shows them).");
                }

                if (words.Skip(1).FirstOrDefault(w => w.IndexOf('=', StringComparison.Ordinal) <= 0) is { } bad)
                {
                    throw new AgentHostException(ErrorKind.Usage, $"/workflow {words[0]}: '{bad}' is not an input; write name=value (quote a value with spaces: task=\"add a flag\").");
                }

                return Task.FromResult(new SlashOutcome(Workflow: new ChatWorkflow(words[0], [.. words.Skip(1)])));
            }));
}
