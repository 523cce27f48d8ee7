using System.CommandLine;

namespace AgentHost.Cli.Commands;

/// <summary><c>agent lsp …</c>: the language servers the LSP bridge runs.</summary>
internal sealed class LspCommand : Command
{
    public LspCommand(CliContext context)
        : base("lsp", "Inspect the language servers that plugins and the configuration define.")
    {
        Subcommands.Add(new LspStatusCommand(context));
    }
}
