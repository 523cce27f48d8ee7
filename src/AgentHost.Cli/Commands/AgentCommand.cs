using System.CommandLine;

namespace AgentHost.Cli.Commands;

/// <summary>Base of every command: one class per command, executed with the parse result and a cancellation token.</summary>
internal abstract class AgentCommand : Command
{
    protected AgentCommand(string name, string description, CliContext context)
        : base(name, description)
    {
        Context = context;
        SetAction(ExecuteAsync);
    }

    protected CliContext Context { get; }

    protected abstract Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken);
}
