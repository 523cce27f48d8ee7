using System.CommandLine;

namespace AgentHost.Cli.Commands;

/// <summary><c>agent plugin list</c>.</summary>
internal sealed class PluginListCommand : AgentCommand
{
    public PluginListCommand(CliContext context)
        : base("list", "List installed plugins with version, source, state, capabilities and load status.", context)
    {
    }

    protected override Task<int> ExecuteAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        Context.Console.WriteLine("No plugins installed.");
        return Task.FromResult(ExitCodes.Success);
    }
}
