using System.CommandLine;
using AgentHost.Hosting;
namespace AgentHost.Cli.Commands.Session;

/// <summary><c>agent session import &lt;file&gt;</c>: imports a JSON Lines export.</summary>
internal sealed class SessionImportCommand : AgentCommand
{
    private readonly Argument<string> _file = new("file") { Description = "A file written by 'agent session export --format jsonl'." };

    public SessionImportCommand(CliContext context)
        : base("import", "Import a session from a JSON Lines export (keeps its id unless that id is taken).", context)
    {
        Arguments.Add(_file);
    }

    protected override async Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var path = Path.GetFullPath(parseResult.GetRequiredValue(_file), Context.Environment.CurrentDirectory);
        if (!File.Exists(path))
        {
            throw new AgentHostException(ErrorKind.NotFound, $"{path} does not exist. Export a session with 'agent session export <id> --format jsonl --output FILE'.");
        }

        var store = await Context.OpenSessionStoreAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(path);
        var (session, requested, renamed) = await store.Transfer.ImportAsync(reader, path, cancellationToken).ConfigureAwait(false);
        if (renamed)
        {
            Context.Console.WriteInfo(requested.Length > 0
                ? $"session {requested} already exists in {store.Location} (or its id is not valid): imported as a new session {session.Id}; the existing session is unchanged. Delete one with 'agent session delete <id>' if you meant to replace it."
                : $"the export has no session id: imported as a new session {session.Id}.");
        }

        Context.Console.WriteLine($"Imported session {session.Id} ({session.MessageCount} messages, {session.ToolEventCount} tool calls): {SessionFormatting.Title(session)}");
        return ExitCodes.Success;
    }
}
