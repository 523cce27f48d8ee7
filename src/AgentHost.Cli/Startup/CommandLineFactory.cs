using System.CommandLine;
using AgentHost.Cli.Chat;
using AgentHost.Cli.Commands.Acp;
using AgentHost.Cli.Commands.Auth;
using AgentHost.Cli.Commands.Config;
using AgentHost.Cli.Commands.Diagnostics;
using AgentHost.Cli.Commands.Hooks;
using AgentHost.Cli.Commands.Init;
using AgentHost.Cli.Commands.Logs;
using AgentHost.Cli.Commands.Lsp;
using AgentHost.Cli.Commands.Mcp;
using AgentHost.Cli.Commands.Models;
using AgentHost.Cli.Commands.Permissions;
using AgentHost.Cli.Commands.Plugin;
using AgentHost.Cli.Commands.Run;
using AgentHost.Cli.Commands.Sandbox;
using AgentHost.Cli.Commands.Serve;
using AgentHost.Cli.Commands.Server;
using AgentHost.Cli.Commands.Session;
using AgentHost.Cli.Commands.Skill;
using AgentHost.Cli.Commands.Stats;
using AgentHost.Cli.Commands.Tool;
using AgentHost.Cli.Commands.Trust;
using AgentHost.Cli.Commands.Workflow;

namespace AgentHost.Cli.Startup;

/// <summary>Builds the command tree.</summary>
internal static class CommandLineFactory
{
    private static readonly (string Name, Func<CliContext, Command> Create)[] Commands =
    [
        ("run", context => new RunCommand(context)),
        ("chat", context => new ChatCommand(context)),
        ("plugin", context => new PluginCommand(context)),
        ("config", context => new ConfigCommand(context)),
        ("auth", context => new AuthCommand(context)),
        ("tool", context => new ToolCommand(context)),
        ("doctor", context => new DoctorCommand(context)),
        ("session", context => new SessionCommand(context)),
        ("logs", context => new LogsCommand(context)),
        ("stats", context => new StatsCommand(context)),
        ("permissions", context => new PermissionsCommand(context)),
        ("trust", context => new TrustCommand(context)),
        ("models", context => new ModelsCommand(context)),
        ("init", context => new InitCommand(context)),
        ("skill", context => new SkillCommand(context)),
        ("lsp", context => new LspCommand(context)),
        ("mcp", context => new McpCommand(context)),
        ("hooks", context => new HooksCommand(context)),
        ("sandbox", context => new SandboxCommand(context)),
        ("workflow", context => new WorkflowCommand(context)),
        ("serve", context => new ServeCommand(context)),
        ("acp", context => new AcpCommand(context)),
        ("server", context => new ServerCommand(context)),
    ];

    /// <summary>Builds the root command with every command.</summary>
    /// <param name="context">The CLI context.</param>
    /// <returns>The root command.</returns>
    public static RootCommand Create(CliContext context) => Create(context, []);

    /// <summary>
    /// Builds the root command for one command line. When the line starts with a command's name (<c>agent run …</c>),
    /// only that command is built: the parser needs no other, and building all of them (hundreds of options) is start-up
    /// time every run would pay. Anything else (<c>--help</c>, an option first, a mistyped command) gets the whole tree,
    /// so help lists every command and a typo gets its suggestions.
    /// </summary>
    /// <param name="context">The CLI context.</param>
    /// <param name="args">The command line.</param>
    /// <returns>The root command.</returns>
    public static RootCommand Create(CliContext context, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var root = new RootCommand("agent: a plugin-based AI agent host.");
        context.GlobalOptions.AddTo(root);
        var named = args.Count > 0 ? Array.FindIndex(Commands, c => string.Equals(c.Name, args[0], StringComparison.Ordinal)) : -1;
        foreach (var (_, create) in named >= 0 ? Commands.AsSpan(named, 1) : Commands)
        {
            root.Subcommands.Add(create(context));
        }

        if (named < 0)
        {
            // `agent` with no command (or only options: --continue, --session ID, --model …) opens the chat.
            ChatCommand.AttachTo(root, context);
        }

        return root;
    }
}
