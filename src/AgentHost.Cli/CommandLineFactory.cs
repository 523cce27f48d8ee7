using System.CommandLine;
using AgentHost.Cli.Commands;

namespace AgentHost.Cli;

/// <summary>Builds the command tree.</summary>
internal static class CommandLineFactory
{
    public static RootCommand Create(CliContext context)
    {
        var root = new RootCommand("agent: a plugin-based AI agent host.");
        context.GlobalOptions.AddTo(root);
        root.Subcommands.Add(new RunCommand(context));
        root.Subcommands.Add(new PluginCommand(context));
        root.Subcommands.Add(new ConfigCommand(context));
        root.Subcommands.Add(new ToolCommand(context));
        root.Subcommands.Add(new DoctorCommand(context));
        root.Subcommands.Add(new SessionCommand(context));
        root.Subcommands.Add(new LogsCommand(context));
        root.Subcommands.Add(new StatsCommand(context));
        root.Subcommands.Add(new PermissionsCommand(context));
        root.Subcommands.Add(new TrustCommand(context));
        root.Subcommands.Add(new ModelsCommand(context));
        root.Subcommands.Add(new InitCommand(context));
        root.Subcommands.Add(new SkillCommand(context));
        root.Subcommands.Add(new LspCommand(context));
        return root;
    }
}
