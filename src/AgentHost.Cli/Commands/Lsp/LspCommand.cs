using System.CommandLine;
using AgentHost.Agent.Lsp;

namespace AgentHost.Cli.Commands.Lsp;

/// <summary><c>agent lsp …</c>: the language servers the LSP bridge runs.</summary>
internal sealed class LspCommand : Command
{
    public LspCommand(CliContext context)
        : base("lsp", "Inspect, start, stop and restart the language servers that plugins and the configuration define.")
    {
        Subcommands.Add(new LspStatusCommand(context));
        Subcommands.Add(new LspControlCommand(context, LspServerAction.Start));
        Subcommands.Add(new LspControlCommand(context, LspServerAction.Stop));
        Subcommands.Add(new LspControlCommand(context, LspServerAction.Restart));
    }
}
