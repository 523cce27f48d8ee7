using System.CommandLine;

namespace AgentHost.Cli.Commands.Session;

/// <summary><c>agent session rename &lt;id&gt; &lt;title&gt;</c>.</summary>
internal sealed class SessionRenameCommand : AgentCommand
{
    private readonly Argument<string> _id = SessionFormatting.IdArgument();
    private readonly Argument<string> _title = new("title") { Description = "The new title." };

    public SessionRenameCommand(CliContext context)
        : base("rename", "Set a session's title.", context)
    {
        Arguments.Add(_id);
        Arguments.Add(_title);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var (store, id) = await SessionFormatting.ResolveAsync(Context, parseResult.GetRequiredValue(_id), cancellationToken).ConfigureAwait(false);
        await store.SetTitleAsync(id, parseResult.GetRequiredValue(_title), cancellationToken).ConfigureAwait(false);
        var session = await store.GetSessionAsync(id, cancellationToken).ConfigureAwait(false);
        Context.Console.WriteLine($"Renamed {id}: {SessionFormatting.Title(session)}");
        return ExitCodes.Success;
    }
}
