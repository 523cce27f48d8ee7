using System.CommandLine;
using AgentHost.Cli.Interaction;
using AgentHost.Kernel.Hosting;

namespace AgentHost.Cli;

/// <summary>What commands share: console, environment and lazily created kernel services.</summary>
/// <remarks>Nothing is created until a command asks for it, so short commands stay fast.</remarks>
internal sealed class CliContext
{
    private AgentPaths? _paths;

    public CliContext(IConsoleInteraction console, HostEnvironment environment, GlobalOptions globalOptions)
    {
        Console = console;
        Environment = environment;
        GlobalOptions = globalOptions;
    }

    public IConsoleInteraction Console { get; }

    public HostEnvironment Environment { get; }

    public GlobalOptions GlobalOptions { get; }

    public AgentPaths Paths => _paths ??= AgentPaths.Resolve(Environment);

    public IReadOnlyList<string> ConfigOverrides(ParseResult parseResult) =>
        parseResult.GetValue(GlobalOptions.Set) ?? [];
}
