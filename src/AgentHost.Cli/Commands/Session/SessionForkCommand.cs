using System.CommandLine;

namespace AgentHost.Cli.Commands.Session;

/// <summary><c>agent session fork &lt;id&gt; [--at MESSAGE_ID]</c>: copies a session, whole or up to a message.</summary>
internal sealed class SessionForkCommand : AgentCommand
{
    private readonly Argument<string> _id = SessionFormatting.IdArgument();
    private readonly Option<string?> _at = new("--at") { Description = "Copy messages up to and including this message id (or unique prefix); see 'agent session history'." };

    public SessionForkCommand(CliContext context)
        : base("fork", "Copy a session into a new one, whole or up to a message, to take the conversation elsewhere.", context)
    {
        Arguments.Add(_id);
        Options.Add(_at);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var (store, id) = await SessionFormatting.ResolveAsync(Context, parseResult.GetRequiredValue(_id), cancellationToken).ConfigureAwait(false);
        var fork = await store.Transfer.ForkAsync(id, parseResult.GetValue(_at), cancellationToken).ConfigureAwait(false);
        Context.Console.WriteLine($"Forked {id} into {fork.Id} ({fork.MessageCount} messages{(fork.ForkMessageId is { } at ? $", up to {at}" : string.Empty)}).");
        return ExitCodes.Success;
    }
}
