using System.CommandLine;

namespace AgentHost.Cli.Commands.Session;

/// <summary><c>agent session delete &lt;id&gt; [--yes]</c>: deletes a session with its messages and tool events.</summary>
internal sealed class SessionDeleteCommand : AgentCommand
{
    private readonly Argument<string> _id = SessionFormatting.IdArgument();
    private readonly Option<bool> _yes = new("--yes", "-y") { Description = "Delete without asking (required when no one can answer)." };

    public SessionDeleteCommand(CliContext context)
        : base("delete", "Delete a session with its messages and tool calls.", context)
    {
        Arguments.Add(_id);
        Options.Add(_yes);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var (store, id) = await SessionFormatting.ResolveAsync(Context, parseResult.GetRequiredValue(_id), cancellationToken).ConfigureAwait(false);
        var session = await store.GetSessionAsync(id, cancellationToken).ConfigureAwait(false);
        var question = $"Delete session {id} \"{SessionFormatting.Title(session)}\" ({session.MessageCount} messages)?";
        if (!SessionFormatting.Confirm(Context.Console, parseResult.GetValue(_yes), question, $"not deleting session {id}"))
        {
            Context.Console.WriteInfo("Nothing was deleted.");
            return ExitCodes.Denied;
        }

        await store.DeleteSessionAsync(id, cancellationToken).ConfigureAwait(false);
        Context.Console.WriteLine($"Deleted session {id}.");
        return ExitCodes.Success;
    }
}
